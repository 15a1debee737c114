#include "codec/G711Encoder.hpp"

#include <stdexcept>

#include "codec/G711.hpp"

namespace rtcgate::codec {

G711Encoder::G711Encoder(CodecId id, const EncoderOptions& options)
    : id_(id), frameSamples_(size_t{options.frameMs} * kSampleRate / 1000) {
  if (id != CodecId::Pcmu && id != CodecId::Pcma) throw std::invalid_argument("G711Encoder: not a G.711 codec");
  if (options.inputRate != 0 && options.inputRate != kSampleRate)
    throw std::invalid_argument("G711Encoder: input rate must be 8000");
  if (frameSamples_ == 0 || frameSamples_ > kMaxFrameSamples) throw std::invalid_argument("G711Encoder: bad frameMs");
}

int G711Encoder::encode(std::span<const int16_t> pcm, std::span<uint8_t> out) noexcept {
  if (pcm.size() < frameSamples_ || out.size() < frameSamples_) return -1;
  if (id_ == CodecId::Pcmu) {
    for (size_t i = 0; i < frameSamples_; ++i) out[i] = g711::linearToUlaw(pcm[i]);
  } else {
    for (size_t i = 0; i < frameSamples_; ++i) out[i] = g711::linearToAlaw(pcm[i]);
  }
  return static_cast<int>(frameSamples_);
}

}  // namespace rtcgate::codec
