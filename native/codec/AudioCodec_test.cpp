#include "codec/AudioCodec.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace rtcgate::codec {
namespace {

constexpr std::array<CodecId, 5> kAll{CodecId::Pcmu, CodecId::Pcma, CodecId::G722, CodecId::Opus, CodecId::G729};

TEST(CodecFactory, NamesAndRates) {
  for (CodecId id : kAll) EXPECT_EQ(codecFromName(codecName(id)), id);
  EXPECT_EQ(codecFromName("pcmu"), CodecId::Pcmu);
  EXPECT_EQ(codecFromName("OPUS"), CodecId::Opus);
  EXPECT_EQ(codecFromName("g722"), CodecId::G722);
  EXPECT_EQ(codecFromName("telephone-event"), std::nullopt);
  EXPECT_EQ(codecFromName(""), std::nullopt);
  EXPECT_EQ(codecName(CodecId::Opus), "opus");
  EXPECT_EQ(rtpClockRate(CodecId::G722), 8000u);
  EXPECT_EQ(nativeSampleRate(CodecId::G722), 16000u);
  EXPECT_EQ(rtpClockRate(CodecId::Opus), 48000u);
  EXPECT_EQ(rtpClockRate(CodecId::Pcma), 8000u);
  EXPECT_EQ(nativeSampleRate(CodecId::G729), 8000u);
}

TEST(CodecFactory, RejectsUnsupportedRates) {
  EXPECT_THROW(makeDecoder(CodecId::Opus, 44100), std::invalid_argument);
  EXPECT_THROW(makeDecoder(CodecId::Pcmu, 16000), std::invalid_argument);
  EXPECT_THROW(makeDecoder(CodecId::Pcma, 48000), std::invalid_argument);
  EXPECT_THROW(makeDecoder(CodecId::G722, 48000), std::invalid_argument);
  EXPECT_THROW(makeDecoder(CodecId::G729, 16000), std::invalid_argument);
  EXPECT_THROW(makeEncoder(CodecId::Pcmu, EncoderOptions{.inputRate = 16000}), std::invalid_argument);
  EXPECT_THROW(makeEncoder(CodecId::Pcmu, EncoderOptions{.frameMs = 0}), std::invalid_argument);
  EXPECT_THROW(makeEncoder(CodecId::Opus, EncoderOptions{.inputRate = 44100}), std::invalid_argument);
  EXPECT_THROW(makeEncoder(CodecId::Opus, EncoderOptions{.opusBitrate = 1000}), std::invalid_argument);
}

TEST(CodecFactory, DefaultsToTheNativeRate) {
  for (CodecId id : kAll) {
    auto enc = makeEncoder(id, EncoderOptions{});
    EXPECT_EQ(enc->id(), id);
    EXPECT_EQ(enc->inputRate(), nativeSampleRate(id));
    EXPECT_EQ(enc->frameSamples(), nativeSampleRate(id) / 50);
    auto dec = makeDecoder(id, nativeSampleRate(id));
    EXPECT_EQ(dec->id(), id);
    EXPECT_EQ(dec->outputRate(), nativeSampleRate(id));
  }
}

TEST(CodecFactory, ConcealReturnsTheRequestedSamples) {
  std::vector<int16_t> out(kMaxFrameSamples);
  for (CodecId id : kAll) {
    auto dec = makeDecoder(id, nativeSampleRate(id));
    for (size_t n : {size_t{1}, size_t{80}, size_t{160}, size_t{321}, size_t{960}, kMaxFrameSamples})
      EXPECT_EQ(dec->conceal(n, out), static_cast<int>(n)) << codecName(id) << " " << n;
    if (id != CodecId::Opus) EXPECT_EQ(dec->decodeFec(std::vector<uint8_t>(20, 0), 160, out), -1) << codecName(id);
  }
}

// Hostile payloads: random lengths and bytes, interleaved with concealment. Each decode either
// refuses (-1) or yields samples that fit the buffer; nothing crashes (run under ASan in the
// fuzz build).
TEST(CodecFactory, GarbagePayloadsNeverCrash) {
  std::mt19937 rng(20261122);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> length(0, 400);
  std::vector<int16_t> out(kMaxFrameSamples);
  std::vector<uint8_t> payload;
  struct Case {
    CodecId id;
    uint32_t rate;
  };
  const std::array<Case, 8> cases{{{CodecId::Pcmu, 8000},
                                   {CodecId::Pcma, 8000},
                                   {CodecId::G722, 16000},
                                   {CodecId::G722, 8000},
                                   {CodecId::Opus, 48000},
                                   {CodecId::Opus, 8000},
                                   {CodecId::G729, 8000},
                                   {CodecId::Opus, 16000}}};
  for (const auto& c : cases) {
    auto dec = makeDecoder(c.id, c.rate);
    int refused = 0;
    for (int i = 0; i < 3000; ++i) {
      payload.resize(length(rng));
      for (auto& b : payload) b = static_cast<uint8_t>(byte(rng));
      const int n = dec->decode(payload, out);
      ASSERT_GE(n, -1);
      ASSERT_LE(n, static_cast<int>(out.size()));
      if (n < 0) {
        ++refused;
        ASSERT_EQ(dec->conceal(c.rate / 50, out), static_cast<int>(c.rate / 50));
      }
      const int f = dec->decodeFec(payload, c.rate / 50, out);
      ASSERT_TRUE(f == -1 || f == static_cast<int>(c.rate / 50));
    }
    // G.711/G.722 accept any non-empty payload; Opus and G.729 refuse most random ones.
    if (c.id == CodecId::Opus || c.id == CodecId::G729) EXPECT_GT(refused, 100) << codecName(c.id);
  }
}

}  // namespace
}  // namespace rtcgate::codec
