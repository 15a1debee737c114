#pragma once
// G.711 µ-law / A-law encoder: 8 kHz input, one byte per sample, any frame length.
#include "codec/AudioCodec.hpp"

namespace rtcgate::codec {

class G711Encoder final : public AudioEncoder {
 public:
  static constexpr uint32_t kSampleRate = 8000;  // RFC 3551 §4.5.14

  // Throws std::invalid_argument unless id is Pcmu/Pcma, the input rate is 8000 (or 0) and
  // frameMs is 1..120.
  G711Encoder(CodecId id, const EncoderOptions& options);

  CodecId id() const noexcept override { return id_; }
  uint32_t inputRate() const noexcept override { return kSampleRate; }
  size_t frameSamples() const noexcept override { return frameSamples_; }
  int encode(std::span<const int16_t> pcm, std::span<uint8_t> out) noexcept override;

 private:
  CodecId id_;
  size_t frameSamples_;
};

}  // namespace rtcgate::codec
