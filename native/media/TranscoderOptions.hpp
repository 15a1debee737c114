#pragma once
#include <cstdint>

#include "common/Time.hpp"

namespace rtcgate::media {

// Knobs of a transcoding bridge, from the control path ([rsmp] options and per-call policy).
struct TranscoderOptions {
  int opusComplexity = 5;   // 0..10: CPU against quality of the Opus encoder
  int opusBitrate = 0;      // bits/s; 0 = 32 kbit/s (libopus' own default is far lower for 8 kHz input)
  bool opusFec = true;      // RFC 7587 useinbandfec on what we send
  bool opusDtx = false;
  Duration jitterMinDelay = milliseconds(20);
  Duration jitterMaxDelay = milliseconds(300);
  Duration jitterInitialDelay = milliseconds(60);
};

}  // namespace rtcgate::media
