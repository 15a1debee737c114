#pragma once
// The codec seam of the media pipeline: every audio codec is a decoder that yields 16-bit PCM
// at a chosen rate and an encoder that takes PCM at its input rate. Implementations live in
// native/codec/ (one file per codec); the transcoding bridge only sees these interfaces.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace rtcgate::codec {

enum class CodecId : uint8_t { Pcmu, Pcma, G722, Opus, G729 };

// Largest frame any codec here produces or consumes: 120 ms at 48 kHz, mono.
inline constexpr size_t kMaxFrameSamples = 5760;

std::string_view codecName(CodecId) noexcept;                    // "PCMU", "opus", ...
std::optional<CodecId> codecFromName(std::string_view) noexcept;  // case-insensitive SDP name
// RTP clock rate of the codec in SDP (RFC 3551; G.722 is 8000 by an old error, RFC 3551 §4.5.2;
// Opus is always 48000, RFC 7587 §4.1).
uint32_t rtpClockRate(CodecId) noexcept;
// Rate the codec really samples at (G.722: 16000).
uint32_t nativeSampleRate(CodecId) noexcept;

struct EncoderOptions {
  uint32_t inputRate = 0;      // PCM rate given to encode(); 0 = the codec's native rate
  uint32_t frameMs = 20;       // ptime of one encoded frame
  int opusComplexity = 5;      // 0..10
  int opusBitrate = 0;         // bits/s; 0 = codec default for the bandwidth
  bool opusFec = true;         // in-band FEC (RFC 7587 useinbandfec)
  bool opusDtx = false;
  int opusExpectedLossPercent = 5;
};

class AudioDecoder {
 public:
  virtual ~AudioDecoder() = default;
  virtual CodecId id() const noexcept = 0;
  virtual uint32_t outputRate() const noexcept = 0;
  // Decodes one RTP payload into `out` (at outputRate()); returns samples written, or -1 when the
  // payload is corrupt (the caller conceals instead).
  virtual int decode(std::span<const uint8_t> payload, std::span<int16_t> out) noexcept = 0;
  // Fills `samples` samples of concealment for a lost frame (codec PLC where the codec has
  // one, spandsp PLC for G.711/G.722).
  virtual int conceal(size_t samples, std::span<int16_t> out) noexcept = 0;
  // Recovers a lost frame from the in-band FEC of the NEXT packet's payload (Opus only);
  // returns -1 when the codec or the packet has none.
  virtual int decodeFec(std::span<const uint8_t> nextPayload, size_t samples, std::span<int16_t> out) noexcept {
    (void)nextPayload; (void)samples; (void)out;
    return -1;
  }
};

class AudioEncoder {
 public:
  virtual ~AudioEncoder() = default;
  virtual CodecId id() const noexcept = 0;
  virtual uint32_t inputRate() const noexcept = 0;
  virtual size_t frameSamples() const noexcept = 0;  // per encode() call, at inputRate()
  // Encodes exactly frameSamples() samples; returns payload bytes written, or -1 on error.
  // Opus with DTX may return 0..2 bytes for silence: the caller then sends nothing.
  virtual int encode(std::span<const int16_t> pcm, std::span<uint8_t> out) noexcept = 0;
};

// Throw std::invalid_argument for an unsupported rate/option, std::runtime_error when the
// library refuses; never called on the packet path.
std::unique_ptr<AudioDecoder> makeDecoder(CodecId id, uint32_t outputRate);
std::unique_ptr<AudioEncoder> makeEncoder(CodecId id, const EncoderOptions& options);

}  // namespace rtcgate::codec
