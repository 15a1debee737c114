#include "codec/G722Decoder.hpp"

#include <gtest/gtest.h>

#include "codec/AudioCodec.hpp"
#include "codec/testing/CodecLoop.hpp"
#include "codec/testing/ToneAnalysis.hpp"

namespace rtcgate::codec {
namespace {

using namespace testing;

// Measures the level change of a tone through a codec after finding its delay.
struct ToneResult {
  int lag;
  double correlation;
  double levelDb;      // output tone power against input tone power
  double purityDb;     // tone power against total output power
};

ToneResult measure(std::span<const int16_t> in, std::span<const int16_t> out, double freq, uint32_t rate, int maxLag) {
  // Skip the first 100 ms: codec start-up and adaptation.
  const size_t skip = rate / 10;
  const auto ref = in.subspan(skip);
  const auto lc = bestLagCorrelation(ref, out.subspan(skip), maxLag);
  const auto aligned = out.subspan(skip + static_cast<size_t>(lc.lag), ref.size() - static_cast<size_t>(maxLag));
  const auto refCut = ref.first(aligned.size());
  const double pOut = goertzelPower(aligned, freq, rate);
  return {lc.lag, lc.correlation, powerDb(pOut / goertzelPower(refCut, freq, rate)),
          powerDb(pOut / (rms(aligned) * rms(aligned)))};
}

TEST(CodecG722, WidebandToneKeepsItsLevel) {
  auto enc = makeEncoder(CodecId::G722, EncoderOptions{.frameMs = 20});
  auto dec = makeDecoder(CodecId::G722, 16000);
  ASSERT_EQ(enc->inputRate(), 16000u);
  ASSERT_EQ(enc->frameSamples(), 320u);
  const auto tone = generateTone(1000.0, 16000, 16000, 8000.0);
  const auto payloads = encodeAll(*enc, tone);
  ASSERT_EQ(payloads.size(), 50u);
  EXPECT_EQ(payloads[0].size(), 160u);  // 64 kbit/s × 20 ms
  const auto out = decodeAll(*dec, payloads);
  ASSERT_EQ(out.size(), tone.size());
  const auto r = measure(tone, out, 1000.0, 16000, 100);
  EXPECT_GT(r.correlation, 0.99);
  EXPECT_NEAR(r.levelDb, 0.0, 1.0);
  EXPECT_GT(r.purityDb, -0.5);
}

TEST(CodecG722, DelayIsTheQmfPair) {
  // A multitone has no short period, so the correlation peak is the true delay.
  const std::array<double, 5> freqs{310.0, 770.0, 1330.0, 2210.0, 5470.0};
  auto enc = makeEncoder(CodecId::G722, EncoderOptions{.frameMs = 20});
  auto dec = makeDecoder(CodecId::G722, 16000);
  const auto in = generateMultiTone(freqs, 16000, 16000, 2500.0);
  const auto out = decodeAll(*dec, encodeAll(*enc, in));
  const auto lc = bestLagCorrelation(std::span(in).subspan(1600), std::span(out).subspan(1600), 100);
  EXPECT_GT(lc.correlation, 0.98);
  // Transmit QMF + receive QMF, 24 taps each (G.722 §1.4.3/§1.4.4): 22 samples at 16 kHz.
  EXPECT_EQ(lc.lag, 22);
}

TEST(CodecG722, HighBandToneSurvives) {
  // 6 kHz exists only in G.722's upper sub-band: proves the wideband path is really used.
  auto enc = makeEncoder(CodecId::G722, EncoderOptions{.frameMs = 20});
  auto dec = makeDecoder(CodecId::G722, 16000);
  const auto tone = generateTone(6000.0, 16000, 16000, 8000.0);
  const auto out = decodeAll(*dec, encodeAll(*enc, tone));
  const auto r = measure(tone, out, 6000.0, 16000, 100);
  EXPECT_NEAR(r.levelDb, 0.0, 2.0);
}

TEST(CodecG722, NarrowbandModeAt8kHz) {
  // 8 kHz in, 8 kHz out (spandsp's G722_SAMPLE_RATE_8000): a G.711 leg needs no resampler.
  auto enc = makeEncoder(CodecId::G722, EncoderOptions{.inputRate = 8000, .frameMs = 20});
  auto dec = makeDecoder(CodecId::G722, 8000);
  ASSERT_EQ(enc->frameSamples(), 160u);
  const auto tone = generateTone(1000.0, 8000, 8000, 8000.0);
  const auto payloads = encodeAll(*enc, tone);
  ASSERT_EQ(payloads[0].size(), 160u);  // still 64 kbit/s on the wire
  const auto out = decodeAll(*dec, payloads);
  ASSERT_EQ(out.size(), tone.size());
  const auto r = measure(tone, out, 1000.0, 8000, 50);
  EXPECT_GT(r.correlation, 0.98);
  EXPECT_NEAR(r.levelDb, 0.0, 1.0);
}

TEST(CodecG722, WidebandStreamDecodedAt8kHz) {
  auto enc = makeEncoder(CodecId::G722, EncoderOptions{.frameMs = 20});
  auto dec = makeDecoder(CodecId::G722, 8000);
  const auto tone16 = generateTone(1000.0, 16000, 16000, 8000.0);
  const auto out = decodeAll(*dec, encodeAll(*enc, tone16));
  ASSERT_EQ(out.size(), 8000u);
  const auto tone8 = generateTone(1000.0, 8000, 8000, 8000.0);
  const auto r = measure(tone8, out, 1000.0, 8000, 50);
  EXPECT_NEAR(r.levelDb, 0.0, 1.0);
}

TEST(CodecG722, RejectsUnsupported) {
  EXPECT_THROW(makeDecoder(CodecId::G722, 48000), std::invalid_argument);
  EXPECT_THROW(makeEncoder(CodecId::G722, EncoderOptions{.inputRate = 48000}), std::invalid_argument);
  auto dec = makeDecoder(CodecId::G722, 16000);
  std::array<uint8_t, 160> payload{};
  std::array<int16_t, 200> small{};
  EXPECT_EQ(dec->decode(payload, small), -1);  // 160 bytes decode to 320 samples
}

}  // namespace
}  // namespace rtcgate::codec
