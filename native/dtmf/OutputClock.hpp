#pragma once
// The RTP timeline of the leg that events are sent on: its clock rate and one anchor pairing a
// moment with the RTP timestamp the leg's audio had (or would have had) at that moment. The
// bridge refreshes the anchor whenever it sends audio, so an event placed at `now` lines up
// with the audio around it. Rates are the RTP clock rates (8000 for telephone-event/8000).
#include <chrono>
#include <cstdint>

#include "common/Time.hpp"

namespace rtcgate::dtmf {

struct OutputClock {
  uint32_t clockRate = 8000;
  TimePoint anchorTime{};
  uint32_t anchorTimestamp = 0;

  // RTP timestamp at `t` (wrapping modulo 2^32, before the anchor too).
  uint32_t timestampAt(TimePoint t) const noexcept {
    const int64_t us = std::chrono::duration_cast<microseconds>(t - anchorTime).count();
    return anchorTimestamp + uint32_t(us * int64_t(clockRate) / 1'000'000);
  }
  // Timestamp units spanned by `d` at this rate.
  uint32_t unitsIn(Duration d) const noexcept {
    const int64_t us = std::chrono::duration_cast<microseconds>(d).count();
    return us <= 0 ? 0 : uint32_t(uint64_t(us) * clockRate / 1'000'000);
  }
};

}  // namespace rtcgate::dtmf
