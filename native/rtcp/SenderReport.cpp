#include "rtcp/SenderReport.hpp"

#include "common/ByteOrder.hpp"

namespace rtcgate::rtcp {

namespace {
constexpr size_t kFixedSize = 4 + kSenderInfoSize;  // sender SSRC + sender info
}  // namespace

std::optional<SenderReport> SenderReport::parse(const RtcpHeader& header) noexcept {
  if (header.packetType() != uint8_t(RtcpPacketType::SenderReport)) return std::nullopt;
  const auto body = header.body();
  const size_t count = header.count();
  // Anything after the blocks is a profile-specific extension (§6.4.1) and is ignored.
  if (body.size() < kFixedSize + count * kReportBlockSize) return std::nullopt;
  return SenderReport(body, count);
}

uint32_t SenderReport::senderSsrc() const noexcept { return load32(body_.data()); }

SenderInfo SenderReport::senderInfo() const noexcept { return readSenderInfo(body_.data() + 4); }

ReportBlock SenderReport::reportBlock(size_t i) const noexcept {
  return readReportBlock(body_.data() + kFixedSize + i * kReportBlockSize);
}

}  // namespace rtcgate::rtcp
