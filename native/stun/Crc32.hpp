#pragma once
// CRC-32 (ISO-HDLC / IEEE 802.3, reflected polynomial 0xEDB88320), as RFC 5389 §15.5 asks for
// the STUN FINGERPRINT. Table-driven; the table is built at compile time.
#include <cstdint>
#include <span>

namespace rtcgate::stun {

// Continues a CRC: pass the previous result (0 to start), like zlib's crc32().
uint32_t crc32(std::span<const uint8_t> data, uint32_t previous = 0) noexcept;

}  // namespace rtcgate::stun
