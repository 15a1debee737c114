#pragma once
// RFC 3550 §6.4.1: the sender information section of an SR, as a plain value.
// Header-only, like ReportBlock.hpp, so rtp/RtpSendStats can produce it without linking rtcp.
#include <cstddef>
#include <cstdint>

#include "common/ByteOrder.hpp"

namespace rtcgate::rtcp {

inline constexpr size_t kSenderInfoSize = 20;  // RFC 3550 §6.4.1: NTP (8), RTP ts, packets, octets

struct SenderInfo {
  uint64_t ntpTimestamp = 0;  // 64-bit NTP timestamp (seconds << 32 | fraction)
  uint32_t rtpTimestamp = 0;  // same instant in the RTP clock of the stream
  uint32_t packetCount = 0;   // sender's packet count
  uint32_t octetCount = 0;    // sender's payload octet count

  // LSR as the receiver will echo it: the middle 32 bits of the NTP timestamp (§6.4.1).
  uint32_t ntpMiddle32() const noexcept { return uint32_t(ntpTimestamp >> 16); }

  friend bool operator==(const SenderInfo&, const SenderInfo&) = default;
};

inline SenderInfo readSenderInfo(const uint8_t* p) noexcept {
  return SenderInfo{load64(p), load32(p + 8), load32(p + 12), load32(p + 16)};
}

inline void writeSenderInfo(uint8_t* p, const SenderInfo& s) noexcept {
  store64(p, s.ntpTimestamp);
  store32(p + 8, s.rtpTimestamp);
  store32(p + 12, s.packetCount);
  store32(p + 16, s.octetCount);
}

}  // namespace rtcgate::rtcp
