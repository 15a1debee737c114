#pragma once
// Appends RTCP packets to a caller-owned buffer to build a compound datagram (RFC 3550 §6.1).
// Each add* returns the bytes it appended, or 0 (and appends nothing) when the packet does
// not fit or its arguments cannot be encoded. No allocation.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "rtcp/Fir.hpp"
#include "rtcp/ReportBlock.hpp"
#include "rtcp/SenderInfo.hpp"

namespace rtcgate::rtcp {

class RtcpWriter {
 public:
  explicit RtcpWriter(std::span<uint8_t> out) noexcept : out_(out) {}

  // At most 31 report blocks (5-bit RC, §6.4.1).
  size_t addSenderReport(uint32_t senderSsrc, const SenderInfo& info,
                         std::span<const ReportBlock> blocks = {}) noexcept;
  size_t addReceiverReport(uint32_t senderSsrc, std::span<const ReportBlock> blocks = {}) noexcept;
  // One chunk with one CNAME item (§6.5.1); cname at most 255 bytes.
  size_t addSdesCname(uint32_t ssrc, std::string_view cname) noexcept;
  // At most 31 SSRCs; reason at most 255 bytes (§6.6).
  size_t addBye(std::span<const uint32_t> ssrcs, std::string_view reason = {}) noexcept;
  size_t addPli(uint32_t senderSsrc, uint32_t mediaSsrc) noexcept;
  size_t addFir(uint32_t senderSsrc, std::span<const FirEntry> entries) noexcept;
  // Packs the lost list into (PID, BLP) pairs (RFC 4585 §6.2.1). Ascending input (mod 2^16)
  // gives the fewest pairs; any order is encoded correctly. Empty list → 0.
  size_t addNack(uint32_t senderSsrc, uint32_t mediaSsrc, std::span<const uint16_t> lost) noexcept;
  // bitrate in bits per second, rounded down to 18-bit mantissa × 2^exp; at most 255 SSRCs.
  size_t addRemb(uint32_t senderSsrc, uint64_t bitrate, std::span<const uint32_t> ssrcs) noexcept;

  size_t size() const noexcept { return size_; }
  std::span<const uint8_t> bytes() const noexcept { return out_.first(size_); }
  void reset() noexcept { size_ = 0; }

 private:
  // Reserves `size` bytes (a multiple of 4) and writes the common header; nullptr if no room.
  uint8_t* begin(size_t size, uint8_t count, uint8_t packetType) noexcept;

  std::span<uint8_t> out_;
  size_t size_ = 0;
};

}  // namespace rtcgate::rtcp
