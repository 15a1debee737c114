#include "dtmf/DtmfRelay.hpp"

#include <algorithm>
#include <stdexcept>

namespace rtcgate::dtmf {

DtmfRelay::DtmfRelay(const DtmfRelayConfig& config, const OutputClock& output)
    : config_(config), output_(output), packetizer_(config.timing) {
  if (config.inputClockRate == 0 || output.clockRate == 0) throw std::invalid_argument("DtmfRelay: clock rate 0");
}

bool DtmfRelay::isStale(uint32_t sinceReference) const noexcept {
  // Behind the reference, but not so far that it is rather a timestamp jump (new SSRC, a
  // restarted sender) whose first report happened to be lost.
  const int64_t behind = -int64_t(int32_t(sinceReference));
  return behind > 0 && behind <= int64_t(config_.inputClockRate) * kStaleWindowSeconds;
}

uint64_t DtmfRelay::toOutput(uint64_t inputUnits) const noexcept {
  // Rounded to nearest: 48 kHz → 8 kHz keeps whole milliseconds exact (2400 → 400).
  return (inputUnits * output_.clockRate + config_.inputClockRate / 2) / config_.inputClockRate;
}

void DtmfRelay::onEventPacket(TimePoint now, uint16_t seq, uint32_t rtpTimestamp, bool marker,
                              const TelephoneEvent& event) noexcept {
  ++stats_.reports;
  if (event.event > config_.maxEvent) {
    ++stats_.unsupported;
    return;
  }
  if (input_.on) {
    const uint32_t sinceSegment = rtpTimestamp - input_.segmentTimestamp;
    if (event.event == input_.event && sinceSegment == 0) {
      if (seq == input_.lastSeq && !event.end) {
        ++stats_.duplicates;
        return;
      }
      advance(now, seq, uint64_t(input_.segmentTimestamp - input_.startTimestamp) + event.duration, event.end);
      return;
    }
    // §2.5.1.3: a long event goes on under a new timestamp where the previous segment, close
    // to full, stopped; same code, not marked. Join it instead of starting a new event. A
    // short segment followed by another timestamp is rather a new press whose start was lost.
    const uint64_t segmentDuration = input_.total - (input_.segmentTimestamp - input_.startTimestamp);
    if (event.event == input_.event && !marker && segmentDuration >= kMaxEventDuration / 2 &&
        sinceSegment <= std::min<uint64_t>(kMaxEventDuration, segmentDuration + config_.inputClockRate / 10)) {
      input_.segmentTimestamp = rtpTimestamp;
      advance(now, seq, uint64_t(rtpTimestamp - input_.startTimestamp) + event.duration, event.end);
      return;
    }
    if (!marker && isStale(rtpTimestamp - input_.startTimestamp)) {
      ++stats_.stale;  // a late report of an earlier event
      return;
    }
    // A different event: the running one is over even though we never saw its end.
    finishEvent(now);
    ++stats_.eventsEnded;
    startEvent(now, seq, rtpTimestamp, event);
    return;
  }
  if (ended_.valid && !marker) {
    const int32_t sinceEnded = int32_t(rtpTimestamp - ended_.segmentTimestamp);
    if (sinceEnded == 0 && event.event == ended_.event) {
      ++stats_.duplicates;  // the 2nd and 3rd end reports, or a late update
      return;
    }
    if (isStale(uint32_t(sinceEnded))) {
      ++stats_.stale;
      return;
    }
  }
  startEvent(now, seq, rtpTimestamp, event);
}

void DtmfRelay::startEvent(TimePoint now, uint16_t seq, uint32_t rtpTimestamp, const TelephoneEvent& event) noexcept {
  input_ = InputEvent{};
  input_.on = true;
  input_.event = event.event;
  input_.startTimestamp = rtpTimestamp;
  input_.segmentTimestamp = rtpTimestamp;
  input_.total = event.duration;
  input_.lastSeq = seq;
  input_.lastReport = now;
  ++stats_.eventsStarted;
  const uint64_t duration = toOutput(input_.total);
  // The event began `duration` ago (its start report may have been lost): date it back so the
  // output timestamp marks the start of the tone, not the moment we heard of it.
  packetizer_.begin(now, event.event, event.volume, output_.timestampAt(now) - uint32_t(duration), duration);
  if (event.end) {
    finishEvent(now);
    ++stats_.eventsEnded;
  }
}

void DtmfRelay::advance(TimePoint now, uint16_t seq, uint64_t total, bool end) noexcept {
  if (total < input_.total && !end) {
    ++stats_.stale;  // reordered: an older update arriving after a newer one
    return;
  }
  if (total == input_.total && !end) {
    ++stats_.duplicates;
    input_.lastReport = now;
    return;
  }
  input_.total = std::max(input_.total, total);
  input_.lastSeq = seq;
  input_.lastReport = now;
  if (end) {
    finishEvent(now);
    ++stats_.eventsEnded;
  } else {
    packetizer_.setDuration(now, toOutput(total));
  }
}

void DtmfRelay::finishEvent(TimePoint now) noexcept {
  packetizer_.end(now, toOutput(input_.total));
  ended_ = EndedEvent{true, input_.event, input_.segmentTimestamp};
  input_.on = false;
}

size_t DtmfRelay::poll(TimePoint now, OutputPacket& out) noexcept {
  if (input_.on && now >= input_.lastReport + config_.eventTimeout) {
    finishEvent(now);
    ++stats_.endsSynthesized;
  }
  const size_t n = packetizer_.poll(now, out);
  if (n) ++stats_.packetsOut;
  return n;
}

TimePoint DtmfRelay::nextTimeout() const noexcept {
  TimePoint t = packetizer_.nextTimeout();
  if (input_.on) t = std::min(t, input_.lastReport + config_.eventTimeout);
  return t;
}

}  // namespace rtcgate::dtmf
