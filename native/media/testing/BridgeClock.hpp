#pragma once
// Fake clock for bridge tests: moves time forward and serves every deadline the bridge
// reports on the way, at exactly that deadline (the deadline an object reports must be the
// one it acts on, STYLE §4). Datagrams queued in the TxQueue are discarded: the FakeLegs have
// already recorded what was sent.
#include <cstdint>

#include "common/Time.hpp"
#include "io/TxQueue.hpp"
#include "media/Bridge.hpp"

namespace rtcgate::media::testing {

class BridgeClock {
 public:
  BridgeClock(Bridge& bridge, TimePoint start) : bridge_(bridge), now_(start) {}

  TimePoint now() const noexcept { return now_; }
  io::TxQueue& tx() noexcept { return tx_; }
  // The bridge asked for a deadline and did not move it after being served: a busy loop.
  bool stalled() const noexcept { return stalled_; }
  uint64_t timeoutsServed() const noexcept { return served_; }

  void advanceTo(TimePoint t) {
    for (int guard = 0; guard < 100000; ++guard) {
      const TimePoint d = bridge_.nextTimeout();
      if (d > t) {
        if (t > now_) now_ = t;
        return;
      }
      if (d > now_) now_ = d;
      bridge_.handleTimeout(now_, tx_);
      tx_.clear();
      ++served_;
      if (bridge_.nextTimeout() > now_) {
        sameDeadline_ = 0;
      } else if (++sameDeadline_ > 1000) {
        stalled_ = true;
        return;
      }
    }
    stalled_ = true;
  }
  void advanceBy(Duration d) { advanceTo(now_ + d); }

 private:
  Bridge& bridge_;
  TimePoint now_;
  io::TxQueue tx_;
  bool stalled_ = false;
  uint64_t served_ = 0;
  uint64_t sameDeadline_ = 0;
};

}  // namespace rtcgate::media::testing
