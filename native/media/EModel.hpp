#pragma once
// A listening-quality estimate from the ITU-T G.107 E-model, reduced to what a bridge can see:
// the codec, the packet loss it measured and the one-way delay it adds or observes. The figure
// is an estimate for monitoring (MOS-CQE), not a perceptual measurement.
#include "codec/AudioCodec.hpp"

namespace rtcgate::media {

struct EModelInput {
  codec::CodecId codec;
  double lossPercent = 0;   // random packet loss as seen after the jitter buffer
  double delayMs = 0;       // one-way mouth-to-ear delay estimate
  bool plc = true;          // the decoder conceals losses
};

// G.107 §7: R = Ro − Is − Id − Ie,eff + A with the default Ro − Is = 93.2 and A = 0.
double eModelRating(const EModelInput& in) noexcept;
// G.107 Annex B: R → MOS on 1..4.5.
double mosFromRating(double r) noexcept;
inline double estimateMos(const EModelInput& in) noexcept { return mosFromRating(eModelRating(in)); }

}  // namespace rtcgate::media
