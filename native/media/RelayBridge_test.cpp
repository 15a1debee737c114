// RelayBridge on a fake clock, no sockets: Opus ↔ Opus forwarded without decoding. Payloads
// must come out bit-exact with only the header rewritten (payload type per leg, the gateway's
// SSRC, sequence numbers and timestamps continuous across a change of the incoming source);
// what cannot be forwarded is dropped and counted.
#include "media/RelayBridge.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "dtmf/TelephoneEvent.hpp"
#include "media/testing/AudioPath.hpp"
#include "media/testing/BridgeClock.hpp"
#include "media/testing/FakeLeg.hpp"

namespace rtcgate::media {
namespace {

using codec::CodecId;
using testing::BridgeClock;
using testing::FakeLeg;
using testing::RtpAudioSender;

constexpr uint32_t kLegA = 1;
constexpr uint32_t kLegB = 2;
const TimePoint kStart = TimePoint{} + seconds(2000);

// The browser leg negotiated opus/111 and telephone-event/126; the other leg (another
// WebRTC peer, or a SIP phone with Opus) opus/96 and telephone-event/101, both at 48 kHz.
LegFormat opusLeg(uint8_t pt, int tePt, uint32_t ssrc) {
  LegFormat f;
  f.codec = CodecId::Opus;
  f.payloadType = pt;
  f.clockRate = 48000;
  f.telephoneEventPt = tePt;
  f.telephoneEventClockRate = 48000;
  f.ssrc = ssrc;
  return f;
}

codec::EncoderOptions opusSender() {
  codec::EncoderOptions o;
  o.inputRate = 48000;
  o.opusBitrate = 64000;  // see TranscodingBridge_test: pure 5 kHz tone needs more than 32k
  o.opusComplexity = 9;
  return o;
}

struct Fixture {
  FakeLeg a{kLegA};
  FakeLeg b{kLegB};
  LegFormat fa = opusLeg(111, 126, 0xAAAA0001);
  LegFormat fb = opusLeg(96, 101, 0xBBBB0002);
  RelayBridge bridge{3, a, fa, b, fb};
  BridgeClock clock{bridge, kStart};
  Fixture() { bridge.attach(); }
  ~Fixture() { bridge.detach(); }
};

// 1. Quality: the Opus ↔ Opus relay row of the quality table, both directions.
TEST(RelayBridgeQuality, OpusRelayIsBitExactWithHeadersRewritten) {
  const std::vector<double> tones{400, 1000, 2500, 5000};
  constexpr double kSeconds = 2.4;
  const auto input = testing::makeProbeSignal(48000, tones, kSeconds);
  std::printf("\n%-16s %7s %7s %7s %7s %9s %8s %6s\n", "path", "400Hz", "1000Hz", "2500Hz", "5000Hz", "resid dB",
              "delay ms", "corr");
  for (int dir = 0; dir < 2; ++dir) {
    Fixture f;
    FakeLeg& from = dir == 0 ? f.a : f.b;
    FakeLeg& to = dir == 0 ? f.b : f.a;
    const LegFormat& fin = dir == 0 ? f.fa : f.fb;
    const LegFormat& fout = dir == 0 ? f.fb : f.fa;
    SCOPED_TRACE(dir == 0 ? "a->b" : "b->a");
    RtpAudioSender sender(CodecId::Opus, opusSender(), fin.payloadType, 48000, 0x600D, 65500, 0xFFFFF000u);
    std::vector<std::vector<uint8_t>> payloads;
    const uint64_t frames = uint64_t(kSeconds * 50);
    for (uint64_t k = 0; k < frames; ++k) {
      const TimePoint t = kStart + milliseconds(20 * k);
      f.clock.advanceTo(t);
      ASSERT_TRUE(from.receive(t, sender.packetForFrame(input, k, k == 0), f.clock.tx()));
      payloads.push_back(sender.lastPayload());
    }
    const auto& sent = to.sent();
    ASSERT_EQ(sent.size(), frames);
    EXPECT_TRUE(from.sent().empty());
    for (size_t i = 0; i < sent.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(sent[i].payload, payloads[i]);  // bit-exact
      EXPECT_EQ(sent[i].payloadType, fout.payloadType);
      EXPECT_EQ(sent[i].ssrc, fout.ssrc);
      EXPECT_EQ(sent[i].marker, i == 0);
      EXPECT_EQ(sent[i].at, kStart + milliseconds(20 * i));  // forwarded at once
      // One source: sequence and timestamp offsets stay constant (through the 16/32-bit wrap).
      EXPECT_EQ(uint16_t(sent[i].seq - sent[0].seq), uint16_t(i));
      EXPECT_EQ(sent[i].timestamp - sent[0].timestamp, uint32_t(960 * i));
    }
    const auto tl = testing::decodeOnTimeline(sent, fout.payloadType, CodecId::Opus, 48000, 48000, kStart, kSeconds + 0.5);
    const auto reference = testing::makeProbeSignal(48000, tones, kSeconds);
    const auto q = testing::measurePath(reference, tl.pcm, 48000, tones, {}, 100.0);
    std::printf("%-16s", dir == 0 ? "opus->opus relay" : "opus<-opus relay");
    for (const auto& t : q.tones) std::printf(" %+7.2f", t.errorDb);
    std::printf(" %9.1f %8.1f %6.3f\n", q.toneToResidualDb, q.delayMs, q.correlation);
    for (const auto& t : q.tones) EXPECT_NEAR(t.errorDb, 0.0, 2.0) << t.freq << " Hz";
    EXPECT_GE(q.toneToResidualDb, 15.0);
    // No jitter buffer in a relay: only the codec's own delay (Opus: 6.5 ms look-ahead).
    EXPECT_LT(q.delayMs, 40.0);
    const auto st = f.bridge.stats().directions[size_t(dir)];
    EXPECT_EQ(st.packetsIn, frames);
    EXPECT_EQ(st.packetsOut, frames);
    EXPECT_EQ(st.dropped, 0u);
    EXPECT_EQ(f.bridge.stats().mode, "relay");
  }
}

// 4. Relay specifics.
TEST(RelayBridge, SsrcChangeKeepsOutputSequenceAndTimestampContinuous) {
  Fixture f;
  RtpAudioSender s1(CodecId::Opus, opusSender(), 111, 48000, 0x1111, 100, 1'000'000);
  const auto silence = std::vector<int16_t>(48000, 0);
  for (uint64_t k = 0; k < 50; ++k) {
    const TimePoint t = kStart + milliseconds(20 * k);
    f.clock.advanceTo(t);
    ASSERT_TRUE(f.a.receive(t, s1.packetForFrame(silence, k), f.clock.tx()));
  }
  // A new source (re-INVITE to another phone, RFC 3550 §8.2 collision) with unrelated
  // numbering, 20 ms after the last packet of the old one, then another one after a 1 s pause.
  RtpAudioSender s2(CodecId::Opus, opusSender(), 111, 48000, 0x2222, 40000, 3'000'000'000u);
  for (uint64_t k = 0; k < 50; ++k) {
    const TimePoint t = kStart + milliseconds(1000 + 20 * k);
    f.clock.advanceTo(t);
    ASSERT_TRUE(f.a.receive(t, s2.packetForFrame(silence, k, k == 0), f.clock.tx()));
  }
  RtpAudioSender s3(CodecId::Opus, opusSender(), 111, 48000, 0x3333, 7, 12345);
  for (uint64_t k = 0; k < 10; ++k) {
    const TimePoint t = kStart + milliseconds(3000 + 20 * k);
    f.clock.advanceTo(t);
    ASSERT_TRUE(f.a.receive(t, s3.packetForFrame(silence, k, k == 0), f.clock.tx()));
  }
  const auto& sent = f.b.sent();
  ASSERT_EQ(sent.size(), 110u);
  for (size_t i = 1; i < sent.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(sent[i].ssrc, f.fb.ssrc);
    EXPECT_EQ(uint16_t(sent[i].seq - sent[i - 1].seq), 1);  // no jump, no repeat
    // Timestamps advance by the wall-clock time between the two packets.
    const auto elapsed = std::chrono::duration_cast<microseconds>(sent[i].at - sent[i - 1].at).count();
    EXPECT_EQ(sent[i].timestamp - sent[i - 1].timestamp, uint32_t(elapsed * 48 / 1000));
  }
  EXPECT_EQ(f.bridge.stats().directions[0].dropped, 0u);
}

TEST(RelayBridge, PayloadTypesMappedPerLegForCodecAndTelephoneEvent) {
  Fixture f;
  RtpAudioSender fromA(CodecId::Opus, opusSender(), 111, 48000, 0xA, 1, 0);
  RtpAudioSender fromB(CodecId::Opus, opusSender(), 96, 48000, 0xB, 1, 0);
  const std::vector<int16_t> pcm(960, 0);
  dtmf::TelephoneEvent ev;
  ev.event = 11;  // '#'
  ev.duration = 960;
  std::array<uint8_t, 4> te{};
  ASSERT_EQ(ev.write(te), 4u);
  TimePoint t = kStart;
  ASSERT_TRUE(f.a.receive(t, fromA.packetForFrame(pcm, 0, true), f.clock.tx()));
  ASSERT_TRUE(f.a.receive(t, fromA.packet(126, true, 0, te), f.clock.tx()));
  ASSERT_TRUE(f.b.receive(t, fromB.packetForFrame(pcm, 0, true), f.clock.tx()));
  ASSERT_TRUE(f.b.receive(t, fromB.packet(101, true, 0, te), f.clock.tx()));
  ASSERT_EQ(f.b.sent().size(), 2u);
  EXPECT_EQ(f.b.sent()[0].payloadType, 96);
  EXPECT_EQ(f.b.sent()[1].payloadType, 101);
  EXPECT_EQ(f.b.sent()[1].payload, std::vector<uint8_t>(te.begin(), te.end()));
  ASSERT_EQ(f.a.sent().size(), 2u);
  EXPECT_EQ(f.a.sent()[0].payloadType, 111);
  EXPECT_EQ(f.a.sent()[1].payloadType, 126);
  const auto st = f.bridge.stats();
  EXPECT_EQ(st.directions[0].dtmfEventsIn, 1u);
  EXPECT_EQ(st.directions[1].dtmfEventsIn, 1u);
  EXPECT_EQ(st.directions[0].dropped, 0u);
  EXPECT_EQ(st.directions[1].dropped, 0u);
}

TEST(RelayBridge, UnmappedPayloadTypeDroppedAndCounted) {
  Fixture f;
  // Leg A also speaks PCMU (0) and comfort noise (13) but they were not negotiated for the
  // bridge, and leg B has no telephone-event: nothing of that may reach B.
  f.fb.telephoneEventPt = -1;
  RelayBridge bridge(4, f.a, f.fa, f.b, f.fb);
  bridge.attach();
  RtpAudioSender s(CodecId::Opus, opusSender(), 111, 48000, 0xA, 1, 0);
  const std::array<uint8_t, 4> payload{1, 2, 3, 4};
  ASSERT_TRUE(f.a.receive(kStart, s.packet(0, false, 0, payload), f.clock.tx()));
  ASSERT_TRUE(f.a.receive(kStart, s.packet(13, false, 0, payload), f.clock.tx()));
  ASSERT_TRUE(f.a.receive(kStart, s.packet(126, true, 0, payload), f.clock.tx()));  // B has no telephone-event
  ASSERT_TRUE(f.a.receive(kStart, s.packet(111, false, 960, payload), f.clock.tx()));
  const auto st = bridge.stats().directions[0];
  EXPECT_EQ(st.packetsIn, 4u);
  EXPECT_EQ(st.dropped, 3u);
  EXPECT_EQ(st.packetsOut, 1u);
  ASSERT_EQ(f.b.sent().size(), 1u);
  EXPECT_EQ(f.b.sent()[0].payloadType, 96);
  bridge.detach();
  f.bridge.attach();  // the fixture's bridge detaches at the end
}

TEST(RelayBridge, LegThatCannotSendDropsAndCounts) {
  Fixture f;
  RtpAudioSender s(CodecId::Opus, opusSender(), 111, 48000, 0xA, 1, 0);
  const std::vector<int16_t> pcm(960 * 6, 0);
  // Not connected yet (ICE/DTLS pending, no peer address): the bridge does not even try.
  f.b.setCanSend(false);
  ASSERT_TRUE(f.a.receive(kStart, s.packetForFrame(pcm, 0), f.clock.tx()));
  ASSERT_TRUE(f.a.receive(kStart + milliseconds(20), s.packetForFrame(pcm, 1), f.clock.tx()));
  EXPECT_EQ(f.b.refused(), 0u);
  // Says it can send but the send fails (SRTP refused, too large): counted too.
  f.b.setCanSend(true);
  f.b.setRefuseSends(true);
  ASSERT_TRUE(f.a.receive(kStart + milliseconds(40), s.packetForFrame(pcm, 2), f.clock.tx()));
  EXPECT_EQ(f.b.refused(), 1u);
  f.b.setRefuseSends(false);
  ASSERT_TRUE(f.a.receive(kStart + milliseconds(60), s.packetForFrame(pcm, 3), f.clock.tx()));
  ASSERT_TRUE(f.a.receive(kStart + milliseconds(80), s.packetForFrame(pcm, 4), f.clock.tx()));
  auto st = f.bridge.stats().directions[0];
  EXPECT_EQ(st.packetsIn, 5u);
  EXPECT_EQ(st.dropped, 3u);
  EXPECT_EQ(st.packetsOut, 2u);
  ASSERT_EQ(f.b.sent().size(), 2u);
  // What was dropped leaves no hole in our numbering beyond the packets it stood for.
  EXPECT_EQ(uint16_t(f.b.sent()[1].seq - f.b.sent()[0].seq), 1);
  EXPECT_EQ(f.b.sent()[1].timestamp - f.b.sent()[0].timestamp, 960u);
}

}  // namespace
}  // namespace rtcgate::media
