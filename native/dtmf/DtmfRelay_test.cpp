#include "dtmf/DtmfRelay.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace rtcgate::dtmf {
namespace {

const TimePoint kT0 = TimePoint{} + seconds(1000);
TimePoint at(int64_t ms) { return kT0 + milliseconds(ms); }

struct In {  // one received telephone-event packet
  int64_t ms;
  uint16_t seq;
  uint32_t ts;
  bool marker;
  TelephoneEvent e;
};

struct Out {
  int64_t ms;
  OutputPacket p;
};

// Runs the relay on a 1 ms grid: delivers the inputs due, then drains poll(). Also checks the
// sans-IO contract: once poll() returns 0, nextTimeout() lies in the future.
std::vector<Out> run(DtmfRelay& relay, std::vector<In> inputs, int64_t untilMs) {
  std::stable_sort(inputs.begin(), inputs.end(), [](const In& a, const In& b) { return a.ms < b.ms; });
  std::vector<Out> outs;
  size_t next = 0;
  for (int64_t ms = 0; ms <= untilMs; ++ms) {
    while (next < inputs.size() && inputs[next].ms == ms) {
      const In& i = inputs[next++];
      relay.onEventPacket(at(ms), i.seq, i.ts, i.marker, i.e);
    }
    OutputPacket p;
    while (relay.poll(at(ms), p) == 4) {
      const auto parsed = TelephoneEvent::parse(p.payload);
      EXPECT_TRUE(parsed && *parsed == p.event);
      outs.push_back({ms, p});
    }
    EXPECT_GT(relay.nextTimeout(), at(ms));
  }
  return outs;
}

// A browser-like sender: start marked, an update every 50 ms, end ×3 at 20 ms, at `rate` Hz.
std::vector<In> keyPress(uint8_t code, int64_t startMs, int64_t lengthMs, uint32_t rate, uint32_t ts, uint16_t& seq) {
  std::vector<In> v;
  const auto units = [&](int64_t ms) { return uint16_t(ms * rate / 1000); };
  for (int64_t ms = 0; ms < lengthMs; ms += 50) v.push_back({startMs + ms, seq++, ts, ms == 0, {code, false, false, 10, units(ms)}});
  for (int k = 0; k < 3; ++k)
    v.push_back({startMs + lengthMs + 20 * k, seq++, ts, false, {code, true, false, 10, units(lengthMs)}});
  return v;
}

size_t countEnd(const std::vector<Out>& outs) {
  size_t n = 0;
  for (const Out& o : outs) n += o.p.event.end;
  return n;
}

TEST(DtmfRelay, Browser48kToSip8k) {
  DtmfRelayConfig cfg;
  cfg.inputClockRate = 48000;
  const OutputClock clock{8000, at(0), 160000};
  DtmfRelay relay(cfg, clock);
  uint16_t seq = 100;
  auto in = keyPress(5, 10, 200, 48000, 0xFFFFF000, seq);  // input timestamps about to wrap
  In dup = in[2];  // the network duplicates the 100 ms update
  in.insert(in.begin() + 3, dup);
  const auto outs = run(relay, in, 800);

  // start (marked) at 10 ms, updates at 60, 110, 160, end at 210 ×3 (230, 250).
  ASSERT_EQ(outs.size(), 7u);
  const uint32_t ts = clock.timestampAt(at(10));
  EXPECT_EQ(ts, 160080u);
  const int64_t times[] = {10, 60, 110, 160, 210, 230, 250};
  const uint16_t durations[] = {0, 400, 800, 1200, 1600, 1600, 1600};  // 48 kHz × 8000/48000
  for (size_t i = 0; i < outs.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(outs[i].ms, times[i]);
    EXPECT_EQ(outs[i].p.marker, i == 0);
    EXPECT_EQ(outs[i].p.timestamp, ts);  // constant within the event, output clock
    EXPECT_EQ(outs[i].p.event.event, 5);
    EXPECT_EQ(outs[i].p.event.volume, 10);
    EXPECT_EQ(outs[i].p.event.duration, durations[i]);
    EXPECT_EQ(outs[i].p.event.end, i >= 4);
  }
  EXPECT_EQ(countEnd(outs), 3u);
  const auto& s = relay.stats();
  EXPECT_EQ(s.eventsStarted, 1u);
  EXPECT_EQ(s.eventsEnded, 1u);
  EXPECT_EQ(s.endsSynthesized, 0u);
  EXPECT_EQ(s.duplicates, 3u);  // the network duplicate + 2 end retransmissions
  EXPECT_EQ(s.packetsOut, 7u);
  EXPECT_FALSE(relay.eventActive());
  EXPECT_EQ(relay.nextTimeout(), kNever);
}

TEST(DtmfRelay, Sip8kToBrowser48k) {
  DtmfRelay relay(DtmfRelayConfig{}, OutputClock{48000, at(0), 7});
  uint16_t seq = 1;
  const auto in = keyPress(11, 0, 150, 8000, 4242, seq);
  const auto outs = run(relay, in, 500);
  ASSERT_EQ(outs.size(), 6u);
  const uint16_t durations[] = {0, 2400, 4800, 7200, 7200, 7200};
  for (size_t i = 0; i < outs.size(); ++i) {
    EXPECT_EQ(outs[i].p.timestamp, 7u);
    EXPECT_EQ(outs[i].p.event.event, 11);
    EXPECT_EQ(outs[i].p.event.duration, durations[i]);
  }
  EXPECT_TRUE(outs[0].p.marker);
  EXPECT_EQ(countEnd(outs), 3u);
}

TEST(DtmfRelay, TwoDigitsGetTheirOwnTimestampsAndLateReportsAreDropped) {
  DtmfRelayConfig cfg;
  cfg.inputClockRate = 48000;
  const OutputClock clock{8000, at(0), 0};
  DtmfRelay relay(cfg, clock);
  uint16_t seq = 0;
  auto in = keyPress(1, 0, 100, 48000, 48000, seq);
  const auto second = keyPress(2, 200, 100, 48000, 48000 + 9600, seq);
  in.insert(in.end(), second.begin(), second.end());
  // A late update of digit 1 arrives during digit 2; then a late end of digit 1.
  in.insert(in.begin() + 7, In{210, 3, 48000, false, {1, false, false, 10, 2400}});
  in.insert(in.begin() + 8, In{260, 4, 48000, false, {1, true, false, 10, 4800}});
  const auto outs = run(relay, in, 800);
  ASSERT_EQ(outs.size(), 10u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(outs[i].p.timestamp, 0u);
  for (size_t i = 5; i < 10; ++i) EXPECT_EQ(outs[i].p.timestamp, 1600u);  // 200 ms later at 8 kHz
  EXPECT_TRUE(outs[0].p.marker);
  EXPECT_TRUE(outs[5].p.marker);
  EXPECT_EQ(outs[5].p.event.event, 2);
  EXPECT_EQ(countEnd(outs), 6u);
  EXPECT_EQ(relay.stats().stale, 2u);
  EXPECT_EQ(relay.stats().eventsStarted, 2u);
}

TEST(DtmfRelay, LostEndIsSynthesizedAfterTheTimeout) {
  DtmfRelay relay(DtmfRelayConfig{}, OutputClock{8000, at(0), 0});
  uint16_t seq = 0;
  auto in = keyPress(7, 0, 200, 8000, 1000, seq);
  in.resize(in.size() - 3);  // all three end reports lost; last update at 150 ms (1200)
  const auto outs = run(relay, in, 1000);
  ASSERT_GE(outs.size(), 3u);
  // Updates keep going every 50 ms until the timeout, then the end ×3 at the last known duration.
  const auto& last = outs[outs.size() - 3];
  EXPECT_EQ(last.ms, 150 + 500);
  for (size_t i = outs.size() - 3; i < outs.size(); ++i) {
    EXPECT_TRUE(outs[i].p.event.end);
    EXPECT_EQ(outs[i].p.event.duration, 1200);
    EXPECT_EQ(outs[i].p.timestamp, 0u);
  }
  EXPECT_EQ(countEnd(outs), 3u);
  for (size_t i = 1; i + 3 < outs.size(); ++i) EXPECT_GE(outs[i].p.event.duration, outs[i - 1].p.event.duration);
  EXPECT_EQ(relay.stats().endsSynthesized, 1u);
  EXPECT_EQ(relay.stats().eventsEnded, 0u);
  // The end reports arriving after all are recognised as the ended event's.
  relay.onEventPacket(at(1001), 50, 1000, false, {7, true, false, 10, 1600});
  OutputPacket p;
  EXPECT_EQ(relay.poll(at(1001), p), 0u);
  EXPECT_EQ(relay.stats().duplicates, 1u);
}

TEST(DtmfRelay, OnlyTheEndReportsArrive) {
  DtmfRelay relay(DtmfRelayConfig{}, OutputClock{8000, at(0), 80000});
  const std::vector<In> in = {{300, 9, 500, false, {3, true, false, 10, 800}},
                              {320, 10, 500, false, {3, true, false, 10, 800}}};
  const auto outs = run(relay, in, 600);
  ASSERT_EQ(outs.size(), 3u);
  EXPECT_TRUE(outs[0].p.marker);  // the event's first packet on the output, even though an end
  for (const Out& o : outs) {
    EXPECT_TRUE(o.p.event.end);
    EXPECT_EQ(o.p.event.duration, 800);
    EXPECT_EQ(o.p.timestamp, 80000u + 300 * 8 - 800);  // dated back by its duration
  }
}

// RFC 4733 §2.5.1.3: a 3 s key press at 8 kHz in, 48 kHz out: 144000 units do not fit in 16
// bits, so the output cuts the event into segments of 0xFFFF.
TEST(DtmfRelay, LongEventIsSplitIntoSegmentsOnTheOutput) {
  DtmfRelay relay(DtmfRelayConfig{}, OutputClock{48000, at(0), 1'000'000});
  uint16_t seq = 0;
  const auto in = keyPress(9, 0, 3000, 8000, 0, seq);
  const auto outs = run(relay, in, 3500);
  std::vector<uint32_t> segments;
  std::vector<uint16_t> segmentFinals;  // last duration of each segment
  size_t markers = 0, ends = 0;
  for (size_t i = 0; i < outs.size(); ++i) {
    const OutputPacket& p = outs[i].p;
    markers += p.marker;
    ends += p.event.end;
    if (segments.empty() || segments.back() != p.timestamp) {
      segments.push_back(p.timestamp);
      segmentFinals.push_back(0);
    }
    segmentFinals.back() = p.event.duration;
  }
  EXPECT_EQ(markers, 1u);
  EXPECT_EQ(ends, 3u);
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0], 1'000'000u);
  EXPECT_EQ(segments[1], 1'000'000u + 0xFFFF);
  EXPECT_EQ(segments[2], 1'000'000u + 2 * 0xFFFF);
  EXPECT_EQ(segmentFinals[0], 0xFFFF);
  EXPECT_EQ(segmentFinals[1], 0xFFFF);
  EXPECT_EQ(segmentFinals[2], 144000 - 2 * 0xFFFF);
  // Each full segment's final report goes out three times, without E.
  for (uint32_t ts : {segments[0], segments[1]}) {
    size_t finals = 0;
    for (const Out& o : outs) finals += o.p.timestamp == ts && o.p.event.duration == 0xFFFF && !o.p.event.end;
    EXPECT_EQ(finals, 3u);
  }
}

// An input that is itself segmented (a 10 s press at 8 kHz: 80000 units) is joined, then cut
// again on the output at the output's own 0xFFFF boundary.
TEST(DtmfRelay, SegmentedInputIsJoined) {
  DtmfRelay relay(DtmfRelayConfig{}, OutputClock{8000, at(0), 0});
  std::vector<In> in;
  uint16_t seq = 0;
  const uint32_t ts0 = 5000;
  for (int64_t ms = 0; ms < 10000; ms += 50) {
    const uint32_t total = uint32_t(ms * 8);
    const bool second = total > 0xFFFF;
    in.push_back({ms, seq++, second ? ts0 + 0xFFFF : ts0, ms == 0,
                  {4, false, false, 10, uint16_t(second ? total - 0xFFFF : total)}});
  }
  for (int k = 0; k < 3; ++k) in.push_back({10000 + 20 * k, seq++, ts0 + 0xFFFF, false, {4, true, false, 10, 80000 - 0xFFFF}});
  const auto outs = run(relay, in, 10500);
  EXPECT_EQ(relay.stats().eventsStarted, 1u);
  EXPECT_EQ(countEnd(outs), 3u);
  EXPECT_EQ(outs.back().p.event.duration, 80000 - 0xFFFF);
  EXPECT_EQ(outs.back().p.timestamp, outs.front().p.timestamp + 0xFFFF);
}

TEST(DtmfRelay, NewDigitFlushesThePreviousFinalCopiesFirst) {
  DtmfRelay relay(DtmfRelayConfig{}, OutputClock{8000, at(0), 0});
  const std::vector<In> in = {
      {0, 1, 100, true, {1, false, false, 10, 0}},
      {50, 2, 100, false, {1, true, false, 10, 400}},   // end of digit 1
      {55, 3, 540, true, {2, false, false, 10, 0}},    // digit 2 only 5 ms later
  };
  const auto outs = run(relay, in, 300);
  ASSERT_GE(outs.size(), 5u);
  // start 1, end 1 (50), then at 55 the two remaining end copies before digit 2 starts.
  EXPECT_EQ(outs[1].ms, 50);
  EXPECT_EQ(outs[2].ms, 55);
  EXPECT_EQ(outs[3].ms, 55);
  EXPECT_TRUE(outs[3].p.event.end);
  EXPECT_EQ(outs[3].p.event.event, 1);
  EXPECT_EQ(outs[4].ms, 55);
  EXPECT_TRUE(outs[4].p.marker);
  EXPECT_EQ(outs[4].p.event.event, 2);
}

// Found by the fuzzer: an end-only event needing two output segments, then at once a new
// event. Everything of the first goes out before the second starts, with no stall.
TEST(DtmfRelay, EventQueuedBehindAnUnsentSegment) {
  DtmfRelay relay(DtmfRelayConfig{}, OutputClock{48000, at(0), 0});
  const std::vector<In> in = {
      {10, 1, 8000, false, {1, true, false, 10, 12806}},  // 76836 units at 48 kHz
      {10, 2, 9000, true, {3, false, false, 10, 0}},
  };
  const auto outs = run(relay, in, 20);
  ASSERT_EQ(outs.size(), 7u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(outs[i].ms, 10);
    EXPECT_EQ(outs[i].p.event.event, 1);
    EXPECT_EQ(outs[i].p.marker, i == 0);
    EXPECT_EQ(outs[i].p.event.end, i >= 3);
    EXPECT_EQ(outs[i].p.event.duration, i < 3 ? 0xFFFF : 76836 - 0xFFFF);
  }
  EXPECT_EQ(outs[3].p.timestamp, outs[0].p.timestamp + 0xFFFF);
  EXPECT_EQ(outs[6].p.event.event, 3);
  EXPECT_TRUE(outs[6].p.marker);
}

TEST(DtmfRelay, UnsupportedCodesAreCountedNotRelayed) {
  DtmfRelay relay(DtmfRelayConfig{}, OutputClock{8000, at(0), 0});
  relay.onEventPacket(at(0), 1, 0, true, {16, false, false, 10, 0});
  OutputPacket p;
  EXPECT_EQ(relay.poll(at(0), p), 0u);
  EXPECT_EQ(relay.stats().unsupported, 1u);
}

TEST(DtmfRelay, RejectsZeroRates) {
  DtmfRelayConfig cfg;
  cfg.inputClockRate = 0;
  EXPECT_THROW(DtmfRelay(cfg, OutputClock{8000, {}, 0}), std::invalid_argument);
  EXPECT_THROW(DtmfRelay(DtmfRelayConfig{}, OutputClock{0, {}, 0}), std::invalid_argument);
}

}  // namespace
}  // namespace rtcgate::dtmf
