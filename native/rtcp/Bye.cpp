#include "rtcp/Bye.hpp"

#include "common/ByteOrder.hpp"

namespace rtcgate::rtcp {

std::optional<Bye> Bye::parse(const RtcpHeader& header) noexcept {
  if (header.packetType() != uint8_t(RtcpPacketType::Bye)) return std::nullopt;
  const auto body = header.body();
  const size_t count = header.count();
  const size_t listSize = count * 4;
  if (body.size() < listSize) return std::nullopt;
  std::optional<std::string_view> reason;
  // §6.6: an optional length-prefixed reason follows the list.
  if (body.size() > listSize) {
    const size_t len = body[listSize];
    if (listSize + 1 + len > body.size()) return std::nullopt;
    reason = std::string_view(reinterpret_cast<const char*>(body.data() + listSize + 1), len);
  }
  return Bye(body, count, reason);
}

uint32_t Bye::ssrc(size_t i) const noexcept { return load32(body_.data() + i * 4); }

}  // namespace rtcgate::rtcp
