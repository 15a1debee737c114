#pragma once
// RFC 3389 comfort-noise payload: a noise level, then optional reflection coefficients that
// shape its spectrum.
//
//   byte 0: 0 | level (7 bits, in -dBov: 0 = overload point, 127 = -127 dBov)   §3.1
//   byte 1..M: reflection coefficients, one byte each, quantized                §3.2
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace rtcgate::dtmf {

inline constexpr uint8_t kMaxNoiseLevel = 127;      // RFC 3389 §3.1: 0 to -127 dBov
inline constexpr uint8_t kNoiseLevelReservedBit = 0x80;  // §3.1: MSB unused, always 0
// §3.1: 0 dBov is a full-scale square wave; with 16-bit linear samples its RMS is 32767.
inline constexpr double kZeroDbovRms = 32767.0;

enum class ComfortNoiseParseError {
  None,
  Empty,        // no level byte
  ReservedBit,  // MSB of the level byte set
};

struct ComfortNoise {
  uint8_t level = kMaxNoiseLevel;              // in -dBov (127 ≈ silence)
  std::span<const uint8_t> reflectionCoefficients;  // borrows the payload; may be empty

  static std::optional<ComfortNoise> parse(std::span<const uint8_t> payload) noexcept;
  static std::optional<ComfortNoise> parse(std::span<const uint8_t> payload, ComfortNoiseParseError& error) noexcept;

  // Writes the level byte only (no spectral information); returns 1, or 0 if `out` is empty.
  size_t write(std::span<uint8_t> out) const noexcept;

  // Linear RMS of 16-bit PCM at `minusDbov` below the overload point.
  static double rmsForLevel(uint8_t minusDbov) noexcept;
  // The level byte for a measured RMS (rounded; clamped to 0..127).
  static uint8_t levelForRms(double rms) noexcept;
};

}  // namespace rtcgate::dtmf
