#pragma once
// Deterministic models of a lossy network and of an RTP audio sender, for tests that drive a
// receiver on a fake clock (jitter buffer unit tests, pipeline impairment tests). Header-only,
// test code: it allocates freely. Same seed, same run, on every platform (own PRNG, no
// std::*_distribution, whose output the standard leaves to the library).
//
// NetworkSimulator<T> models `tc netem delay B J reorder R duplicate D loss L` (uniform jitter):
// - loss: the item vanishes (drawn first: a lost item is never duplicated);
// - delay: baseDelay + uniform(−jitter, +jitter), never below zero; arrival order follows the
//   drawn arrival times, so jitter larger than the send interval reorders by itself;
// - reorder: like netem, a chosen item skips the delay and is delivered at once, overtaking
//   the ones queued before it;
// - duplicate: a second copy goes through the same delay draw independently.
// AudioSender is a constant-ptime RTP source whose clock runs `driftPpm` fast (> 0) or slow,
// with DTX pauses (timestamps jump, sequence numbers do not) and ptime changes.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include "common/Time.hpp"

namespace rtcgate::jitter::testing {

// SplitMix64: tiny, fast, and identical everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) noexcept : state_(seed) {}
  uint64_t next() noexcept {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform01() noexcept { return double(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform01(); }
  bool chance(double percent) noexcept { return percent > 0 && uniform01() * 100.0 < percent; }

 private:
  uint64_t state_;
};

struct ChannelProfile {
  double lossPercent = 0;
  Duration baseDelay = milliseconds(50);
  Duration jitter = Duration::zero();  // ± uniform around baseDelay
  double reorderPercent = 0;
  double duplicatePercent = 0;
  uint64_t seed = 1;
};

struct ChannelCounters {
  uint64_t sent = 0;        // items given to send()
  uint64_t lost = 0;
  uint64_t reordered = 0;   // items that skipped the delay
  uint64_t duplicated = 0;  // extra copies made
  uint64_t delivered = 0;   // copies handed out (duplicates included)
};

template <typename T>
class NetworkSimulator {
 public:
  explicit NetworkSimulator(const ChannelProfile& profile) : profile_(profile), rng_(profile.seed) {}

  void send(TimePoint now, const T& item) {
    ++counters_.sent;
    if (rng_.chance(profile_.lossPercent)) {
      ++counters_.lost;
      return;
    }
    enqueue(now, item);
    if (rng_.chance(profile_.duplicatePercent)) {
      ++counters_.duplicated;
      enqueue(now, item);
    }
  }

  // Hands every item due at or before `now` to fn(const T&), in arrival order (ties in send
  // order). Returns how many were delivered.
  template <typename F>
  size_t deliver(TimePoint now, F&& fn) {
    size_t n = 0;
    while (!queue_.empty() && queue_.top().at <= now) {
      const InFlight f = queue_.top();
      queue_.pop();
      ++counters_.delivered;
      ++n;
      fn(f.item);
    }
    return n;
  }

  std::optional<TimePoint> nextArrival() const {
    if (queue_.empty()) return std::nullopt;
    return queue_.top().at;
  }
  size_t inFlight() const noexcept { return queue_.size(); }
  const ChannelCounters& counters() const noexcept { return counters_; }
  const ChannelProfile& profile() const noexcept { return profile_; }

 private:
  struct InFlight {
    TimePoint at;
    uint64_t order;
    T item;
  };
  struct Later {
    bool operator()(const InFlight& a, const InFlight& b) const noexcept {
      return a.at != b.at ? a.at > b.at : a.order > b.order;
    }
  };

  void enqueue(TimePoint now, const T& item) {
    Duration delay = profile_.baseDelay;
    if (rng_.chance(profile_.reorderPercent)) {
      ++counters_.reordered;
      delay = Duration::zero();
    } else if (profile_.jitter > Duration::zero()) {
      const double j = double(profile_.jitter.count());
      delay += Duration(Duration::rep(std::llround(rng_.uniform(-j, j))));
      delay = std::max(delay, Duration::zero());
    }
    queue_.push(InFlight{now + delay, order_++, item});
  }

  ChannelProfile profile_;
  Rng rng_;
  uint64_t order_ = 0;
  ChannelCounters counters_;
  std::priority_queue<InFlight, std::vector<InFlight>, Later> queue_;
};

// One RTP audio packet as the sender made it (the payload is left to the test).
struct AudioPacket {
  uint32_t ssrc = 0;
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  bool marker = false;
  uint64_t index = 0;     // packets sent before this one
  uint32_t samples = 0;   // media duration at the clock rate
};

class AudioSender {
 public:
  struct Config {
    uint32_t clockRate = 8000;
    uint32_t frameSamples = 160;  // 20 ms at 8 kHz
    double driftPpm = 0;          // > 0: the sender's clock runs fast (it sends more often)
    uint32_t ssrc = 0x11223344;
    uint16_t firstSeq = 1000;
    uint32_t firstTimestamp = 123456;
  };

  AudioSender(const Config& config, TimePoint start) noexcept
      : config_(config), start_(start), seq_(config.firstSeq), ts_(config.firstTimestamp) {}

  // When the next packet leaves, on the receiver's clock.
  TimePoint nextSendTime() const noexcept {
    const double senderNs = double(elapsedSamples_) * 1e9 / double(config_.clockRate);
    const double localNs = senderNs * 1e6 / (1e6 + config_.driftPpm);
    return start_ + std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(std::llround(localNs)));
  }

  // The packet due at nextSendTime(); the sender's clock then moves on by one frame.
  AudioPacket next() noexcept {
    AudioPacket p;
    p.ssrc = config_.ssrc;
    p.seq = seq_++;
    p.timestamp = ts_;
    p.marker = talkspurtStart_;
    p.index = sent_++;
    p.samples = config_.frameSamples;
    talkspurtStart_ = false;
    ts_ += config_.frameSamples;
    elapsedSamples_ += config_.frameSamples;
    return p;
  }

  // DTX: the sender stays quiet for `frames` frames. Time and timestamps move on, sequence
  // numbers do not; the next packet carries the marker bit (RFC 3551 §4.1 talkspurt start).
  void pause(uint32_t frames) noexcept {
    ts_ += frames * config_.frameSamples;
    elapsedSamples_ += uint64_t(frames) * config_.frameSamples;
    talkspurtStart_ = true;
  }
  void setFrameSamples(uint32_t samples) noexcept { config_.frameSamples = samples; }
  // A new source: another SSRC with its own random-looking sequence and timestamp origin.
  void restart(uint32_t ssrc, uint16_t seq, uint32_t timestamp) noexcept {
    config_.ssrc = ssrc;
    seq_ = seq;
    ts_ = timestamp;
    talkspurtStart_ = true;
  }
  const Config& config() const noexcept { return config_; }

 private:
  Config config_;
  TimePoint start_;
  uint16_t seq_;
  uint32_t ts_;
  uint64_t sent_ = 0;
  uint64_t elapsedSamples_ = 0;
  bool talkspurtStart_ = true;
};

}  // namespace rtcgate::jitter::testing
