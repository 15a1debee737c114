#include "session/WebRtcEndpoint.hpp"

#include <algorithm>
#include <cstring>

#include "common/Demux.hpp"
#include "rtcp/Fir.hpp"
#include "rtcp/GenericNack.hpp"
#include "rtcp/Pli.hpp"
#include "rtcp/ReceiverReport.hpp"
#include "rtcp/RtcpCompound.hpp"
#include "rtcp/RtcpWriter.hpp"
#include "rtcp/SenderReport.hpp"
#include "rtp/RtpPacket.hpp"
#include "session/RejectLog.hpp"

namespace rtcgate::session {

namespace {

constexpr std::string_view kCname = "rtcgate";
constexpr size_t kMaxRtcpSize = 1200;

const char* iceStateName(ice::IceState s) noexcept {
  switch (s) {
    case ice::IceState::New: return "new";
    case ice::IceState::Connected: return "connected";
    case ice::IceState::Disconnected: return "disconnected";
    case ice::IceState::Closed: return "closed";
  }
  return "new";
}

const char* dtlsStateName(dtls::DtlsState s) noexcept {
  switch (s) {
    case dtls::DtlsState::New: return "new";
    case dtls::DtlsState::Connecting: return "connecting";
    case dtls::DtlsState::Connected: return "connected";
    case dtls::DtlsState::Failed: return "failed";
    case dtls::DtlsState::Closed: return "closed";
  }
  return "new";
}

bool contains(const std::vector<uint8_t>& v, uint8_t x) noexcept {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

WebRtcEndpoint::WebRtcEndpoint(uint32_t id, int fd, ice::IceCredentials local, uint64_t tieBreaker,
                               Duration consentTimeout, dtls::DtlsContext& dtlsContext, WallClockAnchor clock)
    : id_(id),
      fd_(fd),
      clock_(clock),
      ice_(std::move(local), tieBreaker, consentTimeout),
      dtlsContext_(dtlsContext),
      setupTimeout_(consentTimeout) {}

void WebRtcEndpoint::connect(TimePoint now, const ConnectParams& params, io::TxQueue& tx) {
  if (params_) return;  // one remote per endpoint; renegotiation will come with re-INVITE support
  params_ = params;
  setupDeadline_ = now + setupTimeout_;
  ice_.setRemoteCredentials(ice::IceCredentials{params.iceUfrag, params.icePwd});
  dtls_.emplace(dtlsContext_, params.dtlsClient ? dtls::DtlsRole::Client : dtls::DtlsRole::Server);
  dtls_->setRemoteFingerprint(params.fingerprintAlgorithm, params.fingerprintValue);
  outbound_[0].ssrc = params.route.audioSsrc;
  outbound_[0].video = false;
  outbound_[0].stats.emplace(params.route.audioClockRate);
  outbound_[1].ssrc = params.route.videoSsrc;
  outbound_[1].video = true;
  outbound_[1].stats.emplace(params.route.videoClockRate);
  // A client waits for ICE before its ClientHello can go anywhere; see onStun().
  if (!params.dtlsClient) dtls_->start(now);
  if (earlyDtlsSize_ > 0 && !params.dtlsClient) {
    dtls_->handleDatagram(now, std::span<const uint8_t>(earlyDtls_.data(), earlyDtlsSize_));
    earlyDtlsSize_ = 0;
  }
  drainDtls(now, tx);
}

void WebRtcEndpoint::handleDatagram(TimePoint now, std::span<uint8_t> slot, size_t size, const SocketAddress& from,
                                    io::TxQueue& tx) noexcept {
  if (finished_ || size == 0) return;
  const std::span<const uint8_t> data(slot.data(), size);
  const PacketKind kind = classifyPacket(data);
  if (kind == PacketKind::Stun) {
    onStun(now, data, from, tx);
    return;
  }
  if (kind == PacketKind::Unknown) {
    reject(counters_.unknownRejected, "demux", "datagram of no known protocol dropped");
    return;
  }
  // Only addresses that passed an ICE check may send DTLS or media (RFC 8445 §7.3, RFC 7675).
  if (!ice_.isValidatedSource(from)) {
    reject(counters_.unvalidatedSourceRejected, "ice", "datagram from an address that passed no ICE check dropped");
    return;
  }
  switch (kind) {
    case PacketKind::Dtls: onDtls(now, data, from, tx); break;
    case PacketKind::Rtp: onRtp(now, slot, size, tx); break;
    case PacketKind::Rtcp: onRtcp(now, slot, size, tx); break;
    default: break;
  }
}

void WebRtcEndpoint::onStun(TimePoint now, std::span<const uint8_t> data, const SocketAddress& from,
                            io::TxQueue& tx) noexcept {
  ++counters_.stunReceived;
  std::span<uint8_t> out = tx.reserve();
  const ice::IceResult r = ice_.handleStun(now, data, from, out);
  if (r.responseSize > 0) tx.commit(r.responseSize, fd_, from);
  if (r.kind == ice::IceResultKind::Rejected) reject(counters_.stunRejected, "ice", "STUN request rejected");
  if (r.kind == ice::IceResultKind::Accepted) lastValidated_ = from;
  drainIce();
  if (dtls_ && dtls_->state() == dtls::DtlsState::New && params_ && params_->dtlsClient && ice_.selected()) {
    dtls_->start(now);
    drainDtls(now, tx);
  }
}

void WebRtcEndpoint::onDtls(TimePoint now, std::span<const uint8_t> data, const SocketAddress& from,
                            io::TxQueue& tx) noexcept {
  ++counters_.dtlsReceived;
  if (!dtls_) {
    if (earlyDtlsSize_ == 0 && data.size() <= earlyDtls_.size()) {
      std::memcpy(earlyDtls_.data(), data.data(), data.size());
      earlyDtlsSize_ = data.size();
      return;
    }
    reject(counters_.dtlsRejected, "dtls", "DTLS record before the remote description was set dropped");
    return;
  }
  if (!ice_.selected()) lastValidated_ = from;
  dtls_->handleDatagram(now, data);
  drainDtls(now, tx);
}

void WebRtcEndpoint::onRtp(TimePoint now, std::span<uint8_t> slot, size_t size, io::TxQueue& tx) noexcept {
  ++counters_.rtpReceived;
  if (!srtpIn_) {
    reject(counters_.srtpRejected, "srtp", "RTP before DTLS-SRTP keys dropped");
    return;
  }
  if (!srtpIn_->unprotectRtp(slot, size)) {
    reject(counters_.srtpRejected, "srtp", "SRTP packet failed authentication or replay check");
    return;
  }
  auto packet = rtp::RtpPacket::parse(slot.first(size));
  if (!packet) {
    reject(counters_.unknownRejected, "rtp", "malformed RTP packet dropped");
    return;
  }
  const MediaRoute& route = params_->route;
  const uint8_t pt = packet->payloadType();
  const bool video = contains(route.videoPayloadTypes, pt);
  if (!video && !contains(route.audioPayloadTypes, pt)) {
    reject(counters_.unknownRejected, "rtp", "RTP with a payload type that was not negotiated dropped");
    return;
  }
  InboundStream* in = inboundFor(packet->ssrc(), video, video ? route.videoClockRate : route.audioClockRate);
  if (in != nullptr) in->stats->onPacket(packet->sequenceNumber(), packet->timestamp(), now, packet->payload().size());
  if (sink_ != nullptr) {
    sink_->onRtp(now, id_, *packet, tx);
    return;
  }
  if (!route.echo) {
    reject(counters_.noSink, "rtp", "media received while the endpoint is not bridged dropped");
    return;
  }

  // Echo: the same packet goes back under the gateway's SSRC for its kind.
  OutboundStream& out = outbound_[video ? 1 : 0];
  const SocketAddress* to = destination();
  if (!mediaReady() || to == nullptr) return;
  out.active = true;
  out.sourceSsrc = packet->ssrc();
  packet->setSsrc(out.ssrc);
  std::span<uint8_t> dst = tx.reserve();
  if (dst.size() < size + srtp::SrtpSession::kMaxTrailer) {
    reject(counters_.sendFailed, "srtp", "RTP packet too large to protect dropped");
    return;
  }
  std::memcpy(dst.data(), slot.data(), size);
  size_t length = size;
  if (!srtpOut_->protectRtp(dst, length)) {
    reject(counters_.sendFailed, "srtp", "SRTP protect failed");
    return;
  }
  out.stats->onPacketSent(packet->timestamp(), packet->payload().size(), now);
  tx.commit(length, fd_, *to);
}

void WebRtcEndpoint::onRtcp(TimePoint now, std::span<uint8_t> slot, size_t size, io::TxQueue& tx) noexcept {
  ++counters_.rtcpReceived;
  if (!srtpIn_) {
    reject(counters_.srtpRejected, "srtp", "RTCP before DTLS-SRTP keys dropped");
    return;
  }
  if (!srtpIn_->unprotectRtcp(slot, size)) {
    reject(counters_.srtpRejected, "srtp", "SRTCP packet failed authentication or replay check");
    return;
  }
  const rtp::NtpTime ntpNow = ntpTime(clock_, now);
  rtcp::RtcpCompound compound(slot.first(size));
  // Feedback for our SSRCs is mapped to the browser's own streams and sent back (echo route).
  std::array<uint8_t, kMaxRtcpSize> feedback;
  rtcp::RtcpWriter writer(feedback);
  auto onBlock = [&](const rtcp::ReportBlock& b) {
    if (OutboundStream* o = outboundBySsrc(b.ssrc)) o->stats->onReportBlock(b, ntpNow);
  };
  for (const rtcp::RtcpHeader& h : compound) {
    switch (h.kind()) {
      case rtcp::RtcpKind::SenderReport:
        if (auto sr = rtcp::SenderReport::parse(h)) {
          for (size_t i = 0; i < inboundCount_; ++i)
            if (inbound_[i].ssrc == sr->senderSsrc()) inbound_[i].stats->onSenderReport(sr->ntpMiddle32(), now);
          for (size_t i = 0; i < sr->reportCount(); ++i) onBlock(sr->reportBlock(i));
        }
        break;
      case rtcp::RtcpKind::ReceiverReport:
        if (auto rr = rtcp::ReceiverReport::parse(h))
          for (size_t i = 0; i < rr->reportCount(); ++i) onBlock(rr->reportBlock(i));
        break;
      case rtcp::RtcpKind::Pli:
        if (auto pli = rtcp::Pli::parse(h)) {
          OutboundStream* o = outboundBySsrc(pli->mediaSsrc());
          if (o && sink_) sink_->onKeyFrameRequest(now, id_, tx);
          else if (o && o->sourceSsrc) writer.addPli(o->ssrc, o->sourceSsrc);
        }
        break;
      case rtcp::RtcpKind::Fir:
        if (auto fir = rtcp::Fir::parse(h))
          for (size_t i = 0; i < fir->entryCount(); ++i) {
            OutboundStream* o = outboundBySsrc(fir->entry(i).ssrc);
            if (o && sink_) sink_->onKeyFrameRequest(now, id_, tx);
            else if (o && o->sourceSsrc) writer.addPli(o->ssrc, o->sourceSsrc);
          }
        break;
      case rtcp::RtcpKind::GenericNack:
        if (auto nack = rtcp::GenericNack::parse(h)) {
          if (OutboundStream* o = outboundBySsrc(nack->mediaSsrc()); o && o->sourceSsrc) {
            // Sequence numbers are echoed unchanged, so the lost list maps one to one.
            std::array<uint16_t, 256> lost;
            const size_t n = nack->lostSequenceNumbers(lost);
            writer.addNack(o->ssrc, o->sourceSsrc, std::span<const uint16_t>(lost.data(), n));
          }
        }
        break;
      default:
        break;  // SDES, BYE, REMB, transport-cc, XR, APP: nothing to do for an echo
    }
  }
  if (!compound.valid()) reject(counters_.unknownRejected, "rtcp", "malformed RTCP compound (valid part used)");
  if (writer.size() > 0) sendFeedback(writer.bytes(), tx);
}

bool WebRtcEndpoint::sendRtp(TimePoint now, std::span<const uint8_t> plainRtp, io::TxQueue& tx) noexcept {
  const SocketAddress* to = destination();
  if (!mediaReady() || to == nullptr) return false;
  std::span<uint8_t> dst = tx.reserve();
  if (dst.size() < plainRtp.size() + srtp::SrtpSession::kMaxTrailer) {
    reject(counters_.sendFailed, "srtp", "RTP packet too large to protect dropped");
    return false;
  }
  std::memcpy(dst.data(), plainRtp.data(), plainRtp.size());
  auto packet = rtp::RtpPacket::parse(dst.first(plainRtp.size()));
  OutboundStream* out = packet ? outboundBySsrc(packet->ssrc()) : nullptr;
  if (out == nullptr) {
    reject(counters_.sendFailed, "rtp", "bridge sent RTP with an SSRC this endpoint does not own");
    return false;
  }
  const uint32_t timestamp = packet->timestamp();
  const size_t payloadSize = packet->payload().size();
  size_t length = plainRtp.size();
  if (!srtpOut_->protectRtp(dst, length)) {
    reject(counters_.sendFailed, "srtp", "SRTP protect failed");
    return false;
  }
  out->active = true;
  out->stats->onPacketSent(timestamp, payloadSize, now);
  tx.commit(length, fd_, *to);
  return true;
}

void WebRtcEndpoint::sendFeedback(std::span<const uint8_t> plainRtcp, io::TxQueue& tx) noexcept {
  sendProtectedRtcp(plainRtcp, tx);
}

bool WebRtcEndpoint::sendProtectedRtcp(std::span<const uint8_t> plain, io::TxQueue& tx) noexcept {
  const SocketAddress* to = destination();
  if (!mediaReady() || to == nullptr) return false;
  std::span<uint8_t> dst = tx.reserve();
  size_t length = plain.size();
  if (dst.size() < plain.size() + srtp::SrtpSession::kMaxTrailer) {
    reject(counters_.sendFailed, "srtp", "RTCP packet too large to protect dropped");
    return false;
  }
  std::memcpy(dst.data(), plain.data(), plain.size());
  if (!srtpOut_->protectRtcp(dst, length)) {
    reject(counters_.sendFailed, "srtp", "SRTCP protect failed");
    return false;
  }
  tx.commit(length, fd_, *to);
  return true;
}

void WebRtcEndpoint::sendRtcpReports(TimePoint now, io::TxQueue& tx) noexcept {
  std::array<uint8_t, kMaxRtcpSize> buf;
  rtcp::RtcpWriter writer(buf);
  std::array<rtcp::ReportBlock, kMaxInbound> blocks;
  for (size_t i = 0; i < inboundCount_; ++i) blocks[i] = inbound_[i].stats->makeReportBlock(inbound_[i].ssrc, now);
  const std::span<const rtcp::ReportBlock> allBlocks(blocks.data(), inboundCount_);
  const rtp::NtpTime ntpNow = ntpTime(clock_, now);
  bool first = true;
  for (OutboundStream& o : outbound_) {
    if (!o.active) continue;
    const rtcp::SenderInfo info = o.stats->makeSenderInfo(ntpNow, now);
    // RFC 3550 §6.4: the reception report blocks ride on the first SR of the compound.
    writer.addSenderReport(o.ssrc, info, first ? allBlocks : std::span<const rtcp::ReportBlock>());
    first = false;
  }
  if (first) {
    // RFC 3550 §6.1: every compound carries an SDES CNAME, also a receiver-only one.
    writer.addReceiverReport(outbound_[0].ssrc, allBlocks);
    writer.addSdesCname(outbound_[0].ssrc, kCname);
  }
  for (OutboundStream& o : outbound_)
    if (o.active) writer.addSdesCname(o.ssrc, kCname);
  if (writer.size() > 0) sendProtectedRtcp(writer.bytes(), tx);
}

void WebRtcEndpoint::handleTimeout(TimePoint now, io::TxQueue& tx) noexcept {
  if (finished_) return;
  if (!srtpOut_ && now >= setupDeadline_) {
    finished_ = CloseReason::SetupTimeout;
    return;
  }
  ice_.handleTimeout(now);
  drainIce();
  if (finished_) return;
  if (dtls_ && dtlsDeadline_ <= now) {
    dtls_->handleTimeout(now);
    drainDtls(now, tx);
  }
  if (nextRtcp_ <= now) {
    sendRtcpReports(now, tx);
    nextRtcp_ = now + kRtcpInterval;
  }
}

TimePoint WebRtcEndpoint::nextTimeout() const noexcept {
  const TimePoint setup = srtpOut_ ? kNever : setupDeadline_;
  return std::min({ice_.nextTimeout(), dtlsDeadline_, nextRtcp_, setup});
}

void WebRtcEndpoint::drainIce() {
  while (auto ev = ice_.pollEvent()) {
    pushState(EndpointEvent::Type::IceState);
  }
  if (ice_.state() == ice::IceState::Disconnected && !finished_) finished_ = CloseReason::ConsentTimeout;
}

void WebRtcEndpoint::drainDtls(TimePoint now, io::TxQueue& tx) {
  if (!dtls_) return;
  const SocketAddress* to = destination();
  for (;;) {
    std::span<uint8_t> out = tx.reserve();
    const size_t n = dtls_->pollTransmit(out);
    if (n == 0) break;
    if (to != nullptr) tx.commit(n, fd_, *to);
  }
  while (auto ev = dtls_->pollEvent()) {
    const dtls::DtlsState state = dtls_->state();
    if (state == dtls::DtlsState::Connected && !srtpIn_) {
      const auto& keys = dtls_->srtpKeys();
      if (keys) {
        try {
          srtpIn_.emplace(srtp::SrtpSession::Direction::Inbound, keys->profile,
                          std::span<const uint8_t>(keys->remoteMasterKeySalt.data(), keys->length));
          srtpOut_.emplace(srtp::SrtpSession::Direction::Outbound, keys->profile,
                           std::span<const uint8_t>(keys->localMasterKeySalt.data(), keys->length));
          nextRtcp_ = now + kRtcpInterval;
        } catch (const std::exception& e) {
          srtpIn_.reset();
          srtpOut_.reset();
          events_.push_back({EndpointEvent::Type::Log, {}, {}, {}, "error", "srtp", e.what()});
          finished_ = CloseReason::DtlsFailed;
        }
      }
    }
    pushState(EndpointEvent::Type::DtlsState);
    if (state == dtls::DtlsState::Failed && !finished_) finished_ = CloseReason::DtlsFailed;
  }
  // Retransmission deadline of the handshake (or close_notify); none once settled.
  const dtls::DtlsState state = dtls_->state();
  dtlsDeadline_ = (state == dtls::DtlsState::Connecting || state == dtls::DtlsState::New) ? dtls_->nextTimeout(now) : kNever;
}

void WebRtcEndpoint::close(TimePoint now, io::TxQueue& tx) noexcept {
  if (mediaReady()) {
    std::array<uint8_t, 128> buf;
    rtcp::RtcpWriter writer(buf);
    std::array<uint32_t, 2> ssrcs{};
    size_t n = 0;
    for (const OutboundStream& o : outbound_)
      if (o.active) ssrcs[n++] = o.ssrc;
    if (n > 0) {
      writer.addBye(std::span<const uint32_t>(ssrcs.data(), n));
      sendProtectedRtcp(writer.bytes(), tx);
    }
  }
  if (dtls_ && dtls_->state() == dtls::DtlsState::Connected) {
    dtls_->close();
    drainDtls(now, tx);
  }
  ice_.close();
  drainIce();
}

EndpointStats WebRtcEndpoint::stats(TimePoint now) const {
  EndpointStats s;
  s.id = id_;
  s.iceState = iceStateName(ice_.state());
  s.dtlsState = dtls_ ? dtlsStateName(dtls_->state()) : "new";
  if (const SocketAddress* sel = ice_.selected()) s.selectedAddress = sel->toString();
  if (srtpIn_) s.srtpProfile = std::string(srtp::profileName(srtpIn_->profile()));
  for (size_t i = 0; i < inboundCount_; ++i) {
    const InboundStream& in = inbound_[i];
    StreamStats st;
    st.ssrc = in.ssrc;
    st.video = in.video;
    st.inbound = true;
    st.packets = in.stats->packets();
    st.bytes = in.stats->bytes();
    st.packetsLost = in.stats->cumulativeLost();
    st.jitterSeconds = in.stats->jitterSeconds();
    s.streams.push_back(st);
  }
  for (const OutboundStream& o : outbound_) {
    if (!o.active) continue;
    StreamStats st;
    st.ssrc = o.ssrc;
    st.video = o.video;
    st.inbound = false;
    st.packets = o.stats->packetsSent();
    st.bytes = o.stats->bytesSent();
    st.packetsLost = o.stats->packetsLost();
    st.jitterSeconds = o.stats->jitterSeconds();
    st.roundTripSeconds = o.stats->roundTripSeconds();
    s.streams.push_back(st);
  }
  s.counters = counters_;
  if (dtls_) {
    const dtls::DtlsCounters d = dtls_->counters();
    s.counters.dtlsInvalid = d.invalidDatagrams + d.ignoredDatagrams;
    s.counters.dtlsHandshakeResets = d.handshakeResets;
    s.counters.dtlsRetransmissions = d.retransmissions;
  }
  (void)now;
  return s;
}

std::optional<EndpointEvent> WebRtcEndpoint::pollEvent() {
  if (events_.empty()) return std::nullopt;
  EndpointEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

WebRtcEndpoint::InboundStream* WebRtcEndpoint::inboundFor(uint32_t ssrc, bool video, uint32_t clockRate) noexcept {
  for (size_t i = 0; i < inboundCount_; ++i)
    if (inbound_[i].ssrc == ssrc) return &inbound_[i];
  if (inboundCount_ == kMaxInbound) return nullptr;
  InboundStream& s = inbound_[inboundCount_++];
  s.ssrc = ssrc;
  s.video = video;
  s.stats.emplace(clockRate);
  return &s;
}

WebRtcEndpoint::OutboundStream* WebRtcEndpoint::outboundBySsrc(uint32_t ssrc) noexcept {
  for (OutboundStream& o : outbound_)
    if (o.ssrc == ssrc && ssrc != 0) return &o;
  return nullptr;
}

const SocketAddress* WebRtcEndpoint::destination() const noexcept {
  if (const SocketAddress* sel = ice_.selected()) return sel;
  return lastValidated_.isSet() ? &lastValidated_ : nullptr;
}

bool WebRtcEndpoint::mediaReady() const noexcept {
  return srtpOut_.has_value() && ice_.state() == ice::IceState::Connected;
}

void WebRtcEndpoint::reject(uint64_t& counter, const char* tag, const char* what) {
  ++counter;
  if (shouldLogReject(counter))
    events_.push_back({EndpointEvent::Type::Log, {}, {}, {}, "warn", tag,
                       std::string(what) + " (" + std::to_string(counter) + " so far)"});
}

void WebRtcEndpoint::pushState(EndpointEvent::Type type) {
  EndpointEvent e{type, {}, {}, {}, {}, {}, {}};
  if (type == EndpointEvent::Type::IceState) {
    e.state = iceStateName(ice_.state());
    if (const SocketAddress* sel = ice_.selected()) e.selectedAddress = sel->toString();
  } else {
    e.state = dtls_ ? dtlsStateName(dtls_->state()) : "new";
    if (srtpIn_) e.srtpProfile = std::string(srtp::profileName(srtpIn_->profile()));
  }
  events_.push_back(std::move(e));
}

}  // namespace rtcgate::session
