#pragma once
// ITU-T G.711 companding (µ-law and A-law) of 16-bit linear PCM, one sample at a time. Encoding
// finds the segment (exponent) with a 256-entry table; decoding is one 256-entry table lookup.
// The 16-bit scale is the standard's 14-bit (µ-law) / 13-bit (A-law) scale shifted left.
#include <cstdint>

namespace rtcgate::codec::g711 {

uint8_t linearToUlaw(int16_t sample) noexcept;
int16_t ulawToLinear(uint8_t code) noexcept;
uint8_t linearToAlaw(int16_t sample) noexcept;
int16_t alawToLinear(uint8_t code) noexcept;

}  // namespace rtcgate::codec::g711
