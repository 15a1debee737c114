#include "dtmf/DtmfGenerator.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace rtcgate::dtmf {
namespace {

const TimePoint kT0 = TimePoint{} + seconds(50);
TimePoint at(int64_t ms) { return kT0 + milliseconds(ms); }

struct Out {
  int64_t ms;
  OutputPacket p;
};

std::vector<Out> run(DtmfGenerator& gen, int64_t fromMs, int64_t untilMs) {
  std::vector<Out> outs;
  for (int64_t ms = fromMs; ms <= untilMs; ++ms) {
    OutputPacket p;
    while (gen.poll(at(ms), p) == 4) outs.push_back({ms, p});
    EXPECT_GT(gen.nextTimeout(), at(ms));
  }
  return outs;
}

TEST(DtmfGenerator, TwelveDigitsAt8k) {
  const OutputClock clock{8000, at(0), 3'000'000};
  DtmfGenerator gen(DtmfGeneratorConfig{}, clock);
  ASSERT_TRUE(gen.send(at(0), "0123456789*#"));
  EXPECT_EQ(gen.queued(), 12u);
  const auto outs = run(gen, 0, 2500);
  // Per digit: start (marked, 0), update at 50 ms (400), end at 100 ms (800) ×3 at 20 ms.
  ASSERT_EQ(outs.size(), 12u * 5);
  for (int d = 0; d < 12; ++d) {
    SCOPED_TRACE(d);
    const int64_t start = d * 150;  // 100 ms tone + 50 ms gap
    const uint32_t ts = 3'000'000u + uint32_t(d) * 1200;
    const int64_t times[] = {start, start + 50, start + 100, start + 120, start + 140};
    const uint16_t durations[] = {0, 400, 800, 800, 800};  // 100 ms = 800 units at 8 kHz
    for (int k = 0; k < 5; ++k) {
      const Out& o = outs[size_t(d * 5 + k)];
      EXPECT_EQ(o.ms, times[k]);
      EXPECT_EQ(o.p.event.event, d);  // '0'..'9' → 0..9, '*' → 10, '#' → 11
      EXPECT_EQ(o.p.timestamp, ts);
      EXPECT_EQ(o.p.marker, k == 0);
      EXPECT_EQ(o.p.event.end, k >= 2);
      EXPECT_EQ(o.p.event.duration, durations[k]);
      EXPECT_EQ(o.p.event.volume, kDefaultToneVolume);
    }
  }
  EXPECT_FALSE(gen.busy());
  EXPECT_EQ(gen.nextTimeout(), kNever);
}

TEST(DtmfGenerator, At48kDurationsScale) {
  DtmfGenerator gen(DtmfGeneratorConfig{}, OutputClock{48000, at(0), 0});
  ASSERT_TRUE(gen.send(at(0), "a"));
  const auto outs = run(gen, 0, 300);
  ASSERT_EQ(outs.size(), 5u);
  EXPECT_EQ(outs[0].p.event.event, 12);
  EXPECT_EQ(outs[1].p.event.duration, 2400);
  EXPECT_EQ(outs[4].p.event.duration, 4800);
}

TEST(DtmfGenerator, RejectsBadDigitsAndOverflow) {
  DtmfGenerator gen(DtmfGeneratorConfig{}, OutputClock{8000, at(0), 0});
  EXPECT_FALSE(gen.send(at(0), "12x"));
  EXPECT_EQ(gen.queued(), 0u);
  EXPECT_TRUE(gen.send(at(0), std::string(DtmfGenerator::kMaxQueuedDigits, '1')));
  EXPECT_FALSE(gen.send(at(0), "1"));
  gen.cancel();
  EXPECT_EQ(gen.queued(), 0u);
  DtmfGeneratorConfig tooLong;
  tooLong.tone = seconds(10);  // 80000 units at 8 kHz: over the 16-bit duration
  EXPECT_THROW(DtmfGenerator(tooLong, OutputClock{8000, at(0), 0}), std::invalid_argument);
}

TEST(DtmfGenerator, DigitsSentWhileBusyKeepTheGap) {
  DtmfGenerator gen(DtmfGeneratorConfig{}, OutputClock{8000, at(0), 0});
  ASSERT_TRUE(gen.send(at(0), "1"));
  auto outs = run(gen, 0, 110);
  ASSERT_TRUE(gen.send(at(110), "2"));  // during the first digit's final copies
  const auto more = run(gen, 111, 600);
  outs.insert(outs.end(), more.begin(), more.end());
  ASSERT_EQ(outs.size(), 10u);
  EXPECT_EQ(outs[5].ms, 150);
  EXPECT_TRUE(outs[5].p.marker);
  EXPECT_EQ(outs[5].p.timestamp, 1200u);
  // Idle again: a later digit starts when asked, not in the past.
  ASSERT_TRUE(gen.send(at(1000), "3"));
  const auto third = run(gen, 1000, 1300);
  ASSERT_EQ(third.size(), 5u);
  EXPECT_EQ(third[0].ms, 1000);
  EXPECT_EQ(third[0].p.timestamp, 8000u);
  EXPECT_EQ(third[0].p.event.duration, 0);
}

}  // namespace
}  // namespace rtcgate::dtmf
