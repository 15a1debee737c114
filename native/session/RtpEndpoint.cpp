#include "session/RtpEndpoint.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "common/Demux.hpp"
#include "rtcp/RtcpCompound.hpp"
#include "rtcp/RtcpWriter.hpp"
#include "rtp/RtpPacket.hpp"
#include "session/RejectLog.hpp"

namespace rtcgate::session {

namespace {

// Room for the report compound: SR with 8 blocks, SDES, BYE stay far below this.
constexpr size_t kMaxRtcpSize = 1200;

std::optional<srtp::SrtpSession> makeSession(srtp::SrtpSession::Direction dir, srtp::SrtpProfile profile,
                                             const std::vector<uint8_t>& keySalt) {
  if (keySalt.size() != srtp::masterKeySaltLength(profile))
    throw std::invalid_argument("SDES key and salt length does not match the crypto-suite");
  return std::optional<srtp::SrtpSession>(std::in_place, dir, profile, std::span<const uint8_t>(keySalt));
}

// c=IN IP4 0.0.0.0 is the RFC 2543 way to put a call on hold (RFC 3264 §8.4 still allows
// it): there is nowhere to send to.
SocketAddress usable(const SocketAddress& a) {
  if (!a.isSet()) return SocketAddress();
  const uint8_t* b = a.addressBytes();
  for (size_t i = 0; i < a.addressSize(); ++i)
    if (b[i] != 0) return a;
  return SocketAddress();
}

}  // namespace

RtpEndpoint::RtpEndpoint(uint32_t id, int rtpFd, int rtcpFd, RtpEndpointOptions options)
    : id_(id),
      rtpFd_(rtpFd),
      rtcpFd_(rtcpFd),
      strictSource_(options.strictSource),
      clock_(options.clock),
      localSsrc_(options.localSsrc),
      clockRate_(options.clockRate),
      mediaTimeout_(options.mediaTimeout),
      streams_(options.cname),
      // xorshift32 must not start at 0; mix the id in so endpoints do not report in lockstep.
      rng_((options.localSsrc ^ (id * 0x9E3779B9u)) | 1u) {
  if (clockRate_ == 0) throw std::invalid_argument("RTP clock rate must be > 0");
  rtcp_.relatchSilence = kRtcpRelatchSilence;
  setSdesSrtp(options.sdesSrtp);
}

void RtpEndpoint::setSdesSrtp(const std::optional<SdesSrtpKeys>& keys) {
  if (!keys) {
    srtpIn_.reset();
    srtpOut_.reset();
    return;
  }
  // Both built before either is replaced, so a bad key leaves the old sessions in place.
  auto in = makeSession(srtp::SrtpSession::Direction::Inbound, keys->profile, keys->remoteKeySalt);
  auto out = makeSession(srtp::SrtpSession::Direction::Outbound, keys->profile, keys->localKeySalt);
  srtpIn_ = std::move(in);
  srtpOut_ = std::move(out);
}

void RtpEndpoint::setClockRate(uint32_t clockRate) noexcept {
  if (clockRate > 0) clockRate_ = clockRate;
}

void RtpEndpoint::setRemote(TimePoint now, const SocketAddress& sdpRtp, const SocketAddress& sdpRtcp) {
  const SocketAddress rtp = usable(sdpRtp);
  SocketAddress rtcpAddress = usable(sdpRtcp);
  if (!rtcpAddress.isSet() && rtp.isSet()) {
    rtcpAddress = rtp;
    rtcpAddress.setPort(uint16_t(rtp.port() + 1));  // RFC 3550 §11 default without a=rtcp
  }
  if (!(rtp_.sdp == rtp)) rtp_.latched = SocketAddress();
  rtp_.sdp = rtp;
  if (!(rtcp_.sdp == rtcpAddress)) rtcp_.latched = SocketAddress();
  rtcp_.sdp = rtcpAddress;
  arm(now);
}

void RtpEndpoint::arm(TimePoint now) noexcept {
  if (armed_) return;
  armed_ = true;
  lastActivity_ = now;
  nextRtcp_ = now + randomized(kRtcpInterval / 2);
}

Duration RtpEndpoint::randomized(Duration base) noexcept {
  // xorshift32 (Marsaglia 2003); quality is irrelevant, it only spreads report times.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 17;
  rng_ ^= rng_ << 5;
  const int64_t permille = 500 + int64_t(rng_ % 1001);  // [0.5, 1.5], RFC 3550 §6.3.1
  return base * permille / 1000;
}

bool RtpEndpoint::canSend() const noexcept { return !closed_ && destination(rtp_) != nullptr; }

const SocketAddress* RtpEndpoint::destination(const Flow& flow) noexcept {
  if (flow.latched.isSet()) return &flow.latched;
  return flow.sdp.isSet() ? &flow.sdp : nullptr;
}

bool RtpEndpoint::sourceAllowed(const Flow& flow, const SocketAddress& from, TimePoint now) const noexcept {
  if (strictSource_) return flow.sdp.isSet() && from == flow.sdp;
  if (!flow.latched.isSet() || from == flow.latched) return true;
  return now - flow.lastHeard >= flow.relatchSilence;
}

void RtpEndpoint::heard(Flow& flow, const SocketAddress& from, TimePoint now, const char* which) {
  if (strictSource_) return;
  if (!(flow.latched == from)) {
    flow.latched = from;
    EndpointEvent e{EndpointEvent::Type::SourceLatched, which, from.toString(), {}, {}, {}, {}};
    events_.push_back(std::move(e));
  }
  flow.lastHeard = now;
}

void RtpEndpoint::handleDatagram(TimePoint now, Socket socket, std::span<uint8_t> slot, size_t size,
                                 const SocketAddress& from, io::TxQueue& tx) noexcept {
  if (closed_ || finished_ || size == 0) return;
  const PacketKind kind = classifyPacket(std::span<const uint8_t>(slot.data(), size));
  if (socket == Socket::Rtcp && !rtcpMux()) {
    if (kind != PacketKind::Rtcp) {
      reject(counters_.unknownRejected, "rtcp", "non-RTCP datagram on the RTCP port dropped");
      return;
    }
    onRtcp(now, rtcp_, slot, size, from);
    return;
  }
  // RFC 5761 §4: on the RTP port, RTCP packet types tell RTCP apart. Accepted even without
  // rtcp-mux: a peer that muxes anyway loses nothing, and RTP cannot use those types.
  switch (kind) {
    case PacketKind::Rtp: onRtp(now, rtp_, slot, size, from, tx); break;
    case PacketKind::Rtcp: onRtcp(now, rtp_, slot, size, from); break;
    default: reject(counters_.unknownRejected, "rtp", "datagram that is neither RTP nor RTCP dropped"); break;
  }
}

void RtpEndpoint::onRtp(TimePoint now, Flow& flow, std::span<uint8_t> slot, size_t size, const SocketAddress& from,
                        io::TxQueue& tx) noexcept {
  ++counters_.rtpReceived;
  if (!sourceAllowed(flow, from, now)) {
    reject(counters_.unvalidatedSourceRejected, "rtp",
           strictSource_ ? "RTP from an address other than the SDP one dropped (strict source)"
                         : "RTP from an address other than the latched source dropped");
    return;
  }
  size_t length = size;
  if (srtpIn_ && !srtpIn_->unprotectRtp(slot, length)) {
    reject(counters_.srtpRejected, "srtp", "SRTP packet failed authentication or replay check");
    return;
  }
  auto packet = rtp::RtpPacket::parse(slot.first(length));
  if (!packet) {
    reject(counters_.unknownRejected, "rtp", "malformed RTP packet dropped");
    return;
  }
  heard(flow, from, now, "rtp");
  arm(now);
  lastActivity_ = now;
  streams_.onRtpReceived(now, *packet, false, clockRate_);
  if (sink_ == nullptr) {
    reject(counters_.noSink, "rtp", "RTP received while no bridge is attached dropped");
    return;
  }
  sink_->onRtp(now, id_, *packet, tx);
}

void RtpEndpoint::onRtcp(TimePoint now, Flow& flow, std::span<uint8_t> slot, size_t size,
                         const SocketAddress& from) noexcept {
  ++counters_.rtcpReceived;
  if (!sourceAllowed(flow, from, now)) {
    reject(counters_.unvalidatedSourceRejected, "rtcp",
           strictSource_ ? "RTCP from an address other than the SDP one dropped (strict source)"
                         : "RTCP from an address other than the latched source dropped");
    return;
  }
  size_t length = size;
  if (srtpIn_ && !srtpIn_->unprotectRtcp(slot, length)) {
    reject(counters_.srtpRejected, "srtp", "SRTCP packet failed authentication or replay check");
    return;
  }
  const rtcp::RtcpCompound compound(slot.first(length));
  if (compound.packetCount() == 0) {
    reject(counters_.unknownRejected, "rtcp", "malformed RTCP compound dropped");
    return;
  }
  heard(flow, from, now, rtcpMux() ? "rtp" : "rtcp");
  arm(now);
  lastActivity_ = now;
  streams_.onRtcpCompound(compound, now, ntpTime(clock_, now));
  if (!compound.valid()) reject(counters_.unknownRejected, "rtcp", "malformed RTCP compound (valid part used)");
}

bool RtpEndpoint::sendRtp(TimePoint now, std::span<const uint8_t> plainRtp, io::TxQueue& tx) noexcept {
  if (closed_) return false;
  const SocketAddress* to = destination(rtp_);
  if (to == nullptr) {
    reject(counters_.sendFailed, "rtp", "RTP to send before the peer's address is known dropped");
    return false;
  }
  std::span<uint8_t> dst = tx.reserve();
  const size_t trailer = srtpOut_ ? srtp::SrtpSession::kMaxTrailer : 0;
  if (dst.size() < plainRtp.size() + trailer) {
    reject(counters_.sendFailed, "rtp", "RTP packet too large for a send slot (or the queue is full) dropped");
    return false;
  }
  std::memcpy(dst.data(), plainRtp.data(), plainRtp.size());
  auto packet = rtp::RtpPacket::parse(dst.first(plainRtp.size()));
  if (!packet) {
    reject(counters_.sendFailed, "rtp", "malformed RTP handed over for sending dropped");
    return false;
  }
  size_t length = plainRtp.size();
  // Stats first: protecting encrypts the payload in place (its size stays what it was).
  if (srtpOut_ && !srtpOut_->protectRtp(dst, length)) {
    reject(counters_.sendFailed, "srtp", "SRTP protect failed");
    return false;
  }
  streams_.onRtpSent(now, *packet, false, clockRate_);
  tx.commit(length, rtpFd_, *to);
  arm(now);
  return true;
}

void RtpEndpoint::sendReports(TimePoint now, bool bye, io::TxQueue& tx) noexcept {
  const SocketAddress* to = destination(rtcpFlow());
  if (to == nullptr) return;
  std::span<uint8_t> dst = tx.reserve();
  const size_t trailer = srtpOut_ ? srtp::SrtpSession::kMaxTrailer : 0;
  if (dst.size() < kMaxRtcpSize + trailer) {
    reject(counters_.sendFailed, "rtcp", "no send slot for an RTCP report");
    return;
  }
  rtcp::RtcpWriter writer(dst.first(kMaxRtcpSize));
  streams_.addReports(writer, now, ntpTime(clock_, now), localSsrc_);
  if (bye) streams_.addBye(writer, localSsrc_);
  size_t length = writer.size();
  if (length == 0) return;
  if (srtpOut_ && !srtpOut_->protectRtcp(dst, length)) {
    reject(counters_.sendFailed, "srtp", "SRTCP protect failed");
    return;
  }
  tx.commit(length, rtcpMux() ? rtpFd_ : rtcpFd_, *to);
}

void RtpEndpoint::handleTimeout(TimePoint now, io::TxQueue& tx) noexcept {
  if (closed_ || finished_ || !armed_) return;
  if (mediaTimeout_ > Duration::zero() && now >= lastActivity_ + mediaTimeout_) {
    finished_ = CloseReason::MediaTimeout;
    return;
  }
  if (nextRtcp_ <= now) {
    sendReports(now, false, tx);
    nextRtcp_ = now + randomized(kRtcpInterval);
  }
}

TimePoint RtpEndpoint::nextTimeout() const noexcept {
  if (closed_ || finished_ || !armed_) return kNever;
  const TimePoint media = mediaTimeout_ > Duration::zero() ? lastActivity_ + mediaTimeout_ : kNever;
  return std::min(nextRtcp_, media);
}

void RtpEndpoint::close(TimePoint now, io::TxQueue& tx) noexcept {
  if (closed_) return;
  // RFC 3550 §6.6: the BYE goes in a compound that starts with a report.
  if (armed_) sendReports(now, true, tx);
  closed_ = true;
  nextRtcp_ = kNever;
}

std::optional<EndpointEvent> RtpEndpoint::pollEvent() {
  if (events_.empty()) return std::nullopt;
  EndpointEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

EndpointStats RtpEndpoint::stats(TimePoint now) const {
  (void)now;
  EndpointStats s;
  s.id = id_;
  s.kind = "rtp";
  if (const SocketAddress* to = destination(rtp_)) s.selectedAddress = to->toString();
  if (const SocketAddress* to = destination(rtcpFlow())) s.rtcpAddress = to->toString();
  s.latched = rtp_.latched.isSet();
  if (srtpIn_) s.srtpProfile = std::string(srtp::profileName(srtpIn_->profile()));
  streams_.appendStats(s.streams);
  s.counters = counters_;
  return s;
}

void RtpEndpoint::reject(uint64_t& counter, const char* tag, const char* what) {
  ++counter;
  if (shouldLogReject(counter))
    events_.push_back({EndpointEvent::Type::Log, {}, {}, {}, "warn", tag,
                       std::string(what) + " (" + std::to_string(counter) + " so far)"});
}

}  // namespace rtcgate::session
