#pragma once
// Test helper (header-only, used by WebRtcEndpoint_test.cpp): plays the browser against one
// WebRtcEndpoint in-process, without sockets. The browser side is a controlling ICE checker,
// a DTLS transport with its own certificate and a pair of SRTP sessions from its keys. The
// endpoint writes into a TxQueue that is read and cleared after every input instead of being
// flushed (fd -1). Time is a fake steady clock advanced by the test, except that DTLS
// handshake retransmissions follow OpenSSL's own clock (no loss here, so none happen).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "common/Demux.hpp"
#include "common/SocketAddress.hpp"
#include "common/Time.hpp"
#include "dtls/Certificate.hpp"
#include "dtls/DtlsContext.hpp"
#include "dtls/DtlsTransport.hpp"
#include "ice/IceControllingChecker.hpp"
#include "io/TxQueue.hpp"
#include "rtp/RtpHeaderWriter.hpp"
#include "session/WebRtcEndpoint.hpp"
#include "srtp/SrtpSession.hpp"

namespace rtcgate::session::testing {

inline const ice::IceCredentials kGatewayIce{"gwUf", "gateway-password-0123456789"};
inline const ice::IceCredentials kBrowserIce{"brWs", "browser-password-0123456789"};

inline constexpr uint32_t kGatewayAudioSsrc = 0x11110001;
inline constexpr uint32_t kGatewayVideoSsrc = 0x11110002;
inline constexpr uint32_t kBrowserAudioSsrc = 0x22220001;
inline constexpr uint32_t kBrowserVideoSsrc = 0x22220002;
inline constexpr uint8_t kOpusPt = 111;
inline constexpr uint8_t kVp8Pt = 96;

struct HarnessOptions {
  bool endpointIsDtlsClient = false;  // ConnectParams.dtlsClient: the browser takes the other role
  Duration consentTimeout = seconds(30);
  // What the browser's DTLS offers (as client) or accepts (as server), in its preference order.
  std::vector<srtp::SrtpProfile> browserProfiles = {srtp::SrtpProfile::AeadAes128Gcm,
                                                    srtp::SrtpProfile::AesCm128HmacSha1_80};
};

inline MediaRoute defaultRoute() {
  MediaRoute r;
  r.audioPayloadTypes = {kOpusPt};
  r.videoPayloadTypes = {kVp8Pt};
  r.audioSsrc = kGatewayAudioSsrc;
  r.videoSsrc = kGatewayVideoSsrc;
  return r;
}

class BrowserHarness {
 public:
  static constexpr size_t kSlotSize = 2048;  // like the worker's receive slots

  TimePoint now = TimePoint{} + seconds(1000);
  const SocketAddress browser = SocketAddress::fromIp("127.0.0.1", 50000);
  const SocketAddress gateway = SocketAddress::fromIp("127.0.0.1", 40000);
  // A fixed wall-clock anchor so NTP timestamps in SRs are deterministic.
  const WallClockAnchor anchor{now, std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};

  HarnessOptions options;
  dtls::DtlsContext gatewayCtx{dtls::Certificate::generate()};
  dtls::DtlsContext browserCtx;
  io::TxQueue tx;
  WebRtcEndpoint endpoint;
  ice::IceControllingChecker checker{kBrowserIce, kGatewayIce, 0x1234, 0x6e0001ff};
  std::optional<dtls::DtlsTransport> dtls;
  std::optional<srtp::SrtpSession> srtpOut;  // browser → gateway
  std::optional<srtp::SrtpSession> srtpIn;   // gateway → browser

  bool deliverIce = true;  // false: the checker's requests are not delivered (consent loss)
  std::vector<EndpointEvent> events;
  std::vector<std::vector<uint8_t>> stunReplies;  // every STUN datagram the endpoint sent
  std::vector<std::vector<uint8_t>> media;        // SRTP/SRTCP datagrams the endpoint sent, still protected
  size_t misdirected = 0;                         // datagrams sent somewhere other than `browser`

  explicit BrowserHarness(HarnessOptions opts = {})
      : options(opts),
        browserCtx(dtls::Certificate::generate(), dtls::DtlsContextOptions{opts.browserProfiles}),
        endpoint(7, -1, kGatewayIce, 0x9999, opts.consentTimeout, gatewayCtx, anchor) {}

  ConnectParams connectParams() const {
    ConnectParams p;
    p.iceUfrag = kBrowserIce.ufrag;
    p.icePwd = kBrowserIce.pwd;
    p.fingerprintAlgorithm = "sha-256";
    p.fingerprintValue = browserCtx.certificate().fingerprint();
    p.dtlsClient = options.endpointIsDtlsClient;
    p.route = defaultRoute();
    return p;
  }

  // Answer applied on both sides, then ICE checks and the DTLS handshake run to completion.
  void connect() {
    endpoint.connect(now, connectParams(), tx);
    collect();
    dtls.emplace(browserCtx, options.endpointIsDtlsClient ? dtls::DtlsRole::Server : dtls::DtlsRole::Client);
    dtls->setRemoteFingerprint("sha-256", gatewayCtx.certificate().fingerprint());
    if (options.endpointIsDtlsClient) dtls->start(now);
    checker.start(now, gateway);
    pump();
  }

  bool connected() const {
    return srtpIn.has_value() && checker.state() == ice::IceCheckerState::Connected && !endpoint.finished();
  }

  // One datagram from `from` to the endpoint, through a receive slot like the worker's.
  void deliver(std::span<const uint8_t> data, const SocketAddress& from) {
    ASSERT_LE(data.size(), kSlotSize);
    std::memcpy(rxSlot_.data(), data.data(), data.size());
    endpoint.handleDatagram(now, rxSlot_, data.size(), from, tx);
    collect();
  }

  // Reads and clears what the endpoint queued: STUN goes to the checker, DTLS to the browser's
  // transport, SRTP/SRTCP into `media`. Then drains the endpoint's events.
  void collect() {
    for (size_t i = 0; i < tx.pending(); ++i) {
      const std::span<const uint8_t> d = tx.datagram(i);
      if (!(tx.destination(i) == browser)) ++misdirected;
      switch (classifyPacket(d)) {
        case PacketKind::Stun:
          stunReplies.emplace_back(d.begin(), d.end());
          checker.handleStun(now, d, gateway);
          break;
        case PacketKind::Dtls:
          if (dtls) dtls->handleDatagram(now, d);
          break;
        case PacketKind::Rtp:
        case PacketKind::Rtcp: media.emplace_back(d.begin(), d.end()); break;
        case PacketKind::Unknown: ADD_FAILURE() << "endpoint sent a datagram of no known kind"; break;
      }
    }
    tx.clear();
    while (auto e = endpoint.pollEvent()) events.push_back(std::move(*e));
  }

  // Moves datagrams browser → endpoint until nobody has anything more to send now.
  void pump() {
    for (int guard = 0; guard < 1000; ++guard) {
      bool moved = false;
      std::array<uint8_t, dtls::DtlsTransport::kMaxDatagram> buf;
      if (deliverIce) {
        while (size_t n = checker.pollTransmit(now, buf)) {
          deliver({buf.data(), n}, browser);
          moved = true;
        }
      }
      if (dtls) {
        if (dtls->role() == dtls::DtlsRole::Client && dtls->state() == dtls::DtlsState::New &&
            checker.state() == ice::IceCheckerState::Connected)
          dtls->start(now);
        while (size_t n = dtls->pollTransmit(buf)) {
          deliver({buf.data(), n}, browser);
          moved = true;
        }
        while (dtls->pollEvent()) {
        }
        if (dtls->state() == dtls::DtlsState::Connected && !srtpIn) {
          const dtls::SrtpKeys& keys = *dtls->srtpKeys();
          srtpOut.emplace(srtp::SrtpSession::Direction::Outbound, keys.profile, keys.local());
          srtpIn.emplace(srtp::SrtpSession::Direction::Inbound, keys.profile, keys.remote());
        }
      }
      if (!moved) return;
    }
    ADD_FAILURE() << "pump did not settle";
  }

  // Advances the fake clock by `d`, firing every deadline of the endpoint and the checker
  // on the way, in order.
  void advance(Duration d) {
    const TimePoint target = now + d;
    for (int guard = 0; guard < 100000; ++guard) {
      TimePoint next = endpoint.finished() ? kNever : endpoint.nextTimeout();
      if (deliverIce) next = std::min(next, checker.nextTimeout());
      if (next > target) break;
      now = std::max(now, next);
      if (!endpoint.finished()) {
        endpoint.handleTimeout(now, tx);
        collect();
      }
      checker.handleTimeout(now);
      pump();
    }
    now = target;
    pump();
  }

  // Writes a protected RTP packet into `out`; returns its length (0 on failure).
  size_t buildRtp(std::span<uint8_t> out, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                  size_t payloadSize, bool marker = false) {
    rtp::RtpHeaderFields f;
    f.marker = marker;
    f.payloadType = pt;
    f.sequenceNumber = seq;
    f.timestamp = ts;
    f.ssrc = ssrc;
    const size_t h = rtp::writeRtpHeader(out, f);
    if (h == 0 || h + payloadSize + srtp::SrtpSession::kMaxTrailer > out.size()) return 0;
    for (size_t i = 0; i < payloadSize; ++i) out[h + i] = uint8_t(seq + i);
    size_t length = h + payloadSize;
    if (!srtpOut || !srtpOut->protectRtp(out, length)) return 0;
    return length;
  }

  void sendRtp(uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc, size_t payloadSize = 160) {
    std::array<uint8_t, kSlotSize> buf;
    const size_t n = buildRtp(buf, pt, seq, ts, ssrc, payloadSize);
    ASSERT_GT(n, 0u);
    deliver({buf.data(), n}, browser);
  }

  // Protects a plain RTCP compound and delivers it.
  void sendRtcp(std::span<const uint8_t> plain) {
    std::array<uint8_t, kSlotSize> buf;
    ASSERT_LE(plain.size() + srtp::SrtpSession::kMaxTrailer, buf.size());
    std::memcpy(buf.data(), plain.data(), plain.size());
    size_t length = plain.size();
    ASSERT_TRUE(srtpOut->protectRtcp(buf, length));
    deliver({buf.data(), length}, browser);
  }

  // Unprotects an SRTP (or SRTCP) datagram the endpoint sent; nullopt if it does not verify.
  std::optional<std::vector<uint8_t>> unprotect(const std::vector<uint8_t>& datagram) {
    std::vector<uint8_t> plain(datagram);
    size_t length = plain.size();
    const bool rtcp = classifyPacket(datagram) == PacketKind::Rtcp;
    if (!(rtcp ? srtpIn->unprotectRtcp(plain, length) : srtpIn->unprotectRtp(plain, length))) return std::nullopt;
    plain.resize(length);
    return plain;
  }

  // Takes the media datagrams received so far.
  std::vector<std::vector<uint8_t>> takeMedia() { return std::exchange(media, {}); }

  std::optional<EndpointEvent> lastEvent(EndpointEvent::Type type) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->type == type) return *it;
    return std::nullopt;
  }

 private:
  std::array<uint8_t, kSlotSize> rxSlot_{};
};

}  // namespace rtcgate::session::testing
