#pragma once
// One direction of SRTP/SRTCP for a whole BUNDLE transport: a libsrtp2 session whose single
// policy matches every SSRC (ssrc_any_inbound / ssrc_any_outbound), so the owner needs one
// inbound and one outbound session per DTLS association, not one per stream.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "srtp/SrtpProfile.hpp"

struct srtp_ctx_t_;  // libsrtp2's session; only SrtpSession.cpp sees its definition.

namespace rtcgate::srtp {

struct SrtpCounters {
  uint64_t protectedRtp = 0;
  uint64_t protectedRtcp = 0;
  uint64_t unprotectedRtp = 0;
  uint64_t unprotectedRtcp = 0;
  uint64_t protectFailures = 0;      // buffer too small, packet too short, libsrtp error
  uint64_t unprotectAuthFailures = 0;    // bad tag: tampered, wrong key, not SRTP
  uint64_t unprotectReplayFailures = 0;  // duplicate or older than the replay window
  uint64_t unprotectOtherFailures = 0;   // too short, malformed header, other libsrtp errors
};

class SrtpSession {
 public:
  enum class Direction : uint8_t { Inbound, Outbound };

  // libsrtp may write up to SRTP_MAX_TRAILER_LEN (tag + MKI) bytes past the packet: callers
  // of protect*() must hand a buffer with at least this much room after `length`.
  static constexpr size_t kMaxTrailer = 16 + 128;
  // Replay window in packets (RFC 3711 §3.3.2 asks for at least 64). Video bursts and NACK
  // retransmissions reorder more than that, so keep a wider one.
  static constexpr unsigned long kReplayWindow = 1024;

  // Throws std::runtime_error if the key length does not fit the profile or libsrtp refuses.
  SrtpSession(Direction dir, SrtpProfile profile, std::span<const uint8_t> masterKeyAndSalt);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;
  SrtpSession(SrtpSession&&) noexcept;
  SrtpSession& operator=(SrtpSession&&) noexcept;

  // In place. `length` is the packet length on entry and on success the new length; the
  // buffer keeps its contents unspecified on failure. Outbound sessions protect, inbound
  // ones unprotect; calling the other side's function fails and counts.
  bool protectRtp(std::span<uint8_t> buffer, size_t& length) noexcept;
  bool protectRtcp(std::span<uint8_t> buffer, size_t& length) noexcept;
  bool unprotectRtp(std::span<uint8_t> buffer, size_t& length) noexcept;
  bool unprotectRtcp(std::span<uint8_t> buffer, size_t& length) noexcept;

  Direction direction() const noexcept { return dir_; }
  SrtpProfile profile() const noexcept { return profile_; }
  const SrtpCounters& counters() const noexcept { return counters_; }

 private:
  struct Deleter {
    void operator()(srtp_ctx_t_* ctx) const noexcept;
  };
  bool protect(std::span<uint8_t> buffer, size_t& length, bool rtcp) noexcept;
  bool unprotect(std::span<uint8_t> buffer, size_t& length, bool rtcp) noexcept;

  Direction dir_;
  SrtpProfile profile_;
  std::unique_ptr<srtp_ctx_t_, Deleter> ctx_;  // owned
  SrtpCounters counters_;
};

}  // namespace rtcgate::srtp
