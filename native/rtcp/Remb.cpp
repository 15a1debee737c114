#include "rtcp/Remb.hpp"

#include <cstring>
#include <limits>

namespace rtcgate::rtcp {

std::optional<Remb> Remb::parse(const RtcpHeader& header) noexcept {
  if (header.kind() != RtcpKind::Remb) return std::nullopt;
  const auto body = header.body();
  if (body.size() < kRembFixedSize) return std::nullopt;
  const size_t count = body[12];
  if (body.size() < kRembFixedSize + count * 4) return std::nullopt;
  const uint8_t exp = body[13] >> 2;
  const uint64_t mantissa = (uint64_t(body[13] & 0x03) << 16) | load16(body.data() + 14);
  // mantissa < 2^18, so any exponent above 46 may overflow 64 bits.
  uint64_t bitrate = mantissa << exp;
  if (exp > 46 && (bitrate >> exp) != mantissa) bitrate = std::numeric_limits<uint64_t>::max();
  return Remb(body, bitrate);
}

}  // namespace rtcgate::rtcp
