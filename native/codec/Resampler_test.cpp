#include "codec/Resampler.hpp"

#include <gtest/gtest.h>

#include "codec/testing/ToneAnalysis.hpp"

namespace rtcgate::codec {
namespace {

using namespace testing;

// Feeds `in` through `r` in 20 ms blocks, as the bridge does.
std::vector<int16_t> run(Resampler& r, std::span<const int16_t> in) {
  const size_t block = r.inRate() / 50;
  std::vector<int16_t> out;
  std::vector<int16_t> buf(r.maxOutput(block));
  for (size_t off = 0; off + block <= in.size(); off += block) {
    const size_t n = r.process(in.subspan(off, block), buf);
    EXPECT_LE(n, r.maxOutput(block));
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  return out;
}

TEST(CodecResampler, UpAndDownKeepsTheTone) {
  Resampler up(8000, 48000);
  Resampler down(48000, 8000);
  const auto tone = generateTone(1000.0, 8000, 8000, 8000.0);
  const auto wide = run(up, tone);
  EXPECT_NEAR(static_cast<double>(wide.size()), 48000.0, 48.0);
  const auto back = run(down, wide);
  EXPECT_NEAR(static_cast<double>(back.size()), 8000.0, 16.0);

  const auto wideTail = std::span<const int16_t>(wide).subspan(4800, 24000);
  EXPECT_NEAR(powerDb(goertzelPower(wideTail, 1000.0, 48000) / (8000.0 * 8000.0 / 2)), 0.0, 0.5);
  const auto lc = bestLagCorrelation(std::span(tone).subspan(800, 4000), std::span<const int16_t>(back).subspan(800), 40);
  EXPECT_GT(lc.correlation, 0.99);
  const auto backTail = std::span<const int16_t>(back).subspan(800 + lc.lag, 4000);
  EXPECT_NEAR(powerDb(goertzelPower(backTail, 1000.0, 8000) / (8000.0 * 8000.0 / 2)), 0.0, 0.5);
  EXPECT_GT(snrDb(std::span(tone).subspan(800), std::span<const int16_t>(back).subspan(800), lc.lag, 4000), 25.0);
}

TEST(CodecResampler, IdentityCopies) {
  Resampler same(16000, 16000);
  const auto tone = generateTone(440.0, 16000, 320, 1000.0);
  std::vector<int16_t> out(same.maxOutput(tone.size()));
  ASSERT_EQ(same.process(tone, out), 320u);
  EXPECT_TRUE(std::equal(tone.begin(), tone.end(), out.begin()));
  same.reset();
}

TEST(CodecResampler, BoundAndReset) {
  static_assert(Resampler::maxOutput(160, 8000, 48000) == 961);
  static_assert(Resampler::maxOutput(960, 48000, 8000) == 161);
  Resampler r(48000, 16000, 5);
  EXPECT_EQ(r.maxOutput(960), 321u);
  std::vector<int16_t> in(960, 1000), out(r.maxOutput(960));
  r.process(in, out);
  r.reset();
  std::fill(in.begin(), in.end(), 0);
  const size_t n = r.process(in, out);
  // After reset the history is gone: silence in, silence out.
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], 0) << i;
  EXPECT_THROW(Resampler(0, 8000), std::invalid_argument);
  EXPECT_THROW(Resampler(8000, 16000, 11), std::invalid_argument);
}

}  // namespace
}  // namespace rtcgate::codec
