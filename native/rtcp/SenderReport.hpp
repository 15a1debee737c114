#pragma once
// RFC 3550 §6.4.1 sender report (PT 200), as a view over an RtcpHeader's bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtcp/ReportBlock.hpp"
#include "rtcp/RtcpHeader.hpp"
#include "rtcp/SenderInfo.hpp"

namespace rtcgate::rtcp {

class SenderReport {
 public:
  // nullopt when the packet is not an SR or its report blocks run past its length.
  static std::optional<SenderReport> parse(const RtcpHeader& header) noexcept;

  uint32_t senderSsrc() const noexcept;
  SenderInfo senderInfo() const noexcept;
  uint64_t ntpTimestamp() const noexcept { return senderInfo().ntpTimestamp; }
  uint32_t rtpTimestamp() const noexcept { return senderInfo().rtpTimestamp; }
  uint32_t packetCount() const noexcept { return senderInfo().packetCount; }
  uint32_t octetCount() const noexcept { return senderInfo().octetCount; }
  // What a receiver echoes back as LSR (§6.4.1).
  uint32_t ntpMiddle32() const noexcept { return senderInfo().ntpMiddle32(); }

  size_t reportCount() const noexcept { return count_; }
  ReportBlock reportBlock(size_t i) const noexcept;  // i < reportCount()

 private:
  SenderReport(std::span<const uint8_t> body, size_t count) noexcept : body_(body), count_(count) {}
  std::span<const uint8_t> body_;
  size_t count_;
};

}  // namespace rtcgate::rtcp
