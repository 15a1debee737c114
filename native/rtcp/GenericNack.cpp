#include "rtcp/GenericNack.hpp"

namespace rtcgate::rtcp {

std::optional<GenericNack> GenericNack::parse(const RtcpHeader& header) noexcept {
  if (header.packetType() != uint8_t(RtcpPacketType::RtpFeedback) || header.fmt() != kFmtGenericNack)
    return std::nullopt;
  const auto body = header.body();
  // §6.2.1: at least one FCI entry; a trailing partial entry cannot occur with word lengths.
  if (body.size() < kFeedbackFixedSize + kNackItemSize) return std::nullopt;
  return GenericNack(body);
}

NackItem GenericNack::item(size_t i) const noexcept {
  const uint8_t* p = body_.data() + kFeedbackFixedSize + i * kNackItemSize;
  return NackItem{load16(p), load16(p + 2)};
}

size_t GenericNack::lostSequenceNumbers(std::span<uint16_t> out) const noexcept {
  size_t n = 0;
  forEachLost([&](uint16_t seq) noexcept {
    if (n < out.size()) out[n++] = seq;
  });
  return n;
}

}  // namespace rtcgate::rtcp
