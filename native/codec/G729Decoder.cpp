#include "codec/G729Decoder.hpp"

// bcg729's headers declare C functions without extern "C".
extern "C" {
#include <bcg729/decoder.h>
}

#include <climits>
#include <cstring>
#include <stdexcept>

namespace rtcgate::codec {
namespace {
// bcg729 reads the bitstream even for an erased frame; give it zeros.
constexpr uint8_t kErasedFrame[G729Decoder::kFrameBytes] = {};
}  // namespace

void G729Decoder::StateDeleter::operator()(bcg729DecoderChannelContextStruct_struct* s) const noexcept {
  closeBcg729DecoderChannel(s);
}

G729Decoder::G729Decoder() : state_(initBcg729DecoderChannel()) {
  if (!state_) throw std::runtime_error("bcg729 initBcg729DecoderChannel failed");
}

G729Decoder::~G729Decoder() = default;

int G729Decoder::decode(std::span<const uint8_t> payload, std::span<int16_t> out) noexcept {
  const size_t frames = payload.size() / kFrameBytes;
  const size_t rest = payload.size() % kFrameBytes;
  if (payload.empty() || (rest != 0 && rest != kSidBytes)) return -1;
  const size_t total = (frames + (rest != 0 ? 1 : 0)) * kFrameSamples;
  if (total > out.size() || total > INT_MAX) return -1;
  size_t written = 0;
  for (size_t i = 0; i < frames; ++i, written += kFrameSamples) {
    bcg729Decoder(state_.get(), payload.data() + i * kFrameBytes, kFrameBytes, 0, 0, 0, out.data() + written);
  }
  if (rest == kSidBytes) {
    bcg729Decoder(state_.get(), payload.data() + frames * kFrameBytes, kSidBytes, 0, 1, 0, out.data() + written);
    written += kFrameSamples;
  }
  return static_cast<int>(written);
}

int G729Decoder::conceal(size_t samples, std::span<int16_t> out) noexcept {
  if (samples > out.size() || samples > INT_MAX) return -1;
  size_t done = 0;
  for (; done + kFrameSamples <= samples; done += kFrameSamples) {
    bcg729Decoder(state_.get(), kErasedFrame, kFrameBytes, 1, 0, 0, out.data() + done);
  }
  if (done < samples) {
    bcg729Decoder(state_.get(), kErasedFrame, kFrameBytes, 1, 0, 0, scratch_.data());
    std::memcpy(out.data() + done, scratch_.data(), (samples - done) * sizeof(int16_t));
  }
  return static_cast<int>(samples);
}

}  // namespace rtcgate::codec
