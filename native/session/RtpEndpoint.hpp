#pragma once
// The SIP-side media leg: plain RTP/RTCP (RFC 3550) on an even/odd port pair or, with rtcp-mux
// (RFC 5761), on one port; optionally SDES-SRTP (RFC 4568) with keys the control plane took
// from a=crypto. Symmetric RTP (RFC 4961) by default: media goes back to where the peer's
// packets come from, which gets through the NATs SIP phones sit behind. Sans-IO like
// WebRtcEndpoint: datagrams in, TxQueue out, time passed in.
//
// Ownership: Worker → RtpEndpoint → {SrtpSession ×2, RtpStreams}. The sink is borrowed (the
// bridge detaches itself before it goes away).
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/SocketAddress.hpp"
#include "common/Time.hpp"
#include "io/TxQueue.hpp"
#include "media/MediaLeg.hpp"
#include "session/Endpoint.hpp"
#include "session/EndpointEvent.hpp"
#include "session/EndpointTypes.hpp"
#include "session/RtpStreams.hpp"
#include "session/WallClock.hpp"
#include "srtp/SrtpProfile.hpp"
#include "srtp/SrtpSession.hpp"

namespace rtcgate::session {

// RFC 4568 SDES keys for one call: what we announced in our a=crypto protects what we send,
// what the peer announced unprotects what we receive. Each is the master key followed by the
// master salt (the decoded inline key-params), masterKeySaltLength(profile) bytes.
struct SdesSrtpKeys {
  srtp::SrtpProfile profile = srtp::SrtpProfile::AesCm128HmacSha1_80;
  std::vector<uint8_t> localKeySalt;
  std::vector<uint8_t> remoteKeySalt;
};

struct RtpEndpointOptions {
  // Accept media only from the SDP address and never latch (`sip-rtp` strict source mode).
  bool strictSource = false;
  std::optional<SdesSrtpKeys> sdesSrtp;  // nullopt: plain RTP/AVP
  // Close with CloseReason::MediaTimeout after this long without valid RTP or RTCP; 0 = never.
  Duration mediaTimeout = Duration::zero();
  WallClockAnchor clock{};
  uint32_t localSsrc = 0;  // ours: the reporter of our RRs and the SSRC the bridge sends with
  // RTP clock of the negotiated audio codec, for jitter and SR timestamps. 8000 for G.711,
  // G.729 and G.722 alike (RFC 3551 §4.5.2 keeps G.722 at 8000), 48000 for Opus.
  uint32_t clockRate = 8000;
  std::string cname = "rtcgate";  // RFC 3550 §6.5.1
};

class RtpEndpoint final : public Endpoint {
 public:
  // RFC 3550 §6.2: 5 s minimum interval, which a two-party voice call at a few kbit/s of RTCP
  // bandwidth never goes below; randomized over [0.5, 1.5] of it (§6.3.1), the first one
  // halved (§6.2 "initial").
  static constexpr Duration kRtcpInterval = seconds(5);
  // A latched source must be silent this long before another address may take over: a
  // spoofed packet cannot steal an active call's media, a re-homed peer (new NAT binding,
  // re-INVITE to another media server) is followed within a few packets of silence.
  static constexpr Duration kRelatchSilence = seconds(2);
  // RTCP on its own port is silent for a whole report interval between packets, so its latch
  // waits for the RFC 3550 §6.3.5 inactivity timeout: five (maximum) report intervals.
  static constexpr Duration kRtcpRelatchSilence = 5 * kRtcpInterval;

  // rtcpFd is -1 with rtcp-mux: RTCP shares the RTP socket, told apart by RFC 5761 §4.
  // Throws on invalid SDES keys or a clock rate of 0.
  RtpEndpoint(uint32_t id, int rtpFd, int rtcpFd, RtpEndpointOptions options);

  uint32_t id() const noexcept { return id_; }
  bool rtcpMux() const noexcept { return rtcpFd_ < 0; }

  // The peer's addresses from its SDP (c=/m= and a=rtcp, RFC 3605); callable again on every
  // re-INVITE. An unset rtcp address means the RTP port + 1 (RFC 3550 §11); ignored with
  // rtcp-mux. A changed address drops the latch of its flow, so media follows the new SDP
  // until the peer's packets say otherwise. 0.0.0.0 / :: (old-style hold) counts as no address.
  void setRemote(TimePoint now, const SocketAddress& rtp, const SocketAddress& rtcp = {});
  // New SDES keys after a re-INVITE (nullopt: plain RTP from now on). Throws on bad keys.
  void setSdesSrtp(const std::optional<SdesSrtpKeys>& keys);
  void setMediaTimeout(Duration timeout) noexcept { mediaTimeout_ = timeout; }
  // For streams that start after the call (codec change on re-INVITE).
  void setClockRate(uint32_t clockRate) noexcept;

  // media::MediaLeg
  uint32_t legId() const noexcept override { return id_; }
  void setSink(media::RtpSink* sink) noexcept override { sink_ = sink; }
  bool sendRtp(TimePoint now, std::span<const uint8_t> plainRtp, io::TxQueue& tx) noexcept override;
  bool canSend() const noexcept override;

  // session::Endpoint
  void handleDatagram(TimePoint now, Socket socket, std::span<uint8_t> slot, size_t size, const SocketAddress& from,
                      io::TxQueue& tx) noexcept override;
  void handleTimeout(TimePoint now, io::TxQueue& tx) noexcept override;
  TimePoint nextTimeout() const noexcept override;
  std::optional<EndpointEvent> pollEvent() override;
  std::optional<CloseReason> finished() const noexcept override { return finished_; }
  // Sends a last SR/RR with a BYE (RFC 3550 §6.6); the endpoint handles no more input.
  void close(TimePoint now, io::TxQueue& tx) noexcept override;
  EndpointStats stats(TimePoint now) const override;

 private:
  // Where one flow (RTP, or RTCP on its own port) goes and where it may come from.
  struct Flow {
    SocketAddress sdp;      // from the peer's SDP
    SocketAddress latched;  // symmetric RTP: the source of its valid packets
    TimePoint lastHeard{};  // last valid packet from `latched`
    Duration relatchSilence = kRelatchSilence;
  };

  void onRtp(TimePoint now, Flow& flow, std::span<uint8_t> slot, size_t size, const SocketAddress& from,
             io::TxQueue& tx) noexcept;
  void onRtcp(TimePoint now, Flow& flow, std::span<uint8_t> slot, size_t size, const SocketAddress& from) noexcept;
  bool sourceAllowed(const Flow& flow, const SocketAddress& from, TimePoint now) const noexcept;
  void heard(Flow& flow, const SocketAddress& from, TimePoint now, const char* which);
  static const SocketAddress* destination(const Flow& flow) noexcept;
  Flow& rtcpFlow() noexcept { return rtcpMux() ? rtp_ : rtcp_; }
  const Flow& rtcpFlow() const noexcept { return rtcpMux() ? rtp_ : rtcp_; }
  // Builds the report compound (plus a BYE when closing) into a send slot, protects and queues it.
  void sendReports(TimePoint now, bool bye, io::TxQueue& tx) noexcept;
  void arm(TimePoint now) noexcept;
  Duration randomized(Duration base) noexcept;
  void reject(uint64_t& counter, const char* tag, const char* what);

  const uint32_t id_;
  const int rtpFd_;
  const int rtcpFd_;
  const bool strictSource_;
  const WallClockAnchor clock_;
  const uint32_t localSsrc_;
  uint32_t clockRate_;
  Duration mediaTimeout_;
  std::optional<srtp::SrtpSession> srtpIn_;
  std::optional<srtp::SrtpSession> srtpOut_;
  media::RtpSink* sink_ = nullptr;  // borrowed
  Flow rtp_;
  Flow rtcp_;  // unused with rtcp-mux
  RtpStreams streams_;
  bool armed_ = false;  // timers run from the first setRemote, packet or send
  bool closed_ = false;
  TimePoint lastActivity_{};
  TimePoint nextRtcp_ = kNever;
  uint32_t rng_;  // xorshift32 for the RTCP interval: deterministic per endpoint, no allocation
  EndpointCounters counters_;
  std::deque<EndpointEvent> events_;
  std::optional<CloseReason> finished_;
};

}  // namespace rtcgate::session
