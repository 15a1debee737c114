#pragma once
// 64-bit NTP timestamp (RFC 5905 §6; used by RFC 3550 §4 and §6.4.1): seconds since
// 1900-01-01 in the high 32 bits, binary fraction in the low 32. The caller reads the wall
// clock and passes it in; nothing here reads a clock.
#include <chrono>
#include <cstdint>

namespace rtcgate::rtp {

// Seconds from the NTP era 0 epoch (1900) to the Unix epoch (1970), RFC 868.
inline constexpr uint64_t kNtpUnixEpochOffset = 2208988800ull;

struct NtpTime {
  uint64_t value = 0;

  static NtpTime fromSystemTime(std::chrono::system_clock::time_point t) noexcept {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    const uint64_t unixNs = ns < 0 ? 0 : uint64_t(ns);
    const uint64_t secs = unixNs / 1'000'000'000ull + kNtpUnixEpochOffset;
    const uint64_t frac = ((unixNs % 1'000'000'000ull) << 32) / 1'000'000'000ull;
    return NtpTime{secs << 32 | frac};
  }

  uint32_t seconds() const noexcept { return uint32_t(value >> 32); }
  uint32_t fraction() const noexcept { return uint32_t(value); }
  // The compact 16.16 form echoed as LSR and used for RTT (RFC 3550 §6.4.1).
  uint32_t middle32() const noexcept { return uint32_t(value >> 16); }

  friend bool operator==(NtpTime, NtpTime) = default;
};

}  // namespace rtcgate::rtp
