#pragma once
// Low-level noise to play on the other leg while a peer sends RFC 3389 comfort noise: white
// noise at the signalled level. Spectral shaping by the reflection coefficients is not done
// (a flat spectrum at the right level is what matters when bridging CN to a codec without it).
// Deterministic (xorshift PRNG, seedable), no allocation.
#include <cstdint>
#include <span>

namespace rtcgate::dtmf {

class ComfortNoiseGenerator {
 public:
  // `sampleRate` of the PCM produced: level changes are ramped over kLevelRamp at that rate so
  // that a new CN packet does not step the noise audibly. Throws std::invalid_argument on 0.
  explicit ComfortNoiseGenerator(uint32_t sampleRate, uint32_t seed = 0x2545F491u);

  // Noise level in -dBov (RFC 3389 §3.1); 127 or more: silence.
  void setLevel(uint8_t minusDbov) noexcept;
  uint8_t level() const noexcept { return level_; }

  // Fills `out` with noise (mono 16-bit PCM at the sample rate).
  void generate(std::span<int16_t> out) noexcept;

 private:
  static constexpr uint32_t kLevelRampMs = 20;

  float nextUniform() noexcept;  // in [-1, 1)

  uint32_t sampleRate_;
  uint32_t state_;
  uint8_t level_;
  float gain_ = 0;        // current peak of the uniform noise
  float targetGain_ = 0;
  float gainStep_ = 0;    // per sample while ramping
};

}  // namespace rtcgate::dtmf
