#include "rtcp/Fir.hpp"

#include "rtcp/GenericNack.hpp"

namespace rtcgate::rtcp {

std::optional<Fir> Fir::parse(const RtcpHeader& header) noexcept {
  if (header.packetType() != uint8_t(RtcpPacketType::PayloadFeedback) || header.fmt() != kFmtFir)
    return std::nullopt;
  // §4.3.1.2: the media source SSRC is unused (0); the entries carry the targets.
  if (header.body().size() < kFeedbackFixedSize + kFirEntrySize) return std::nullopt;
  return Fir(header.body());
}

size_t Fir::entryCount() const noexcept { return (body_.size() - kFeedbackFixedSize) / kFirEntrySize; }

FirEntry Fir::entry(size_t i) const noexcept {
  const uint8_t* p = body_.data() + kFeedbackFixedSize + i * kFirEntrySize;
  return FirEntry{load32(p), p[4]};
}

}  // namespace rtcgate::rtcp
