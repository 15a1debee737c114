// JitterBuffer on a fake clock: hand-made packet sequences for the edge cases, and a sender →
// NetworkSimulator → buffer → 20 ms playout loop for the network profiles (seeded, so every
// run is the same).
#include "jitter/JitterBuffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "jitter/testing/NetworkSimulator.hpp"

namespace rtcgate::jitter {
namespace {

using Kind = JitterBuffer::Playout::Kind;
using Result = JitterBuffer::PushResult;
using testing::AudioPacket;
using testing::AudioSender;
using testing::ChannelProfile;
using testing::NetworkSimulator;

// The payload carries the sender's packet index so the test can check what is played.
std::vector<uint8_t> payloadFor(uint64_t index, size_t size = 40) {
  std::vector<uint8_t> p(size, 0x55);
  for (int i = 0; i < 8; ++i) p[size_t(i)] = uint8_t(index >> (56 - 8 * i));
  return p;
}
uint64_t indexOf(std::span<const uint8_t> p) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < p.size(); ++i) v = v << 8 | p[i];
  return v;
}

struct PopCounts {
  uint64_t empty = 0, frame = 0, lost = 0, silence = 0;
  uint64_t emptyAfterStart = 0;
  uint64_t maxLostRun = 0, lostRun = 0;
  bool started = false;
  uint64_t lastIndex = 0;
  bool haveIndex = false;
  bool orderBroken = false;

  void add(const JitterBuffer::Playout& out) {
    switch (out.kind) {
      case Kind::Empty:
        ++empty;
        if (started) ++emptyAfterStart;
        break;
      case Kind::Frame: {
        ++frame;
        const uint64_t i = indexOf(out.payload);
        if (haveIndex && i <= lastIndex) orderBroken = true;
        lastIndex = i;
        haveIndex = true;
        break;
      }
      case Kind::Lost: ++lost; break;
      case Kind::Silence: ++silence; break;
    }
    if (out.kind != Kind::Empty) started = true;
    lostRun = out.kind == Kind::Lost ? lostRun + 1 : 0;
    maxLostRun = std::max(maxLostRun, lostRun);
  }
};

// Sender → channel → buffer, with the owner popping every `popInterval` of local time.
class Loop {
 public:
  Loop(const JitterBufferConfig& config, const ChannelProfile& channel, const AudioSender::Config& sender)
      : jb(config), net(channel), sender(sender, TimePoint{} + seconds(1)), now(TimePoint{} + seconds(1)),
        nextPop(now) {}

  template <typename OnPop>
  void run(Duration d, OnPop&& onPop) {
    const TimePoint end = now + d;
    for (;;) {
      TimePoint t = nextPop;
      if (sending) t = std::min(t, sender.nextSendTime());
      if (auto a = net.nextArrival()) t = std::min(t, *a);
      if (t > end) break;
      now = t;
      while (sending && sender.nextSendTime() <= now) {
        const AudioPacket p = sender.next();
        net.send(now, Wire{p, payloadFor(p.index)});
      }
      net.deliver(now, [&](const Wire& w) {
        const auto r = jb.push(now, w.packet.ssrc, w.packet.seq, w.packet.timestamp, w.packet.marker, w.payload);
        ++results[size_t(r)];
      });
      if (nextPop <= now) {
        const auto out = jb.pop(now);
        counts.add(out);
        onPop(out);
        nextPop += popInterval;
      }
    }
  }
  void run(Duration d) {
    run(d, [](const JitterBuffer::Playout&) {});
  }

  struct Wire {
    AudioPacket packet;
    std::vector<uint8_t> payload;
  };
  JitterBuffer jb;
  NetworkSimulator<Wire> net;
  AudioSender sender;
  TimePoint now;
  TimePoint nextPop;
  Duration popInterval = milliseconds(20);
  bool sending = true;
  PopCounts counts;
  uint64_t results[6] = {};
};

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

JitterBufferConfig narrowband() {
  JitterBufferConfig c;
  c.clockRate = 8000;
  c.frameSamples = 160;
  return c;
}

// ---- network profiles ------------------------------------------------------------------------

TEST(JitterBuffer, CleanChannelPlaysEverythingAtLowDelay) {
  ChannelProfile clean;
  clean.baseDelay = milliseconds(30);
  Loop loop(narrowband(), clean, {});
  loop.run(seconds(20));
  const auto& s = loop.jb.stats();
  EXPECT_EQ(loop.counts.lost, 0u);
  EXPECT_EQ(loop.counts.silence, 0u);
  EXPECT_EQ(loop.counts.emptyAfterStart, 0u);
  EXPECT_FALSE(loop.counts.orderBroken);
  EXPECT_GE(loop.counts.frame, 990u);  // 20 s of 20 ms frames, less the start-up buffering
  EXPECT_EQ(s.lost + s.late + s.concealed + s.duplicates, 0u);
  EXPECT_NEAR(ms(s.targetDelay), 20.0, 0.5);  // no jitter: the floor
  EXPECT_GE(s.currentDelay, milliseconds(20));
  EXPECT_LE(s.currentDelay, milliseconds(60));
}

TEST(JitterBuffer, IssueProfileNoGapAndConcealmentMatchesLoss) {
  // Issue 3's netem profile: loss 5 %, jitter ±40 ms, reorder 2 %, duplication 1 %, 60 s.
  ChannelProfile p;
  p.lossPercent = 5;
  p.baseDelay = milliseconds(50);
  p.jitter = milliseconds(40);
  p.reorderPercent = 2;
  p.duplicatePercent = 1;
  p.seed = 20240603;
  Loop loop(narrowband(), p, {});
  uint64_t pops = 0, tailPops = 0;
  double tailTargetSum = 0, maxTarget = 0, targetSum = 0;
  const uint64_t total = 60'000 / 20, tailFrom = total - 10'000 / 20;
  loop.run(seconds(60), [&](const JitterBuffer::Playout&) {
    const double t = ms(loop.jb.stats().targetDelay);
    maxTarget = std::max(maxTarget, t);
    targetSum += t;
    if (pops++ >= tailFrom) {
      tailTargetSum += t;
      ++tailPops;
    }
  });
  const auto& s = loop.jb.stats();
  const auto& net = loop.net.counters();
  const double frames = double(pops);
  const double tailMean = tailTargetSum / double(tailPops);

  std::printf(
      "[issue profile] frames %llu: played %llu, Lost pops %llu (concealed %llu + inserted %llu), silence %llu;\n"
      "  injected loss %llu, buffer lost %llu, late %llu, duplicates %llu/%llu injected, dropped %llu;\n"
      "  target delay mean %.1f ms, last-10-s mean %.1f ms, max %.1f ms; current %.1f ms; RFC 3550 jitter %.1f ms\n",
      (unsigned long long)pops, (unsigned long long)loop.counts.frame, (unsigned long long)loop.counts.lost,
      (unsigned long long)s.concealed, (unsigned long long)s.inserted, (unsigned long long)loop.counts.silence,
      (unsigned long long)net.lost, (unsigned long long)s.lost, (unsigned long long)s.late,
      (unsigned long long)s.duplicates, (unsigned long long)net.duplicated, (unsigned long long)s.dropped,
      targetSum / frames, tailMean, maxTarget, ms(s.currentDelay), s.jitterMs);
  ::testing::Test::RecordProperty("injected_loss", int(net.lost));
  ::testing::Test::RecordProperty("concealed", int(s.concealed));
  ::testing::Test::RecordProperty("late", int(s.late));
  ::testing::Test::RecordProperty("target_mean_last10s_ms", int(tailMean + 0.5));
  ::testing::Test::RecordProperty("target_max_ms", int(maxTarget + 0.5));

  // No gap: once playing, every pop is Frame, Lost or Silence.
  EXPECT_EQ(loop.counts.emptyAfterStart, 0u);
  EXPECT_LE(loop.counts.maxLostRun, 4u);
  EXPECT_FALSE(loop.counts.orderBroken);
  // Every Lost pop is accounted for: concealment of a missing packet, or a delay insertion.
  EXPECT_EQ(loop.counts.lost, s.concealed + s.inserted);
  // Concealment stands for what the network lost plus what came too late, within 2 % of frames.
  EXPECT_NEAR(double(s.concealed), double(net.lost + s.late), 0.02 * frames);
  EXPECT_NEAR(double(s.lost), double(net.lost), 0.02 * frames);
  EXPECT_EQ(s.duplicates, net.duplicated);
  EXPECT_LT(tailMean, 120.0);
  EXPECT_LT(double(s.late), 0.03 * frames);
}

TEST(JitterBuffer, IssueProfileHoldsAcrossSeeds) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(seed);
    ChannelProfile p;
    p.lossPercent = 5;
    p.baseDelay = milliseconds(50);
    p.jitter = milliseconds(40);
    p.reorderPercent = 2;
    p.duplicatePercent = 1;
    p.seed = seed;
    Loop loop(narrowband(), p, {});
    loop.run(seconds(60));
    const auto& s = loop.jb.stats();
    const double frames = 3000;
    EXPECT_EQ(loop.counts.emptyAfterStart, 0u);
    EXPECT_EQ(loop.counts.lost, s.concealed + s.inserted);
    EXPECT_NEAR(double(s.concealed), double(loop.net.counters().lost + s.late), 0.02 * frames);
    EXPECT_EQ(s.duplicates, loop.net.counters().duplicated);
    EXPECT_LT(ms(s.targetDelay), 120.0);
    EXPECT_FALSE(loop.counts.orderBroken);
  }
}

void runDrift(double ppm) {
  ChannelProfile p;
  p.baseDelay = milliseconds(40);
  p.jitter = milliseconds(5);
  p.seed = 7;
  AudioSender::Config sc;
  sc.driftPpm = ppm;
  Loop loop(narrowband(), p, sc);
  double maxDelay = 0, minDelayLastMinute = 1e9;
  uint64_t pops = 0;
  const uint64_t lastMinute = (600 - 60) * 50;
  loop.run(seconds(600), [&](const JitterBuffer::Playout&) {
    const double d = ms(loop.jb.stats().currentDelay);
    if (pops > 500) maxDelay = std::max(maxDelay, d);
    if (pops++ >= lastMinute) minDelayLastMinute = std::min(minDelayLastMinute, d);
  });
  const auto& s = loop.jb.stats();
  std::printf("[drift %+.0f ppm, 10 min] frames %llu, dropped %llu, inserted %llu, concealed %llu, late %llu, "
              "target %.1f ms, max delay %.1f ms\n",
              ppm, (unsigned long long)loop.counts.frame, (unsigned long long)s.dropped,
              (unsigned long long)s.inserted, (unsigned long long)s.concealed, (unsigned long long)s.late,
              ms(s.targetDelay), maxDelay);
  // 100 ppm over 10 min is 60 ms, i.e. 3 frames to drop or insert; allow a few more.
  EXPECT_LE(maxDelay, ms(s.targetDelay) + 3 * 20 + 5);
  EXPECT_GE(minDelayLastMinute, 0.0);
  EXPECT_LE(loop.counts.maxLostRun, 1u);
  EXPECT_LE(s.concealed + s.inserted, 20u);
  EXPECT_EQ(loop.counts.emptyAfterStart, 0u);
  if (ppm > 0) {
    EXPECT_GE(s.dropped, 2u);
  } else {
    EXPECT_GE(s.inserted, 2u);
  }
}

TEST(JitterBuffer, SenderClockFastStaysBounded) { runDrift(+100); }
TEST(JitterBuffer, SenderClockSlowStaysBounded) { runDrift(-100); }

TEST(JitterBuffer, DtxSilenceIsNotLoss) {
  ChannelProfile p;
  p.baseDelay = milliseconds(30);
  p.jitter = milliseconds(2);
  Loop loop(narrowband(), p, {});
  loop.run(seconds(5));
  const uint64_t framesBefore = loop.counts.frame;
  loop.sender.pause(50);  // 1 s of DTX: timestamps jump by 8000, sequence numbers continue
  loop.run(seconds(3));
  const auto& s = loop.jb.stats();
  EXPECT_EQ(loop.counts.lost, 0u);
  EXPECT_EQ(s.lost + s.concealed + s.late, 0u);
  EXPECT_EQ(s.resets, 0u);
  EXPECT_NEAR(double(loop.counts.silence), 50.0, 3.0);
  EXPECT_EQ(s.dtxFrames, loop.counts.silence);
  EXPECT_GT(loop.counts.frame, framesBefore + 90);  // talk resumed
  EXPECT_FALSE(loop.counts.orderBroken);
}

TEST(JitterBuffer, SsrcChangeResetsAndContinues) {
  ChannelProfile p;
  p.baseDelay = milliseconds(30);
  Loop loop(narrowband(), p, {});
  loop.run(seconds(3));
  const uint64_t before = loop.counts.frame;
  loop.sender.restart(0xCAFEBABE, 40000, 999);
  PopCounts after;
  loop.run(seconds(3), [&](const JitterBuffer::Playout& out) { after.add(out); });
  const auto& s = loop.jb.stats();
  EXPECT_EQ(s.resets, 1u);
  EXPECT_EQ(loop.results[size_t(Result::Reset)], 1u);
  EXPECT_EQ(loop.counts.lost, 0u);
  EXPECT_LE(after.empty, 5u);  // re-buffering the new stream
  EXPECT_GE(after.frame, 140u);
  EXPECT_GT(loop.counts.frame, before);
  // A reordered straggler of the old stream does not switch back.
  EXPECT_EQ(loop.jb.push(loop.now, 0x11223344, 1100, 123456 + 160 * 100, false, payloadFor(100)), Result::TooLate);
  EXPECT_EQ(loop.jb.stats().resets, 1u);
}

TEST(JitterBuffer, SequenceAndTimestampWrapAround) {
  ChannelProfile p;
  p.baseDelay = milliseconds(40);
  p.jitter = milliseconds(20);
  p.reorderPercent = 5;
  p.seed = 3;
  AudioSender::Config sc;
  sc.firstSeq = 65500;             // wraps after 36 packets
  sc.firstTimestamp = 0xFFFFF000;  // wraps after ~26 packets
  Loop loop(narrowband(), p, sc);
  loop.run(seconds(5));
  const auto& s = loop.jb.stats();
  EXPECT_EQ(s.resets, 0u);
  EXPECT_EQ(s.lost, 0u);
  EXPECT_FALSE(loop.counts.orderBroken);
  EXPECT_EQ(loop.counts.emptyAfterStart, 0u);
  EXPECT_GE(loop.counts.frame + s.late, 240u);
}

TEST(JitterBuffer, PacketDurationChangeFollowsTimestamps) {
  // Opus at 48 kHz switching from 20 ms to 30 ms packets; the owner pops per returned duration.
  JitterBufferConfig c;
  c.clockRate = 48000;
  c.frameSamples = 960;
  ChannelProfile p;
  p.baseDelay = milliseconds(30);
  AudioSender::Config sc;
  sc.clockRate = 48000;
  sc.frameSamples = 960;
  Loop loop(c, p, sc);
  loop.run(seconds(2), [&](const JitterBuffer::Playout& out) { loop.popInterval = microseconds(out.samples * 1000000ll / 48000); });
  loop.sender.setFrameSamples(1440);
  uint64_t thirty = 0;
  PopCounts after;
  loop.run(seconds(3), [&](const JitterBuffer::Playout& out) {
    after.add(out);
    if (out.kind == Kind::Frame && out.samples == 1440) ++thirty;
    loop.popInterval = microseconds(out.samples * 1000000ll / 48000);
  });
  EXPECT_EQ(loop.jb.frameSamples(), 1440u);
  EXPECT_EQ(after.lost, 0u);
  EXPECT_LE(after.silence, 2u);
  EXPECT_GE(thirty, 90u);  // 3 s of 30 ms frames, less what was already queued
  EXPECT_FALSE(loop.counts.orderBroken);
}

// ---- hand-made sequences ---------------------------------------------------------------------

class JitterBufferManual : public ::testing::Test {
 protected:
  JitterBufferManual() : jb(narrowband()) {}
  Result push(int ms, uint16_t seq, uint32_t ts, std::vector<uint8_t> payload = payloadFor(0), bool marker = false,
              uint32_t ssrc = 1) {
    return jb.push(t0 + milliseconds(ms), ssrc, seq, ts, marker, payload);
  }
  JitterBuffer::Playout pop(int ms) { return jb.pop(t0 + milliseconds(ms)); }
  JitterBuffer jb;
  TimePoint t0 = TimePoint{} + seconds(5);
};

TEST_F(JitterBufferManual, PayloadTooLargeIsDroppedAndCounted) {
  EXPECT_EQ(push(0, 1, 0, std::vector<uint8_t>(1277, 1)), Result::TooLarge);
  EXPECT_EQ(push(0, 1, 0, std::vector<uint8_t>(1276, 1)), Result::Stored);
  EXPECT_EQ(jb.stats().tooLarge, 1u);
  EXPECT_EQ(jb.stats().pushed, 2u);
}

TEST_F(JitterBufferManual, CapacityOverflowRejectsNewest) {
  JitterBufferConfig c = narrowband();
  c.capacity = 8;
  JitterBuffer small(c);
  for (uint16_t i = 0; i < 8; ++i)
    EXPECT_EQ(small.push(t0, 9, uint16_t(100 + i), 160u * i, false, payloadFor(i)), Result::Stored);
  EXPECT_EQ(small.push(t0, 9, 108, 160u * 8, false, payloadFor(8)), Result::Overflow);
  EXPECT_EQ(small.stats().overflow, 1u);
  // Still plays what it holds, in order.
  auto out = small.pop(t0 + milliseconds(60));
  ASSERT_EQ(out.kind, Kind::Frame);
  EXPECT_EQ(indexOf(out.payload), 0u);
}

TEST_F(JitterBufferManual, ReorderDuplicateLateAndFec) {
  EXPECT_EQ(push(0, 10, 1600, payloadFor(10)), Result::Stored);
  EXPECT_EQ(push(5, 12, 1920, payloadFor(12)), Result::Stored);  // 11 overtaken...
  EXPECT_EQ(push(6, 11, 1760, payloadFor(11)), Result::Stored);  // ...arrives after
  EXPECT_EQ(push(7, 11, 1760, payloadFor(11)), Result::Duplicate);
  EXPECT_EQ(push(30, 14, 2240, payloadFor(14)), Result::Stored);  // 13 missing
  EXPECT_EQ(pop(40).kind, Kind::Empty);  // buffering: 60 ms initial delay
  auto a = pop(60), b = pop(80), c = pop(100), d = pop(120), e = pop(140);
  ASSERT_EQ(a.kind, Kind::Frame);
  EXPECT_EQ(indexOf(a.payload), 10u);
  EXPECT_EQ(indexOf(b.payload), 11u);
  EXPECT_EQ(indexOf(c.payload), 12u);
  ASSERT_EQ(d.kind, Kind::Lost);  // 13: conceal, with 14 offered for FEC
  EXPECT_EQ(indexOf(d.nextPayload), 14u);
  EXPECT_EQ(d.timestamp, 2080u);
  ASSERT_EQ(e.kind, Kind::Frame);
  EXPECT_EQ(indexOf(e.payload), 14u);
  EXPECT_EQ(push(150, 13, 2080, payloadFor(13)), Result::TooLate);
  EXPECT_EQ(push(151, 10, 1600, payloadFor(10)), Result::Duplicate);  // played already
  const auto& s = jb.stats();
  EXPECT_EQ(s.duplicates, 2u);
  EXPECT_EQ(s.late, 1u);
  EXPECT_EQ(s.lost, 0u);  // 13 did arrive, too late
  EXPECT_EQ(s.concealed, 1u);
}

TEST_F(JitterBufferManual, TimestampJumpResets) {
  EXPECT_EQ(push(0, 1, 0), Result::Stored);
  EXPECT_EQ(push(20, 2, 160), Result::Stored);
  EXPECT_EQ(push(40, 3, 160 + 8000 * 10), Result::Reset);  // 10 s ahead, sequence continuous
  EXPECT_EQ(push(60, 4, 160 + 8000 * 10 + 160), Result::Stored);
  EXPECT_EQ(jb.stats().resets, 1u);
  EXPECT_EQ(pop(60).kind, Kind::Empty);  // re-buffering
  auto out = pop(100);
  EXPECT_EQ(out.kind, Kind::Frame);
  EXPECT_EQ(out.timestamp, 160u + 80000u);
}

TEST_F(JitterBufferManual, SequenceJumpResets) {
  EXPECT_EQ(push(0, 1, 0), Result::Stored);
  EXPECT_EQ(push(20, 5001, 160), Result::Reset);
  EXPECT_EQ(push(40, 4000, 320), Result::Reset);  // 1001 behind: not a reorder
  EXPECT_EQ(jb.stats().resets, 2u);
}

TEST_F(JitterBufferManual, PopBeforeAnythingIsEmpty) {
  EXPECT_EQ(pop(0).kind, Kind::Empty);
  EXPECT_EQ(pop(1000).kind, Kind::Empty);
}

TEST(JitterBufferConfig, RejectsNonsense) {
  JitterBufferConfig c = narrowband();
  c.clockRate = 0;
  EXPECT_THROW(JitterBuffer{c}, std::invalid_argument);
  c = narrowband();
  c.minDelay = milliseconds(500);
  EXPECT_THROW(JitterBuffer{c}, std::invalid_argument);
  c = narrowband();
  c.capacity = 0;
  EXPECT_THROW(JitterBuffer{c}, std::invalid_argument);
}

}  // namespace
}  // namespace rtcgate::jitter

namespace rtcgate::jitter {
namespace {

// RFC 4733 §2.1: telephone-events share the audio stream's sequence numbers. Their numbers,
// marked with skip(), are neither frames nor losses: the audio around them plays on time.
TEST(JitterBufferSkip, EventSequenceNumbersAreNotCountedAsLoss) {
  JitterBufferConfig c;
  c.clockRate = 8000;
  JitterBuffer jb(c);
  const TimePoint t0 = TimePoint{} + seconds(5);
  const std::vector<uint8_t> payload(160, 0x55);
  // Audio 1..12 every 20 ms; 4 and 8 carry events instead (audio timestamps stay continuous).
  uint32_t ts = 0;
  int frames = 0, lost = 0;
  for (uint16_t seq = 1; seq <= 12; ++seq) {
    const TimePoint at = t0 + milliseconds(20 * seq);
    if (seq == 4 || seq == 8) {
      jb.skip(7, seq);
    } else {
      jb.push(at, 7, seq, ts, seq == 1, payload);
      ts += 160;
    }
    const auto out = jb.pop(at);
    if (out.kind == JitterBuffer::Playout::Kind::Frame) ++frames;
    if (out.kind == JitterBuffer::Playout::Kind::Lost) ++lost;
  }
  for (int i = 1; i <= 6; ++i) {
    const auto out = jb.pop(t0 + milliseconds(240 + 20 * i));
    if (out.kind == JitterBuffer::Playout::Kind::Frame) ++frames;
    if (out.kind == JitterBuffer::Playout::Kind::Lost) ++lost;
  }
  EXPECT_EQ(frames, 10);
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_EQ(jb.stats().concealed, 0u);
  EXPECT_EQ(lost, 0);
}

// An event packet reordered behind the audio after it: its number was already given up as lost
// and concealed; skip() corrects the loss count.
TEST(JitterBufferSkip, LateSkipUndoesTheLossCount) {
  JitterBufferConfig c;
  c.clockRate = 8000;
  c.minDelay = milliseconds(20);
  c.initialDelay = milliseconds(20);
  JitterBuffer jb(c);
  const TimePoint t0 = TimePoint{} + seconds(5);
  const std::vector<uint8_t> payload(160, 0x55);
  jb.push(t0, 7, 1, 0, true, payload);
  jb.push(t0 + milliseconds(20), 7, 2, 160, false, payload);
  jb.push(t0 + milliseconds(40), 7, 4, 320, false, payload);  // 3 is an event, not yet seen
  for (int i = 0; i < 6; ++i) jb.pop(t0 + milliseconds(20 + 20 * i));
  const uint64_t lostBefore = jb.stats().lost;
  jb.skip(7, 3);
  EXPECT_EQ(jb.stats().lost, lostBefore == 0 ? 0u : lostBefore - 1);
}

}  // namespace
}  // namespace rtcgate::jitter
