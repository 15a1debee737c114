#include "rtcp/Sdes.hpp"

namespace rtcgate::rtcp {

std::optional<Sdes> Sdes::parse(const RtcpHeader& header) noexcept {
  if (header.packetType() != uint8_t(RtcpPacketType::Sdes)) return std::nullopt;
  auto ignore = [](const SdesItem&) noexcept {};
  if (!walk(header.body(), header.count(), ignore)) return std::nullopt;
  return Sdes(header.body(), header.count());
}

std::optional<SdesItem> Sdes::cname() const noexcept {
  std::optional<SdesItem> found;
  forEachItem([&found](const SdesItem& item) noexcept {
    if (!found && item.type == uint8_t(SdesItemType::Cname)) found = item;
  });
  return found;
}

}  // namespace rtcgate::rtcp
