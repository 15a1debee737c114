#include "dtmf/ComfortNoise.hpp"

#include <algorithm>
#include <cmath>

namespace rtcgate::dtmf {

std::optional<ComfortNoise> ComfortNoise::parse(std::span<const uint8_t> payload) noexcept {
  ComfortNoiseParseError error;
  return parse(payload, error);
}

std::optional<ComfortNoise> ComfortNoise::parse(std::span<const uint8_t> payload,
                                                ComfortNoiseParseError& error) noexcept {
  if (payload.empty()) {
    error = ComfortNoiseParseError::Empty;
    return std::nullopt;
  }
  if (payload[0] & kNoiseLevelReservedBit) {
    error = ComfortNoiseParseError::ReservedBit;
    return std::nullopt;
  }
  error = ComfortNoiseParseError::None;
  ComfortNoise cn;
  cn.level = payload[0];
  cn.reflectionCoefficients = payload.subspan(1);
  return cn;
}

size_t ComfortNoise::write(std::span<uint8_t> out) const noexcept {
  if (out.empty()) return 0;
  out[0] = std::min(level, kMaxNoiseLevel);
  return 1;
}

double ComfortNoise::rmsForLevel(uint8_t minusDbov) noexcept {
  return kZeroDbovRms * std::pow(10.0, -double(std::min(minusDbov, kMaxNoiseLevel)) / 20.0);
}

uint8_t ComfortNoise::levelForRms(double rms) noexcept {
  if (!(rms > 0)) return kMaxNoiseLevel;
  const double db = -20.0 * std::log10(rms / kZeroDbovRms);
  return uint8_t(std::clamp(std::lround(db), 0L, long(kMaxNoiseLevel)));
}

}  // namespace rtcgate::dtmf
