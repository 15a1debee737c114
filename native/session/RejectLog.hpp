#pragma once
// Bad input is counted always and logged rarely: the first few of each kind per endpoint,
// then one line per thousand, so a flood cannot turn into a log storm.
#include <cstdint>

namespace rtcgate::session {

inline bool shouldLogReject(uint64_t countAfterIncrement) noexcept {
  return countAfterIncrement <= 3 || countAfterIncrement % 1000 == 0;
}

}  // namespace rtcgate::session
