#include "codec/G729Decoder.hpp"

#include <gtest/gtest.h>

extern "C" {
#include <bcg729/encoder.h>
}

#include <random>

#include "codec/AudioCodec.hpp"
#include "codec/testing/CodecLoop.hpp"
#include "codec/testing/ToneAnalysis.hpp"

namespace rtcgate::codec {
namespace {

using namespace testing;

// Voiced-speech stand-in: a 150 Hz fundamental's harmonics near the first formants.
constexpr std::array<double, 6> kSpeechLike{150.0, 300.0, 450.0, 750.0, 1200.0, 2400.0};

TEST(CodecG729, SpeechLikeRoundTripKeepsLevel) {
  auto enc = makeEncoder(CodecId::G729, EncoderOptions{.frameMs = 20});
  auto dec = makeDecoder(CodecId::G729, 8000);
  ASSERT_EQ(enc->frameSamples(), 160u);
  const auto in = generateMultiTone(kSpeechLike, 8000, 16000, 1500.0);
  const auto payloads = encodeAll(*enc, in);
  ASSERT_EQ(payloads.size(), 100u);
  EXPECT_EQ(payloads[0].size(), 20u);  // two 10-byte frames per 20 ms
  const auto out = decodeAll(*dec, payloads);
  ASSERT_EQ(out.size(), in.size());
  const auto inTail = std::span(in).subspan(4000);
  const auto outTail = std::span(out).subspan(4000);
  EXPECT_NEAR(amplitudeDb(rms(outTail) / rms(inTail)), 0.0, 3.0);
  // The strongest partials come through at their frequencies.
  for (double f : {150.0, 450.0, 750.0})
    EXPECT_NEAR(powerDb(goertzelPower(outTail, f, 8000) / goertzelPower(inTail, f, 8000)), 0.0, 4.0) << f;
}

TEST(CodecG729, TenMsAndSixtyMsFrames) {
  EXPECT_EQ(makeEncoder(CodecId::G729, EncoderOptions{.frameMs = 10})->frameSamples(), 80u);
  auto enc = makeEncoder(CodecId::G729, EncoderOptions{.frameMs = 60});
  std::vector<int16_t> pcm(480, 100);
  std::array<uint8_t, 100> out{};
  EXPECT_EQ(enc->encode(pcm, out), 60);
  EXPECT_THROW(makeEncoder(CodecId::G729, EncoderOptions{.frameMs = 25}), std::invalid_argument);
  EXPECT_THROW(makeEncoder(CodecId::G729, EncoderOptions{.inputRate = 16000}), std::invalid_argument);
  EXPECT_THROW(makeDecoder(CodecId::G729, 16000), std::invalid_argument);
}

// Real Annex B SID frames from bcg729 with VAD on, fed with quiet noise.
std::vector<std::array<uint8_t, 2>> makeSidFrames() {
  auto* enc = initBcg729EncoderChannel(1);
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 30.0);
  std::vector<std::array<uint8_t, 2>> sids;
  for (int f = 0; f < 300 && sids.size() < 5; ++f) {
    std::array<int16_t, 80> pcm{};
    for (auto& s : pcm) s = clampSample(noise(rng));
    std::array<uint8_t, 10> bits{};
    uint8_t len = 0;
    bcg729Encoder(enc, pcm.data(), bits.data(), &len);
    if (len == 2) sids.push_back({bits[0], bits[1]});
  }
  closeBcg729EncoderChannel(enc);
  return sids;
}

TEST(CodecG729, SidFramesBecomeComfortNoise) {
  const auto sids = makeSidFrames();
  ASSERT_FALSE(sids.empty());
  auto enc = makeEncoder(CodecId::G729, EncoderOptions{.frameMs = 20});
  auto dec = makeDecoder(CodecId::G729, 8000);
  const auto in = generateMultiTone(kSpeechLike, 8000, 1600, 1500.0);
  std::array<int16_t, kMaxFrameSamples> out{};
  for (const auto& p : encodeAll(*enc, in)) ASSERT_EQ(dec->decode(p, out), 160);

  // 20 ms of speech followed by a SID frame in one payload: 10 + 10 + 2 bytes → 30 ms.
  std::array<uint8_t, 20> speech{};
  ASSERT_EQ(enc->encode(std::span(in).first(160), speech), 20);
  std::vector<uint8_t> payload(speech.begin(), speech.end());
  payload.insert(payload.end(), sids[0].begin(), sids[0].end());
  ASSERT_EQ(dec->decode(payload, out), 240);

  // A SID-only payload: 10 ms of quiet comfort noise.
  for (const auto& sid : sids) {
    ASSERT_EQ(dec->decode(sid, out), 80);
    EXPECT_LT(rms(std::span<const int16_t>(out.data(), 80)), 500.0);
  }
}

TEST(CodecG729, RejectsOddLengths) {
  auto dec = makeDecoder(CodecId::G729, 8000);
  std::array<int16_t, kMaxFrameSamples> out{};
  std::array<uint8_t, 13> bad{};
  EXPECT_EQ(dec->decode(std::span<const uint8_t>(bad).first(5), out), -1);
  EXPECT_EQ(dec->decode(bad, out), -1);  // 10 + 3
  EXPECT_EQ(dec->decode({}, out), -1);
  std::array<uint8_t, 20> two{};
  EXPECT_EQ(dec->decode(two, std::span<int16_t>(out).first(100)), -1);  // needs 160
}

TEST(CodecG729, ConcealAnyLength) {
  auto dec = makeDecoder(CodecId::G729, 8000);
  std::array<int16_t, kMaxFrameSamples> out{};
  for (size_t n : {80u, 160u, 50u, 245u}) EXPECT_EQ(dec->conceal(n, out), static_cast<int>(n)) << n;
}

}  // namespace
}  // namespace rtcgate::codec
