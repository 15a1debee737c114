#pragma once
// The network half of the adaptive jitter buffer: how late packets arrive relative to the
// fastest one, and from that the playout delay to aim for. Sans-IO and allocation-free.
//
// Per packet the buffer passes its transit, arrival time minus media time (RFC 3550 §6.4.1
// "relative transit time"; both sides on the stream's own microsecond axes). Three trackers:
// - the interarrival jitter J of RFC 3550 §6.4.1 / Appendix A.8, J += (|D| - J) / 16, reported
//   only: with a 16-packet memory it swings too much to steer by (a target that grows at once
//   would follow its peaks; 3·J measured ≈ 110 ms where the 95th percentile is ≈ 88 ms);
// - the minimum transit over a sliding window (kWindowSlots × kSlotDuration): the path's fixed
//   delay. A packet's "relative delay" is its transit minus that minimum, i.e. how long it
//   was held up by jitter. The window lets the reference follow clock drift between sender
//   and receiver (transit grows or shrinks by the drift rate);
// - a forgetting histogram of relative delays (about kHistoryPackets of memory) giving the
//   kQuantile-th percentile, and the peak relative delay over the same window.
// target = clamp(quantile, minDelay, maxDelay); it grows as soon as the estimate does and
// shrinks slowly (by 1/kShrinkPackets of the gap per packet, at least kMinShrinkUs), so one
// quiet second does not undo what a burst of jitter taught.
#include <array>
#include <cstdint>

#include "common/Time.hpp"

namespace rtcgate::jitter {

class DelayEstimator {
 public:
  static constexpr size_t kBuckets = 128;            // histogram resolution over [0, maxDelay]
  static constexpr double kQuantile = 0.95;          // share of packets the target should cover
  static constexpr double kHistoryPackets = 500;     // ≈ 10 s of 20 ms packets
  static constexpr int64_t kShrinkPackets = 200;     // shrink time constant ≈ 4 s at 50 pps
  static constexpr int64_t kMinShrinkUs = 20;        // per packet: ≤ 1 ms/s near the end
  static constexpr uint32_t kWarmupPackets = 50;     // no shrinking before 1 s of history
  static constexpr size_t kWindowSlots = 8;          // min/peak window: 8 × 1 s
  static constexpr int64_t kSlotDurationUs = 1'000'000;

  DelayEstimator(Duration minDelay, Duration maxDelay, Duration initialDelay) noexcept;

  // A new stream (SSRC change, restart): its transit has a new origin, so the min/peak window
  // and the J state go; the histogram and the target (properties of the path) stay.
  void restart() noexcept;
  // arrivalUs: arrival on the receiver's axis; transitUs: arrivalUs - media time in µs.
  void onPacket(int64_t arrivalUs, int64_t transitUs) noexcept;

  bool hasReference() const noexcept { return hasTransit_; }
  int64_t minTransitUs() const noexcept;   // fastest transit in the window
  int64_t peakRelativeUs() const noexcept;  // slowest packet in the window, relative to the min
  int64_t quantileUs() const noexcept;      // kQuantile of relative delays (bucket upper edge)
  int64_t targetUs() const noexcept { return targetUs_; }
  double jitterMs() const noexcept { return jitterUs_ / 1000.0; }

 private:
  void advanceWindow(int64_t arrivalUs) noexcept;
  void updateTarget() noexcept;

  const int64_t minUs_;
  const int64_t maxUs_;
  const int64_t bucketUs_;
  int64_t targetUs_;
  uint32_t packets_ = 0;

  // RFC 3550 A.8.
  bool hasTransit_ = false;
  int64_t lastTransitUs_ = 0;
  double jitterUs_ = 0;

  // Sliding window of per-second minima of transit and maxima of relative delay.
  int64_t slot_ = 0;  // index of the current slot (arrivalUs / kSlotDurationUs)
  std::array<int64_t, kWindowSlots> slotMinTransit_{};
  std::array<int64_t, kWindowSlots> slotMaxRelative_{};

  std::array<double, kBuckets> histogram_{};
  double histogramTotal_ = 0;
};

}  // namespace rtcgate::jitter
