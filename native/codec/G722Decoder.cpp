#include "codec/G722Decoder.hpp"

#include <climits>
#include <stdexcept>

#include <spandsp/telephony.h>
#include <spandsp/g722.h>

namespace rtcgate::codec {
namespace {
constexpr int kBitRate = 64000;  // the only G.722 mode RTP carries (RFC 3551 §4.5.2)
}

void G722Decoder::StateDeleter::operator()(g722_decode_state_s* s) const noexcept { g722_decode_free(s); }

G722Decoder::G722Decoder(uint32_t outputRate)
    : outputRate_(outputRate), samplesPerByte_(outputRate == 8000 ? 1 : 2) {
  if (outputRate != 16000 && outputRate != 8000) throw std::invalid_argument("G722Decoder: output rate must be 16000 or 8000");
  state_.reset(g722_decode_init(nullptr, kBitRate, outputRate == 8000 ? G722_SAMPLE_RATE_8000 : 0));
  if (!state_) throw std::runtime_error("spandsp g722_decode_init failed");
}

G722Decoder::~G722Decoder() = default;

int G722Decoder::decode(std::span<const uint8_t> payload, std::span<int16_t> out) noexcept {
  if (payload.empty() || payload.size() > INT_MAX / 2) return -1;
  if (payload.size() * samplesPerByte_ > out.size()) return -1;
  const int n = g722_decode(state_.get(), out.data(), payload.data(), static_cast<int>(payload.size()));
  if (n <= 0) return -1;
  plc_.observe(out.first(static_cast<size_t>(n)));
  return n;
}

int G722Decoder::conceal(size_t samples, std::span<int16_t> out) noexcept {
  if (samples > out.size() || samples > INT_MAX) return -1;
  plc_.fill(out.first(samples));
  return static_cast<int>(samples);
}

}  // namespace rtcgate::codec
