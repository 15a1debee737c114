#pragma once
// Time as the sans-IO protocol objects see it: always passed in by the caller, never read.
#include <chrono>

namespace rtcgate {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;
using std::chrono::milliseconds;
using std::chrono::microseconds;
using std::chrono::seconds;

// "No deadline": what an object with nothing pending returns from nextTimeout().
inline constexpr TimePoint kNever = TimePoint::max();

}  // namespace rtcgate
