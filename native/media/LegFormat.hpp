#pragma once
// How one leg of a bridge carries audio: the negotiated codec and payload types on that leg,
// and the SSRC the gateway sends with there. Filled by the control path from the SDP.
#include <cstdint>

#include "codec/AudioCodec.hpp"

namespace rtcgate::media {

struct LegFormat {
  codec::CodecId codec = codec::CodecId::Pcmu;
  uint8_t payloadType = 0;
  uint32_t clockRate = 8000;     // RTP clock of the codec on this leg
  uint32_t ptimeMs = 20;         // packet duration the gateway sends on this leg
  int telephoneEventPt = -1;     // RFC 4733 payload type on this leg, -1 when not negotiated
  uint32_t telephoneEventClockRate = 8000;
  int comfortNoisePt = -1;       // RFC 3389 payload type, -1 when not negotiated
  uint32_t ssrc = 0;             // what the gateway sends with on this leg
};

}  // namespace rtcgate::media
