// RtpEndpoint driven without sockets: a SIP phone stand-in writes datagrams into receive slots
// and reads what the endpoint queued in its TxQueue (fake fds, never flushed), on a fake clock.
// Symmetric RTP latching and strict source, sink delivery, SDES-SRTP both profiles, RTCP
// SR/RR/BYE on its own port and with rtcp-mux, RTT, media timeout, no allocation per packet.
#include "session/RtpEndpoint.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <optional>
#include <vector>

#include "common/Demux.hpp"
#include "rtcp/Bye.hpp"
#include "rtcp/ReceiverReport.hpp"
#include "rtcp/RtcpCompound.hpp"
#include "rtcp/RtcpWriter.hpp"
#include "rtcp/Sdes.hpp"
#include "rtcp/SenderReport.hpp"
#include "rtp/RtpHeaderWriter.hpp"
#include "rtp/RtpPacket.hpp"
#include "session/testing/AllocationCounter.hpp"

namespace rtcgate::session {
namespace {

using Socket = Endpoint::Socket;
using srtp::SrtpProfile;
using testing::AllocationCounter;

constexpr uint32_t kLocalSsrc = 0x5151A001;
constexpr uint32_t kPeerSsrc = 0x7070B002;
constexpr uint8_t kPcmuPt = 0;  // RFC 3551 §6
constexpr int kRtpFd = 100;     // fake descriptors: the queue is read, never flushed
constexpr int kRtcpFd = 101;

// Records what the leg hands over (copies: the packet view dies with the receive slot).
struct RecordingSink : media::RtpSink {
  struct Got {
    uint32_t leg;
    uint8_t pt;
    bool marker;
    uint16_t seq;
    uint32_t ts;
    uint32_t ssrc;
    std::vector<uint8_t> payload;
  };
  std::vector<Got> got;
  void onRtp(TimePoint, uint32_t fromLeg, const rtp::RtpPacket& p, io::TxQueue&) noexcept override {
    got.push_back({fromLeg, p.payloadType(), p.marker(), p.sequenceNumber(), p.timestamp(), p.ssrc(),
                   std::vector<uint8_t>(p.payload().begin(), p.payload().end())});
  }
};

struct Sent {
  std::vector<uint8_t> bytes;
  SocketAddress to;
};

// A SIP phone behind a NAT: its SDP says 10.0.0.5, its packets come from 203.0.113.7.
struct PhoneHarness {
  static constexpr size_t kSlotSize = io::TxQueue::kSlotSize;

  TimePoint now = TimePoint{} + seconds(1000);
  const WallClockAnchor anchor{now, std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
  const SocketAddress sdpRtp = SocketAddress::fromIp("10.0.0.5", 30000);
  const SocketAddress sdpRtcp = SocketAddress::fromIp("10.0.0.5", 30001);
  const SocketAddress natRtp = SocketAddress::fromIp("203.0.113.7", 41000);
  const SocketAddress natRtcp = SocketAddress::fromIp("203.0.113.7", 41001);
  const SocketAddress intruder = SocketAddress::fromIp("198.51.100.9", 5000);

  io::TxQueue tx;
  RecordingSink sink;
  RtpEndpoint ep;
  std::vector<Sent> rtp;   // RTP datagrams the endpoint queued
  std::vector<Sent> rtcp;  // RTCP datagrams the endpoint queued
  std::vector<EndpointEvent> events;
  std::optional<srtp::SrtpSession> srtpOut;  // phone → gateway
  std::optional<srtp::SrtpSession> srtpIn;   // gateway → phone

  explicit PhoneHarness(RtpEndpointOptions options = {}, int rtcpFd = -1)
      : ep(3, kRtpFd, rtcpFd, withDefaults(std::move(options), anchor)) {
    ep.setSink(&sink);
  }

  static RtpEndpointOptions withDefaults(RtpEndpointOptions o, const WallClockAnchor& clock) {
    o.clock = clock;
    if (o.localSsrc == 0) o.localSsrc = kLocalSsrc;
    return o;
  }

  void deliver(std::span<const uint8_t> data, const SocketAddress& from, Socket socket = Socket::Primary) {
    ASSERT_LE(data.size(), kSlotSize);
    std::memcpy(slot_.data(), data.data(), data.size());
    ep.handleDatagram(now, socket, slot_, data.size(), from, tx);
    collect();
  }

  void collect() {
    for (size_t i = 0; i < tx.pending(); ++i) {
      const auto d = tx.datagram(i);
      Sent s{std::vector<uint8_t>(d.begin(), d.end()), tx.destination(i)};
      (classifyPacket(d) == PacketKind::Rtcp ? rtcp : rtp).push_back(std::move(s));
    }
    tx.clear();
    while (auto e = ep.pollEvent()) events.push_back(std::move(*e));
  }

  // Fires every endpoint deadline up to now + d, in order.
  void advance(Duration d) {
    const TimePoint target = now + d;
    for (int guard = 0; guard < 100000; ++guard) {
      const TimePoint next = ep.nextTimeout();
      if (next > target) break;
      now = std::max(now, next);
      ep.handleTimeout(now, tx);
      collect();
    }
    now = target;
  }

  size_t buildRtp(std::span<uint8_t> out, uint16_t seq, uint32_t ts, uint32_t ssrc = kPeerSsrc,
                  size_t payloadSize = 160, bool marker = false) {
    rtp::RtpHeaderFields f;
    f.marker = marker;
    f.payloadType = kPcmuPt;
    f.sequenceNumber = seq;
    f.timestamp = ts;
    f.ssrc = ssrc;
    const size_t h = rtp::writeRtpHeader(out, f);
    if (h == 0 || h + payloadSize + srtp::SrtpSession::kMaxTrailer > out.size()) return 0;
    for (size_t i = 0; i < payloadSize; ++i) out[h + i] = uint8_t(seq + i);
    size_t length = h + payloadSize;
    if (srtpOut && !srtpOut->protectRtp(out, length)) return 0;
    return length;
  }

  // The phone sends one RTP packet (SRTP when it has keys).
  void sendRtp(uint16_t seq, const SocketAddress& from, uint32_t ssrc = kPeerSsrc) {
    std::array<uint8_t, kSlotSize> buf;
    const size_t n = buildRtp(buf, seq, 160u * seq, ssrc);
    ASSERT_GT(n, 0u);
    deliver({buf.data(), n}, from);
  }

  void sendRtcp(std::span<const uint8_t> plain, const SocketAddress& from, Socket socket) {
    std::array<uint8_t, kSlotSize> buf;
    std::memcpy(buf.data(), plain.data(), plain.size());
    size_t length = plain.size();
    if (srtpOut) ASSERT_TRUE(srtpOut->protectRtcp(buf, length));
    deliver({buf.data(), length}, from, socket);
  }

  // The gateway sends one plain RTP packet from "the bridge".
  bool bridgeSends(uint16_t seq, size_t payloadSize = 160) {
    std::array<uint8_t, kSlotSize> buf;
    const size_t n = buildPlain(buf, seq, payloadSize);
    const bool ok = ep.sendRtp(now, {buf.data(), n}, tx);
    collect();
    return ok;
  }

  static size_t buildPlain(std::span<uint8_t> out, uint16_t seq, size_t payloadSize = 160) {
    rtp::RtpHeaderFields f;
    f.payloadType = kPcmuPt;
    f.sequenceNumber = seq;
    f.timestamp = 160u * seq;
    f.ssrc = kLocalSsrc;
    const size_t h = rtp::writeRtpHeader(out, f);
    for (size_t i = 0; i < payloadSize; ++i) out[h + i] = uint8_t(0x55 ^ i);
    return h + payloadSize;
  }

  std::optional<std::vector<uint8_t>> plainRtcp(const Sent& s) {
    std::vector<uint8_t> b = s.bytes;
    size_t length = b.size();
    if (srtpIn && !srtpIn->unprotectRtcp(b, length)) return std::nullopt;
    b.resize(length);
    return b;
  }

  std::optional<EndpointEvent> lastEvent(EndpointEvent::Type type) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->type == type) return *it;
    return std::nullopt;
  }
  size_t eventCount(EndpointEvent::Type type) const {
    size_t n = 0;
    for (const auto& e : events) n += e.type == type;
    return n;
  }

 private:
  std::array<uint8_t, kSlotSize> slot_{};
};

std::vector<rtcp::RtcpHeader> packetsOf(const std::vector<uint8_t>& plain) {
  std::vector<rtcp::RtcpHeader> out;
  rtcp::RtcpCompound compound(plain);
  EXPECT_TRUE(compound.valid());
  for (const rtcp::RtcpHeader& h : compound) out.push_back(h);
  return out;
}

const StreamStats* findStream(const EndpointStats& s, uint32_t ssrc, bool inbound) {
  for (const StreamStats& st : s.streams)
    if (st.ssrc == ssrc && st.inbound == inbound) return &st;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// 1. Symmetric RTP

TEST(RtpEndpointTest, SendsToTheSdpAddressThenLatchesToTheFirstSource) {
  PhoneHarness h;
  EXPECT_FALSE(h.ep.canSend());
  EXPECT_FALSE(h.bridgeSends(1));  // no address at all yet
  EXPECT_EQ(h.ep.stats(h.now).counters.sendFailed, 1u);

  h.ep.setRemote(h.now, h.sdpRtp);
  EXPECT_TRUE(h.ep.canSend());
  ASSERT_TRUE(h.bridgeSends(2));
  ASSERT_EQ(h.rtp.size(), 1u);
  EXPECT_EQ(h.rtp[0].to, h.sdpRtp);

  h.sendRtp(1, h.natRtp);
  ASSERT_EQ(h.sink.got.size(), 1u);
  const auto latched = h.lastEvent(EndpointEvent::Type::SourceLatched);
  ASSERT_TRUE(latched.has_value());
  EXPECT_EQ(latched->state, "rtp");
  EXPECT_EQ(latched->selectedAddress, "203.0.113.7:41000");

  ASSERT_TRUE(h.bridgeSends(3));
  ASSERT_EQ(h.rtp.size(), 2u);
  EXPECT_EQ(h.rtp[1].to, h.natRtp);
  const EndpointStats s = h.ep.stats(h.now);
  EXPECT_EQ(s.kind, "rtp");
  EXPECT_TRUE(s.latched);
  EXPECT_EQ(s.selectedAddress, "203.0.113.7:41000");
  EXPECT_EQ(s.iceState, "");
  EXPECT_EQ(s.srtpProfile, "");
}

TEST(RtpEndpointTest, LatchesWithoutAnSdpAddressToo) {
  PhoneHarness h;  // offer sent, answer not yet in: early media finds its way back
  h.sendRtp(1, h.natRtp);
  EXPECT_TRUE(h.ep.canSend());
  ASSERT_TRUE(h.bridgeSends(1));
  EXPECT_EQ(h.rtp.back().to, h.natRtp);
}

TEST(RtpEndpointTest, DoesNotRelatchWhileTheLatchedSourceIsActive) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  h.sendRtp(1, h.natRtp);
  for (uint16_t seq = 2; seq < 100; ++seq) {
    h.now += milliseconds(20);
    h.sendRtp(seq, h.natRtp);
    h.now += milliseconds(1);
    h.sendRtp(seq, h.intruder, 0xBAD);  // spoofed, interleaved
  }
  // Also the SDP address itself may not take over an active latch.
  h.sendRtp(100, h.sdpRtp);
  EXPECT_EQ(h.sink.got.size(), 99u);
  for (const auto& g : h.sink.got) EXPECT_EQ(g.ssrc, kPeerSsrc);
  const EndpointStats s = h.ep.stats(h.now);
  EXPECT_EQ(s.counters.unvalidatedSourceRejected, 99u);
  EXPECT_EQ(s.counters.rtpReceived, 99u + 99u);
  EXPECT_EQ(h.eventCount(EndpointEvent::Type::SourceLatched), 1u);
  ASSERT_TRUE(h.bridgeSends(1));
  EXPECT_EQ(h.rtp.back().to, h.natRtp);
  // Rejections are logged, but rate-limited (first three, then every thousandth).
  EXPECT_EQ(h.eventCount(EndpointEvent::Type::Log), 3u);
}

TEST(RtpEndpointTest, RelatchesAfterTheLatchedSourceFellSilent) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  h.sendRtp(1, h.natRtp);
  const SocketAddress moved = SocketAddress::fromIp("203.0.113.7", 41234);  // new NAT binding
  h.now += RtpEndpoint::kRelatchSilence - milliseconds(1);
  h.sendRtp(2, moved);
  EXPECT_EQ(h.sink.got.size(), 1u);  // just short of the silence: still refused
  h.now += milliseconds(1);
  h.sendRtp(3, moved);
  EXPECT_EQ(h.sink.got.size(), 2u);
  EXPECT_EQ(h.eventCount(EndpointEvent::Type::SourceLatched), 2u);
  EXPECT_EQ(h.lastEvent(EndpointEvent::Type::SourceLatched)->selectedAddress, "203.0.113.7:41234");
  ASSERT_TRUE(h.bridgeSends(1));
  EXPECT_EQ(h.rtp.back().to, moved);
  // And now the old address is the stranger.
  h.now += milliseconds(20);
  h.sendRtp(4, h.natRtp);
  EXPECT_EQ(h.sink.got.size(), 2u);
}

TEST(RtpEndpointTest, InvalidPacketsNeverLatch) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  const std::array<uint8_t, 4> shortRtp{0x80, kPcmuPt, 0, 1};  // RTP first bytes, 4-byte datagram
  h.deliver(shortRtp, h.intruder);
  EXPECT_EQ(h.eventCount(EndpointEvent::Type::SourceLatched), 0u);
  h.sendRtp(1, h.natRtp);
  EXPECT_EQ(h.lastEvent(EndpointEvent::Type::SourceLatched)->selectedAddress, "203.0.113.7:41000");
}

TEST(RtpEndpointTest, StrictSourceAcceptsOnlyTheSdpAddressAndNeverLatches) {
  RtpEndpointOptions o;
  o.strictSource = true;
  PhoneHarness h(o);
  h.sendRtp(1, h.sdpRtp);  // before the answer: no address to accept anything from
  EXPECT_EQ(h.sink.got.size(), 0u);
  h.ep.setRemote(h.now, h.sdpRtp);
  h.sendRtp(2, h.natRtp);
  h.now += seconds(10);  // silence does not matter in strict mode
  h.sendRtp(3, h.natRtp);
  h.sendRtp(4, h.sdpRtp);
  ASSERT_EQ(h.sink.got.size(), 1u);
  EXPECT_EQ(h.sink.got[0].seq, 4);
  const EndpointStats s = h.ep.stats(h.now);
  EXPECT_EQ(s.counters.unvalidatedSourceRejected, 3u);
  EXPECT_FALSE(s.latched);
  EXPECT_EQ(h.eventCount(EndpointEvent::Type::SourceLatched), 0u);
  ASSERT_TRUE(h.bridgeSends(1));
  EXPECT_EQ(h.rtp.back().to, h.sdpRtp);
}

TEST(RtpEndpointTest, ReInviteWithANewAddressDropsTheLatch) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  h.sendRtp(1, h.natRtp);
  h.ep.setRemote(h.now, h.sdpRtp);  // same SDP again (e.g. a session refresh): latch kept
  ASSERT_TRUE(h.bridgeSends(1));
  EXPECT_EQ(h.rtp.back().to, h.natRtp);

  const SocketAddress mediaServer = SocketAddress::fromIp("192.0.2.50", 20000);
  h.ep.setRemote(h.now, mediaServer);  // transferred to another media server
  EXPECT_FALSE(h.ep.stats(h.now).latched);
  ASSERT_TRUE(h.bridgeSends(2));
  EXPECT_EQ(h.rtp.back().to, mediaServer);
  h.sendRtp(2, mediaServer);
  EXPECT_EQ(h.sink.got.size(), 2u);

  // Old-style hold (RFC 3264 §8.4): c=0.0.0.0 is nowhere to send to.
  h.ep.setRemote(h.now, SocketAddress::fromIp("0.0.0.0", 20000));
  EXPECT_FALSE(h.ep.canSend());
  EXPECT_FALSE(h.bridgeSends(3));
  EXPECT_EQ(h.ep.stats(h.now).selectedAddress, "");
}

// ---------------------------------------------------------------------------------------------
// 2. Media to and from the bridge

TEST(RtpEndpointTest, ReceivedRtpReachesTheSinkParsed) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  std::array<uint8_t, PhoneHarness::kSlotSize> buf;
  const size_t n = h.buildRtp(buf, 777, 123456, kPeerSsrc, 160, true);
  h.deliver({buf.data(), n}, h.natRtp);
  ASSERT_EQ(h.sink.got.size(), 1u);
  const auto& g = h.sink.got[0];
  EXPECT_EQ(g.leg, 3u);
  EXPECT_EQ(g.pt, kPcmuPt);
  EXPECT_TRUE(g.marker);
  EXPECT_EQ(g.seq, 777);
  EXPECT_EQ(g.ts, 123456u);
  EXPECT_EQ(g.ssrc, kPeerSsrc);
  ASSERT_EQ(g.payload.size(), 160u);
  EXPECT_EQ(g.payload[0], uint8_t(777));
  const EndpointStats s = h.ep.stats(h.now);
  const StreamStats* in = findStream(s, kPeerSsrc, true);
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->packets, 1u);
  EXPECT_EQ(in->bytes, 160u);
  EXPECT_EQ(s.counters.rtpReceived, 1u);
}

TEST(RtpEndpointTest, WithoutASinkRtpIsCountedAndDropped) {
  PhoneHarness h;
  h.ep.setSink(nullptr);
  h.ep.setRemote(h.now, h.sdpRtp);
  for (uint16_t seq = 1; seq <= 5; ++seq) h.sendRtp(seq, h.natRtp);
  const EndpointStats s = h.ep.stats(h.now);
  EXPECT_EQ(s.counters.noSink, 5u);
  EXPECT_EQ(findStream(s, kPeerSsrc, true)->packets, 5u);  // still accounted for RTCP
  EXPECT_TRUE(s.latched);
  EXPECT_TRUE(h.sink.got.empty());
}

TEST(RtpEndpointTest, SentRtpIsAccountedAndLeavesUnchanged) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  for (uint16_t seq = 1; seq <= 10; ++seq) ASSERT_TRUE(h.bridgeSends(seq));
  ASSERT_EQ(h.rtp.size(), 10u);
  std::array<uint8_t, 256> expected;
  const size_t n = PhoneHarness::buildPlain(expected, 10);
  EXPECT_EQ(h.rtp.back().bytes, std::vector<uint8_t>(expected.begin(), expected.begin() + n));
  const EndpointStats stats = h.ep.stats(h.now);
  const StreamStats* out = findStream(stats, kLocalSsrc, false);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->packets, 10u);
  EXPECT_EQ(out->bytes, 1600u);
}

TEST(RtpEndpointTest, MalformedInputIsCountedNeverDelivered) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  const std::array<uint8_t, 4> shortRtp{0x80, kPcmuPt, 0, 1};
  h.deliver(shortRtp, h.sdpRtp);
  // Padding bit with a padding count larger than the packet.
  std::array<uint8_t, PhoneHarness::kSlotSize> buf;
  size_t n = h.buildRtp(buf, 1, 160);
  buf[0] |= 0x20;
  buf[n - 1] = 0xff;
  h.deliver({buf.data(), n}, h.sdpRtp);
  const std::array<uint8_t, 3> stun{0x00, 0x01, 0x00};  // not RTP or RTCP
  h.deliver(stun, h.sdpRtp);
  const std::array<uint8_t, 8> badRtcp{0x80, 200, 0x00, 0x40, 0, 0, 0, 0};  // length runs past the end
  h.deliver(badRtcp, h.sdpRtp);
  // Bridge hands over garbage to send.
  const std::array<uint8_t, 5> junk{1, 2, 3, 4, 5};
  EXPECT_FALSE(h.ep.sendRtp(h.now, junk, h.tx));
  const EndpointStats s = h.ep.stats(h.now);
  EXPECT_EQ(s.counters.unknownRejected, 4u);
  EXPECT_EQ(s.counters.sendFailed, 1u);
  EXPECT_TRUE(h.sink.got.empty());
  EXPECT_FALSE(s.latched);
  EXPECT_EQ(h.tx.pending(), 0u);
}

// ---------------------------------------------------------------------------------------------
// 3. SDES-SRTP (RFC 4568)

class RtpEndpointSrtpTest : public ::testing::TestWithParam<SrtpProfile> {};

SdesSrtpKeys keysFor(SrtpProfile p) {
  SdesSrtpKeys k;
  k.profile = p;
  for (size_t i = 0; i < srtp::masterKeySaltLength(p); ++i) {
    k.localKeySalt.push_back(uint8_t(0x10 + i));
    k.remoteKeySalt.push_back(uint8_t(0xA0 + i));
  }
  return k;
}

TEST_P(RtpEndpointSrtpTest, RoundTripWithThePeersKeys) {
  RtpEndpointOptions o;
  o.sdesSrtp = keysFor(GetParam());
  PhoneHarness h(o);
  // The phone protects with the key it announced (our "remote") and unprotects with ours.
  h.srtpOut.emplace(srtp::SrtpSession::Direction::Outbound, GetParam(), o.sdesSrtp->remoteKeySalt);
  h.srtpIn.emplace(srtp::SrtpSession::Direction::Inbound, GetParam(), o.sdesSrtp->localKeySalt);
  h.ep.setRemote(h.now, h.sdpRtp);

  for (uint16_t seq = 1; seq <= 20; ++seq) h.sendRtp(seq, h.natRtp);
  ASSERT_EQ(h.sink.got.size(), 20u);
  EXPECT_EQ(h.sink.got[4].seq, 5);
  ASSERT_EQ(h.sink.got[4].payload.size(), 160u);
  EXPECT_EQ(h.sink.got[4].payload[1], uint8_t(5 + 1));  // decrypted payload

  ASSERT_TRUE(h.bridgeSends(1));
  ASSERT_EQ(h.rtp.size(), 1u);
  std::vector<uint8_t> wire = h.rtp[0].bytes;
  std::array<uint8_t, 256> plain;
  const size_t n = PhoneHarness::buildPlain(plain, 1);
  EXPECT_GT(wire.size(), n);  // auth tag
  size_t length = wire.size();
  ASSERT_TRUE(h.srtpIn->unprotectRtp(wire, length));
  ASSERT_EQ(length, n);
  EXPECT_EQ(std::memcmp(wire.data(), plain.data(), n), 0);

  // Reports are SRTCP the phone can verify.
  h.advance(seconds(8));
  ASSERT_FALSE(h.rtcp.empty());
  for (const Sent& s : h.rtcp) EXPECT_TRUE(h.plainRtcp(s).has_value());

  // Plain RTP (or a wrong key) does not get through.
  h.srtpOut.reset();
  h.sendRtp(21, h.natRtp);
  EXPECT_EQ(h.sink.got.size(), 20u);
  const EndpointStats s = h.ep.stats(h.now);
  EXPECT_EQ(s.counters.srtpRejected, 1u);
  EXPECT_EQ(s.srtpProfile, std::string(srtp::profileName(GetParam())));
}

TEST_P(RtpEndpointSrtpTest, UnauthenticatedPacketsNeverLatch) {
  RtpEndpointOptions o;
  o.sdesSrtp = keysFor(GetParam());
  PhoneHarness h(o);
  h.ep.setRemote(h.now, h.sdpRtp);
  h.sendRtp(1, h.intruder);  // plain RTP: no key
  EXPECT_EQ(h.eventCount(EndpointEvent::Type::SourceLatched), 0u);
  EXPECT_EQ(h.ep.stats(h.now).counters.srtpRejected, 1u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, RtpEndpointSrtpTest,
                         ::testing::Values(SrtpProfile::AesCm128HmacSha1_80, SrtpProfile::AeadAes128Gcm),
                         [](const auto& info) {
                           return info.param == SrtpProfile::AeadAes128Gcm ? std::string("Gcm")
                                                                           : std::string("AesCm");
                         });

TEST(RtpEndpointTest, SdesKeysOfTheWrongLengthThrow) {
  RtpEndpointOptions o;
  o.sdesSrtp = keysFor(SrtpProfile::AeadAes128Gcm);
  o.sdesSrtp->profile = SrtpProfile::AesCm128HmacSha1_80;  // 28 bytes given, 30 needed
  EXPECT_THROW(RtpEndpoint(1, -1, -1, o), std::invalid_argument);
  PhoneHarness h;
  EXPECT_THROW(h.ep.setSdesSrtp(o.sdesSrtp), std::invalid_argument);
  h.ep.setRemote(h.now, h.sdpRtp);
  h.sendRtp(1, h.natRtp);  // still plain RTP: the failed re-key changed nothing
  EXPECT_EQ(h.sink.got.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// 4. RTCP

TEST(RtpEndpointTest, ReportsComeEveryFiveSecondsRandomized) {
  PhoneHarness h;
  EXPECT_EQ(h.ep.nextTimeout(), kNever);  // nothing to report to yet
  const TimePoint start = h.now;
  h.ep.setRemote(h.now, h.sdpRtp);
  // §6.2: the first report comes after half the interval, randomized over [0.5, 1.5].
  const TimePoint first = h.ep.nextTimeout();
  EXPECT_GE(first - start, milliseconds(1250));
  EXPECT_LE(first - start, milliseconds(3750));
  std::vector<TimePoint> times;
  for (int i = 0; i < 40; ++i) {
    h.now = h.ep.nextTimeout();
    times.push_back(h.now);
    h.ep.handleTimeout(h.now, h.tx);
    h.collect();
  }
  ASSERT_EQ(h.rtcp.size(), 40u);
  Duration total{};
  for (size_t i = 1; i < times.size(); ++i) {
    const Duration gap = times[i] - times[i - 1];
    EXPECT_GE(gap, milliseconds(2500));
    EXPECT_LE(gap, milliseconds(7500));
    total += gap;
  }
  const double mean = std::chrono::duration<double>(total).count() / double(times.size() - 1);
  EXPECT_NEAR(mean, 5.0, 0.6);
  // Nothing sent or received: an empty RR from our SSRC, with its CNAME.
  const std::vector<uint8_t> plainReport = h.plainRtcp(h.rtcp[0]).value();
  const auto packets = packetsOf(plainReport);
  ASSERT_EQ(packets.size(), 2u);
  ASSERT_EQ(packets[0].kind(), rtcp::RtcpKind::ReceiverReport);
  EXPECT_EQ(rtcp::ReceiverReport::parse(packets[0])->senderSsrc(), kLocalSsrc);
  EXPECT_EQ(rtcp::ReceiverReport::parse(packets[0])->reportCount(), 0u);
  ASSERT_EQ(packets[1].kind(), rtcp::RtcpKind::Sdes);
  EXPECT_EQ(rtcp::Sdes::parse(packets[1])->cname()->text, "rtcgate");
  EXPECT_EQ(h.rtcp[0].to, h.sdpRtp);  // rtcp-mux: same address as RTP
}

TEST(RtpEndpointTest, SenderReportCarriesABlockAboutThePeerAndItsLsr) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  // 50 packets with 5 lost (seq 21..25), and the phone's SR.
  for (uint16_t seq = 1; seq <= 50; ++seq) {
    h.now += milliseconds(20);
    if (seq < 21 || seq > 25) h.sendRtp(seq, h.natRtp);
    ASSERT_TRUE(h.bridgeSends(seq));
  }
  std::array<uint8_t, 256> buf;
  rtcp::RtcpWriter w(buf);
  rtcp::SenderInfo peerInfo{0x0123456789ABCDEFull, 8000, 45, 7200};
  w.addSenderReport(kPeerSsrc, peerInfo);
  w.addSdesCname(kPeerSsrc, "phone@10.0.0.5");
  h.sendRtcp(w.bytes(), h.natRtp, Socket::Primary);
  const TimePoint srArrival = h.now;
  EXPECT_EQ(h.ep.stats(h.now).counters.rtcpReceived, 1u);

  ASSERT_GT(h.ep.nextTimeout(), srArrival);
  h.now = h.ep.nextTimeout();
  h.ep.handleTimeout(h.now, h.tx);
  h.collect();
  ASSERT_EQ(h.rtcp.size(), 1u);
  const Sent& report = h.rtcp[0];
  EXPECT_EQ(report.to, h.natRtp);  // rtcp-mux: follows the RTP latch
  const std::vector<uint8_t> plainReport = h.plainRtcp(report).value();
  const auto packets = packetsOf(plainReport);
  ASSERT_GE(packets.size(), 2u);
  ASSERT_EQ(packets[0].kind(), rtcp::RtcpKind::SenderReport);
  auto sr = rtcp::SenderReport::parse(packets[0]);
  EXPECT_EQ(sr->senderSsrc(), kLocalSsrc);
  EXPECT_EQ(sr->packetCount(), 50u);
  EXPECT_EQ(sr->octetCount(), 50u * 160u);
  ASSERT_EQ(sr->reportCount(), 1u);
  const rtcp::ReportBlock b = sr->reportBlock(0);
  EXPECT_EQ(b.ssrc, kPeerSsrc);
  EXPECT_EQ(b.cumulativeLost, 5);
  EXPECT_EQ(b.extendedHighestSeq, 50u);
  EXPECT_EQ(b.lastSr, peerInfo.ntpMiddle32());
  // DLSR: time from the SR's arrival to this report, in 1/65536 s.
  const double dlsr = double(b.delaySinceLastSr) / 65536.0;
  EXPECT_NEAR(dlsr, std::chrono::duration<double>(h.now - srArrival).count(), 1.0 / 65536);
  ASSERT_EQ(packets[1].kind(), rtcp::RtcpKind::Sdes);
  EXPECT_EQ(rtcp::Sdes::parse(packets[1])->cname()->ssrc, kLocalSsrc);
}

TEST(RtpEndpointTest, RoundTripTimeFromACraftedReceiverReport) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  h.sendRtp(1, h.natRtp);
  ASSERT_TRUE(h.bridgeSends(1));
  h.now = h.ep.nextTimeout();
  h.ep.handleTimeout(h.now, h.tx);
  h.collect();
  ASSERT_EQ(h.rtcp.size(), 1u);
  const std::vector<uint8_t> plainReport = h.plainRtcp(h.rtcp[0]).value();
  const auto packets = packetsOf(plainReport);
  auto sr = rtcp::SenderReport::parse(packets[0]);
  ASSERT_TRUE(sr.has_value());

  // The phone answers 0.5 s after our SR and says it held it for 0.4 s: RTT 0.1 s.
  h.now += milliseconds(500);
  rtcp::ReportBlock block;
  block.ssrc = kLocalSsrc;
  block.fractionLost = 64;  // 25 %
  block.cumulativeLost = 3;
  block.jitter = 80;  // 10 ms at 8 kHz
  block.lastSr = sr->ntpMiddle32();
  block.delaySinceLastSr = uint32_t(0.4 * 65536);
  std::array<uint8_t, 128> buf;
  rtcp::RtcpWriter w(buf);
  w.addReceiverReport(kPeerSsrc, std::span<const rtcp::ReportBlock>(&block, 1));
  h.sendRtcp(w.bytes(), h.natRtp, Socket::Primary);

  const EndpointStats stats = h.ep.stats(h.now);
  const StreamStats* out = findStream(stats, kLocalSsrc, false);
  ASSERT_NE(out, nullptr);
  ASSERT_TRUE(out->roundTripSeconds.has_value());
  EXPECT_NEAR(*out->roundTripSeconds, 0.1, 0.001);
  EXPECT_EQ(out->packetsLost, 3);
  EXPECT_NEAR(out->jitterSeconds, 0.010, 1e-9);
}

TEST(RtpEndpointTest, RtcpOnItsOwnPortFollowsItsOwnLatch) {
  PhoneHarness h({}, kRtcpFd);
  EXPECT_FALSE(h.ep.rtcpMux());
  h.ep.setRemote(h.now, h.sdpRtp);  // no a=rtcp: RTP port + 1
  h.sendRtp(1, h.natRtp);
  h.advance(seconds(4));
  ASSERT_EQ(h.rtcp.size(), 1u);
  EXPECT_EQ(h.rtcp[0].to, h.sdpRtcp);  // RTP latched, RTCP not yet heard from
  EXPECT_EQ(h.ep.stats(h.now).rtcpAddress, "10.0.0.5:30001");

  // The phone's RR arrives on our RTCP port from its NATed RTCP port.
  std::array<uint8_t, 128> buf;
  rtcp::RtcpWriter w(buf);
  w.addReceiverReport(kPeerSsrc);
  w.addSdesCname(kPeerSsrc, "phone");
  h.sendRtcp(w.bytes(), h.natRtcp, Socket::Rtcp);
  const auto latched = h.lastEvent(EndpointEvent::Type::SourceLatched);
  ASSERT_TRUE(latched.has_value());
  EXPECT_EQ(latched->state, "rtcp");
  EXPECT_EQ(latched->selectedAddress, "203.0.113.7:41001");
  h.advance(seconds(8));
  ASSERT_GE(h.rtcp.size(), 2u);
  EXPECT_EQ(h.rtcp.back().to, h.natRtcp);
  // RTP on the RTCP port is refused; RTCP from another address on it too, while the latch lives.
  std::array<uint8_t, PhoneHarness::kSlotSize> rtpBuf;
  const size_t n = h.buildRtp(rtpBuf, 2, 320);
  h.deliver({rtpBuf.data(), n}, h.natRtcp, Socket::Rtcp);
  h.sendRtcp(w.bytes(), h.intruder, Socket::Rtcp);
  const EndpointStats s = h.ep.stats(h.now);
  EXPECT_EQ(s.counters.unknownRejected, 1u);
  EXPECT_EQ(s.counters.unvalidatedSourceRejected, 1u);
  EXPECT_EQ(s.counters.rtcpReceived, 2u);
  EXPECT_EQ(s.selectedAddress, "203.0.113.7:41000");
  EXPECT_EQ(s.rtcpAddress, "203.0.113.7:41001");
  EXPECT_EQ(h.sink.got.size(), 1u);
  // RTCP's latch outlives report intervals; only the §6.3.5 inactivity timeout frees it.
  h.now += RtpEndpoint::kRtcpRelatchSilence;
  h.sendRtcp(w.bytes(), h.intruder, Socket::Rtcp);
  EXPECT_EQ(h.ep.stats(h.now).rtcpAddress, "198.51.100.9:5000");
  EXPECT_EQ(h.ep.stats(h.now).selectedAddress, "203.0.113.7:41000");
}

TEST(RtpEndpointTest, ExplicitRtcpAddressFromSdpIsUsed) {
  PhoneHarness h({}, kRtcpFd);
  const SocketAddress rtcpAttr = SocketAddress::fromIp("10.0.0.6", 31000);  // a=rtcp:31000 IN IP4 10.0.0.6
  h.ep.setRemote(h.now, h.sdpRtp, rtcpAttr);
  h.advance(seconds(4));
  ASSERT_EQ(h.rtcp.size(), 1u);
  EXPECT_EQ(h.rtcp[0].to, rtcpAttr);
}

TEST(RtpEndpointTest, WithRtcpMuxRtcpSharesThePortAndTheLatch) {
  PhoneHarness h;  // rtcpFd -1
  EXPECT_TRUE(h.ep.rtcpMux());
  h.ep.setRemote(h.now, h.sdpRtp);
  std::array<uint8_t, 128> buf;
  rtcp::RtcpWriter w(buf);
  w.addReceiverReport(kPeerSsrc);
  w.addSdesCname(kPeerSsrc, "phone");
  h.sendRtcp(w.bytes(), h.natRtp, Socket::Primary);  // RFC 5761: PT 201 on the RTP port
  EXPECT_EQ(h.ep.stats(h.now).counters.rtcpReceived, 1u);
  EXPECT_TRUE(h.ep.stats(h.now).latched);  // RTCP latches the one flow too
  h.sendRtp(1, h.natRtp);
  EXPECT_EQ(h.sink.got.size(), 1u);
  h.advance(seconds(4));
  ASSERT_EQ(h.rtcp.size(), 1u);
  EXPECT_EQ(h.rtcp[0].to, h.natRtp);
  EXPECT_EQ(h.ep.stats(h.now).rtcpAddress, h.ep.stats(h.now).selectedAddress);
}

TEST(RtpEndpointTest, CloseSendsAReportWithBye) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  h.sendRtp(1, h.natRtp);
  ASSERT_TRUE(h.bridgeSends(1));
  h.ep.close(h.now, h.tx);
  h.collect();
  ASSERT_EQ(h.rtcp.size(), 1u);
  const std::vector<uint8_t> plainReport = h.plainRtcp(h.rtcp[0]).value();
  const auto packets = packetsOf(plainReport);
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_EQ(packets[0].kind(), rtcp::RtcpKind::SenderReport);
  EXPECT_EQ(packets[1].kind(), rtcp::RtcpKind::Sdes);
  ASSERT_EQ(packets[2].kind(), rtcp::RtcpKind::Bye);
  auto bye = rtcp::Bye::parse(packets[2]);
  ASSERT_EQ(bye->ssrcCount(), 1u);
  EXPECT_EQ(bye->ssrc(0), kLocalSsrc);
  // Closed: no more input, output or timers.
  h.sendRtp(2, h.natRtp);
  EXPECT_EQ(h.sink.got.size(), 1u);
  EXPECT_FALSE(h.bridgeSends(2));
  EXPECT_FALSE(h.ep.canSend());
  EXPECT_EQ(h.ep.nextTimeout(), kNever);
}

// ---------------------------------------------------------------------------------------------
// 5. Media timeout

TEST(RtpEndpointTest, MediaTimeoutClosesAfterSilenceAndRtcpCountsAsMedia) {
  RtpEndpointOptions o;
  o.mediaTimeout = seconds(10);
  PhoneHarness h(o);
  h.ep.setRemote(h.now, h.sdpRtp);
  h.advance(seconds(6));
  h.sendRtp(1, h.natRtp);
  h.advance(seconds(9));  // 9 s after the last RTP
  EXPECT_FALSE(h.ep.finished().has_value());
  std::array<uint8_t, 128> buf;
  rtcp::RtcpWriter w(buf);
  w.addReceiverReport(kPeerSsrc);
  h.sendRtcp(w.bytes(), h.natRtp, Socket::Primary);  // on hold: RTCP only, still alive
  h.advance(seconds(9));
  EXPECT_FALSE(h.ep.finished().has_value());
  h.advance(seconds(2));
  ASSERT_TRUE(h.ep.finished().has_value());
  EXPECT_EQ(*h.ep.finished(), CloseReason::MediaTimeout);
  EXPECT_STREQ(toString(CloseReason::MediaTimeout), "media-timeout");
  EXPECT_EQ(h.ep.nextTimeout(), kNever);
}

TEST(RtpEndpointTest, NoMediaTimeoutByDefaultOrWhenSwitchedOffOnHold) {
  PhoneHarness h;
  h.ep.setRemote(h.now, h.sdpRtp);
  h.advance(seconds(120));
  EXPECT_FALSE(h.ep.finished().has_value());

  RtpEndpointOptions o;
  o.mediaTimeout = seconds(5);
  PhoneHarness held(o);
  held.ep.setRemote(held.now, held.sdpRtp);
  held.ep.setMediaTimeout(Duration::zero());  // re-INVITE put the call on hold
  held.advance(seconds(60));
  EXPECT_FALSE(held.ep.finished().has_value());
}

// ---------------------------------------------------------------------------------------------
// 6. No allocation per packet

// Sends every packet it gets straight back through the same leg under our SSRC.
struct EchoSink : media::RtpSink {
  RtpEndpoint* leg = nullptr;
  uint64_t echoed = 0;
  std::array<uint8_t, io::TxQueue::kSlotSize> buf{};
  void onRtp(TimePoint now, uint32_t, const rtp::RtpPacket& p, io::TxQueue& tx) noexcept override {
    std::memcpy(buf.data(), p.bytes().data(), p.size());
    store32(buf.data() + 8, kLocalSsrc);
    if (leg->sendRtp(now, std::span<const uint8_t>(buf.data(), p.size()), tx)) ++echoed;
  }
};

class RtpEndpointAllocationTest : public ::testing::TestWithParam<bool> {};

TEST_P(RtpEndpointAllocationTest, ReceiveAndSendPathDoesNotAllocate) {
  const bool srtp = GetParam();
  RtpEndpointOptions o;
  o.mediaTimeout = seconds(30);
  if (srtp) o.sdesSrtp = keysFor(SrtpProfile::AesCm128HmacSha1_80);
  PhoneHarness h(o, kRtcpFd);
  if (srtp) {
    h.srtpOut.emplace(srtp::SrtpSession::Direction::Outbound, o.sdesSrtp->profile, o.sdesSrtp->remoteKeySalt);
    h.srtpIn.emplace(srtp::SrtpSession::Direction::Inbound, o.sdesSrtp->profile, o.sdesSrtp->localKeySalt);
  }
  EchoSink echo;
  echo.leg = &h.ep;
  h.ep.setSink(&echo);
  h.ep.setRemote(h.now, h.sdpRtp);
  // Warm up: the first packet latches (an event string) and creates both streams' state.
  h.sendRtp(1, h.natRtp);
  ASSERT_EQ(echo.echoed, 1u);
  std::array<uint8_t, 128> rr;
  rtcp::RtcpWriter w(rr);
  w.addReceiverReport(kPeerSsrc);
  w.addSdesCname(kPeerSsrc, "phone");
  h.sendRtcp(w.bytes(), h.natRtcp, Socket::Rtcp);
  h.rtp.clear();
  h.rtcp.clear();
  h.events.clear();

  constexpr int kPackets = 10000;
  std::array<uint8_t, io::TxQueue::kSlotSize> wire;
  std::array<uint8_t, io::TxQueue::kSlotSize> rtcpWire;
  std::array<uint8_t, io::TxQueue::kSlotSize> slot;
  uint64_t allocations = 0;
  size_t sent = 0, reports = 0, rtcpIn = 0;
  for (int i = 0; i < kPackets; ++i) {
    const auto seq = uint16_t(2 + i);
    const size_t n = h.buildRtp(wire, seq, 160u * seq);
    ASSERT_GT(n, 0u);
    // Every 250th packet the phone's RR comes along on the RTCP port.
    size_t rtcpSize = 0;
    if (i % 250 == 0) {
      std::memcpy(rtcpWire.data(), rr.data(), w.size());
      rtcpSize = w.size();
      if (srtp) ASSERT_TRUE(h.srtpOut->protectRtcp(rtcpWire, rtcpSize));
    }
    h.now += milliseconds(2);  // 20 s in all
    {
      AllocationCounter counter;
      std::memcpy(slot.data(), wire.data(), n);
      h.ep.handleDatagram(h.now, Socket::Primary, slot, n, h.natRtp, h.tx);
      if (rtcpSize > 0) {
        std::memcpy(slot.data(), rtcpWire.data(), rtcpSize);
        h.ep.handleDatagram(h.now, Socket::Rtcp, slot, rtcpSize, h.natRtcp, h.tx);
        ++rtcpIn;
      }
      sent += h.tx.pending();
      h.tx.clear();
      if (h.ep.nextTimeout() <= h.now) {
        h.ep.handleTimeout(h.now, h.tx);
        reports += h.tx.pending();
        h.tx.clear();
      }
      allocations += counter.count();
    }
  }
  EXPECT_EQ(allocations, 0u) << "operator new calls over " << kPackets << " received and sent packets";
  EXPECT_EQ(echo.echoed, uint64_t(kPackets) + 1);
  EXPECT_EQ(sent, size_t(kPackets));
  EXPECT_GE(reports, 3u);  // ~20 s at ~5 s
  EXPECT_FALSE(h.ep.finished().has_value());
  EXPECT_FALSE(h.ep.pollEvent().has_value());
  const EndpointStats s = h.ep.stats(h.now);
  EXPECT_EQ(s.counters.rtpReceived, uint64_t(kPackets) + 1);
  EXPECT_EQ(s.counters.rtcpReceived, rtcpIn + 1);
  EXPECT_EQ(s.counters.srtpRejected + s.counters.unknownRejected + s.counters.sendFailed, 0u);
}

INSTANTIATE_TEST_SUITE_P(PlainAndSdes, RtpEndpointAllocationTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? std::string("Sdes") : std::string("Plain"); });

}  // namespace
}  // namespace rtcgate::session
