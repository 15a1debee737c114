#include "codec/OpusAudioEncoder.hpp"

#include <opus.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>

namespace rtcgate::codec {
namespace {

constexpr int kChannels = 1;
constexpr uint32_t kDefaultRate = 48000;  // RFC 7587 §4.1: Opus' RTP clock

int maxBandwidthFor(uint32_t rate) {
  switch (rate) {
    case 8000: return OPUS_BANDWIDTH_NARROWBAND;
    case 16000: return OPUS_BANDWIDTH_WIDEBAND;
    case 48000: return OPUS_BANDWIDTH_FULLBAND;
    default: return 0;
  }
}

bool validFrameMs(uint32_t ms) {
  // Opus frames are 2.5..60 ms, and libopus >= 1.2 packs 80/100/120 ms as several 20 ms frames.
  return ms == 10 || ms == 20 || ms == 40 || ms == 60 || ms == 80 || ms == 100 || ms == 120;
}

void check(int rc, const char* what) {
  if (rc != OPUS_OK) throw std::runtime_error(std::string("opus ") + what + ": " + opus_strerror(rc));
}

}  // namespace

void OpusAudioEncoder::StateDeleter::operator()(::OpusEncoder* e) const noexcept { opus_encoder_destroy(e); }

OpusAudioEncoder::OpusAudioEncoder(const EncoderOptions& options)
    : inputRate_(options.inputRate == 0 ? kDefaultRate : options.inputRate),
      frameSamples_(size_t{options.frameMs} * inputRate_ / 1000) {
  const int maxBandwidth = maxBandwidthFor(inputRate_);
  if (maxBandwidth == 0) throw std::invalid_argument("OpusAudioEncoder: input rate must be 8000, 16000 or 48000");
  if (!validFrameMs(options.frameMs)) throw std::invalid_argument("OpusAudioEncoder: frameMs is not an Opus frame size");
  if (options.opusComplexity < 0 || options.opusComplexity > 10)
    throw std::invalid_argument("OpusAudioEncoder: complexity must be 0..10");
  // RFC 7587 §3.1.1: 6 to 510 kbit/s is the range Opus supports.
  if (options.opusBitrate != 0 && (options.opusBitrate < 6000 || options.opusBitrate > 510000))
    throw std::invalid_argument("OpusAudioEncoder: bitrate must be 0 or 6000..510000");
  if (options.opusExpectedLossPercent < 0 || options.opusExpectedLossPercent > 100)
    throw std::invalid_argument("OpusAudioEncoder: expected loss must be 0..100");

  int err = OPUS_OK;
  state_.reset(opus_encoder_create(static_cast<opus_int32>(inputRate_), kChannels, OPUS_APPLICATION_VOIP, &err));
  check(err, "encoder_create");
  ::OpusEncoder* e = state_.get();
  check(opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(options.opusComplexity)), "complexity");
  check(opus_encoder_ctl(e, OPUS_SET_BITRATE(options.opusBitrate == 0 ? OPUS_AUTO : options.opusBitrate)), "bitrate");
  check(opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(maxBandwidth)), "max bandwidth");
  check(opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(options.opusFec ? 1 : 0)), "inband fec");
  // The encoder only spends bits on LBRR when it expects loss (libopus docs for INBAND_FEC).
  check(opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(options.opusExpectedLossPercent)), "loss perc");
  check(opus_encoder_ctl(e, OPUS_SET_DTX(options.opusDtx ? 1 : 0)), "dtx");
}

OpusAudioEncoder::~OpusAudioEncoder() = default;

int OpusAudioEncoder::encode(std::span<const int16_t> pcm, std::span<uint8_t> out) noexcept {
  if (pcm.size() < frameSamples_ || out.empty()) return -1;
  const auto capacity = static_cast<opus_int32>(std::min<size_t>(out.size(), INT_MAX));
  const opus_int32 n = opus_encode(state_.get(), pcm.data(), static_cast<int>(frameSamples_), out.data(), capacity);
  return n >= 0 ? static_cast<int>(n) : -1;
}

}  // namespace rtcgate::codec
