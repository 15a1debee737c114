#include "stun/Crc32.hpp"

#include <array>

namespace rtcgate::stun {
namespace {

constexpr uint32_t kPolynomial = 0xEDB88320;  // reflected form of 0x04C11DB7 (ITU-T V.42)

constexpr std::array<uint32_t, 256> makeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (kPolynomial ^ (c >> 1)) : (c >> 1);
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = makeTable();

}  // namespace

uint32_t crc32(std::span<const uint8_t> data, uint32_t previous) noexcept {
  uint32_t c = ~previous;
  for (uint8_t b : data) c = kTable[(c ^ b) & 0xff] ^ (c >> 8);
  return ~c;
}

}  // namespace rtcgate::stun
