#pragma once
// Big-endian loads and stores for wire fields: no structs laid over packet bytes.
#include <cstdint>

namespace rtcgate {

inline uint16_t load16(const uint8_t* p) noexcept { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load24(const uint8_t* p) noexcept { return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]; }
inline uint32_t load32(const uint8_t* p) noexcept {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint64_t load64(const uint8_t* p) noexcept { return uint64_t(load32(p)) << 32 | load32(p + 4); }

inline void store16(uint8_t* p, uint16_t v) noexcept { p[0] = uint8_t(v >> 8); p[1] = uint8_t(v); }
inline void store24(uint8_t* p, uint32_t v) noexcept {
  p[0] = uint8_t(v >> 16); p[1] = uint8_t(v >> 8); p[2] = uint8_t(v);
}
inline void store32(uint8_t* p, uint32_t v) noexcept {
  p[0] = uint8_t(v >> 24); p[1] = uint8_t(v >> 16); p[2] = uint8_t(v >> 8); p[3] = uint8_t(v);
}
inline void store64(uint8_t* p, uint64_t v) noexcept { store32(p, uint32_t(v >> 32)); store32(p + 4, uint32_t(v)); }

}  // namespace rtcgate
