#pragma once
// RFC 3550 §5.1 RTP packet as a view over a mutable datagram buffer. Parsing validates the
// header, CSRC list, header extension (RFC 8285 one-byte 0xBEDE and two-byte 0x100X profiles)
// and padding; the setters rewrite header fields in place (SSRC rewriting on relay paths).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/ByteOrder.hpp"

namespace rtcgate::rtp {

inline constexpr uint8_t kRtpVersion = 2;                // RFC 3550 §5.1
inline constexpr size_t kRtpFixedHeaderSize = 12;        // §5.1
inline constexpr size_t kMaxCsrcs = 15;                  // 4-bit CC
inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;   // RFC 8285 §4.2
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;   // RFC 8285 §4.3 (low 4 bits: appbits)
inline constexpr uint16_t kTwoByteExtensionProfileMask = 0xFFF0;

enum class RtpParseError {
  None,
  TooShort,          // fewer than 12 bytes
  BadVersion,        // version != 2
  CsrcOverrun,       // CSRC list runs past the datagram
  ExtensionOverrun,  // extension header or its data runs past the datagram
  BadPadding,        // padding count 0 or larger than the payload space
};

class RtpPacket {
 public:
  static std::optional<RtpPacket> parse(std::span<uint8_t> datagram) noexcept;
  // Same, telling the caller why a datagram was rejected (to bump its counters).
  static std::optional<RtpPacket> parse(std::span<uint8_t> datagram, RtpParseError& error) noexcept;

  bool marker() const noexcept { return (buf_[1] & 0x80) != 0; }
  uint8_t payloadType() const noexcept { return buf_[1] & 0x7f; }
  uint16_t sequenceNumber() const noexcept { return load16(buf_.data() + 2); }
  uint32_t timestamp() const noexcept { return load32(buf_.data() + 4); }
  uint32_t ssrc() const noexcept { return load32(buf_.data() + 8); }
  size_t csrcCount() const noexcept { return buf_[0] & 0x0f; }
  uint32_t csrc(size_t i) const noexcept { return load32(buf_.data() + kRtpFixedHeaderSize + 4 * i); }

  bool hasExtension() const noexcept { return (buf_[0] & 0x10) != 0; }
  uint16_t extensionProfile() const noexcept { return hasExtension() ? load16(buf_.data() + extOffset_ - 4) : 0; }
  // The extension data after its 4-byte profile/length header (empty without extension).
  std::span<const uint8_t> extension() const noexcept { return buf_.subspan(extOffset_, extSize_); }
  // RFC 8285 element `id` (one-byte: 1..14, two-byte: 1..255); nullopt if absent, the profile
  // is not an RFC 8285 one, or the element list is malformed before reaching `id`.
  std::optional<std::span<const uint8_t>> findExtension(uint8_t id) const noexcept;

  std::span<const uint8_t> payload() const noexcept { return buf_.subspan(headerSize_, payloadSize_); }
  std::span<uint8_t> mutablePayload() noexcept { return buf_.subspan(headerSize_, payloadSize_); }
  size_t paddingSize() const noexcept { return buf_.size() - headerSize_ - payloadSize_; }
  size_t headerSize() const noexcept { return headerSize_; }
  size_t size() const noexcept { return buf_.size(); }
  std::span<uint8_t> bytes() const noexcept { return buf_; }

  void setMarker(bool m) noexcept { buf_[1] = uint8_t((buf_[1] & 0x7f) | (m ? 0x80 : 0)); }
  void setPayloadType(uint8_t pt) noexcept { buf_[1] = uint8_t((buf_[1] & 0x80) | (pt & 0x7f)); }
  void setSequenceNumber(uint16_t seq) noexcept { store16(buf_.data() + 2, seq); }
  void setTimestamp(uint32_t ts) noexcept { store32(buf_.data() + 4, ts); }
  void setSsrc(uint32_t ssrc) noexcept { store32(buf_.data() + 8, ssrc); }

 private:
  RtpPacket() noexcept = default;

  std::span<uint8_t> buf_;
  size_t headerSize_ = 0;   // fixed header + CSRCs + extension
  size_t payloadSize_ = 0;  // without padding
  size_t extOffset_ = 0;    // start of the extension data (after its 4-byte header)
  size_t extSize_ = 0;
};

}  // namespace rtcgate::rtp
