#pragma once
// Audio-path measurement for bridge tests: a probe signal, an RTP sender that encodes it with
// our own codec classes, a decoder that lays what a leg received on a timeline, and the
// figures the quality tests assert (tone levels, residual, out-of-band probes, delay).
// Header-only test code: it allocates freely.
//
// Probe signal (same continuous-time signal at any sample rate, so the reference can be made
// at the output's rate):
//   [0, kChirpEnd)        linear chirp 300 → 3000 Hz: aperiodic, so cross-correlation finds
//                         one unambiguous delay (a multitone of 400/1000/2500 Hz repeats
//                         every 10 ms and would alias the delay search);
//   [kChirpEnd, kTonesStart) silence;
//   [kTonesStart, end)    the multitone under test, fixed phase per tone.
// Every tone is a multiple of 100 Hz, so the 1 s analysis window holds whole periods of each
// and Goertzel sees no leakage between them.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <span>
#include <vector>

#include "codec/AudioCodec.hpp"
#include "codec/testing/ToneAnalysis.hpp"
#include "common/Time.hpp"
#include "media/testing/FakeLeg.hpp"
#include "rtp/RtpHeaderWriter.hpp"

namespace rtcgate::media::testing {

inline constexpr double kChirpEnd = 0.25;     // s
inline constexpr double kTonesStart = 0.35;   // s
inline constexpr double kSettle = 0.5;        // s after kTonesStart before the window
inline constexpr double kWindow = 1.0;        // s analysed

inline double rampGain(double t, double start, double end, double ramp = 0.005) {
  if (t < start || t >= end) return 0.0;
  const double in = std::min(1.0, (t - start) / ramp);
  const double out = std::min(1.0, (end - t) / ramp);
  return std::min(in, out);
}

// Probe signal at `rate`: chirp, then the tones in `tones` (each of amplitude `amplitudeEach`)
// until `seconds`. The phase of each tone depends only on its frequency.
inline std::vector<int16_t> makeProbeSignal(uint32_t rate, std::span<const double> tones, double seconds,
                                            double amplitudeEach = 5000.0, double chirpAmplitude = 8000.0) {
  const size_t n = size_t(seconds * rate);
  std::vector<int16_t> out(n);
  constexpr double f0 = 300.0, f1 = 3000.0;
  for (size_t i = 0; i < n; ++i) {
    const double t = double(i) / rate;
    double v = 0.0;
    if (t < kChirpEnd) {
      const double phase = 2.0 * std::numbers::pi * (f0 * t + (f1 - f0) * t * t / (2.0 * kChirpEnd));
      v = chirpAmplitude * rampGain(t, 0.0, kChirpEnd) * std::sin(phase);
    } else {
      const double g = rampGain(t, kTonesStart, seconds);
      for (double f : tones) v += amplitudeEach * g * std::sin(2.0 * std::numbers::pi * f * t + f / 1000.0);
    }
    out[i] = codec::testing::clampSample(v);
  }
  return out;
}

// Encodes PCM with one of our encoders into RTP, one packet per frame, as a remote sender would.
class RtpAudioSender {
 public:
  RtpAudioSender(codec::CodecId id, const codec::EncoderOptions& options, uint8_t payloadType, uint32_t clockRate,
                 uint32_t ssrc, uint16_t firstSeq, uint32_t firstTimestamp)
      : encoder_(codec::makeEncoder(id, options)),
        pt_(payloadType),
        ssrc_(ssrc),
        seq_(firstSeq),
        firstTs_(firstTimestamp),
        tsStep_(clockRate * options.frameMs / 1000) {}

  size_t frameSamples() const noexcept { return encoder_->frameSamples(); }
  uint32_t timestampOfFrame(uint64_t k) const noexcept { return firstTs_ + uint32_t(k * tsStep_); }
  uint32_t timestampStep() const noexcept { return tsStep_; }

  // Frame k of `pcm` (zeros past its end), as an RTP datagram. Keeps the payload for tests
  // that compare what was relayed.
  std::vector<uint8_t> packetForFrame(std::span<const int16_t> pcm, uint64_t k, bool marker = false) {
    const size_t fs = frameSamples();
    std::vector<int16_t> frame(fs, 0);
    const size_t off = size_t(k) * fs;
    for (size_t i = 0; i < fs && off + i < pcm.size(); ++i) frame[i] = pcm[off + i];
    std::array<uint8_t, 1500> payload{};
    const int n = encoder_->encode(frame, payload);
    lastPayload_.assign(payload.begin(), payload.begin() + std::max(n, 0));
    return packet(pt_, marker, timestampOfFrame(k), lastPayload_);
  }
  // Any other packet of the same stream (telephone-event, comfort noise...): next sequence number.
  std::vector<uint8_t> packet(uint8_t pt, bool marker, uint32_t timestamp, std::span<const uint8_t> payload) {
    rtp::RtpHeaderFields h;
    h.marker = marker;
    h.payloadType = pt;
    h.sequenceNumber = seq_++;
    h.timestamp = timestamp;
    h.ssrc = ssrc_;
    return makeRtp(h, payload);
  }
  const std::vector<uint8_t>& lastPayload() const noexcept { return lastPayload_; }
  void setSsrc(uint32_t ssrc, uint16_t seq) noexcept {
    ssrc_ = ssrc;
    seq_ = seq;
  }

 private:
  std::unique_ptr<codec::AudioEncoder> encoder_;
  uint8_t pt_;
  uint32_t ssrc_;
  uint16_t seq_;
  uint32_t firstTs_;
  uint32_t tsStep_;
  std::vector<uint8_t> lastPayload_;
};

struct Timeline {
  std::vector<int16_t> pcm;  // sample i plays at origin + i / rate
  size_t packets = 0;
  size_t decodeErrors = 0;
};

// Decodes the packets of payload type `pt` a leg was sent and places each where a receiver
// would play it: the first packet at its send time (relative to `origin`), the others by RTP
// timestamp from there. Gaps stay silent.
inline Timeline decodeOnTimeline(const std::vector<SentRtp>& sent, uint8_t pt, codec::CodecId id, uint32_t clockRate,
                                 uint32_t rate, TimePoint origin, double seconds) {
  Timeline tl;
  tl.pcm.assign(size_t(seconds * rate), 0);
  auto dec = codec::makeDecoder(id, rate);
  std::array<int16_t, codec::kMaxFrameSamples> buf{};
  bool first = true;
  int64_t base = 0;
  uint32_t ts0 = 0;
  for (const auto& s : sent) {
    if (s.payloadType != pt) continue;
    if (first) {
      base = std::chrono::duration_cast<microseconds>(s.at - origin).count() * int64_t(rate) / 1'000'000;
      ts0 = s.timestamp;
      first = false;
    }
    const int n = dec->decode(s.payload, buf);
    if (n < 0) {
      ++tl.decodeErrors;
      continue;
    }
    ++tl.packets;
    const int64_t at = base + int64_t(int32_t(s.timestamp - ts0)) * int64_t(rate) / int64_t(clockRate);
    for (int i = 0; i < n; ++i) {
      const int64_t j = at + i;
      if (j >= 0 && size_t(j) < tl.pcm.size()) tl.pcm[size_t(j)] = buf[size_t(i)];
    }
  }
  return tl;
}

struct ToneLevel {
  double freq = 0;
  double inDb = 0;     // dB re full-scale sine power (32768²/2)
  double outDb = 0;
  double errorDb = 0;  // out − in
};

struct PathQuality {
  std::vector<ToneLevel> tones;
  double toneToResidualDb = 0;  // tone power / everything else in the window
  std::vector<std::pair<double, double>> probes;  // (freq, dB re mean tone power at the output)
  double delayMs = 0;
  double correlation = 0;
};

inline double fullScaleDb(double power) { return codec::testing::powerDb(power / (32768.0 * 32768.0 / 2.0)); }

// `reference`: the probe signal made at `rate` with only the tones expected at the output;
// `output`: the received timeline at `rate`, same origin. maxDelayMs bounds the delay search.
inline PathQuality measurePath(std::span<const int16_t> reference, std::span<const int16_t> output, uint32_t rate,
                               std::span<const double> expectedTones, std::span<const double> probeFreqs,
                               double maxDelayMs) {
  using namespace codec::testing;
  PathQuality q;
  const size_t chirpLen = size_t((kChirpEnd + 0.05) * rate);
  const int maxLag = int(maxDelayMs * rate / 1000.0);
  const LagCorrelation lc = bestLagCorrelation(reference.first(chirpLen), output, maxLag);
  q.delayMs = 1000.0 * lc.lag / rate;
  q.correlation = lc.correlation;

  const size_t w0 = size_t((kTonesStart + kSettle) * rate);
  const size_t wn = size_t(kWindow * rate);
  const auto ref = reference.subspan(w0, wn);
  const auto out = output.subspan(w0 + size_t(lc.lag), wn);
  double tonePower = 0;
  for (double f : expectedTones) {
    const double pi = goertzelPower(ref, f, rate);
    const double po = goertzelPower(out, f, rate);
    tonePower += po;
    q.tones.push_back({f, fullScaleDb(pi), fullScaleDb(po), powerDb(po / pi)});
  }
  const double total = rms(out) * rms(out);
  q.toneToResidualDb = powerDb(tonePower / std::max(total - tonePower, 1e-9));
  const double meanTone = tonePower / double(std::max<size_t>(expectedTones.size(), 1));
  for (double f : probeFreqs) q.probes.emplace_back(f, powerDb(goertzelPower(out, f, rate) / meanTone));
  return q;
}

}  // namespace rtcgate::media::testing
