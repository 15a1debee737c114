#pragma once
// G.722 decoder at 64 kbit/s (spandsp). Native output is 16 kHz; 8 kHz output uses spandsp's
// narrowband mode (lower sub-band only), which saves the resampler on a G.722↔G.711 bridge.
// Every byte is valid G.722, so only an empty payload is refused; spandsp PLC conceals.
#include <memory>

#include "codec/AudioCodec.hpp"
#include "codec/Plc.hpp"

struct g722_decode_state_s;

namespace rtcgate::codec {

class G722Decoder final : public AudioDecoder {
 public:
  explicit G722Decoder(uint32_t outputRate);  // 16000 or 8000, else std::invalid_argument
  ~G722Decoder() override;

  CodecId id() const noexcept override { return CodecId::G722; }
  uint32_t outputRate() const noexcept override { return outputRate_; }
  int decode(std::span<const uint8_t> payload, std::span<int16_t> out) noexcept override;
  int conceal(size_t samples, std::span<int16_t> out) noexcept override;

 private:
  struct StateDeleter {
    void operator()(g722_decode_state_s* s) const noexcept;
  };

  uint32_t outputRate_;
  size_t samplesPerByte_;  // 2 at 16 kHz (two sub-band samples per byte), 1 at 8 kHz
  std::unique_ptr<g722_decode_state_s, StateDeleter> state_;
  // spandsp's concealer assumes 8 kHz pitch limits; at 16 kHz it still repeats the last period,
  // only its pitch search covers 133–400 Hz instead of 66–200 Hz.
  Plc plc_;
};

}  // namespace rtcgate::codec
