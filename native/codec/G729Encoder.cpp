#include "codec/G729Encoder.hpp"

// bcg729's headers declare C functions without extern "C".
extern "C" {
#include <bcg729/encoder.h>
}

#include <climits>
#include <stdexcept>

namespace rtcgate::codec {

void G729Encoder::StateDeleter::operator()(bcg729EncoderChannelContextStruct_struct* s) const noexcept {
  closeBcg729EncoderChannel(s);
}

G729Encoder::G729Encoder(const EncoderOptions& options) : frameSamples_(size_t{options.frameMs} * kSampleRate / 1000) {
  if (options.inputRate != 0 && options.inputRate != kSampleRate)
    throw std::invalid_argument("G729Encoder: input rate must be 8000");
  if (options.frameMs == 0 || options.frameMs % 10 != 0 || frameSamples_ > kMaxFrameSamples)
    throw std::invalid_argument("G729Encoder: frameMs must be a multiple of 10");
  state_.reset(initBcg729EncoderChannel(0));
  if (!state_) throw std::runtime_error("bcg729 initBcg729EncoderChannel failed");
}

G729Encoder::~G729Encoder() = default;

int G729Encoder::encode(std::span<const int16_t> pcm, std::span<uint8_t> out) noexcept {
  const size_t frames = frameSamples_ / kFrameSamples;
  if (pcm.size() < frameSamples_ || out.size() < frames * kFrameBytes) return -1;
  size_t written = 0;
  for (size_t i = 0; i < frames; ++i) {
    uint8_t length = 0;
    bcg729Encoder(state_.get(), pcm.data() + i * kFrameSamples, out.data() + written, &length);
    written += length;
  }
  return static_cast<int>(written);
}

}  // namespace rtcgate::codec
