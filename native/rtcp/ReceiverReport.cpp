#include "rtcp/ReceiverReport.hpp"

#include "common/ByteOrder.hpp"

namespace rtcgate::rtcp {

std::optional<ReceiverReport> ReceiverReport::parse(const RtcpHeader& header) noexcept {
  if (header.packetType() != uint8_t(RtcpPacketType::ReceiverReport)) return std::nullopt;
  const auto body = header.body();
  const size_t count = header.count();
  if (body.size() < 4 + count * kReportBlockSize) return std::nullopt;
  return ReceiverReport(body, count);
}

uint32_t ReceiverReport::senderSsrc() const noexcept { return load32(body_.data()); }

ReportBlock ReceiverReport::reportBlock(size_t i) const noexcept {
  return readReportBlock(body_.data() + 4 + i * kReportBlockSize);
}

}  // namespace rtcgate::rtcp
