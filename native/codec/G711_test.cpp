#include "codec/G711.hpp"

#include <gtest/gtest.h>

#include "codec/AudioCodec.hpp"
#include "codec/testing/CodecLoop.hpp"
#include "codec/testing/ToneAnalysis.hpp"

namespace rtcgate::codec {
namespace {

using namespace testing;

TEST(CodecG711, KnownUlawValues) {
  // G.711 Table 2a: code 0xFF (all ones after inversion of 0x00) is +0, 0x7F is -0.
  EXPECT_EQ(g711::ulawToLinear(0xFF), 0);
  EXPECT_EQ(g711::ulawToLinear(0x7F), 0);
  EXPECT_EQ(g711::linearToUlaw(0), 0xFF);
  // Segment ends: the largest codes decode to ±32124 (8031 at 14-bit scale × 4).
  EXPECT_EQ(g711::ulawToLinear(0x80), 32124);
  EXPECT_EQ(g711::ulawToLinear(0x00), -32124);
  EXPECT_EQ(g711::linearToUlaw(32767), 0x80);
  EXPECT_EQ(g711::linearToUlaw(-32768), 0x00);
  // First non-zero step: 0xFE is +8 (2 at 14-bit scale).
  EXPECT_EQ(g711::ulawToLinear(0xFE), 8);
  EXPECT_EQ(g711::ulawToLinear(0x7E), -8);
}

TEST(CodecG711, KnownAlawValues) {
  // G.711 Table 1a: 0xD5 is the smallest positive value (+1 at 13-bit scale, +8 at 16-bit),
  // 0x55 the smallest negative; the bits of the code are sent with even bits inverted.
  EXPECT_EQ(g711::alawToLinear(0xD5), 8);
  EXPECT_EQ(g711::alawToLinear(0x55), -8);
  EXPECT_EQ(g711::linearToAlaw(0), 0xD5);
  EXPECT_EQ(g711::linearToAlaw(-1), 0x55);
  // Largest magnitudes: 0xAA → +32256 (4032 × 8), 0x2A → -32256.
  EXPECT_EQ(g711::alawToLinear(0xAA), 32256);
  EXPECT_EQ(g711::alawToLinear(0x2A), -32256);
  EXPECT_EQ(g711::linearToAlaw(32767), 0xAA);
  EXPECT_EQ(g711::linearToAlaw(-32768), 0x2A);
}

TEST(CodecG711, EveryCodeSurvivesDecodeEncode) {
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<uint8_t>(c);
    if (code != 0x7F)  // µ-law -0 re-encodes as +0
      EXPECT_EQ(g711::linearToUlaw(g711::ulawToLinear(code)), code) << c;
    EXPECT_EQ(g711::linearToAlaw(g711::alawToLinear(code)), code) << c;
  }
}

TEST(CodecG711, EncodingIsMonotonic) {
  int16_t prevU = g711::ulawToLinear(g711::linearToUlaw(-32768));
  int16_t prevA = g711::alawToLinear(g711::linearToAlaw(-32768));
  for (int x = -32767; x <= 32767; ++x) {
    const int16_t u = g711::ulawToLinear(g711::linearToUlaw(static_cast<int16_t>(x)));
    const int16_t a = g711::alawToLinear(g711::linearToAlaw(static_cast<int16_t>(x)));
    ASSERT_GE(u, prevU) << x;
    ASSERT_GE(a, prevA) << x;
    prevU = u;
    prevA = a;
  }
}

class CodecG711RoundTrip : public ::testing::TestWithParam<CodecId> {};

TEST_P(CodecG711RoundTrip, SineKeepsSnrAbove30Db) {
  auto enc = makeEncoder(GetParam(), EncoderOptions{.inputRate = 8000, .frameMs = 20});
  auto dec = makeDecoder(GetParam(), 8000);
  ASSERT_EQ(enc->frameSamples(), 160u);
  const auto tone = generateTone(1004.0, 8000, 8000, 8000.0);  // about -12 dBov
  const auto payloads = encodeAll(*enc, tone);
  ASSERT_EQ(payloads.size(), 50u);
  EXPECT_EQ(payloads[0].size(), 160u);
  const auto out = decodeAll(*dec, payloads);
  ASSERT_EQ(out.size(), tone.size());
  const double snr = snrDb(tone, out, 0, tone.size());
  EXPECT_GT(snr, 30.0);
  EXPECT_NEAR(amplitudeDb(rms(out) / rms(tone)), 0.0, 0.1);
}

INSTANTIATE_TEST_SUITE_P(CodecG711Laws, CodecG711RoundTrip, ::testing::Values(CodecId::Pcmu, CodecId::Pcma));

TEST(CodecG711, ConcealContinuesThePitch) {
  auto enc = makeEncoder(CodecId::Pcmu, EncoderOptions{.inputRate = 8000, .frameMs = 20});
  auto dec = makeDecoder(CodecId::Pcmu, 8000);
  const auto tone = generateTone(500.0, 8000, 1600, 8000.0);
  const auto out = decodeAll(*dec, encodeAll(*enc, tone));
  ASSERT_EQ(out.size(), 1600u);
  std::array<int16_t, 160> fill{};
  ASSERT_EQ(dec->conceal(160, fill), 160);
  // The concealed frame repeats the last pitch period: most of the tone's energy remains.
  EXPECT_GT(powerDb(goertzelPower(fill, 500.0, 8000) / goertzelPower(tone, 500.0, 8000)), -3.0);
}

TEST(CodecG711, RejectsWhatDoesNotFit) {
  auto dec = makeDecoder(CodecId::Pcma, 8000);
  std::array<int16_t, 10> small{};
  std::array<uint8_t, 20> payload{};
  EXPECT_EQ(dec->decode(payload, small), -1);
  EXPECT_EQ(dec->decode({}, small), -1);
  auto enc = makeEncoder(CodecId::Pcma, EncoderOptions{.frameMs = 30});
  EXPECT_EQ(enc->frameSamples(), 240u);
  std::array<int16_t, 100> pcm{};
  std::array<uint8_t, 300> out{};
  EXPECT_EQ(enc->encode(pcm, out), -1);  // fewer samples than a frame
}

}  // namespace
}  // namespace rtcgate::codec
