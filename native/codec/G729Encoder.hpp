#pragma once
// G.729A encoder (bcg729), 8 kHz input, frameMs a multiple of 10 (one 10-byte frame per 10 ms).
// VAD/DTX (Annex B) stays off: every frame is sent, so the payload size never varies.
#include <memory>

#include "codec/AudioCodec.hpp"

struct bcg729EncoderChannelContextStruct_struct;

namespace rtcgate::codec {

class G729Encoder final : public AudioEncoder {
 public:
  static constexpr uint32_t kSampleRate = 8000;
  static constexpr size_t kFrameBytes = 10;
  static constexpr size_t kFrameSamples = 80;

  // Throws std::invalid_argument unless the input rate is 8000 (or 0) and frameMs is a positive
  // multiple of 10 up to 120; std::runtime_error if bcg729 refuses.
  explicit G729Encoder(const EncoderOptions& options);
  ~G729Encoder() override;

  CodecId id() const noexcept override { return CodecId::G729; }
  uint32_t inputRate() const noexcept override { return kSampleRate; }
  size_t frameSamples() const noexcept override { return frameSamples_; }
  int encode(std::span<const int16_t> pcm, std::span<uint8_t> out) noexcept override;

 private:
  struct StateDeleter {
    void operator()(bcg729EncoderChannelContextStruct_struct* s) const noexcept;
  };

  size_t frameSamples_;
  std::unique_ptr<bcg729EncoderChannelContextStruct_struct, StateDeleter> state_;
};

}  // namespace rtcgate::codec
