#include "rtcp/Pli.hpp"

#include "rtcp/GenericNack.hpp"

namespace rtcgate::rtcp {

std::optional<Pli> Pli::parse(const RtcpHeader& header) noexcept {
  if (header.packetType() != uint8_t(RtcpPacketType::PayloadFeedback) || header.fmt() != kFmtPli)
    return std::nullopt;
  // §6.3.1: the FCI is empty; extra bytes are tolerated.
  if (header.body().size() < kFeedbackFixedSize) return std::nullopt;
  return Pli(header.body());
}

}  // namespace rtcgate::rtcp
