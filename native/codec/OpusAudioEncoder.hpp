#pragma once
// Opus encoder (libopus), mono, OPUS_APPLICATION_VOIP, taking PCM at the rate the other leg
// decodes to (8, 16 or 48 kHz) so no resampler sits in front of it. The maximum bandwidth
// follows the input rate: nothing above 4 kHz exists in 8 kHz PCM, so coding it wastes bits.
#include <memory>

#include "codec/AudioCodec.hpp"

struct OpusEncoder;

namespace rtcgate::codec {

class OpusAudioEncoder final : public AudioEncoder {
 public:
  // Throws std::invalid_argument for an input rate other than 8000/16000/48000 (0 = 48000), a
  // frameMs that is not an Opus frame size (10, 20, 40, 60, 80, 100, 120), or options out of
  // range; std::runtime_error when libopus refuses.
  explicit OpusAudioEncoder(const EncoderOptions& options);
  ~OpusAudioEncoder() override;

  CodecId id() const noexcept override { return CodecId::Opus; }
  uint32_t inputRate() const noexcept override { return inputRate_; }
  size_t frameSamples() const noexcept override { return frameSamples_; }
  int encode(std::span<const int16_t> pcm, std::span<uint8_t> out) noexcept override;

 private:
  struct StateDeleter {
    void operator()(::OpusEncoder* e) const noexcept;
  };

  uint32_t inputRate_;
  size_t frameSamples_;
  std::unique_ptr<::OpusEncoder, StateDeleter> state_;
};

}  // namespace rtcgate::codec
