#pragma once
// Builds a fresh RTP header (RFC 3550 §5.1) with optional CSRCs and an RFC 8285 extension
// block into a caller buffer. The payload goes right after the returned header size.
#include <cstddef>
#include <cstdint>
#include <span>

namespace rtcgate::rtp {

struct RtpExtensionElement {
  uint8_t id = 0;                  // RFC 8285: 1..14 fit the one-byte form, up to 255 two-byte
  std::span<const uint8_t> data;   // one-byte form: 1..16 bytes; two-byte form: 0..255
};

struct RtpHeaderFields {
  bool marker = false;
  uint8_t payloadType = 0;
  uint16_t sequenceNumber = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  std::span<const uint32_t> csrcs;                    // at most 15
  std::span<const RtpExtensionElement> extensions;    // empty: no X bit
};

// Size writeRtpHeader would write, or 0 if the fields cannot be encoded.
size_t rtpHeaderSize(const RtpHeaderFields& fields) noexcept;

// Writes the header and returns its size, or 0 if it does not fit in `out` or the fields
// cannot be encoded. Uses the one-byte extension form (0xBEDE, RFC 8285 §4.2) when every
// element allows it, otherwise the two-byte form (0x1000, §4.3).
size_t writeRtpHeader(std::span<uint8_t> out, const RtpHeaderFields& fields) noexcept;

}  // namespace rtcgate::rtp
