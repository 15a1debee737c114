#include "dtmf/ComfortNoiseGenerator.hpp"

#include <cmath>
#include <stdexcept>

#include "dtmf/ComfortNoise.hpp"

namespace rtcgate::dtmf {
namespace {
// Uniform noise in [-a, a] has an RMS of a/√3: the peak that gives a wanted RMS.
constexpr float kUniformPeakPerRms = 1.7320508f;
}

ComfortNoiseGenerator::ComfortNoiseGenerator(uint32_t sampleRate, uint32_t seed)
    : sampleRate_(sampleRate), state_(seed ? seed : 1u), level_(kMaxNoiseLevel) {
  if (sampleRate == 0) throw std::invalid_argument("ComfortNoiseGenerator: sample rate 0");
}

void ComfortNoiseGenerator::setLevel(uint8_t minusDbov) noexcept {
  level_ = minusDbov > kMaxNoiseLevel ? kMaxNoiseLevel : minusDbov;
  targetGain_ = level_ >= kMaxNoiseLevel ? 0.f : float(ComfortNoise::rmsForLevel(level_)) * kUniformPeakPerRms;
  const uint32_t rampSamples = sampleRate_ * kLevelRampMs / 1000;
  gainStep_ = (targetGain_ - gain_) / float(rampSamples ? rampSamples : 1);
}

float ComfortNoiseGenerator::nextUniform() noexcept {
  // xorshift32 (Marsaglia 2003): period 2^32-1, good enough for noise nobody listens to closely.
  state_ ^= state_ << 13;
  state_ ^= state_ >> 17;
  state_ ^= state_ << 5;
  return float(int32_t(state_)) * (1.0f / 2147483648.0f);
}

void ComfortNoiseGenerator::generate(std::span<int16_t> out) noexcept {
  for (int16_t& s : out) {
    if (gain_ != targetGain_) {
      gain_ += gainStep_;
      if ((gainStep_ > 0 && gain_ > targetGain_) || (gainStep_ < 0 && gain_ < targetGain_) || gainStep_ == 0)
        gain_ = targetGain_;
    }
    const float v = std::nearbyint(nextUniform() * gain_);
    s = int16_t(v > 32767.f ? 32767.f : (v < -32768.f ? -32768.f : v));
  }
}

}  // namespace rtcgate::dtmf
