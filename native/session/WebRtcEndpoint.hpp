#pragma once
// One browser-facing endpoint on one UDP port: ICE-lite, DTLS-SRTP and RTP/RTCP for all the
// media of a BUNDLE group. It composes the sans-IO protocol objects and routes media; it never
// touches a socket (datagrams go into the worker's TxQueue) and never reads a clock.
//
// Ownership: Worker → WebRtcEndpoint → {IceLiteAgent, DtlsTransport, SrtpSession ×2, streams}.
// The DtlsContext is borrowed from the Engine, which outlives every worker.
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>

#include "common/SocketAddress.hpp"
#include "common/Time.hpp"
#include "dtls/DtlsContext.hpp"
#include "dtls/DtlsTransport.hpp"
#include "ice/IceLiteAgent.hpp"
#include "io/TxQueue.hpp"
#include "media/MediaLeg.hpp"
#include "session/Endpoint.hpp"
#include "rtp/RtpReceiveStats.hpp"
#include "rtp/RtpSendStats.hpp"
#include "session/EndpointEvent.hpp"
#include "session/EndpointTypes.hpp"
#include "session/WallClock.hpp"
#include "srtp/SrtpSession.hpp"

namespace rtcgate::session {

class WebRtcEndpoint final : public Endpoint {
 public:
  WebRtcEndpoint(uint32_t id, int fd, ice::IceCredentials local, uint64_t tieBreaker, Duration consentTimeout,
                 dtls::DtlsContext& dtlsContext, WallClockAnchor clock);

  uint32_t id() const noexcept { return id_; }

  // media::MediaLeg: once bridged, received media goes to the sink instead of the echo route,
  // and the bridge sends through sendRtp() (SSRC must be one of the route's).
  uint32_t legId() const noexcept override { return id_; }
  void setSink(media::RtpSink* sink) noexcept override { sink_ = sink; }
  bool sendRtp(TimePoint now, std::span<const uint8_t> plainRtp, io::TxQueue& tx) noexcept override;
  bool canSend() const noexcept override { return mediaReady() && destination() != nullptr; }

  void connect(TimePoint now, const ConnectParams& params, io::TxQueue& tx);
  void handleDatagram(TimePoint now, std::span<uint8_t> slot, size_t size, const SocketAddress& from,
                      io::TxQueue& tx) noexcept;
  // session::Endpoint: one socket carries everything (BUNDLE, rtcp-mux).
  void handleDatagram(TimePoint now, Socket, std::span<uint8_t> slot, size_t size, const SocketAddress& from,
                      io::TxQueue& tx) noexcept override {
    handleDatagram(now, slot, size, from, tx);
  }
  void handleTimeout(TimePoint now, io::TxQueue& tx) noexcept override;
  TimePoint nextTimeout() const noexcept override;
  std::optional<EndpointEvent> pollEvent() override;
  // Set once the endpoint wants to be closed (consent lost, DTLS failed).
  std::optional<CloseReason> finished() const noexcept override { return finished_; }
  // Sends RTCP BYE and a DTLS close_notify when it can.
  void close(TimePoint now, io::TxQueue& tx) noexcept override;
  EndpointStats stats(TimePoint now) const override;

 private:
  struct InboundStream {
    uint32_t ssrc = 0;
    bool video = false;
    std::optional<rtp::RtpReceiveStats> stats;  // emplaced with the stream's clock rate
  };
  struct OutboundStream {
    uint32_t ssrc = 0;        // ours, announced in the SDP answer
    uint32_t sourceSsrc = 0;  // the browser stream it echoes, for feedback mapping
    bool video = false;
    bool active = false;
    std::optional<rtp::RtpSendStats> stats;
  };
  static constexpr size_t kMaxInbound = 8;
  static constexpr Duration kRtcpInterval = milliseconds(1000);

  void onStun(TimePoint now, std::span<const uint8_t> data, const SocketAddress& from, io::TxQueue& tx) noexcept;
  void onDtls(TimePoint now, std::span<const uint8_t> data, const SocketAddress& from, io::TxQueue& tx) noexcept;
  void onRtp(TimePoint now, std::span<uint8_t> slot, size_t size, io::TxQueue& tx) noexcept;
  void onRtcp(TimePoint now, std::span<uint8_t> slot, size_t size, io::TxQueue& tx) noexcept;
  void drainIce();
  void drainDtls(TimePoint now, io::TxQueue& tx);
  void sendRtcpReports(TimePoint now, io::TxQueue& tx) noexcept;
  void sendFeedback(std::span<const uint8_t> plainRtcp, io::TxQueue& tx) noexcept;
  bool sendProtectedRtcp(std::span<const uint8_t> plain, io::TxQueue& tx) noexcept;
  InboundStream* inboundFor(uint32_t ssrc, bool video, uint32_t clockRate) noexcept;
  OutboundStream* outboundBySsrc(uint32_t ssrc) noexcept;
  const SocketAddress* destination() const noexcept;
  bool mediaReady() const noexcept;
  void reject(uint64_t& counter, const char* tag, const char* what);
  void pushState(EndpointEvent::Type type);

  uint32_t id_;
  int fd_;
  WallClockAnchor clock_;
  ice::IceLiteAgent ice_;
  dtls::DtlsContext& dtlsContext_;  // borrowed, outlives us
  std::optional<dtls::DtlsTransport> dtls_;
  std::optional<srtp::SrtpSession> srtpIn_;
  std::optional<srtp::SrtpSession> srtpOut_;
  std::optional<ConnectParams> params_;
  SocketAddress lastValidated_;  // where DTLS goes before ICE nominates a pair
  // When the gateway offers (incoming calls), the browser's ClientHello can beat our connect():
  // the first one is kept and handed to DTLS at connect() instead of waiting for a retransmit.
  std::array<uint8_t, 1500> earlyDtls_{};
  size_t earlyDtlsSize_ = 0;
  std::array<InboundStream, kMaxInbound> inbound_{};
  size_t inboundCount_ = 0;
  std::array<OutboundStream, 2> outbound_{};  // [0] audio, [1] video
  TimePoint nextRtcp_ = kNever;
  TimePoint dtlsDeadline_ = kNever;
  // ICE and DTLS must complete within this (the consent timeout) or the endpoint gives up:
  // OpenSSL alone would wait minutes for a ClientHello that never comes.
  TimePoint setupDeadline_ = kNever;
  Duration setupTimeout_;
  EndpointCounters counters_;
  std::deque<EndpointEvent> events_;
  std::optional<CloseReason> finished_;
  media::RtpSink* sink_ = nullptr;  // the bridge this leg is joined to; not owned
};

}  // namespace rtcgate::session
