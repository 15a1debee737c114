#include "jitter/DelayEstimator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>

namespace rtcgate::jitter {

namespace {
constexpr int64_t kNoTransit = std::numeric_limits<int64_t>::max();
constexpr int64_t kNoRelative = -1;

int64_t toUs(Duration d) noexcept { return std::chrono::duration_cast<microseconds>(d).count(); }
}  // namespace

DelayEstimator::DelayEstimator(Duration minDelay, Duration maxDelay, Duration initialDelay) noexcept
    : minUs_(toUs(minDelay)),
      maxUs_(toUs(maxDelay)),
      // Bucket width: the histogram spans [0, maxDelay]; never finer than 1 ms.
      bucketUs_(std::max<int64_t>(1000, (toUs(maxDelay) + int64_t(kBuckets) - 2) / int64_t(kBuckets - 1))),
      targetUs_(std::clamp(toUs(initialDelay), toUs(minDelay), toUs(maxDelay))) {
  restart();
}

void DelayEstimator::restart() noexcept {
  hasTransit_ = false;
  jitterUs_ = 0;
  slot_ = 0;
  slotMinTransit_.fill(kNoTransit);
  slotMaxRelative_.fill(kNoRelative);
}

void DelayEstimator::advanceWindow(int64_t arrivalUs) noexcept {
  const int64_t slot = arrivalUs >= 0 ? arrivalUs / kSlotDurationUs : 0;
  if (slot <= slot_) return;  // same slot (or an arrival time that went backwards)
  const int64_t steps = std::min<int64_t>(slot - slot_, int64_t(kWindowSlots));
  for (int64_t i = 1; i <= steps; ++i) {
    const size_t s = size_t((slot_ + i) % int64_t(kWindowSlots));
    slotMinTransit_[s] = kNoTransit;
    slotMaxRelative_[s] = kNoRelative;
  }
  slot_ = slot;
}

int64_t DelayEstimator::minTransitUs() const noexcept {
  int64_t m = kNoTransit;
  for (int64_t v : slotMinTransit_) m = std::min(m, v);
  return m == kNoTransit ? lastTransitUs_ : m;
}

int64_t DelayEstimator::peakRelativeUs() const noexcept {
  int64_t m = 0;
  for (int64_t v : slotMaxRelative_) m = std::max(m, v);
  return m;
}

int64_t DelayEstimator::quantileUs() const noexcept {
  if (histogramTotal_ <= 0) return 0;
  const double threshold = kQuantile * histogramTotal_;
  double sum = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    sum += histogram_[i];
    if (sum >= threshold) return int64_t(i + 1) * bucketUs_;
  }
  return int64_t(kBuckets) * bucketUs_;
}

void DelayEstimator::onPacket(int64_t arrivalUs, int64_t transitUs) noexcept {
  // RFC 3550 A.8: D(i-1, i) is the change in transit between consecutive arrivals.
  if (hasTransit_) {
    const double d = double(std::llabs(transitUs - lastTransitUs_));
    jitterUs_ += (d - jitterUs_) / 16.0;
  }
  hasTransit_ = true;
  lastTransitUs_ = transitUs;

  advanceWindow(arrivalUs);
  const size_t s = size_t(slot_ % int64_t(kWindowSlots));
  slotMinTransit_[s] = std::min(slotMinTransit_[s], transitUs);
  const int64_t relative = std::max<int64_t>(0, transitUs - minTransitUs());
  slotMaxRelative_[s] = std::max(slotMaxRelative_[s], relative);

  // Exponential forgetting: every packet weighs 1, older ones fade by (1 - 1/history).
  constexpr double kKeep = 1.0 - 1.0 / kHistoryPackets;
  for (double& b : histogram_) b *= kKeep;
  histogramTotal_ *= kKeep;
  histogram_[std::min<size_t>(size_t(relative / bucketUs_), kBuckets - 1)] += 1.0;
  histogramTotal_ += 1.0;

  ++packets_;
  updateTarget();
}

void DelayEstimator::updateTarget() noexcept {
  const int64_t candidate = std::clamp(quantileUs(), minUs_, maxUs_);
  if (candidate >= targetUs_) {
    targetUs_ = candidate;  // grow at once: late packets cost concealment now
  } else if (packets_ > kWarmupPackets) {
    targetUs_ -= std::min(targetUs_ - candidate, std::max(kMinShrinkUs, (targetUs_ - candidate) / kShrinkPackets));
  }
}

}  // namespace rtcgate::jitter
