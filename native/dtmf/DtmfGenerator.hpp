#pragma once
// Plays a digit string as RFC 4733 telephone-events on one leg (call.sendDtmf(digits)): each
// digit a tone of `tone` length, then `gap` of silence, packetized like relayed events (marked
// start, 50 ms updates, final report ×3). Queue bounded, no allocation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/Time.hpp"
#include "dtmf/EventPacketizer.hpp"
#include "dtmf/OutputClock.hpp"

namespace rtcgate::dtmf {

inline constexpr Duration kDefaultToneDuration = milliseconds(100);  // common gateway default
inline constexpr Duration kDefaultToneGap = milliseconds(50);
inline constexpr uint8_t kDefaultToneVolume = 10;  // -10 dBm0, what most phones report

struct DtmfGeneratorConfig {
  Duration tone = kDefaultToneDuration;
  Duration gap = kDefaultToneGap;
  uint8_t volume = kDefaultToneVolume;
  PacketizerTiming timing;
};

class DtmfGenerator {
 public:
  static constexpr size_t kMaxQueuedDigits = 64;

  // Throws std::invalid_argument on a 0 clock rate, or a tone of 0 or longer than 0xFFFF units.
  DtmfGenerator(const DtmfGeneratorConfig& config, const OutputClock& output);

  void setOutputClock(const OutputClock& output) noexcept { output_ = output; }

  // Queues `digits` (0-9 * # A-D, letters in either case) after those still queued, the first
  // one starting at `now` if idle. All or nothing: false if a character is not a DTMF digit or
  // the queue would exceed kMaxQueuedDigits.
  bool send(TimePoint now, std::string_view digits) noexcept;
  // Drops the digits not yet started (the one playing finishes normally).
  void cancel() noexcept { queued_ = 0; }

  size_t poll(TimePoint now, OutputPacket& out) noexcept;
  TimePoint nextTimeout() const noexcept;

  bool busy() const noexcept { return toneOn_ || queued_ > 0 || !packetizer_.idle(); }
  size_t queued() const noexcept { return queued_; }

 private:
  DtmfGeneratorConfig config_;
  OutputClock output_;
  EventPacketizer packetizer_;
  std::array<uint8_t, kMaxQueuedDigits> queue_{};  // ring of event codes
  size_t head_ = 0;
  size_t queued_ = 0;
  bool toneOn_ = false;
  TimePoint toneStart_{};
  TimePoint nextToneAt_{};  // earliest start of the next digit (end of the previous gap)
};

}  // namespace rtcgate::dtmf
