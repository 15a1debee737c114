#include "codec/G722Encoder.hpp"

#include <stdexcept>

#include <spandsp/telephony.h>
#include <spandsp/g722.h>

namespace rtcgate::codec {
namespace {
constexpr int kBitRate = 64000;  // RFC 3551 §4.5.2
constexpr uint32_t kNativeRate = 16000;
constexpr uint32_t kNarrowRate = 8000;
}  // namespace

void G722Encoder::StateDeleter::operator()(g722_encode_state_s* s) const noexcept { g722_encode_free(s); }

G722Encoder::G722Encoder(const EncoderOptions& options)
    : inputRate_(options.inputRate == 0 ? kNativeRate : options.inputRate),
      frameSamples_(size_t{options.frameMs} * inputRate_ / 1000),
      // 64 kbit/s is 8 bytes per millisecond whatever the PCM rate.
      frameBytes_(size_t{options.frameMs} * 8) {
  if (inputRate_ != kNativeRate && inputRate_ != kNarrowRate)
    throw std::invalid_argument("G722Encoder: input rate must be 16000 or 8000");
  if (frameSamples_ == 0 || frameSamples_ > kMaxFrameSamples) throw std::invalid_argument("G722Encoder: bad frameMs");
  state_.reset(g722_encode_init(nullptr, kBitRate, inputRate_ == kNarrowRate ? G722_SAMPLE_RATE_8000 : 0));
  if (!state_) throw std::runtime_error("spandsp g722_encode_init failed");
}

G722Encoder::~G722Encoder() = default;

int G722Encoder::encode(std::span<const int16_t> pcm, std::span<uint8_t> out) noexcept {
  if (pcm.size() < frameSamples_ || out.size() < frameBytes_) return -1;
  const int n = g722_encode(state_.get(), out.data(), pcm.data(), static_cast<int>(frameSamples_));
  return n > 0 ? n : -1;
}

}  // namespace rtcgate::codec
