#pragma once
// Turns "an event started / lasts this long / ended" into the RFC 4733 packet sequence for one
// output leg: the first report marked (§2.5.1.1), an update every 50 ms while the event lasts
// (§2.5.1.2), events longer than the 16-bit duration field cut into segments (§2.5.1.3), and
// the final report of each segment sent three times (§2.5.1.4). Shared by DtmfRelay and
// DtmfGenerator. Sans-IO: the caller polls at nextTimeout() and after each command.
#include <array>
#include <cstddef>
#include <cstdint>

#include "common/Time.hpp"
#include "dtmf/TelephoneEvent.hpp"

namespace rtcgate::dtmf {

inline constexpr Duration kEventUpdateInterval = milliseconds(50);  // RFC 4733 §2.5.1.2 suggests 50 ms
inline constexpr int kFinalReportCopies = 3;                        // §2.5.1.4: final report sent 3 times

// One telephone-event packet to send: the payload and the RTP header fields that depend on it.
// The leg adds sequence number, SSRC and the negotiated payload type.
struct OutputPacket {
  std::array<uint8_t, kTelephoneEventSize> payload{};
  bool marker = false;     // first packet of an event (RFC 4733 §2.5.1.1)
  uint32_t timestamp = 0;  // event (segment) start, output clock
  TelephoneEvent event;    // what `payload` encodes, for counters and logs
};

struct PacketizerTiming {
  Duration updateInterval = kEventUpdateInterval;
  // Spacing of the three final copies. §2.5.1.4 says "at the interval used for updates"; we use
  // a tighter 20 ms (one audio packet) so that all three leave within a 50 ms inter-digit gap
  // instead of overlapping the next digit.
  Duration finalRepeatInterval = milliseconds(20);
};

class EventPacketizer {
 public:
  explicit EventPacketizer(PacketizerTiming timing = {}) noexcept : timing_(timing) {}

  // Starts an event: `timestamp` is its start on the output clock, `duration` the output units
  // it already lasts. An event still running is ended first (with the duration it reached); a
  // previous event's remaining final copies are sent before the new event's first packet.
  void begin(TimePoint now, uint8_t event, uint8_t volume, uint32_t timestamp, uint64_t duration) noexcept;
  // Total duration of the running event so far, in output units (may exceed 0xFFFF: segmented).
  // Never goes backwards.
  void setDuration(TimePoint now, uint64_t duration) noexcept;
  // Ends the running event at its final total duration (never below what was already sent).
  void end(TimePoint now, uint64_t finalDuration) noexcept;

  // Fills `out` with the next packet due at `now`; returns the payload size (4) or 0 when
  // nothing is due. Call until it returns 0.
  size_t poll(TimePoint now, OutputPacket& out) noexcept;
  TimePoint nextTimeout() const noexcept;

  bool eventRunning() const noexcept { return active_.on || pending_.valid; }
  bool idle() const noexcept { return !eventRunning() && final_.remaining == 0; }

 private:
  struct Active {
    bool on = false;
    bool ending = false;
    bool markerPending = false;
    uint8_t event = 0;
    uint8_t volume = 0;
    uint32_t segmentTimestamp = 0;
    uint64_t segmentBase = 0;  // output units covered by earlier segments
    uint64_t total = 0;
    TimePoint nextAt = kNever;
  };
  struct Final {  // the last report of a segment, waiting for its copies to go out
    int remaining = 0;
    bool marker = false;
    TimePoint nextAt = kNever;
    uint32_t timestamp = 0;
    TelephoneEvent report;
  };
  struct Pending {  // an event begun while the previous one still had packets to send
    bool valid = false;
    bool ended = false;
    uint8_t event = 0;
    uint8_t volume = 0;
    uint32_t timestamp = 0;
    uint64_t duration = 0;
    TimePoint at{};
  };

  bool needsSplit() const noexcept { return active_.total - active_.segmentBase > kMaxEventDuration; }
  void activate(TimePoint now, uint8_t event, uint8_t volume, uint32_t timestamp, uint64_t duration) noexcept;
  void closeSegment(TimePoint now, bool endOfEvent) noexcept;
  size_t emitFinal(TimePoint now, OutputPacket& out) noexcept;
  static size_t fill(OutputPacket& out, bool marker, uint32_t timestamp, const TelephoneEvent& e) noexcept;

  PacketizerTiming timing_;
  Active active_;
  Final final_;
  Pending pending_;
};

}  // namespace rtcgate::dtmf
