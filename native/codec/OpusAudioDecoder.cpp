#include "codec/OpusAudioDecoder.hpp"

#include <opus.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace rtcgate::codec {
namespace {

constexpr int kChannels = 1;
// libopus PLC and FEC need a frame size that is a multiple of 2.5 ms (opus_decode docs).
constexpr uint32_t kQuantumDivisor = 400;  // rate / 400 = samples in 2.5 ms
// TOC configurations 0..11 are SILK-only, 12..15 hybrid, 16..31 CELT-only (RFC 6716 §3.1).
constexpr int kFirstCeltOnlyConfig = 16;

bool supportedRate(uint32_t rate) {
  return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

}  // namespace

void OpusAudioDecoder::StateDeleter::operator()(::OpusDecoder* d) const noexcept { opus_decoder_destroy(d); }

OpusAudioDecoder::OpusAudioDecoder(uint32_t outputRate) : outputRate_(outputRate), quantum_(outputRate / kQuantumDivisor) {
  if (!supportedRate(outputRate)) throw std::invalid_argument("OpusAudioDecoder: output rate must be 8/12/16/24/48 kHz");
  int err = OPUS_OK;
  state_.reset(opus_decoder_create(static_cast<opus_int32>(outputRate), kChannels, &err));
  if (err != OPUS_OK || !state_) throw std::runtime_error(std::string("opus_decoder_create: ") + opus_strerror(err));
}

OpusAudioDecoder::~OpusAudioDecoder() = default;

int OpusAudioDecoder::decode(std::span<const uint8_t> payload, std::span<int16_t> out) noexcept {
  // An empty payload would make libopus conceal; the caller asked to decode, so refuse it.
  if (payload.empty() || payload.size() > INT_MAX) return -1;
  const int capacity = static_cast<int>(std::min(out.size(), kMaxFrameSamples));
  const int n = opus_decode(state_.get(), payload.data(), static_cast<opus_int32>(payload.size()), out.data(), capacity, 0);
  return n > 0 ? n : -1;
}

int OpusAudioDecoder::conceal(size_t samples, std::span<int16_t> out) noexcept {
  if (samples > out.size() || samples > INT_MAX) return -1;
  size_t done = 0;
  while (done < samples) {
    const size_t left = samples - done;
    if (left >= quantum_) {
      const size_t chunk = std::min(left - left % quantum_, kMaxFrameSamples * outputRate_ / 48000);
      const int n = opus_decode(state_.get(), nullptr, 0, out.data() + done, static_cast<int>(chunk), 0);
      if (n <= 0) return -1;
      done += static_cast<size_t>(n);
    } else {
      // Tail shorter than 2.5 ms: conceal one quantum and keep only what was asked for.
      const int n = opus_decode(state_.get(), nullptr, 0, scratch_.data(), static_cast<int>(quantum_), 0);
      if (n <= 0) return -1;
      std::memcpy(out.data() + done, scratch_.data(), left * sizeof(int16_t));
      done = samples;
    }
  }
  return static_cast<int>(samples);
}

bool OpusAudioDecoder::hasFec(std::span<const uint8_t> payload) noexcept {
  if (payload.empty() || payload.size() > INT_MAX) return false;
  const int config = payload[0] >> 3;
  if (config >= kFirstCeltOnlyConfig) return false;  // CELT has no LBRR
  const unsigned char* frames[48];
  opus_int16 sizes[48];
  const int count = opus_packet_parse(payload.data(), static_cast<opus_int32>(payload.size()), nullptr, frames, sizes, nullptr);
  if (count <= 0 || sizes[0] == 0) return false;
  // One Opus frame holds one SILK frame per 20 ms (configs ending in 2 and 3 are 40 and 60 ms,
  // RFC 6716 §3.1 Table 2). The SILK header is one VAD flag per SILK frame then the LBRR flag,
  // each coded with probability 1/2 (§4.2.3), which the range coder leaves as the leading bits
  // of the first byte.
  const int durationIndex = config < 12 ? (config & 3) : 1;  // hybrid frames are 10/20 ms
  const int silkFrames = durationIndex == 2 ? 2 : durationIndex == 3 ? 3 : 1;
  return ((frames[0][0] >> (7 - silkFrames)) & 1) != 0;
}

int OpusAudioDecoder::decodeFec(std::span<const uint8_t> nextPayload, size_t samples, std::span<int16_t> out) noexcept {
  if (samples == 0 || samples > out.size() || samples > kMaxFrameSamples || samples % quantum_ != 0) return -1;
  if (!hasFec(nextPayload)) return -1;
  const int n = opus_decode(state_.get(), nextPayload.data(), static_cast<opus_int32>(nextPayload.size()), out.data(),
                            static_cast<int>(samples), 1);
  return n > 0 ? n : -1;
}

}  // namespace rtcgate::codec
