// Micro-benchmark (not a test): cost per 20 ms frame of each codec operation through rtcgate's
// codec wrappers (native/codec) and through the bare library call, measured in the same run so
// the ratio wrapper/bare is the overhead our layer adds. Build with -DRTCGATE_BENCH=ON, run
// ./codec_bench [runs] [framesPerRun]. Prints a Markdown table.
//
// Method: every case is warmed up, then timed as `runs` runs of `framesPerRun` frames each with
// std::chrono::steady_clock; the figure is the median over runs of (run time / frames). Wrapper
// and bare runs alternate so both see the same machine state.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "codec/AudioCodec.hpp"
#include "codec/Resampler.hpp"

#include <opus.h>
#include <speex/speex_resampler.h>
// spandsp's headers come last: they need <cmath> seen first, and g711.h needs top_bit().
#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
#include <spandsp/g722.h>
extern "C" {
#include <bcg729/decoder.h>
#include <bcg729/encoder.h>
}

namespace {

using namespace rtcgate::codec;
using Clock = std::chrono::steady_clock;

volatile int gSink = 0;  // keeps results alive so the optimiser cannot drop the work

// One second of a speech-like signal at `rate`: a few harmonics of 140 Hz plus light noise,
// so encoders do real work (a pure tone or silence would flatter them).
std::vector<int16_t> speechLike(uint32_t rate) {
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0.0, 150.0);
  std::vector<int16_t> out(rate);
  for (size_t n = 0; n < out.size(); ++n) {
    double v = noise(rng);
    for (int h = 1; h <= 12; ++h) v += 4000.0 / h * std::sin(2.0 * std::numbers::pi * 140.0 * h * n / rate + h);
    out[n] = static_cast<int16_t>(std::clamp(v, -32768.0, 32767.0));
  }
  return out;
}

struct Result {
  std::string name;
  double wrapperUs;  // median over runs
  double bareUs;
  double wrapperMinUs;  // fastest run: less sensitive to other load on a shared machine
  double bareMinUs;
};

// Times `frame(i)` over `frames` calls per run; returns the median µs per call.
double medianUsPerFrame(const std::function<void(size_t)>& frame, int runs, size_t frames, std::vector<double>& samples) {
  samples.clear();
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    for (size_t i = 0; i < frames; ++i) frame(i);
    const auto t1 = Clock::now();
    samples.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / static_cast<double>(frames));
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

Result compare(const std::string& name, const std::function<void(size_t)>& wrapper, const std::function<void(size_t)>& bare,
               int runs, size_t frames) {
  for (size_t i = 0; i < frames; ++i) wrapper(i);  // warm-up: caches, branch predictors, codec state
  for (size_t i = 0; i < frames; ++i) bare(i);
  std::vector<double> w, b, scratch;
  for (int r = 0; r < runs; ++r) {  // alternate one run of each
    w.push_back(medianUsPerFrame(wrapper, 1, frames, scratch));
    b.push_back(medianUsPerFrame(bare, 1, frames, scratch));
  }
  std::sort(w.begin(), w.end());
  std::sort(b.begin(), b.end());
  return {name, w[w.size() / 2], b[b.size() / 2], w.front(), b.front()};
}

// 20 ms frames of `pcm`, cycling through the one-second signal.
std::span<const int16_t> frameAt(const std::vector<int16_t>& pcm, size_t samplesPerFrame, size_t i) {
  const size_t frames = pcm.size() / samplesPerFrame;
  return std::span(pcm).subspan((i % frames) * samplesPerFrame, samplesPerFrame);
}

OpusEncoder* bareOpusEncoder(uint32_t rate, int complexity) {
  int err = 0;
  OpusEncoder* e = opus_encoder_create(static_cast<opus_int32>(rate), 1, OPUS_APPLICATION_VOIP, &err);
  // The same settings as OpusAudioEncoder with default EncoderOptions.
  opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(complexity));
  opus_encoder_ctl(e, OPUS_SET_BITRATE(OPUS_AUTO));
  opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(rate == 8000 ? OPUS_BANDWIDTH_NARROWBAND
                                             : rate == 16000 ? OPUS_BANDWIDTH_WIDEBAND
                                                             : OPUS_BANDWIDTH_FULLBAND));
  opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(1));
  opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(5));
  opus_encoder_ctl(e, OPUS_SET_DTX(0));
  return e;
}

Result opusEncode(uint32_t rate, int complexity, int runs, size_t frames) {
  const auto pcm = speechLike(rate);
  const size_t n = rate / 50;
  auto enc = makeEncoder(CodecId::Opus, EncoderOptions{.inputRate = rate, .frameMs = 20, .opusComplexity = complexity});
  OpusEncoder* bare = bareOpusEncoder(rate, complexity);
  std::array<uint8_t, 1500> out{};
  auto r = compare(
      "Opus encode, " + std::to_string(rate / 1000) + " kHz input, complexity " + std::to_string(complexity),
      [&](size_t i) { gSink = enc->encode(frameAt(pcm, n, i), out); },
      [&](size_t i) { gSink = opus_encode(bare, frameAt(pcm, n, i).data(), static_cast<int>(n), out.data(), out.size()); },
      runs, frames);
  opus_encoder_destroy(bare);
  return r;
}

Result opusDecode(uint32_t outRate, int runs, size_t frames) {
  // Packets as a browser would send them: 48 kHz input, 20 ms, complexity 5.
  const auto pcm = speechLike(48000);
  auto enc = makeEncoder(CodecId::Opus, EncoderOptions{.inputRate = 48000, .frameMs = 20});
  std::vector<std::vector<uint8_t>> packets;
  std::array<uint8_t, 1500> buf{};
  for (size_t i = 0; i < 50; ++i) {
    const int len = enc->encode(frameAt(pcm, 960, i), buf);
    packets.emplace_back(buf.begin(), buf.begin() + len);
  }
  auto dec = makeDecoder(CodecId::Opus, outRate);
  int err = 0;
  OpusDecoder* bare = opus_decoder_create(static_cast<opus_int32>(outRate), 1, &err);
  std::array<int16_t, kMaxFrameSamples> out{};
  auto r = compare(
      "Opus decode to " + std::to_string(outRate / 1000) + " kHz",
      [&](size_t i) { gSink = dec->decode(packets[i % packets.size()], out); },
      [&](size_t i) {
        const auto& p = packets[i % packets.size()];
        gSink = opus_decode(bare, p.data(), static_cast<opus_int32>(p.size()), out.data(), kMaxFrameSamples, 0);
      },
      runs, frames);
  opus_decoder_destroy(bare);
  return r;
}

Result g711(int runs, size_t frames) {
  const auto pcm = speechLike(8000);
  auto enc = makeEncoder(CodecId::Pcmu, EncoderOptions{.inputRate = 8000, .frameMs = 20});
  auto dec = makeDecoder(CodecId::Pcmu, 8000);
  std::array<uint8_t, 160> bytes{};
  std::array<int16_t, 160> out{};
  // "Bare" G.711 is spandsp's inline companders: our tables replace them, so this is the
  // reference an off-the-shelf implementation would cost (our decoder also feeds the PLC history).
  return compare(
      "G.711 µ-law encode + decode",
      [&](size_t i) {
        enc->encode(frameAt(pcm, 160, i), bytes);
        gSink = dec->decode(bytes, out);
      },
      [&](size_t i) {
        const auto in = frameAt(pcm, 160, i);
        for (size_t k = 0; k < 160; ++k) bytes[k] = linear_to_ulaw(in[k]);
        for (size_t k = 0; k < 160; ++k) out[k] = ulaw_to_linear(bytes[k]);
        gSink = out[7];
      },
      runs, frames);
}

Result g722(int runs, size_t frames) {
  const auto pcm = speechLike(16000);
  auto enc = makeEncoder(CodecId::G722, EncoderOptions{.frameMs = 20});
  auto dec = makeDecoder(CodecId::G722, 16000);
  g722_encode_state_t* be = g722_encode_init(nullptr, 64000, 0);
  g722_decode_state_t* bd = g722_decode_init(nullptr, 64000, 0);
  std::array<uint8_t, 160> bytes{};
  std::array<int16_t, 320> out{};
  auto r = compare(
      "G.722 encode + decode (16 kHz)",
      [&](size_t i) {
        enc->encode(frameAt(pcm, 320, i), bytes);
        gSink = dec->decode(bytes, out);
      },
      [&](size_t i) {
        g722_encode(be, bytes.data(), frameAt(pcm, 320, i).data(), 320);
        gSink = g722_decode(bd, out.data(), bytes.data(), 160);
      },
      runs, frames);
  g722_encode_free(be);
  g722_decode_free(bd);
  return r;
}

Result g729(int runs, size_t frames) {
  const auto pcm = speechLike(8000);
  auto enc = makeEncoder(CodecId::G729, EncoderOptions{.frameMs = 20});
  auto dec = makeDecoder(CodecId::G729, 8000);
  auto* be = initBcg729EncoderChannel(0);
  auto* bd = initBcg729DecoderChannel();
  std::array<uint8_t, 20> bytes{};
  std::array<int16_t, 160> out{};
  auto r = compare(
      "G.729 encode + decode",
      [&](size_t i) {
        enc->encode(frameAt(pcm, 160, i), bytes);
        gSink = dec->decode(bytes, out);
      },
      [&](size_t i) {
        const auto in = frameAt(pcm, 160, i);
        uint8_t len = 0;
        bcg729Encoder(be, in.data(), bytes.data(), &len);
        bcg729Encoder(be, in.data() + 80, bytes.data() + 10, &len);
        bcg729Decoder(bd, bytes.data(), 10, 0, 0, 0, out.data());
        bcg729Decoder(bd, bytes.data() + 10, 10, 0, 0, 0, out.data() + 80);
        gSink = out[3];
      },
      runs, frames);
  closeBcg729EncoderChannel(be);
  closeBcg729DecoderChannel(bd);
  return r;
}

Result resample(uint32_t inRate, uint32_t outRate, int runs, size_t frames) {
  const auto pcm = speechLike(inRate);
  const size_t n = inRate / 50;
  Resampler ours(inRate, outRate);
  int err = 0;
  SpeexResamplerState* bare = speex_resampler_init(1, inRate, outRate, Resampler::kDefaultQuality, &err);
  std::vector<int16_t> out(ours.maxOutput(n));
  auto r = compare(
      "speexdsp resample " + std::to_string(inRate / 1000) + "k→" + std::to_string(outRate / 1000) + "k (q3)",
      [&](size_t i) { gSink = static_cast<int>(ours.process(frameAt(pcm, n, i), out)); },
      [&](size_t i) {
        spx_uint32_t inLen = static_cast<spx_uint32_t>(n), outLen = static_cast<spx_uint32_t>(out.size());
        speex_resampler_process_int(bare, 0, frameAt(pcm, n, i).data(), &inLen, out.data(), &outLen);
        gSink = static_cast<int>(outLen);
      },
      runs, frames);
  speex_resampler_destroy(bare);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 15;
  const size_t frames = argc > 2 ? static_cast<size_t>(std::atol(argv[2])) : 500;
  std::vector<Result> results;
  results.push_back(opusEncode(8000, 5, runs, frames));
  results.push_back(opusEncode(8000, 1, runs, frames));
  results.push_back(opusEncode(48000, 5, runs, frames));
  results.push_back(opusDecode(8000, runs, frames));
  results.push_back(opusDecode(48000, runs, frames));
  results.push_back(g711(runs, frames * 10));
  results.push_back(g722(runs, frames));
  results.push_back(g729(runs, frames));
  results.push_back(resample(48000, 8000, runs, frames));
  results.push_back(resample(8000, 48000, runs, frames));

  std::printf("Cost per 20 ms frame (µs), median of %d runs × %zu frames (G.711: × %zu), after warm-up.\n\n", runs, frames,
              frames * 10);
  std::printf("| work | rtcgate wrapper (µs) | bare library (µs) | ratio wrapper/bare | ratio of fastest runs |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: |\n");
  for (const auto& r : results)
    std::printf("| %s | %.2f | %.2f | %.2f | %.2f |\n", r.name.c_str(), r.wrapperUs, r.bareUs, r.wrapperUs / r.bareUs,
                r.wrapperMinUs / r.bareMinUs);
  return 0;
}
