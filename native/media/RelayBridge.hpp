#pragma once
// Relay: both legs speak the same codec, so packets are forwarded without decoding. Only the
// header changes: payload type numbers (each leg negotiated its own), the SSRC (the gateway's
// on the outgoing leg), and sequence numbers and timestamps, which stay continuous across a
// change of the incoming SSRC (RFC 3550 §8.2 collisions, a re-INVITE to a new source).
#include <array>
#include <cstdint>

#include "media/Bridge.hpp"
#include "media/LegFormat.hpp"

namespace rtcgate::media {

class RelayBridge final : public Bridge {
 public:
  RelayBridge(uint32_t id, MediaLeg& a, const LegFormat& formatA, MediaLeg& b, const LegFormat& formatB) noexcept;

  void onRtp(TimePoint now, uint32_t fromLeg, const rtp::RtpPacket& packet, io::TxQueue& tx) noexcept override;
  BridgeStats stats() const override;

 private:
  struct Direction {
    LegFormat in;
    LegFormat out;
    bool started = false;
    uint32_t inSsrc = 0;
    uint16_t seqOffset = 0;
    uint32_t tsOffset = 0;
    uint16_t lastOutSeq = 0;
    uint32_t lastOutTs = 0;
    TimePoint lastOutAt{};
    DirectionStats stats;
  };
  static constexpr size_t kMaxPacket = 1500;

  // The output payload type for an incoming one, or -1 when the other leg has no match.
  static int mapPayloadType(const Direction& d, uint8_t pt) noexcept;

  std::array<Direction, 2> dirs_;
};

}  // namespace rtcgate::media
