#include "dtmf/ComfortNoise.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dtmf/ComfortNoiseGenerator.hpp"

namespace rtcgate::dtmf {
namespace {

TEST(ComfortNoise, ParseTable) {
  using E = ComfortNoiseParseError;
  struct Row {
    const char* name;
    std::vector<uint8_t> bytes;
    E error;
    uint8_t level;
    size_t coefficients;
  } rows[] = {
      {"level only, -40 dBov", {0x28}, E::None, 40, 0},
      {"0 dBov", {0x00}, E::None, 0, 0},
      {"-127 dBov", {0x7F}, E::None, 127, 0},
      {"level -64 + 4 reflection coefficients", {0x40,                     // level 64
                                                 0x7F, 0x80, 0x10, 0xF0},  // k1..k4, raw
       E::None, 64, 4},
      {"empty", {}, E::Empty, 0, 0},
      {"reserved bit set", {0x80 | 0x28}, E::ReservedBit, 0, 0},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    E error = E::None;
    const auto cn = ComfortNoise::parse(r.bytes, error);
    EXPECT_EQ(error, r.error);
    ASSERT_EQ(cn.has_value(), r.error == E::None);
    if (!cn) continue;
    EXPECT_EQ(cn->level, r.level);
    EXPECT_EQ(cn->reflectionCoefficients.size(), r.coefficients);
    if (r.coefficients) EXPECT_EQ(cn->reflectionCoefficients.data(), r.bytes.data() + 1);  // a view
    uint8_t out[1];
    ASSERT_EQ(cn->write(out), 1u);
    EXPECT_EQ(out[0], r.bytes[0]);
  }
}

TEST(ComfortNoise, LevelRmsConversions) {
  EXPECT_NEAR(ComfortNoise::rmsForLevel(0), 32767.0, 1e-6);
  EXPECT_NEAR(ComfortNoise::rmsForLevel(20), 3276.7, 1e-3);
  EXPECT_EQ(ComfortNoise::levelForRms(3276.7), 20);
  EXPECT_EQ(ComfortNoise::levelForRms(0), 127);
  EXPECT_EQ(ComfortNoise::levelForRms(1e9), 0);
}

double rmsDbov(const std::vector<int16_t>& pcm) {
  double sum = 0;
  for (int16_t s : pcm) sum += double(s) * s;
  return 20.0 * std::log10(std::sqrt(sum / double(pcm.size())) / kZeroDbovRms);
}

TEST(ComfortNoiseGenerator, RmsMatchesTheLevelWithin2dB) {
  for (uint32_t rate : {8000u, 16000u, 48000u}) {
    for (uint8_t level : {20, 30, 45, 60, 70}) {
      SCOPED_TRACE(testing::Message() << rate << " Hz, -" << int(level) << " dBov");
      ComfortNoiseGenerator gen(rate, 12345);
      gen.setLevel(level);
      std::vector<int16_t> ramp(rate / 50);  // the 20 ms level ramp
      gen.generate(ramp);
      std::vector<int16_t> pcm(rate);  // 1 s
      gen.generate(pcm);
      EXPECT_NEAR(rmsDbov(pcm), -double(level), 2.0);
    }
  }
}

TEST(ComfortNoiseGenerator, DeterministicRampedAndSilentAt127) {
  ComfortNoiseGenerator a(8000, 7), b(8000, 7);
  a.setLevel(40);
  b.setLevel(40);
  std::vector<int16_t> x(800), y(800);
  a.generate(x);
  b.generate(y);
  EXPECT_EQ(x, y);
  // The first samples are quieter than the settled noise: the level is ramped in over 20 ms.
  double early = 0, late = 0;
  for (size_t i = 0; i < 40; ++i) early += std::abs(x[i]);
  for (size_t i = 400; i < 440; ++i) late += std::abs(x[i]);
  EXPECT_LT(early, late);
  a.setLevel(127);
  a.generate(x);  // ramps down
  a.generate(x);
  for (int16_t s : x) EXPECT_EQ(s, 0);
  EXPECT_THROW(ComfortNoiseGenerator(0), std::invalid_argument);
}

}  // namespace
}  // namespace rtcgate::dtmf
