#include "rtcp/RtcpHeader.hpp"

#include <cstring>

#include "common/ByteOrder.hpp"

namespace rtcgate::rtcp {

namespace {
// draft-alvestrand-rmcat-remb §2.2: the AFB FCI starts with this unique identifier.
constexpr uint8_t kRembIdentifier[4] = {'R', 'E', 'M', 'B'};
}  // namespace

std::optional<RtcpHeader> RtcpHeader::parse(std::span<const uint8_t> bytes, RtcpStatus& status) noexcept {
  if (bytes.size() < kRtcpHeaderSize) {
    status = RtcpStatus::Truncated;
    return std::nullopt;
  }
  if ((bytes[0] >> 6) != kRtcpVersion) {
    status = RtcpStatus::BadVersion;
    return std::nullopt;
  }
  // §6.4.1: length is in 32-bit words minus one, header and padding included.
  const size_t size = (size_t(load16(bytes.data() + 2)) + 1) * 4;
  if (size > bytes.size()) {
    status = RtcpStatus::Truncated;
    return std::nullopt;
  }
  size_t bodySize = size - kRtcpHeaderSize;
  if (bytes[0] & 0x20) {
    // §6.4.1: the last octet counts the padding octets, itself included.
    const uint8_t pad = bytes[size - 1];
    if (pad == 0 || pad > bodySize) {
      status = RtcpStatus::BadPadding;
      return std::nullopt;
    }
    bodySize -= pad;
  }
  status = RtcpStatus::Ok;
  return RtcpHeader(bytes.first(size), bodySize);
}

RtcpKind RtcpHeader::kind() const noexcept {
  switch (static_cast<RtcpPacketType>(packetType())) {
    case RtcpPacketType::SenderReport: return RtcpKind::SenderReport;
    case RtcpPacketType::ReceiverReport: return RtcpKind::ReceiverReport;
    case RtcpPacketType::Sdes: return RtcpKind::Sdes;
    case RtcpPacketType::Bye: return RtcpKind::Bye;
    case RtcpPacketType::RtpFeedback:
      return fmt() == kFmtGenericNack ? RtcpKind::GenericNack : RtcpKind::Other;
    case RtcpPacketType::PayloadFeedback: {
      if (fmt() == kFmtPli) return RtcpKind::Pli;
      if (fmt() == kFmtFir) return RtcpKind::Fir;
      const auto b = body();
      // sender SSRC (4) + media SSRC (4) + "REMB"
      if (fmt() == kFmtAfb && b.size() >= 12 && std::memcmp(b.data() + 8, kRembIdentifier, 4) == 0)
        return RtcpKind::Remb;
      return RtcpKind::Other;
    }
    default: return RtcpKind::Other;
  }
}

}  // namespace rtcgate::rtcp
