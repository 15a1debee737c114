#include "dtmf/DtmfDigit.hpp"

namespace rtcgate::dtmf {
namespace {
constexpr char kDigits[] = "0123456789*#ABCD";  // index = event code, RFC 4733 §3.2
}

std::optional<uint8_t> dtmfEventForDigit(char digit) noexcept {
  if (digit >= 'a' && digit <= 'd') digit = char(digit - 'a' + 'A');
  for (uint8_t i = 0; i <= kMaxDtmfEvent; ++i)
    if (kDigits[i] == digit) return i;
  return std::nullopt;
}

char dtmfDigitForEvent(uint8_t event) noexcept { return event <= kMaxDtmfEvent ? kDigits[event] : '\0'; }

}  // namespace rtcgate::dtmf
