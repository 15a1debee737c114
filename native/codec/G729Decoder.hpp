#pragma once
// G.729 / G.729A decoder (bcg729), 8 kHz. An RTP payload is any number of 10-byte frames of
// 10 ms, optionally followed by one 2-byte Annex B SID frame (RFC 3551 §4.5.6); a SID frame
// makes bcg729 generate comfort noise for its 10 ms. Concealment uses bcg729's erasure flag.
#include <array>
#include <memory>

#include "codec/AudioCodec.hpp"

struct bcg729DecoderChannelContextStruct_struct;

namespace rtcgate::codec {

class G729Decoder final : public AudioDecoder {
 public:
  static constexpr uint32_t kSampleRate = 8000;
  static constexpr size_t kFrameBytes = 10;    // 80 bits per 10 ms (G.729 §3)
  static constexpr size_t kSidBytes = 2;       // 15 bits padded, G.729 Annex B §4 / RFC 3551 §4.5.6
  static constexpr size_t kFrameSamples = 80;  // 10 ms at 8 kHz

  G729Decoder();  // std::runtime_error if bcg729 refuses
  ~G729Decoder() override;

  CodecId id() const noexcept override { return CodecId::G729; }
  uint32_t outputRate() const noexcept override { return kSampleRate; }
  // -1 for an empty payload or a length that is not 10·n or 10·n + 2.
  int decode(std::span<const uint8_t> payload, std::span<int16_t> out) noexcept override;
  int conceal(size_t samples, std::span<int16_t> out) noexcept override;

 private:
  struct StateDeleter {
    void operator()(bcg729DecoderChannelContextStruct_struct* s) const noexcept;
  };

  std::unique_ptr<bcg729DecoderChannelContextStruct_struct, StateDeleter> state_;
  std::array<int16_t, kFrameSamples> scratch_{};  // a concealed frame when less than 10 ms is asked for
};

}  // namespace rtcgate::codec
