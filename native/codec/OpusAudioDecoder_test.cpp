#include "codec/OpusAudioDecoder.hpp"

#include <gtest/gtest.h>

#include "codec/AudioCodec.hpp"
#include "codec/testing/CodecLoop.hpp"
#include "codec/testing/ToneAnalysis.hpp"

namespace rtcgate::codec {
namespace {

using namespace testing;

constexpr double kToneHz = 1000.0;
constexpr double kAmplitude = 8000.0;

std::vector<std::vector<uint8_t>> encodeTone(const EncoderOptions& opts, size_t ms) {
  auto enc = makeEncoder(CodecId::Opus, opts);
  const auto tone = generateTone(kToneHz, enc->inputRate(), ms * enc->inputRate() / 1000, kAmplitude);
  return encodeAll(*enc, tone);
}

// Tone power against the strongest of a set of other bins, and the tone's level against the
// input's, over the last 500 ms (the encoder has converged by then).
void expectCleanTone(std::span<const int16_t> out, uint32_t rate, double levelToleranceDb = 2.0) {
  const auto tail = out.last(rate / 2);
  const double tone = goertzelPower(tail, kToneHz, rate);
  double other = 0.0;
  for (double f : {300.0, 500.0, 750.0, 1500.0, 2000.0, 3000.0}) other = std::max(other, goertzelPower(tail, f, rate));
  EXPECT_GT(powerDb(tone / other), 30.0) << "at " << rate;
  EXPECT_NEAR(powerDb(tone / (kAmplitude * kAmplitude / 2)), 0.0, levelToleranceDb) << "at " << rate;
}

TEST(CodecOpus, Encode48kDecodeAt48kAnd8k) {
  const auto payloads = encodeTone(EncoderOptions{.inputRate = 48000, .frameMs = 20}, 1000);
  ASSERT_EQ(payloads.size(), 50u);
  for (uint32_t rate : {48000u, 8000u}) {
    auto dec = makeDecoder(CodecId::Opus, rate);
    const auto out = decodeAll(*dec, payloads);
    ASSERT_EQ(out.size(), 50u * rate / 50) << rate;
    expectCleanTone(out, rate);
  }
}

TEST(CodecOpus, Encode8kIsNarrowband) {
  const auto payloads = encodeTone(EncoderOptions{.inputRate = 8000, .frameMs = 20, .opusComplexity = 1}, 1000);
  ASSERT_EQ(payloads.size(), 50u);
  // TOC configs 0..3 are SILK narrowband (RFC 6716 §3.1 Table 2).
  EXPECT_LT(payloads.back()[0] >> 3, 4);
  auto dec = makeDecoder(CodecId::Opus, 8000);
  // SILK at complexity 1 codes a steady pure tone about 2 dB low (measured -2.1 dB).
  expectCleanTone(decodeAll(*dec, payloads), 8000, 3.0);
}

TEST(CodecOpus, FrameSizesFollowFrameMs) {
  auto enc = makeEncoder(CodecId::Opus, EncoderOptions{.inputRate = 16000, .frameMs = 60});
  EXPECT_EQ(enc->frameSamples(), 960u);
  EXPECT_EQ(enc->inputRate(), 16000u);
  EXPECT_EQ(makeEncoder(CodecId::Opus, EncoderOptions{})->inputRate(), 48000u);
  EXPECT_THROW(makeEncoder(CodecId::Opus, EncoderOptions{.frameMs = 30}), std::invalid_argument);
  EXPECT_THROW(makeEncoder(CodecId::Opus, EncoderOptions{.inputRate = 44100}), std::invalid_argument);
  EXPECT_THROW(makeEncoder(CodecId::Opus, EncoderOptions{.opusComplexity = 11}), std::invalid_argument);
  EXPECT_THROW(makeDecoder(CodecId::Opus, 44100), std::invalid_argument);
  for (uint32_t rate : {8000u, 12000u, 16000u, 24000u, 48000u}) EXPECT_EQ(makeDecoder(CodecId::Opus, rate)->outputRate(), rate);
}

TEST(CodecOpus, FecRecoversADroppedFrame) {
  const EncoderOptions opts{.inputRate = 16000, .frameMs = 20, .opusFec = true, .opusExpectedLossPercent = 10};
  const auto payloads = encodeTone(opts, 1000);
  ASSERT_EQ(payloads.size(), 50u);
  constexpr size_t kLost = 30;
  ASSERT_TRUE(OpusAudioDecoder::hasFec(payloads[kLost + 1]));

  // Reference: the same stream decoded without loss.
  auto ref = makeDecoder(CodecId::Opus, 16000);
  const auto clean = decodeAll(*ref, payloads);
  const auto cleanFrame = std::span(clean).subspan(kLost * 320, 320);

  auto dec = makeDecoder(CodecId::Opus, 16000);
  std::array<int16_t, kMaxFrameSamples> buf{};
  for (size_t i = 0; i < kLost; ++i) ASSERT_EQ(dec->decode(payloads[i], buf), 320);
  ASSERT_EQ(dec->decodeFec(payloads[kLost + 1], 320, buf), 320);
  const std::span<const int16_t> recovered(buf.data(), 320);
  EXPECT_NEAR(powerDb(goertzelPower(recovered, kToneHz, 16000) / goertzelPower(cleanFrame, kToneHz, 16000)), 0.0, 3.0);
  EXPECT_GT(bestLagCorrelation(cleanFrame.first(240), recovered, 40).correlation, 0.9);
  EXPECT_EQ(dec->decode(payloads[kLost + 1], buf), 320);  // the next packet still decodes normally
}

TEST(CodecOpus, NoFecWithoutLbrr) {
  const auto payloads = encodeTone(EncoderOptions{.inputRate = 16000, .opusFec = false}, 400);
  for (size_t i = 5; i < payloads.size(); ++i) EXPECT_FALSE(OpusAudioDecoder::hasFec(payloads[i])) << i;
  auto dec = makeDecoder(CodecId::Opus, 16000);
  std::array<int16_t, kMaxFrameSamples> buf{};
  EXPECT_EQ(dec->decodeFec(payloads.back(), 320, buf), -1);
  // CELT-only packets (fullband music-ish at high bitrate) never carry LBRR.
  const std::array<uint8_t, 3> celt{0xF8, 0xFF, 0xFE};  // config 31, code 0
  EXPECT_FALSE(OpusAudioDecoder::hasFec(celt));
}

TEST(CodecOpus, ConcealAnyLength) {
  auto dec = makeDecoder(CodecId::Opus, 8000);
  std::array<int16_t, kMaxFrameSamples> buf{};
  for (size_t n : {160u, 333u, 1u, 960u, 7u}) EXPECT_EQ(dec->conceal(n, buf), static_cast<int>(n)) << n;
  EXPECT_EQ(dec->conceal(10, std::span<int16_t>(buf).first(5)), -1);
}

TEST(CodecOpus, DtxSendsTinyPacketsInSilence) {
  auto enc = makeEncoder(CodecId::Opus, EncoderOptions{.inputRate = 16000, .opusDtx = true});
  const std::vector<int16_t> silence(16000, 0);
  const auto payloads = encodeAll(*enc, silence);
  ASSERT_EQ(payloads.size(), 50u);
  size_t tiny = 0;
  for (const auto& p : payloads) tiny += p.size() <= 2 ? 1 : 0;
  EXPECT_GT(tiny, 30u);
}

TEST(CodecOpus, DecodeRefusesWhatDoesNotFit) {
  const auto payloads = encodeTone(EncoderOptions{.inputRate = 48000}, 100);
  auto dec = makeDecoder(CodecId::Opus, 48000);
  std::array<int16_t, 480> small{};
  EXPECT_EQ(dec->decode(payloads[0], small), -1);  // a 20 ms frame is 960 samples
  EXPECT_EQ(dec->decode({}, small), -1);
}

}  // namespace
}  // namespace rtcgate::codec
