#pragma once
// Maps the steady clock the engine runs on to wall-clock NTP time for RTCP sender reports.
// The anchor is taken once by the engine (control path); endpoints only do arithmetic.
#include <chrono>

#include "common/Time.hpp"
#include "rtp/NtpTime.hpp"

namespace rtcgate::session {

struct WallClockAnchor {
  TimePoint steady;
  std::chrono::system_clock::time_point wall;
};

inline rtp::NtpTime ntpTime(const WallClockAnchor& anchor, TimePoint now) noexcept {
  return rtp::NtpTime::fromSystemTime(
      anchor.wall + std::chrono::duration_cast<std::chrono::system_clock::duration>(now - anchor.steady));
}

}  // namespace rtcgate::session
