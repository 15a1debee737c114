#include "session/RtpStreams.hpp"

#include <stdexcept>

#include "rtcp/ReceiverReport.hpp"
#include "rtcp/SenderReport.hpp"

namespace rtcgate::session {

RtpStreams::RtpStreams(std::string_view cname) : cname_(cname) {
  if (cname.size() > kMaxCnameLength) throw std::invalid_argument("RTCP CNAME longer than 255 bytes");
}

RtpStreams::Inbound* RtpStreams::findInbound(uint32_t ssrc) noexcept {
  for (size_t i = 0; i < inboundCount_; ++i)
    if (inbound_[i].ssrc == ssrc) return &inbound_[i];
  return nullptr;
}

RtpStreams::Inbound* RtpStreams::inbound(uint32_t ssrc, bool video, uint32_t clockRate) noexcept {
  if (Inbound* in = findInbound(ssrc)) return in;
  if (inboundCount_ == kMaxInbound || clockRate == 0) return nullptr;
  Inbound& s = inbound_[inboundCount_++];
  s.ssrc = ssrc;
  s.video = video;
  s.stats.emplace(clockRate);  // cannot throw: clockRate > 0
  return &s;
}

bool RtpStreams::onRtpReceived(TimePoint now, const rtp::RtpPacket& packet, bool video, uint32_t clockRate) noexcept {
  Inbound* in = inbound(packet.ssrc(), video, clockRate);
  if (in == nullptr) return false;
  in->stats->onPacket(packet.sequenceNumber(), packet.timestamp(), now, packet.payload().size());
  return true;
}

RtpStreams::Outbound* RtpStreams::findOutbound(uint32_t ssrc) noexcept {
  for (size_t i = 0; i < outboundCount_; ++i)
    if (outbound_[i].ssrc == ssrc) return &outbound_[i];
  return nullptr;
}

RtpStreams::Outbound* RtpStreams::outbound(uint32_t ssrc, bool video, uint32_t clockRate) noexcept {
  if (Outbound* o = findOutbound(ssrc)) return o;
  if (outboundCount_ == kMaxOutbound || clockRate == 0) return nullptr;
  Outbound& s = outbound_[outboundCount_++];
  s.ssrc = ssrc;
  s.video = video;
  s.stats.emplace(clockRate);
  return &s;
}

bool RtpStreams::onRtpSent(TimePoint now, const rtp::RtpPacket& packet, bool video, uint32_t clockRate) noexcept {
  Outbound* o = outbound(packet.ssrc(), video, clockRate);
  if (o == nullptr) return false;
  o->stats->onPacketSent(packet.timestamp(), packet.payload().size(), now);
  return true;
}

bool RtpStreams::anySent() const noexcept {
  for (size_t i = 0; i < outboundCount_; ++i)
    if (outbound_[i].stats->hasSent()) return true;
  return false;
}

void RtpStreams::onReportBlock(const rtcp::ReportBlock& block, rtp::NtpTime ntpNow) noexcept {
  if (Outbound* o = findOutbound(block.ssrc)) o->stats->onReportBlock(block, ntpNow);
}

bool RtpStreams::onRtcpPacket(const rtcp::RtcpHeader& packet, TimePoint now, rtp::NtpTime ntpNow) noexcept {
  switch (packet.kind()) {
    case rtcp::RtcpKind::SenderReport:
      if (auto sr = rtcp::SenderReport::parse(packet)) {
        if (Inbound* in = findInbound(sr->senderSsrc())) in->stats->onSenderReport(sr->ntpMiddle32(), now);
        for (size_t i = 0; i < sr->reportCount(); ++i) onReportBlock(sr->reportBlock(i), ntpNow);
      }
      return true;
    case rtcp::RtcpKind::ReceiverReport:
      if (auto rr = rtcp::ReceiverReport::parse(packet))
        for (size_t i = 0; i < rr->reportCount(); ++i) onReportBlock(rr->reportBlock(i), ntpNow);
      return true;
    default:
      return false;
  }
}

size_t RtpStreams::onRtcpCompound(const rtcp::RtcpCompound& compound, TimePoint now, rtp::NtpTime ntpNow) noexcept {
  size_t reports = 0;
  for (const rtcp::RtcpHeader& h : compound)
    if (onRtcpPacket(h, now, ntpNow)) ++reports;
  return reports;
}

size_t RtpStreams::addReports(rtcp::RtcpWriter& writer, TimePoint now, rtp::NtpTime ntpNow,
                              uint32_t reporterSsrc) noexcept {
  const size_t before = writer.size();
  // RFC 3550 §6.4.1: blocks only for sources heard from; one per inbound SSRC here (≤ 31).
  std::array<rtcp::ReportBlock, kMaxInbound> blocks;
  size_t blockCount = 0;
  for (size_t i = 0; i < inboundCount_; ++i)
    if (inbound_[i].stats->packets() > 0) blocks[blockCount++] = inbound_[i].stats->makeReportBlock(inbound_[i].ssrc, now);
  const std::span<const rtcp::ReportBlock> allBlocks(blocks.data(), blockCount);

  std::array<uint32_t, kMaxOutbound> reporters{};
  size_t reporterCount = 0;
  for (size_t i = 0; i < outboundCount_; ++i) {
    Outbound& o = outbound_[i];
    if (!o.stats->hasSent()) continue;
    // §6.4: the reception blocks ride on the first SR of the compound.
    const rtcp::SenderInfo info = o.stats->makeSenderInfo(ntpNow, now);
    if (writer.addSenderReport(o.ssrc, info, reporterCount == 0 ? allBlocks : std::span<const rtcp::ReportBlock>()) > 0)
      reporters[reporterCount++] = o.ssrc;
  }
  if (reporterCount == 0 && writer.addReceiverReport(reporterSsrc, allBlocks) > 0) reporters[reporterCount++] = reporterSsrc;
  for (size_t i = 0; i < reporterCount; ++i) writer.addSdesCname(reporters[i], cname_);
  return writer.size() - before;
}

size_t RtpStreams::addBye(rtcp::RtcpWriter& writer, uint32_t reporterSsrc) noexcept {
  std::array<uint32_t, kMaxOutbound> ssrcs{};
  size_t n = 0;
  for (size_t i = 0; i < outboundCount_; ++i)
    if (outbound_[i].stats->hasSent()) ssrcs[n++] = outbound_[i].ssrc;
  if (n == 0) ssrcs[n++] = reporterSsrc;
  return writer.addBye(std::span<const uint32_t>(ssrcs.data(), n));
}

void RtpStreams::appendStats(std::vector<StreamStats>& out) const {
  for (size_t i = 0; i < inboundCount_; ++i) {
    const Inbound& in = inbound_[i];
    StreamStats st;
    st.ssrc = in.ssrc;
    st.video = in.video;
    st.inbound = true;
    st.packets = in.stats->packets();
    st.bytes = in.stats->bytes();
    st.packetsLost = in.stats->cumulativeLost();
    st.jitterSeconds = in.stats->jitterSeconds();
    out.push_back(st);
  }
  for (size_t i = 0; i < outboundCount_; ++i) {
    const Outbound& o = outbound_[i];
    if (!o.stats->hasSent()) continue;
    StreamStats st;
    st.ssrc = o.ssrc;
    st.video = o.video;
    st.inbound = false;
    st.packets = o.stats->packetsSent();
    st.bytes = o.stats->bytesSent();
    st.packetsLost = o.stats->packetsLost();
    st.jitterSeconds = o.stats->jitterSeconds();
    st.roundTripSeconds = o.stats->roundTripSeconds();
    out.push_back(st);
  }
}

}  // namespace rtcgate::session
