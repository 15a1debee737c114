#include "codec/G711.hpp"

#include <array>

namespace rtcgate::codec::g711 {
namespace {

// µ-law adds this bias before taking the segment so that every segment starts on a power of
// two (G.711 Table 2a: the 14-bit decision values are offset by 33, i.e. 132 at 16-bit scale).
constexpr int kUlawBias = 0x84;
// Largest magnitude that still fits once biased (32767 - 132): G.711 clips above it.
constexpr int kUlawClip = 32635;
// A-law transmits every even bit inverted (G.711 §3.3, "alternate digit inversion").
constexpr uint8_t kAlawInvertMask = 0x55;

// Index of the highest set bit of v (0 for v = 0 or 1): the segment number of a biased sample.
constexpr std::array<uint8_t, 256> makeSegmentTable() {
  std::array<uint8_t, 256> t{};
  for (int v = 2; v < 256; ++v) t[v] = static_cast<uint8_t>(t[v / 2] + 1);
  return t;
}
constexpr auto kSegment = makeSegmentTable();

constexpr int16_t decodeUlaw(uint8_t code) {
  const int v = static_cast<uint8_t>(~code);  // µ-law codes are sent inverted (G.711 §2.2)
  const int exponent = (v >> 4) & 0x07;
  const int mantissa = v & 0x0F;
  const int magnitude = (((mantissa << 3) + kUlawBias) << exponent) - kUlawBias;
  return static_cast<int16_t>((v & 0x80) ? -magnitude : magnitude);
}

constexpr int16_t decodeAlaw(uint8_t code) {
  const int v = code ^ kAlawInvertMask;
  const int exponent = (v >> 4) & 0x07;
  const int mantissa = v & 0x0F;
  // Reconstruct at the middle of the quantisation interval (+8 at 16-bit scale in segment 0).
  int magnitude = (mantissa << 4) + 8;
  if (exponent > 0) magnitude = (magnitude + 0x100) << (exponent - 1);
  // A-law's sign bit is 1 for positive values (G.711 Table 1a).
  return static_cast<int16_t>((v & 0x80) ? magnitude : -magnitude);
}

template <int16_t (*Decode)(uint8_t)>
constexpr std::array<int16_t, 256> makeDecodeTable() {
  std::array<int16_t, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = Decode(static_cast<uint8_t>(c));
  return t;
}
constexpr auto kUlawDecode = makeDecodeTable<decodeUlaw>();
constexpr auto kAlawDecode = makeDecodeTable<decodeAlaw>();

}  // namespace

uint8_t linearToUlaw(int16_t sample) noexcept {
  int x = sample;
  const uint8_t sign = x < 0 ? 0x80 : 0x00;
  if (x < 0) x = -x;
  if (x > kUlawClip) x = kUlawClip;
  x += kUlawBias;
  const int exponent = kSegment[x >> 7];
  const int mantissa = (x >> (exponent + 3)) & 0x0F;
  return static_cast<uint8_t>(~(sign | (exponent << 4) | mantissa));
}

int16_t ulawToLinear(uint8_t code) noexcept { return kUlawDecode[code]; }

uint8_t linearToAlaw(int16_t sample) noexcept {
  int x = sample;
  uint8_t sign = 0x80;  // positive
  if (x < 0) {
    sign = 0x00;
    x = -x - 1;  // one's complement keeps -32768 in range and mirrors the positive intervals
  }
  int exponent = 0;
  int mantissa = 0;
  if (x < 0x100) {
    mantissa = x >> 4;
  } else {
    exponent = kSegment[x >> 8] + 1;
    mantissa = (x >> (exponent + 3)) & 0x0F;
  }
  return static_cast<uint8_t>((sign | (exponent << 4) | mantissa) ^ kAlawInvertMask);
}

int16_t alawToLinear(uint8_t code) noexcept { return kAlawDecode[code]; }

}  // namespace rtcgate::codec::g711
