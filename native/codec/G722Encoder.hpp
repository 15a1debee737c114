#pragma once
// G.722 encoder at 64 kbit/s (spandsp). Input is 16 kHz (native) or 8 kHz (spandsp's narrowband
// mode: the upper sub-band is sent empty), any frame length; one byte per 16 kHz sample pair.
#include <memory>

#include "codec/AudioCodec.hpp"

struct g722_encode_state_s;

namespace rtcgate::codec {

class G722Encoder final : public AudioEncoder {
 public:
  // Throws std::invalid_argument unless the input rate is 16000, 8000 or 0 and frameMs is 1..120.
  explicit G722Encoder(const EncoderOptions& options);
  ~G722Encoder() override;

  CodecId id() const noexcept override { return CodecId::G722; }
  uint32_t inputRate() const noexcept override { return inputRate_; }
  size_t frameSamples() const noexcept override { return frameSamples_; }
  int encode(std::span<const int16_t> pcm, std::span<uint8_t> out) noexcept override;

 private:
  struct StateDeleter {
    void operator()(g722_encode_state_s* s) const noexcept;
  };

  uint32_t inputRate_;
  size_t frameSamples_;
  size_t frameBytes_;
  std::unique_ptr<g722_encode_state_s, StateDeleter> state_;
};

}  // namespace rtcgate::codec
