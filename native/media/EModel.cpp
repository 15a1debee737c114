#include "media/EModel.hpp"

#include <algorithm>

namespace rtcgate::media {

namespace {

struct Impairment {
  double ie;   // equipment impairment factor (G.113 Appendix I)
  double bpl;  // packet-loss robustness factor
};

Impairment impairmentOf(codec::CodecId id, bool plc) noexcept {
  // Values for random loss from ITU-T G.113 Appendix I; Opus and G.722 have no narrowband
  // entry there, so they take the figures commonly used for them in narrowband terms.
  switch (id) {
    case codec::CodecId::Pcmu:
    case codec::CodecId::Pcma: return plc ? Impairment{0, 25.1} : Impairment{0, 4.3};
    case codec::CodecId::G722: return {0, 20.0};
    case codec::CodecId::G729: return {11, 19.0};
    case codec::CodecId::Opus: return {0, 25.0};
  }
  return {0, 10};
}

}  // namespace

double eModelRating(const EModelInput& in) noexcept {
  const double d = std::max(0.0, in.delayMs);
  // G.107 §7.3 (simplified Id for an echo-free path): delay hurts past ~177 ms.
  const double id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0.0);
  const Impairment imp = impairmentOf(in.codec, in.plc);
  const double ppl = std::clamp(in.lossPercent, 0.0, 100.0);
  // G.107 §7.4 with BurstR = 1 (random loss).
  const double ieEff = imp.ie + (95.0 - imp.ie) * ppl / (ppl + imp.bpl);
  return std::clamp(93.2 - id - ieEff, 0.0, 100.0);
}

double mosFromRating(double r) noexcept {
  if (r <= 0) return 1.0;
  if (r >= 100) return 4.5;
  return 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
}

}  // namespace rtcgate::media
