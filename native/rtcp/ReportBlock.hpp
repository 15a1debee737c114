#pragma once
// RFC 3550 §6.4.1: one reception report block, as a plain value.
// Header-only on purpose: rtp/RtpReceiveStats produces these and rtp/RtpSendStats consumes them,
// and both include this file without linking (or otherwise depending on) the rtcp module.
#include <cstddef>
#include <cstdint>

#include "common/ByteOrder.hpp"

namespace rtcgate::rtcp {

inline constexpr size_t kReportBlockSize = 24;  // RFC 3550 §6.4.1: six 32-bit words
inline constexpr int32_t kMaxCumulativeLost = 0x7fffff;    // 24-bit signed field, §6.4.1
inline constexpr int32_t kMinCumulativeLost = -0x800000;

struct ReportBlock {
  uint32_t ssrc = 0;                // SSRC of the source this block reports on
  uint8_t fractionLost = 0;         // lost since the previous report, fixed point /256
  int32_t cumulativeLost = 0;       // 24-bit signed on the wire (negative with duplicates)
  uint32_t extendedHighestSeq = 0;  // cycles << 16 | highest sequence number
  uint32_t jitter = 0;              // interarrival jitter in RTP timestamp units
  uint32_t lastSr = 0;              // LSR: middle 32 bits of the last SR's NTP timestamp
  uint32_t delaySinceLastSr = 0;    // DLSR in units of 1/65536 s

  friend bool operator==(const ReportBlock&, const ReportBlock&) = default;
};

// `p` must point at kReportBlockSize readable bytes.
inline ReportBlock readReportBlock(const uint8_t* p) noexcept {
  ReportBlock b;
  b.ssrc = load32(p);
  b.fractionLost = p[4];
  const uint32_t raw = load24(p + 5);
  // Sign-extend the 24-bit two's complement value.
  b.cumulativeLost = (raw & 0x800000u) ? int32_t(raw | 0xff000000u) : int32_t(raw);
  b.extendedHighestSeq = load32(p + 8);
  b.jitter = load32(p + 12);
  b.lastSr = load32(p + 16);
  b.delaySinceLastSr = load32(p + 20);
  return b;
}

// `p` must point at kReportBlockSize writable bytes. cumulativeLost is clamped to 24 bits.
inline void writeReportBlock(uint8_t* p, const ReportBlock& b) noexcept {
  int32_t lost = b.cumulativeLost;
  if (lost > kMaxCumulativeLost) lost = kMaxCumulativeLost;
  if (lost < kMinCumulativeLost) lost = kMinCumulativeLost;
  store32(p, b.ssrc);
  p[4] = b.fractionLost;
  store24(p + 5, uint32_t(lost) & 0xffffffu);
  store32(p + 8, b.extendedHighestSeq);
  store32(p + 12, b.jitter);
  store32(p + 16, b.lastSr);
  store32(p + 20, b.delaySinceLastSr);
}

}  // namespace rtcgate::rtcp
