// DelayEstimator alone: relative delays, the 95th percentile, RFC 3550 J, grow fast / shrink slow.
#include "jitter/DelayEstimator.hpp"

#include <gtest/gtest.h>

#include "jitter/testing/NetworkSimulator.hpp"

namespace rtcgate::jitter {
namespace {

TEST(DelayEstimator, UniformJitterGivesItsPercentile) {
  DelayEstimator e(milliseconds(20), milliseconds(300), milliseconds(60));
  testing::Rng rng(11);
  // 20 ms packets, transit 50 ms ± 40 ms uniform: relative delays uniform over [0, 80] ms.
  for (int i = 0; i < 3000; ++i) e.onPacket(i * 20000, 50000 + int64_t(rng.uniform(-40000, 40000)));
  EXPECT_NEAR(e.minTransitUs(), 10000, 500);
  EXPECT_NEAR(e.quantileUs(), 76000, 4000);
  EXPECT_NEAR(double(e.targetUs()), 76000.0, 4000.0);
  EXPECT_NEAR(e.peakRelativeUs(), 80000, 1000);
  EXPECT_NEAR(e.jitterMs(), 80.0 / 3, 8.0);  // E|U1 − U2| for U over 80 ms; J is noisy (gain 1/16)
}

TEST(DelayEstimator, GrowsAtOnceShrinksSlowly) {
  DelayEstimator e(milliseconds(20), milliseconds(300), milliseconds(20));
  testing::Rng rng(5);
  int64_t t = 0;
  for (int i = 0; i < 500; ++i, t += 20000) e.onPacket(t, 50000);
  EXPECT_EQ(e.targetUs(), 20000);
  // Jitter of 0..120 ms starts: within one second the target has tripled, within three it
  // covers the new 95th percentile (114 ms) nearly all the way.
  for (int i = 0; i < 50; ++i, t += 20000) e.onPacket(t, 50000 + int64_t(rng.uniform(0, 120000)));
  EXPECT_GT(e.targetUs(), 60000);
  for (int i = 0; i < 100; ++i, t += 20000) e.onPacket(t, 50000 + int64_t(rng.uniform(0, 120000)));
  const int64_t grown = e.targetUs();
  EXPECT_GT(grown, 95000);
  // Calm again: one second later it has given back only a little.
  for (int i = 0; i < 50; ++i, t += 20000) e.onPacket(t, 50000);
  EXPECT_GT(e.targetUs(), grown * 3 / 4);
  // Much later it is back at the floor.
  for (int i = 0; i < 3000; ++i, t += 20000) e.onPacket(t, 50000);
  EXPECT_LT(e.targetUs(), 25000);
}

TEST(DelayEstimator, MinTransitFollowsDriftThroughTheWindow) {
  DelayEstimator e(milliseconds(20), milliseconds(300), milliseconds(60));
  // Transit grows 1 ms per second (slow sender clock, exaggerated): the old minimum ages out.
  for (int i = 0; i <= 1000; ++i) e.onPacket(int64_t(i) * 20000, 50000 + int64_t(i) * 20);
  EXPECT_NEAR(e.minTransitUs(), 50000 + (1000 - 350) * 20, 1500);  // 7 full 1 s slots + the new one
  e.restart();
  e.onPacket(0, 7);
  EXPECT_EQ(e.minTransitUs(), 7);
}

}  // namespace
}  // namespace rtcgate::jitter
