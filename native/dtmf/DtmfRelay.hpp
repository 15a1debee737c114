#pragma once
// Regenerates the telephone-events received on one leg onto another leg that has its own RTP
// timeline and possibly another clock rate (browser Opus at 48 kHz ↔ SIP at 8 kHz). Incoming
// reports are folded into "event E started, has lasted D, ended" (retransmissions dropped,
// input segments of long events joined); the output side re-packetizes that with fresh
// timestamps and durations on the output clock (EventPacketizer). An event whose end reports
// were all lost is ended after `eventTimeout` without news (RFC 4733 §2.5.2.3 lets a receiver
// end an event on its own). Sans-IO and allocation-free.
#include <cstddef>
#include <cstdint>

#include "common/Time.hpp"
#include "dtmf/EventPacketizer.hpp"
#include "dtmf/OutputClock.hpp"
#include "dtmf/TelephoneEvent.hpp"

namespace rtcgate::dtmf {

inline constexpr Duration kDefaultEventTimeout = milliseconds(500);

struct DtmfRelayConfig {
  uint32_t inputClockRate = 8000;  // clock rate of the telephone-event stream received
  Duration eventTimeout = kDefaultEventTimeout;
  uint8_t maxEvent = 15;  // highest event code relayed (0-15: DTMF, RFC 4733 §3.2); others counted
  PacketizerTiming timing;
};

struct DtmfRelayStats {
  uint64_t reports = 0;           // event reports given to onEventPacket
  uint64_t eventsStarted = 0;
  uint64_t eventsEnded = 0;       // by an E report (or implied by the next event)
  uint64_t endsSynthesized = 0;   // ended by eventTimeout
  uint64_t duplicates = 0;        // retransmitted reports (same event, nothing new)
  uint64_t stale = 0;             // reports of an older event or an older duration (reordered)
  uint64_t unsupported = 0;       // event codes above maxEvent
  uint64_t packetsOut = 0;
};

class DtmfRelay {
 public:
  // Throws std::invalid_argument if a clock rate is 0.
  DtmfRelay(const DtmfRelayConfig& config, const OutputClock& output);

  // The output leg's timeline moved (new anchor, or a new rate after renegotiation). Events
  // already started keep their timestamp; change the rate only between events (durations of a
  // running event would mix the two rates).
  void setOutputClock(const OutputClock& output) noexcept { output_ = output; }

  // One received telephone-event report (the first block of the payload), with the RTP header
  // fields that matter. `seq` only serves to recognise an exact duplicate.
  void onEventPacket(TimePoint now, uint16_t seq, uint32_t rtpTimestamp, bool marker,
                     const TelephoneEvent& event) noexcept;

  // Next packet to send on the output leg; returns its payload size (4) or 0. Call until 0,
  // after every onEventPacket and at nextTimeout().
  size_t poll(TimePoint now, OutputPacket& out) noexcept;
  TimePoint nextTimeout() const noexcept;

  // An event is being played out: the bridge may hold back audio on the output leg meanwhile.
  bool eventActive() const noexcept { return input_.on || packetizer_.eventRunning(); }
  const DtmfRelayStats& stats() const noexcept { return stats_; }

 private:
  struct InputEvent {
    bool on = false;
    uint8_t event = 0;
    uint32_t startTimestamp = 0;    // input RTP timestamp of the event's first segment
    uint32_t segmentTimestamp = 0;  // of the segment being reported now
    uint64_t total = 0;             // input units since startTimestamp
    uint16_t lastSeq = 0;
    TimePoint lastReport{};
  };
  struct EndedEvent {  // remembered to drop the retransmitted end reports
    bool valid = false;
    uint8_t event = 0;
    uint32_t segmentTimestamp = 0;
  };

  void startEvent(TimePoint now, uint16_t seq, uint32_t rtpTimestamp, const TelephoneEvent& event) noexcept;
  void advance(TimePoint now, uint16_t seq, uint64_t total, bool end) noexcept;
  void finishEvent(TimePoint now) noexcept;
  uint64_t toOutput(uint64_t inputUnits) const noexcept;
  bool isStale(uint32_t sinceReference) const noexcept;
  static constexpr int64_t kStaleWindowSeconds = 10;

  DtmfRelayConfig config_;
  OutputClock output_;
  EventPacketizer packetizer_;
  InputEvent input_;
  EndedEvent ended_;
  DtmfRelayStats stats_;
};

}  // namespace rtcgate::dtmf
