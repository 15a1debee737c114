#pragma once
// Signal measurements for audio quality tests: tone generation, single-bin power (Goertzel),
// RMS level and delay search by normalised cross-correlation. Header-only, test code only.
//
// Power convention: goertzelPower() returns the mean power of the component at one frequency,
// on the same scale as rms()², so a pure tone of amplitude A gives A²/2 from both and
// dB(goertzelPower / rms²) is the share of the signal's energy found at that frequency.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

namespace rtcgate::codec::testing {

inline int16_t clampSample(double v) {
  return static_cast<int16_t>(std::lround(std::clamp(v, -32768.0, 32767.0)));
}

// `samples` samples of amplitude·sin(2π·freq·n/rate + phase).
inline std::vector<int16_t> generateTone(double freq, uint32_t rate, size_t samples, double amplitude,
                                         double phase = 0.0) {
  std::vector<int16_t> out(samples);
  const double w = 2.0 * std::numbers::pi * freq / rate;
  for (size_t n = 0; n < samples; ++n) out[n] = clampSample(amplitude * std::sin(w * static_cast<double>(n) + phase));
  return out;
}

// Sum of tones of equal amplitude (each `amplitudeEach`), phases spread so the peaks do not
// line up: a crude stand-in for voiced speech.
inline std::vector<int16_t> generateMultiTone(std::span<const double> freqs, uint32_t rate, size_t samples,
                                              double amplitudeEach) {
  std::vector<double> acc(samples, 0.0);
  for (size_t k = 0; k < freqs.size(); ++k) {
    const double w = 2.0 * std::numbers::pi * freqs[k] / rate;
    const double phase = 2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(freqs.size());
    for (size_t n = 0; n < samples; ++n) acc[n] += amplitudeEach * std::sin(w * static_cast<double>(n) + phase);
  }
  std::vector<int16_t> out(samples);
  std::transform(acc.begin(), acc.end(), out.begin(), clampSample);
  return out;
}

// Mean power at `freq` (Goertzel, one DFT bin at an arbitrary frequency). Use a block holding
// many periods; leakage from other tones falls as 1/N.
inline double goertzelPower(std::span<const int16_t> x, double freq, uint32_t rate) {
  if (x.empty()) return 0.0;
  const double w = 2.0 * std::numbers::pi * freq / rate;
  const double coeff = 2.0 * std::cos(w);
  double s1 = 0.0, s2 = 0.0;
  for (int16_t v : x) {
    const double s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double magnitudeSquared = s1 * s1 + s2 * s2 - coeff * s1 * s2;  // |X(freq)|²
  const double n = static_cast<double>(x.size());
  // |X|² = (A·N/2)² for a tone of amplitude A; scale to A²/2.
  return 2.0 * magnitudeSquared / (n * n);
}

inline double rms(std::span<const int16_t> x) {
  if (x.empty()) return 0.0;
  double sum = 0.0;
  for (int16_t v : x) sum += static_cast<double>(v) * v;
  return std::sqrt(sum / static_cast<double>(x.size()));
}

inline double powerDb(double ratio) { return 10.0 * std::log10(std::max(ratio, 1e-30)); }
inline double amplitudeDb(double ratio) { return 20.0 * std::log10(std::max(ratio, 1e-30)); }

struct LagCorrelation {
  int lag = 0;               // signal[n + lag] lines up with reference[n]
  double correlation = 0.0;  // normalised, -1..1
};

// Finds the delay 0..maxLag of `signal` against `reference` with the highest normalised
// correlation over the overlap (the first reference.size() - maxLag samples of reference).
inline LagCorrelation bestLagCorrelation(std::span<const int16_t> reference, std::span<const int16_t> signal,
                                         int maxLag) {
  LagCorrelation best{0, -2.0};
  if (maxLag < 0) return best;
  const size_t len = std::min(reference.size(), signal.size() > static_cast<size_t>(maxLag)
                                                    ? signal.size() - static_cast<size_t>(maxLag)
                                                    : size_t{0});
  if (len == 0) return best;
  double refEnergy = 0.0;
  for (size_t n = 0; n < len; ++n) refEnergy += static_cast<double>(reference[n]) * reference[n];
  for (int lag = 0; lag <= maxLag; ++lag) {
    double cross = 0.0, sigEnergy = 0.0;
    for (size_t n = 0; n < len; ++n) {
      const double s = signal[n + static_cast<size_t>(lag)];
      cross += reference[n] * s;
      sigEnergy += s * s;
    }
    const double denom = std::sqrt(refEnergy * sigEnergy);
    const double c = denom > 0.0 ? cross / denom : 0.0;
    if (c > best.correlation) best = {lag, c};
  }
  return best;
}

// Signal-to-noise ratio in dB of `signal` against `reference` delayed by `lag`, over `len`
// samples: noise is the sample-by-sample difference.
inline double snrDb(std::span<const int16_t> reference, std::span<const int16_t> signal, int lag, size_t len) {
  double sig = 0.0, noise = 0.0;
  for (size_t n = 0; n < len && n < reference.size() && n + static_cast<size_t>(lag) < signal.size(); ++n) {
    const double r = reference[n];
    const double d = signal[n + static_cast<size_t>(lag)] - r;
    sig += r * r;
    noise += d * d;
  }
  return powerDb(sig / std::max(noise, 1e-9));
}

}  // namespace rtcgate::codec::testing
