#include "dtmf/DtmfGenerator.hpp"

#include <algorithm>
#include <stdexcept>

#include "dtmf/DtmfDigit.hpp"

namespace rtcgate::dtmf {

DtmfGenerator::DtmfGenerator(const DtmfGeneratorConfig& config, const OutputClock& output)
    : config_(config), output_(output), packetizer_(config.timing) {
  if (output.clockRate == 0) throw std::invalid_argument("DtmfGenerator: clock rate 0");
  const uint32_t units = output.unitsIn(config.tone);
  if (units == 0 || units > kMaxEventDuration)
    throw std::invalid_argument("DtmfGenerator: tone must last 1..65535 timestamp units");
}

bool DtmfGenerator::send(TimePoint now, std::string_view digits) noexcept {
  if (digits.size() > kMaxQueuedDigits - queued_) return false;
  for (char c : digits)
    if (!dtmfEventForDigit(c)) return false;
  // Idle (or only the last final copies left): start now, but not inside the previous gap.
  if (!toneOn_ && queued_ == 0) nextToneAt_ = std::max(nextToneAt_, now);
  for (char c : digits) {
    queue_[(head_ + queued_) % kMaxQueuedDigits] = *dtmfEventForDigit(c);
    ++queued_;
  }
  return true;
}

size_t DtmfGenerator::poll(TimePoint now, OutputPacket& out) noexcept {
  if (toneOn_) {
    const TimePoint toneEnd = toneStart_ + config_.tone;
    if (now >= toneEnd) {
      // Durations come from the schedule, not from when we were polled: exactly `tone` long.
      packetizer_.end(now, output_.unitsIn(config_.tone));
      toneOn_ = false;
      nextToneAt_ = toneEnd + config_.gap;
    } else {
      packetizer_.setDuration(now, output_.unitsIn(now - toneStart_));
    }
  }
  if (!toneOn_ && queued_ > 0 && now >= nextToneAt_) {
    const uint8_t event = queue_[head_];
    head_ = (head_ + 1) % kMaxQueuedDigits;
    --queued_;
    toneOn_ = true;
    toneStart_ = nextToneAt_;
    packetizer_.begin(now, event, config_.volume, output_.timestampAt(toneStart_),
                      output_.unitsIn(now - toneStart_));
  }
  return packetizer_.poll(now, out);
}

TimePoint DtmfGenerator::nextTimeout() const noexcept {
  TimePoint t = packetizer_.nextTimeout();
  if (toneOn_) t = std::min(t, toneStart_ + config_.tone);
  else if (queued_ > 0) t = std::min(t, nextToneAt_);
  return t;
}

}  // namespace rtcgate::dtmf
