#pragma once
// Per-direction figures of a bridge, mirrored in ts/engine/types.ts (BridgeStats).
#include <array>
#include <cstdint>
#include <string>

namespace rtcgate::media {

struct DirectionStats {
  uint32_t fromLeg = 0;
  uint32_t toLeg = 0;
  uint64_t packetsIn = 0;
  uint64_t packetsOut = 0;
  uint64_t dropped = 0;          // packets that could not be forwarded (no mapping, leg not ready)
  uint64_t dtmfEventsIn = 0;     // RFC 4733 events seen
  uint64_t comfortNoiseIn = 0;   // RFC 3389 packets seen (transcoding: played as noise in the gap)
  // Transcoding only (0 for relay):
  uint64_t framesDecoded = 0;
  uint64_t framesEncoded = 0;
  uint64_t concealedSamples = 0;  // PLC or FEC output, at the decoder rate
  uint64_t fecRecovered = 0;
  uint64_t decodeErrors = 0;
  double jitterBufferDelayMs = 0;   // current target delay
  double jitterMs = 0;              // interarrival jitter the buffer measured
  uint64_t jitterBufferLost = 0;
  uint64_t jitterBufferLate = 0;
  uint64_t jitterBufferDuplicates = 0;
  double mos = 0;                   // E-model estimate (ITU-T G.107), 0 when not computed
};

struct BridgeStats {
  uint32_t id = 0;
  std::string mode;  // "relay" | "transcode"
  std::array<DirectionStats, 2> directions{};  // [0]: a → b, [1]: b → a
};

}  // namespace rtcgate::media
