#pragma once
// RFC 7983 §7: the first byte of a datagram on a WebRTC transport tells STUN, DTLS and RTP apart.
#include <cstdint>
#include <span>

namespace rtcgate {

enum class PacketKind { Stun, Dtls, Rtp, Rtcp, Unknown };

inline PacketKind classifyPacket(std::span<const uint8_t> p) noexcept {
  if (p.empty()) return PacketKind::Unknown;
  const uint8_t b = p[0];
  if (b <= 3) return PacketKind::Stun;                 // [0..3]
  if (b >= 20 && b <= 63) return PacketKind::Dtls;     // [20..63]
  if (b >= 128 && b <= 191) {                          // [128..191]: RTP or RTCP
    if (p.size() < 2) return PacketKind::Unknown;
    // RFC 5761 §4: payload types 64..95 (with the marker bit, 192..223) are RTCP packet types.
    const uint8_t pt = p[1] & 0x7f;
    return (pt >= 64 && pt <= 95) ? PacketKind::Rtcp : PacketKind::Rtp;
  }
  return PacketKind::Unknown;
}

}  // namespace rtcgate
