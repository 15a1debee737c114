#pragma once
// Opus decoder (libopus), mono, straight to the rate the far side needs (8/12/16/24/48 kHz:
// libopus decodes to any of them without a separate resampler). Named OpusAudioDecoder so it
// does not shadow libopus's own ::OpusDecoder type.
#include <array>
#include <memory>

#include "codec/AudioCodec.hpp"

struct OpusDecoder;

namespace rtcgate::codec {

class OpusAudioDecoder final : public AudioDecoder {
 public:
  explicit OpusAudioDecoder(uint32_t outputRate);  // std::invalid_argument for other rates
  ~OpusAudioDecoder() override;

  CodecId id() const noexcept override { return CodecId::Opus; }
  uint32_t outputRate() const noexcept override { return outputRate_; }
  int decode(std::span<const uint8_t> payload, std::span<int16_t> out) noexcept override;
  // Opus PLC. libopus conceals in multiples of 2.5 ms; a request that is not one is served
  // through scratch_, so any count works.
  int conceal(size_t samples, std::span<int16_t> out) noexcept override;
  // Decodes the LBRR (in-band FEC) copy of the previous frame carried by `nextPayload`
  // (RFC 6716 §4.2.4). Returns -1 when that packet carries none (CELT-only mode, or the LBRR
  // flag is clear), so the caller conceals and counts it as such.
  int decodeFec(std::span<const uint8_t> nextPayload, size_t samples, std::span<int16_t> out) noexcept override;

  // True when `payload` is a SILK or hybrid packet whose first frame sets the LBRR flag.
  static bool hasFec(std::span<const uint8_t> payload) noexcept;

 private:
  struct StateDeleter {
    void operator()(::OpusDecoder* d) const noexcept;
  };

  uint32_t outputRate_;
  size_t quantum_;  // 2.5 ms at outputRate_: the smallest frame libopus can conceal
  std::unique_ptr<::OpusDecoder, StateDeleter> state_;
  std::array<int16_t, kMaxFrameSamples / 48> scratch_{};  // one 2.5 ms quantum at 48 kHz = 120
};

}  // namespace rtcgate::codec
