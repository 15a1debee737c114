#pragma once
// DTMF digits as RFC 4733 §3.2 event codes: '0'-'9' → 0-9, '*' → 10, '#' → 11, 'A'-'D' → 12-15.
#include <cstdint>
#include <optional>

namespace rtcgate::dtmf {

inline constexpr uint8_t kMaxDtmfEvent = 15;  // RFC 4733 §3.2 table 1: events 0-15 are DTMF

// Event code for a digit (letters in either case); nullopt for anything else.
std::optional<uint8_t> dtmfEventForDigit(char digit) noexcept;
// The digit for an event code 0-15 (letters upper case); '\0' for other codes.
char dtmfDigitForEvent(uint8_t event) noexcept;

}  // namespace rtcgate::dtmf
