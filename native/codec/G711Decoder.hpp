#pragma once
// G.711 µ-law / A-law decoder at 8 kHz (the bridge resamples when the far side needs another
// rate). Every byte is a valid sample, so only an empty payload is refused; spandsp PLC conceals.
#include "codec/AudioCodec.hpp"
#include "codec/Plc.hpp"

namespace rtcgate::codec {

class G711Decoder final : public AudioDecoder {
 public:
  static constexpr uint32_t kSampleRate = 8000;  // RFC 3551 §4.5.14

  explicit G711Decoder(CodecId id);  // Pcmu or Pcma, else std::invalid_argument

  CodecId id() const noexcept override { return id_; }
  uint32_t outputRate() const noexcept override { return kSampleRate; }
  int decode(std::span<const uint8_t> payload, std::span<int16_t> out) noexcept override;
  int conceal(size_t samples, std::span<int16_t> out) noexcept override;

 private:
  CodecId id_;
  Plc plc_;
};

}  // namespace rtcgate::codec
