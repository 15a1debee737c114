#include "dtmf/EventPacketizer.hpp"

#include <algorithm>

namespace rtcgate::dtmf {

void EventPacketizer::begin(TimePoint now, uint8_t event, uint8_t volume, uint32_t timestamp,
                            uint64_t duration) noexcept {
  if (active_.on && !active_.ending) end(now, active_.total);
  if (active_.on || final_.remaining > 0) {
    // Queue it; a later begin() before this one started replaces it (only the newest matters).
    pending_ = Pending{true, false, event, volume, timestamp, duration, now};
    return;
  }
  activate(now, event, volume, timestamp, duration);
}

void EventPacketizer::activate(TimePoint now, uint8_t event, uint8_t volume, uint32_t timestamp,
                               uint64_t duration) noexcept {
  active_ = Active{};
  active_.on = true;
  active_.markerPending = true;
  active_.event = event;
  active_.volume = std::min(volume, kMaxEventVolume);
  active_.segmentTimestamp = timestamp;
  active_.total = duration;
  active_.nextAt = now;
}

void EventPacketizer::setDuration(TimePoint now, uint64_t duration) noexcept {
  if (pending_.valid) {
    pending_.duration = std::max(pending_.duration, duration);
    return;
  }
  if (!active_.on || active_.ending) return;
  active_.total = std::max(active_.total, duration);
  if (needsSplit()) active_.nextAt = std::min(active_.nextAt, now);
}

void EventPacketizer::end(TimePoint now, uint64_t finalDuration) noexcept {
  if (pending_.valid) {
    // The queued event ended before its first packet: it still gets start and end reports.
    setDuration(now, finalDuration);
    pending_.ended = true;
    return;
  }
  if (!active_.on || active_.ending) return;
  active_.total = std::max(active_.total, finalDuration);
  active_.ending = true;
  active_.nextAt = std::min(active_.nextAt, now);
}

size_t EventPacketizer::poll(TimePoint now, OutputPacket& out) noexcept {
  for (;;) {
    const bool newerDue = pending_.valid || (active_.on && now >= active_.nextAt);
    // A segment's final copies go out on their own cadence, but never after a newer packet.
    if (final_.remaining > 0 && (now >= final_.nextAt || newerDue)) return emitFinal(now, out);
    if (active_.on) {
      // With a newer event waiting, the running one (already ended by begin()) is due at once.
      if (now < active_.nextAt && !pending_.valid) return 0;
      if (needsSplit()) {
        closeSegment(now, false);
        return emitFinal(now, out);
      }
      if (active_.ending) {
        closeSegment(now, true);
        return emitFinal(now, out);
      }
      TelephoneEvent e;
      e.event = active_.event;
      e.volume = active_.volume;
      e.duration = uint16_t(active_.total - active_.segmentBase);
      const bool marker = active_.markerPending;
      active_.markerPending = false;
      active_.nextAt = now + timing_.updateInterval;
      return fill(out, marker, active_.segmentTimestamp, e);
    }
    if (!pending_.valid) return 0;
    const Pending p = pending_;
    pending_ = Pending{};
    activate(p.at, p.event, p.volume, p.timestamp, p.duration);
    if (p.ended) active_.ending = true;
  }
}

void EventPacketizer::closeSegment(TimePoint now, bool endOfEvent) noexcept {
  final_.remaining = kFinalReportCopies;
  final_.marker = active_.markerPending;  // an event whose only reports are its end still gets one
  final_.nextAt = now;
  final_.timestamp = active_.segmentTimestamp;
  final_.report = TelephoneEvent{};
  final_.report.event = active_.event;
  final_.report.volume = active_.volume;
  final_.report.end = endOfEvent;
  final_.report.duration = uint16_t(std::min<uint64_t>(active_.total - active_.segmentBase, kMaxEventDuration));
  active_.markerPending = false;
  if (endOfEvent) {
    active_ = Active{};
    return;
  }
  // §2.5.1.3: the event goes on in a new segment whose timestamp is where the full one stopped;
  // it is not marked (the event did not start again) and reports only the time past the cut.
  active_.segmentTimestamp += kMaxEventDuration;
  active_.segmentBase += kMaxEventDuration;
  active_.nextAt = now + timing_.updateInterval;
}

size_t EventPacketizer::emitFinal(TimePoint now, OutputPacket& out) noexcept {
  const bool marker = final_.marker;
  final_.marker = false;
  --final_.remaining;
  final_.nextAt = final_.remaining > 0 ? now + timing_.finalRepeatInterval : kNever;
  return fill(out, marker, final_.timestamp, final_.report);
}

size_t EventPacketizer::fill(OutputPacket& out, bool marker, uint32_t timestamp, const TelephoneEvent& e) noexcept {
  out.marker = marker;
  out.timestamp = timestamp;
  out.event = e;
  return e.write(out.payload);
}

TimePoint EventPacketizer::nextTimeout() const noexcept {
  TimePoint t = kNever;
  if (final_.remaining > 0) t = std::min(t, final_.nextAt);
  if (active_.on) t = std::min(t, active_.nextAt);
  if (pending_.valid) t = std::min(t, pending_.at);
  return t;
}

}  // namespace rtcgate::dtmf
