#pragma once
// RFC 4733 §2.3 telephone-event payload: one 4-byte event report per block.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  |     event     |E|R| volume    |          duration             |
//
// A payload may carry several such blocks (RFC 4733 §2.5.1.5 lets a sender pack events that
// follow each other); the relay acts on the first one and reports how many there were.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace rtcgate::dtmf {

inline constexpr size_t kTelephoneEventSize = 4;       // RFC 4733 §2.3
inline constexpr uint8_t kMaxEventVolume = 63;         // §2.3.4: 6 bits, 0 to -63 dBm0
inline constexpr uint32_t kMaxEventDuration = 0xFFFF;  // §2.3.5: 16-bit duration field

enum class TelephoneEventParseError {
  None,
  TooShort,         // fewer than 4 bytes
  TrailingBytes,    // not a whole number of 4-byte event blocks
};

struct TelephoneEvent {
  uint8_t event = 0;      // §2.3.1: 0-15 are the DTMF digits (§3.2)
  bool end = false;       // §2.3.2: E bit, set in the report(s) that end the event
  bool reserved = false;  // §2.3.3: R bit, sent as 0, ignored on receipt (kept for tests)
  uint8_t volume = 0;     // §2.3.4: power level as -dBm0, 0..63
  uint16_t duration = 0;  // §2.3.5: in RTP timestamp units since the event's timestamp

  // First event block of a telephone-event payload; nullopt if malformed.
  static std::optional<TelephoneEvent> parse(std::span<const uint8_t> payload) noexcept;
  // Same, telling why a payload was rejected and how many event blocks it carries.
  static std::optional<TelephoneEvent> parse(std::span<const uint8_t> payload, TelephoneEventParseError& error,
                                             size_t& count) noexcept;
  // Block `index` of an already validated payload; nullopt if out of range.
  static std::optional<TelephoneEvent> parseAt(std::span<const uint8_t> payload, size_t index) noexcept;

  // Writes the 4-byte block into `out`; returns 4, or 0 if `out` is too small. A volume above
  // 63 is clamped (the field has 6 bits); the R bit is always written as 0 (§2.3.3).
  size_t write(std::span<uint8_t> out) const noexcept;

  bool operator==(const TelephoneEvent&) const = default;
};

}  // namespace rtcgate::dtmf
