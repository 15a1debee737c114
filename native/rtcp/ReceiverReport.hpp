#pragma once
// RFC 3550 §6.4.2 receiver report (PT 201), as a view over an RtcpHeader's bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtcp/ReportBlock.hpp"
#include "rtcp/RtcpHeader.hpp"

namespace rtcgate::rtcp {

class ReceiverReport {
 public:
  static std::optional<ReceiverReport> parse(const RtcpHeader& header) noexcept;

  uint32_t senderSsrc() const noexcept;
  size_t reportCount() const noexcept { return count_; }
  ReportBlock reportBlock(size_t i) const noexcept;  // i < reportCount()

 private:
  ReceiverReport(std::span<const uint8_t> body, size_t count) noexcept : body_(body), count_(count) {}
  std::span<const uint8_t> body_;
  size_t count_;
};

}  // namespace rtcgate::rtcp
