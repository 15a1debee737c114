// WebRtcEndpoint driven in-process by a browser stand-in (session/testing/BrowserHarness.hpp):
// ICE-lite against a controlling checker, DTLS-SRTP in both roles, the echo route for RTP and
// RTCP feedback, hostile input, consent expiry, and no heap allocation on the media path.
#include "session/WebRtcEndpoint.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <random>

#include "rtcp/GenericNack.hpp"
#include "rtcp/Pli.hpp"
#include "rtcp/RtcpCompound.hpp"
#include "rtcp/RtcpWriter.hpp"
#include "rtcp/Sdes.hpp"
#include "rtcp/SenderReport.hpp"
#include "rtp/RtpPacket.hpp"
#include "session/testing/AllocationCounter.hpp"
#include "session/testing/BrowserHarness.hpp"
#include "stun/StunMessage.hpp"

namespace rtcgate::session {
namespace {

using namespace testing;
using srtp::SrtpProfile;

std::vector<rtcp::RtcpHeader> packetsOf(const std::vector<uint8_t>& plain) {
  std::vector<rtcp::RtcpHeader> out;
  rtcp::RtcpCompound compound(plain);
  EXPECT_TRUE(compound.valid());
  for (const rtcp::RtcpHeader& h : compound) out.push_back(h);
  return out;
}

// Unprotects every datagram the endpoint sent and returns the plain RTCP compounds.
std::vector<std::vector<uint8_t>> plainRtcp(BrowserHarness& h) {
  std::vector<std::vector<uint8_t>> out;
  for (const auto& d : h.takeMedia()) {
    if (classifyPacket(d) != PacketKind::Rtcp) continue;
    auto plain = h.unprotect(d);
    EXPECT_TRUE(plain.has_value()) << "SRTCP from the endpoint did not verify";
    if (plain) out.push_back(std::move(*plain));
  }
  return out;
}

const StreamStats* findStream(const EndpointStats& s, uint32_t ssrc, bool inbound) {
  for (const StreamStats& st : s.streams)
    if (st.ssrc == ssrc && st.inbound == inbound) return &st;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// 1. ICE

TEST(WebRtcEndpointTest, IceConnectsAndReportsSelectedAddress) {
  BrowserHarness h;
  h.connect();
  ASSERT_EQ(h.checker.state(), ice::IceCheckerState::Connected);
  ASSERT_TRUE(h.checker.mappedAddress().has_value());
  EXPECT_EQ(*h.checker.mappedAddress(), h.browser);

  const auto ice = h.lastEvent(EndpointEvent::Type::IceState);
  ASSERT_TRUE(ice.has_value());
  EXPECT_EQ(ice->state, "connected");
  EXPECT_EQ(ice->selectedAddress, "127.0.0.1:50000");

  const EndpointStats s = h.endpoint.stats(h.now);
  EXPECT_EQ(s.id, 7u);
  EXPECT_EQ(s.iceState, "connected");
  EXPECT_EQ(s.selectedAddress, "127.0.0.1:50000");
  EXPECT_GE(s.counters.stunReceived, 1u);
  EXPECT_EQ(s.counters.stunRejected, 0u);
  EXPECT_EQ(h.misdirected, 0u);
}

TEST(WebRtcEndpointTest, BindingRequestWithWrongPasswordIsRejected) {
  BrowserHarness h;
  h.endpoint.connect(h.now, h.connectParams(), h.tx);
  h.collect();

  // Right ufrags, wrong password: MESSAGE-INTEGRITY does not verify (RFC 8445 §7.3).
  const SocketAddress intruder = SocketAddress::fromIp("127.0.0.1", 50002);
  ice::IceControllingChecker bad(kBrowserIce, {kGatewayIce.ufrag, "not-the-gateway-password-00"}, 1, 1);
  bad.start(h.now, h.gateway);
  std::array<uint8_t, 1500> req;
  const size_t n = bad.pollTransmit(h.now, req);
  ASSERT_GT(n, 0u);
  h.stunReplies.clear();
  h.deliver({req.data(), n}, intruder);

  const EndpointStats s = h.endpoint.stats(h.now);
  EXPECT_EQ(s.counters.stunReceived, 1u);
  EXPECT_EQ(s.counters.stunRejected, 1u);
  EXPECT_EQ(s.iceState, "new");
  EXPECT_EQ(s.selectedAddress, "");
  // It is answered with an error response (401), never a success.
  ASSERT_EQ(h.stunReplies.size(), 1u);
  auto reply = stun::StunMessage::parse(h.stunReplies[0]);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->messageClass(), stun::StunClass::ErrorResponse);
  // The intruder's address passed no check: its media is dropped.
  std::array<uint8_t, 64> rtp{0x80, kOpusPt};
  h.deliver({rtp.data(), rtp.size()}, intruder);
  EXPECT_EQ(h.endpoint.stats(h.now).counters.unvalidatedSourceRejected, 1u);

  // The real browser still gets in afterwards.
  h.dtls.emplace(h.browserCtx, dtls::DtlsRole::Client);
  h.dtls->setRemoteFingerprint("sha-256", h.gatewayCtx.certificate().fingerprint());
  h.checker.start(h.now, h.gateway);
  h.pump();
  EXPECT_TRUE(h.connected());
}

// ---------------------------------------------------------------------------------------------
// 2. DTLS

TEST(WebRtcEndpointTest, DtlsHandshakeWithEndpointAsServer) {
  BrowserHarness h;
  h.connect();
  ASSERT_TRUE(h.connected());
  EXPECT_EQ(h.dtls->state(), dtls::DtlsState::Connected);

  const auto ev = h.lastEvent(EndpointEvent::Type::DtlsState);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->state, "connected");
  EXPECT_EQ(ev->srtpProfile, "AEAD_AES_128_GCM");  // the server's first preference
  const EndpointStats s = h.endpoint.stats(h.now);
  EXPECT_EQ(s.dtlsState, "connected");
  EXPECT_EQ(s.srtpProfile, "AEAD_AES_128_GCM");
  EXPECT_EQ(s.counters.dtlsRejected, 0u);
  EXPECT_GE(s.counters.dtlsReceived, 2u);  // ClientHello and the client's Finished flight
  EXPECT_EQ(h.misdirected, 0u);
}

TEST(WebRtcEndpointTest, DtlsHandshakeWithEndpointAsClient) {
  BrowserHarness h({.endpointIsDtlsClient = true});
  h.connect();
  ASSERT_TRUE(h.connected());
  EXPECT_EQ(h.dtls->role(), dtls::DtlsRole::Server);
  const auto ev = h.lastEvent(EndpointEvent::Type::DtlsState);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->state, "connected");
  EXPECT_EQ(ev->srtpProfile, "AEAD_AES_128_GCM");  // the browser (server) picks
  EXPECT_EQ(h.endpoint.stats(h.now).dtlsState, "connected");
}

TEST(WebRtcEndpointTest, DtlsFailsOnFingerprintMismatch) {
  BrowserHarness h;
  ConnectParams p = h.connectParams();
  p.fingerprintValue = dtls::Certificate::generate().fingerprint();  // not the browser's cert
  h.endpoint.connect(h.now, p, h.tx);
  h.collect();
  h.dtls.emplace(h.browserCtx, dtls::DtlsRole::Client);
  h.dtls->setRemoteFingerprint("sha-256", h.gatewayCtx.certificate().fingerprint());
  h.checker.start(h.now, h.gateway);
  h.pump();
  EXPECT_EQ(h.endpoint.finished(), CloseReason::DtlsFailed);
  EXPECT_EQ(h.endpoint.stats(h.now).srtpProfile, "");
  const auto ev = h.lastEvent(EndpointEvent::Type::DtlsState);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->state, "failed");
}

// ---------------------------------------------------------------------------------------------
// 3. Echo

class WebRtcEndpointEchoTest : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(WebRtcEndpointEchoTest, AudioAndVideoComeBackUnderGatewaySsrcs) {
  BrowserHarness h({.browserProfiles = {GetParam()}});
  h.connect();
  ASSERT_TRUE(h.connected());
  EXPECT_EQ(h.endpoint.stats(h.now).srtpProfile, srtp::profileName(GetParam()));

  struct Sent {
    uint8_t pt;
    uint16_t seq;
    uint32_t ts;
    uint32_t ssrc;
    size_t size;
  };
  const std::vector<Sent> sent = {
      {kOpusPt, 1000, 48000, kBrowserAudioSsrc, 160}, {kVp8Pt, 65535, 90000, kBrowserVideoSsrc, 1100},
      {kOpusPt, 1001, 48960, kBrowserAudioSsrc, 80},  {kVp8Pt, 0, 93000, kBrowserVideoSsrc, 900},
      {kOpusPt, 1002, 49920, kBrowserAudioSsrc, 1},
  };
  for (const Sent& p : sent) {
    h.sendRtp(p.pt, p.seq, p.ts, p.ssrc, p.size);
    h.now += milliseconds(10);
  }
  auto media = h.takeMedia();
  ASSERT_EQ(media.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    SCOPED_TRACE(i);
    auto plain = h.unprotect(media[i]);
    ASSERT_TRUE(plain.has_value()) << "echo does not unprotect";
    auto pkt = rtp::RtpPacket::parse(*plain);
    ASSERT_TRUE(pkt.has_value());
    const bool video = sent[i].pt == kVp8Pt;
    EXPECT_EQ(pkt->ssrc(), video ? kGatewayVideoSsrc : kGatewayAudioSsrc);
    EXPECT_EQ(pkt->payloadType(), sent[i].pt);
    EXPECT_EQ(pkt->sequenceNumber(), sent[i].seq);
    EXPECT_EQ(pkt->timestamp(), sent[i].ts);
    ASSERT_EQ(pkt->payload().size(), sent[i].size);
    for (size_t j = 0; j < sent[i].size; ++j) ASSERT_EQ(pkt->payload()[j], uint8_t(sent[i].seq + j));
  }
  EXPECT_EQ(h.misdirected, 0u);

  const EndpointStats s = h.endpoint.stats(h.now);
  EXPECT_EQ(s.counters.rtpReceived, sent.size());
  const StreamStats* inAudio = findStream(s, kBrowserAudioSsrc, true);
  const StreamStats* outVideo = findStream(s, kGatewayVideoSsrc, false);
  ASSERT_NE(inAudio, nullptr);
  ASSERT_NE(outVideo, nullptr);
  EXPECT_EQ(inAudio->packets, 3u);
  EXPECT_FALSE(inAudio->video);
  EXPECT_EQ(outVideo->packets, 2u);
  EXPECT_TRUE(outVideo->video);
}

TEST_P(WebRtcEndpointEchoTest, UnknownPayloadTypeAndBadAuthTagAreDropped) {
  BrowserHarness h({.browserProfiles = {GetParam()}});
  h.connect();
  ASSERT_TRUE(h.connected());

  h.sendRtp(0, 1, 160, kBrowserAudioSsrc);  // PCMU was not negotiated in this route
  EXPECT_TRUE(h.takeMedia().empty());
  EXPECT_EQ(h.endpoint.stats(h.now).counters.unknownRejected, 1u);

  std::array<uint8_t, BrowserHarness::kSlotSize> buf;
  const size_t n = h.buildRtp(buf, kOpusPt, 2, 320, kBrowserAudioSsrc, 160);
  ASSERT_GT(n, 0u);
  buf[n - 1] ^= 0x01;  // last byte of the authentication tag
  h.deliver({buf.data(), n}, h.browser);
  EXPECT_TRUE(h.takeMedia().empty());
  EXPECT_EQ(h.endpoint.stats(h.now).counters.srtpRejected, 1u);

  // A replayed packet is refused too (same counter).
  const size_t m = h.buildRtp(buf, kOpusPt, 3, 480, kBrowserAudioSsrc, 160);
  h.deliver({buf.data(), m}, h.browser);
  EXPECT_EQ(h.takeMedia().size(), 1u);
  h.deliver({buf.data(), m}, h.browser);
  EXPECT_TRUE(h.takeMedia().empty());
  EXPECT_EQ(h.endpoint.stats(h.now).counters.srtpRejected, 2u);

  // Rejects are logged (rate-limited) as events.
  size_t logs = 0;
  for (const EndpointEvent& e : h.events) logs += e.type == EndpointEvent::Type::Log;
  EXPECT_EQ(logs, 3u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, WebRtcEndpointEchoTest,
                         ::testing::Values(SrtpProfile::AeadAes128Gcm, SrtpProfile::AesCm128HmacSha1_80),
                         [](const auto& info) {
                           return info.param == SrtpProfile::AeadAes128Gcm ? std::string("Gcm")
                                                                           : std::string("AesCm");
                         });

// ---------------------------------------------------------------------------------------------
// 4. RTCP

// Connected, with one audio and one video packet echoed so both outbound streams are active.
void startMedia(BrowserHarness& h) {
  h.connect();
  ASSERT_TRUE(h.connected());
  h.sendRtp(kOpusPt, 500, 1000, kBrowserAudioSsrc);
  h.sendRtp(kVp8Pt, 700, 2000, kBrowserVideoSsrc, 1000);
  ASSERT_EQ(h.takeMedia().size(), 2u);
}

TEST(WebRtcEndpointRtcpTest, SenderReportsEverySecondWithReportBlocksAndCname) {
  BrowserHarness h;
  startMedia(h);
  h.advance(milliseconds(900));
  EXPECT_TRUE(plainRtcp(h).empty()) << "no report before the first interval";
  h.advance(milliseconds(200));
  const auto compounds = plainRtcp(h);
  ASSERT_EQ(compounds.size(), 1u);

  std::vector<uint32_t> srSenders;
  std::vector<uint32_t> blockSsrcs;
  std::vector<std::pair<uint32_t, std::string>> cnames;
  for (const rtcp::RtcpHeader& p : packetsOf(compounds[0])) {
    if (auto sr = rtcp::SenderReport::parse(p)) {
      srSenders.push_back(sr->senderSsrc());
      for (size_t i = 0; i < sr->reportCount(); ++i) blockSsrcs.push_back(sr->reportBlock(i).ssrc);
      if (sr->senderSsrc() == kGatewayAudioSsrc) {
        EXPECT_EQ(sr->packetCount(), 1u);
        EXPECT_EQ(sr->octetCount(), 160u);
      }
    } else if (auto sdes = rtcp::Sdes::parse(p)) {
      sdes->forEachItem([&](const rtcp::SdesItem& it) {
        if (it.type == uint8_t(rtcp::SdesItemType::Cname)) cnames.emplace_back(it.ssrc, std::string(it.text));
      });
    }
  }
  EXPECT_EQ(srSenders, (std::vector<uint32_t>{kGatewayAudioSsrc, kGatewayVideoSsrc}));
  EXPECT_EQ(blockSsrcs, (std::vector<uint32_t>{kBrowserAudioSsrc, kBrowserVideoSsrc}));
  ASSERT_EQ(cnames.size(), 2u);
  EXPECT_EQ(cnames[0], std::make_pair(kGatewayAudioSsrc, std::string("rtcgate")));
  EXPECT_EQ(cnames[1].first, kGatewayVideoSsrc);

  // And again one interval later.
  h.advance(seconds(1));
  EXPECT_EQ(plainRtcp(h).size(), 1u);
}

TEST(WebRtcEndpointRtcpTest, ReceiverReportEchoingLsrGivesRoundTripTime) {
  BrowserHarness h;
  startMedia(h);
  h.advance(h.endpoint.nextTimeout() - h.now);  // exactly when the SR goes out
  const auto compounds = plainRtcp(h);
  ASSERT_EQ(compounds.size(), 1u);
  uint32_t lsr = 0;
  for (const rtcp::RtcpHeader& p : packetsOf(compounds[0]))
    if (auto sr = rtcp::SenderReport::parse(p); sr && sr->senderSsrc() == kGatewayAudioSsrc) lsr = sr->ntpMiddle32();
  ASSERT_NE(lsr, 0u);

  // The RR arrives 500 ms after the SR left and says it was held 400 ms: RTT 100 ms.
  h.advance(milliseconds(500));
  h.takeMedia();
  std::array<uint8_t, 256> buf;
  rtcp::RtcpWriter w(buf);
  rtcp::ReportBlock b;
  b.ssrc = kGatewayAudioSsrc;
  b.extendedHighestSeq = 500;
  b.lastSr = lsr;
  b.delaySinceLastSr = 65536 * 4 / 10;
  ASSERT_GT(w.addReceiverReport(kBrowserAudioSsrc, std::span<const rtcp::ReportBlock>(&b, 1)), 0u);
  h.sendRtcp(w.bytes());

  const EndpointStats s = h.endpoint.stats(h.now);
  EXPECT_EQ(s.counters.rtcpReceived, 1u);
  EXPECT_EQ(s.counters.srtpRejected, 0u);
  const StreamStats* out = findStream(s, kGatewayAudioSsrc, false);
  ASSERT_NE(out, nullptr);
  ASSERT_TRUE(out->roundTripSeconds.has_value());
  EXPECT_NEAR(*out->roundTripSeconds, 0.100, 0.001);
  // The video stream was not reported on.
  const StreamStats* video = findStream(s, kGatewayVideoSsrc, false);
  ASSERT_NE(video, nullptr);
  EXPECT_FALSE(video->roundTripSeconds.has_value());
}

TEST(WebRtcEndpointRtcpTest, PliAndFirComeBackAsPliForTheBrowserStream) {
  BrowserHarness h;
  startMedia(h);
  for (bool fir : {false, true}) {
    SCOPED_TRACE(fir ? "FIR" : "PLI");
    std::array<uint8_t, 256> buf;
    rtcp::RtcpWriter w(buf);
    if (fir) {
      const rtcp::FirEntry e{kGatewayVideoSsrc, 1};
      w.addFir(kBrowserVideoSsrc, std::span<const rtcp::FirEntry>(&e, 1));
    } else {
      w.addPli(kBrowserVideoSsrc, kGatewayVideoSsrc);
    }
    h.sendRtcp(w.bytes());
    const auto compounds = plainRtcp(h);
    ASSERT_EQ(compounds.size(), 1u);
    const auto packets = packetsOf(compounds[0]);
    ASSERT_EQ(packets.size(), 1u);
    auto pli = rtcp::Pli::parse(packets[0]);
    ASSERT_TRUE(pli.has_value());
    EXPECT_EQ(pli->senderSsrc(), kGatewayVideoSsrc);
    EXPECT_EQ(pli->mediaSsrc(), kBrowserVideoSsrc);
  }
  // Feedback for an SSRC that is not ours goes nowhere.
  std::array<uint8_t, 64> buf;
  rtcp::RtcpWriter w(buf);
  w.addPli(kBrowserVideoSsrc, 0xdeadbeef);
  h.sendRtcp(w.bytes());
  EXPECT_TRUE(h.takeMedia().empty());
}

TEST(WebRtcEndpointRtcpTest, NackComesBackWithTheSameLostList) {
  BrowserHarness h;
  startMedia(h);
  const std::vector<uint16_t> lost = {100, 101, 105, 116, 130, 65535};
  std::array<uint8_t, 256> buf;
  rtcp::RtcpWriter w(buf);
  ASSERT_GT(w.addNack(kBrowserVideoSsrc, kGatewayVideoSsrc, lost), 0u);
  h.sendRtcp(w.bytes());
  const auto compounds = plainRtcp(h);
  ASSERT_EQ(compounds.size(), 1u);
  const auto packets = packetsOf(compounds[0]);
  ASSERT_EQ(packets.size(), 1u);
  auto nack = rtcp::GenericNack::parse(packets[0]);
  ASSERT_TRUE(nack.has_value());
  EXPECT_EQ(nack->senderSsrc(), kGatewayVideoSsrc);
  EXPECT_EQ(nack->mediaSsrc(), kBrowserVideoSsrc);
  std::vector<uint16_t> echoed;
  nack->forEachLost([&](uint16_t seq) { echoed.push_back(seq); });
  EXPECT_EQ(echoed, lost);
}

// ---------------------------------------------------------------------------------------------
// 5. Hostile input

void expectAudioEcho(BrowserHarness& h, uint16_t seq) {
  h.takeMedia();
  h.sendRtp(kOpusPt, seq, uint32_t(seq) * 960, kBrowserAudioSsrc);
  auto media = h.takeMedia();
  ASSERT_EQ(media.size(), 1u);
  auto plain = h.unprotect(media[0]);
  ASSERT_TRUE(plain.has_value());
  auto pkt = rtp::RtpPacket::parse(*plain);
  ASSERT_TRUE(pkt.has_value());
  EXPECT_EQ(pkt->ssrc(), kGatewayAudioSsrc);
  EXPECT_EQ(pkt->sequenceNumber(), seq);
}

TEST(WebRtcEndpointHostileTest, GarbageIsDroppedAndCountedAndEchoSurvives) {
  BrowserHarness h;
  h.connect();
  ASSERT_TRUE(h.connected());
  expectAudioEcho(h, 10);
  const EndpointCounters before = h.endpoint.stats(h.now).counters;
  EndpointCounters expected = before;

  // Random datagrams from the validated browser address, counted by the kind their first byte claims.
  std::mt19937 rng(20261122);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> d(1 + rng() % 1300);
    for (uint8_t& b : d) b = uint8_t(rng());
    switch (classifyPacket(d)) {
      case PacketKind::Stun: ++expected.stunReceived, ++expected.stunRejected; break;
      case PacketKind::Dtls: ++expected.dtlsReceived, ++expected.dtlsInvalid; break;  // no valid framing
      case PacketKind::Rtp: ++expected.rtpReceived, ++expected.srtpRejected; break;
      case PacketKind::Rtcp: ++expected.rtcpReceived, ++expected.srtpRejected; break;
      case PacketKind::Unknown: ++expected.unknownRejected; break;
    }
    h.deliver(d, h.browser);
  }
  EXPECT_TRUE(h.takeMedia().empty());
  h.stunReplies.clear();

  // Truncated STUN: a valid request cut short.
  {
    ice::IceControllingChecker c(kBrowserIce, kGatewayIce, 3, 3);
    c.start(h.now, h.gateway);
    std::array<uint8_t, 1500> req;
    const size_t n = c.pollTransmit(h.now, req);
    ASSERT_GT(n, 40u);
    for (size_t cut : {size_t(1), size_t(19), size_t(20), size_t(40), n - 4, n - 1}) {
      h.deliver({req.data(), cut}, h.browser);
      ++expected.stunReceived, ++expected.stunRejected;
    }
  }
  // STUN signed with the wrong password.
  {
    ice::IceControllingChecker c(kBrowserIce, {kGatewayIce.ufrag, "wrong-password-wrong-password"}, 4, 4);
    c.start(h.now, h.gateway);
    std::array<uint8_t, 1500> req;
    const size_t n = c.pollTransmit(h.now, req);
    h.deliver({req.data(), n}, h.browser);
    ++expected.stunReceived, ++expected.stunRejected;
  }
  // Nothing STUN we sent back was a success response.
  for (const auto& r : h.stunReplies) {
    auto m = stun::StunMessage::parse(r);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->messageClass(), stun::StunClass::ErrorResponse);
  }
  // Well-framed DTLS records with garbage bodies: handshake (epoch 0) and application data (epoch 1).
  // OpenSSL discards them silently (RFC 6347 §4.1.2.7), so only dtlsReceived counts them.
  for (uint8_t type : {uint8_t(22), uint8_t(23), uint8_t(21)}) {
    std::array<uint8_t, 13 + 48> rec{};
    rec[0] = type;
    rec[1] = 0xfe, rec[2] = 0xfd;  // DTLS 1.2
    rec[4] = type == 22 ? 0 : 1;   // epoch
    rec[10] = 7;                   // sequence number
    rec[12] = 48;                  // length
    for (size_t i = 13; i < rec.size(); ++i) rec[i] = uint8_t(rng());
    h.deliver(rec, h.browser);
    ++expected.dtlsReceived;
  }
  // Valid SRTP from an address that never passed an ICE check, and DTLS from it too.
  {
    const SocketAddress stranger = SocketAddress::fromIp("127.0.0.1", 50001);
    std::array<uint8_t, BrowserHarness::kSlotSize> buf;
    const size_t n = h.buildRtp(buf, kOpusPt, 11, 11 * 960, kBrowserAudioSsrc, 160);
    h.deliver({buf.data(), n}, stranger);
    const std::array<uint8_t, 13> dtlsRecord{22, 0xfe, 0xfd};
    h.deliver(dtlsRecord, stranger);
    expected.unvalidatedSourceRejected += 2;
  }
  EXPECT_TRUE(h.takeMedia().empty());

  const EndpointCounters after = h.endpoint.stats(h.now).counters;
  EXPECT_EQ(after.stunReceived, expected.stunReceived);
  EXPECT_EQ(after.stunRejected, expected.stunRejected);
  EXPECT_EQ(after.dtlsReceived, expected.dtlsReceived);
  EXPECT_EQ(after.dtlsRejected, expected.dtlsRejected);
  EXPECT_EQ(after.dtlsInvalid, expected.dtlsInvalid);
  EXPECT_EQ(after.rtpReceived, expected.rtpReceived);
  EXPECT_EQ(after.rtcpReceived, expected.rtcpReceived);
  EXPECT_EQ(after.srtpRejected, expected.srtpRejected);
  EXPECT_EQ(after.unknownRejected, expected.unknownRejected);
  EXPECT_EQ(after.unvalidatedSourceRejected, expected.unvalidatedSourceRejected);
  EXPECT_GT(after.unknownRejected, before.unknownRejected);
  EXPECT_GT(after.srtpRejected, before.srtpRejected);

  // Still connected, and the selected address did not move.
  EXPECT_FALSE(h.endpoint.finished().has_value());
  const EndpointStats s = h.endpoint.stats(h.now);
  EXPECT_EQ(s.iceState, "connected");
  EXPECT_EQ(s.dtlsState, "connected");
  EXPECT_EQ(s.selectedAddress, "127.0.0.1:50000");
  expectAudioEcho(h, 12);
  EXPECT_EQ(h.misdirected, 0u);
}

// ---------------------------------------------------------------------------------------------
// 6. Consent freshness (RFC 7675)

TEST(WebRtcEndpointConsentTest, SilenceEndsTheEndpoint) {
  BrowserHarness h({.consentTimeout = seconds(5)});
  h.connect();
  ASSERT_TRUE(h.connected());
  h.deliverIce = false;  // the browser goes away
  h.advance(milliseconds(4900));
  EXPECT_FALSE(h.endpoint.finished().has_value());
  h.advance(milliseconds(200));
  EXPECT_EQ(h.endpoint.finished(), CloseReason::ConsentTimeout);
  const auto ev = h.lastEvent(EndpointEvent::Type::IceState);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->state, "disconnected");
}

TEST(WebRtcEndpointConsentTest, PeriodicConsentChecksKeepItAlive) {
  // The checker sends a consent request every 4-6 s (RFC 7675 §5.1 jitter), so the timeout
  // here is 7 s to stay deterministic; media alone does not refresh consent.
  BrowserHarness h({.consentTimeout = seconds(7)});
  h.connect();
  ASSERT_TRUE(h.connected());
  const uint64_t requestsBefore = h.checker.counters().requestsSent;
  for (int i = 0; i < 6; ++i) {
    h.advance(seconds(10));
    ASSERT_FALSE(h.endpoint.finished().has_value()) << "after " << (i + 1) * 10 << " s";
  }
  EXPECT_GE(h.checker.counters().requestsSent - requestsBefore, 10u);
  EXPECT_EQ(h.checker.state(), ice::IceCheckerState::Connected);
  EXPECT_EQ(h.endpoint.stats(h.now).iceState, "connected");
  expectAudioEcho(h, 42);
}

TEST(WebRtcEndpointConsentTest, IncompleteSetupGivesUpAfterTheConsentTimeout) {
  BrowserHarness h({.consentTimeout = seconds(5)});
  h.endpoint.connect(h.now, h.connectParams(), h.tx);
  h.collect();
  h.advance(milliseconds(4900));  // no browser ever shows up
  EXPECT_FALSE(h.endpoint.finished().has_value());
  h.advance(milliseconds(200));
  EXPECT_EQ(h.endpoint.finished(), CloseReason::SetupTimeout);
}

TEST(WebRtcEndpointTest, CloseSendsByeAndCloseNotify) {
  BrowserHarness h;
  startMedia(h);
  h.endpoint.close(h.now, h.tx);
  h.collect();
  h.pump();
  const auto compounds = plainRtcp(h);
  ASSERT_EQ(compounds.size(), 1u);
  const auto packets = packetsOf(compounds[0]);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].kind(), rtcp::RtcpKind::Bye);
  EXPECT_EQ(packets[0].count(), 2u);  // both of our SSRCs
  EXPECT_EQ(h.dtls->state(), dtls::DtlsState::Closed);  // the browser got close_notify
  EXPECT_EQ(h.endpoint.stats(h.now).iceState, "closed");
}

// ---------------------------------------------------------------------------------------------
// 7. No allocation per packet

TEST(WebRtcEndpointAllocationCounterTest, SeesAllocationsOnlyInsideItsScope) {
  std::unique_ptr<std::string> outside = std::make_unique<std::string>(100, 'x');
  uint64_t inside = 0;
  {
    AllocationCounter counter;
    auto s = std::make_unique<std::string>(100, 'y');
    auto v = std::make_unique<std::vector<int>>(10);
    inside = counter.count();
    EXPECT_EQ((*s)[0] + (*v)[0], 'y');
  }
  EXPECT_GE(inside, 2u);
  EXPECT_EQ(outside->size(), 100u);
}

class WebRtcEndpointAllocationTest : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(WebRtcEndpointAllocationTest, EchoPathDoesNotAllocate) {
  BrowserHarness h({.browserProfiles = {GetParam()}});
  h.connect();
  ASSERT_TRUE(h.connected());
  // Warm up: first packet of each SSRC creates its stream state (and a libsrtp stream).
  expectAudioEcho(h, 1);
  h.sendRtp(kVp8Pt, 1, 0, kBrowserVideoSsrc, 1000);
  h.takeMedia();
  h.events.clear();

  constexpr int kPackets = 10000;
  std::array<uint8_t, BrowserHarness::kSlotSize> wire;  // what the browser sends
  std::array<uint8_t, BrowserHarness::kSlotSize> slot;  // the worker's receive slot
  std::array<uint8_t, BrowserHarness::kSlotSize> echo;  // what the browser gets back
  uint64_t allocations = 0;
  int echoed = 0, wrongSsrc = 0, reports = 0;
  for (int i = 0; i < kPackets; ++i) {
    const bool video = i % 3 == 2;
    const uint16_t seq = uint16_t(2 + i);
    const size_t n = video ? h.buildRtp(wire, kVp8Pt, seq, 90 * uint32_t(i), kBrowserVideoSsrc, 1000)
                           : h.buildRtp(wire, kOpusPt, seq, 48 * uint32_t(i), kBrowserAudioSsrc, 160);
    ASSERT_GT(n, 0u);
    h.now += milliseconds(2);  // 20 s in all: inside the 30 s consent timeout
    size_t echoSize = 0;
    {
      AllocationCounter counter;
      std::memcpy(slot.data(), wire.data(), n);
      h.endpoint.handleDatagram(h.now, slot, n, h.browser, h.tx);
      if (h.tx.pending() == 1) {
        const auto d = h.tx.datagram(0);
        std::memcpy(echo.data(), d.data(), d.size());
        echoSize = d.size();
      }
      h.tx.clear();
      if (h.endpoint.nextTimeout() <= h.now) {  // sender reports, every second
        h.endpoint.handleTimeout(h.now, h.tx);
        reports += int(h.tx.pending());
        h.tx.clear();
      }
      allocations += counter.count();
    }
    if (echoSize > 0 && h.srtpIn->unprotectRtp(echo, echoSize)) {
      ++echoed;
      auto pkt = rtp::RtpPacket::parse(std::span<uint8_t>(echo.data(), echoSize));
      if (!pkt || pkt->ssrc() != (video ? kGatewayVideoSsrc : kGatewayAudioSsrc)) ++wrongSsrc;
    }
  }
  EXPECT_EQ(echoed, kPackets);
  EXPECT_EQ(wrongSsrc, 0);
  EXPECT_GE(reports, 19);
  EXPECT_EQ(allocations, 0u) << "operator new calls on the echo path over " << kPackets << " packets";
  EXPECT_FALSE(h.endpoint.pollEvent().has_value());
  EXPECT_EQ(h.endpoint.stats(h.now).counters.srtpRejected, 0u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, WebRtcEndpointAllocationTest,
                         ::testing::Values(SrtpProfile::AeadAes128Gcm, SrtpProfile::AesCm128HmacSha1_80),
                         [](const auto& info) {
                           return info.param == SrtpProfile::AeadAes128Gcm ? std::string("Gcm")
                                                                           : std::string("AesCm");
                         });

}  // namespace
}  // namespace rtcgate::session
