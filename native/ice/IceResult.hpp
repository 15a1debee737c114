#pragma once
// What IceLiteAgent::handleStun did with one datagram, and the counters it keeps.
#include <array>
#include <cstddef>
#include <cstdint>

namespace rtcgate::ice {

enum class IceResultKind : uint8_t {
  Accepted,  // a valid Binding request: a success response was written
  Rejected,  // a bad request or datagram (an error response may have been written)
  Ignored,   // well-formed STUN we have nothing to do with (indications, responses)
};

enum class IceRejectReason : uint8_t {
  None,
  Malformed,          // not a well-formed STUN message
  UnsupportedMethod,  // a request other than Binding: 400 (RFC 5389 §7.3.1)
  BadRequest,         // USERNAME or MESSAGE-INTEGRITY missing: 400 (RFC 5389 §10.1.2)
  UnknownUsername,    // USERNAME is not "<local ufrag>:<remote ufrag>": 401 (RFC 8445 §7.3)
  BadIntegrity,       // MESSAGE-INTEGRITY does not verify with the local pwd: 401
  BadFingerprint,     // FINGERPRINT present but wrong: dropped silently (RFC 5389 §7.3)
  RoleConflict,       // 487 (RFC 8445 §7.3.1.1)
  NotAccepting,       // consent expired or agent closed: dropped
  Count,
};

struct IceResult {
  size_t responseSize = 0;  // bytes written into `out` to send back to `from`; 0 = send nothing
  IceResultKind kind = IceResultKind::Ignored;
  IceRejectReason reason = IceRejectReason::None;
};

struct IceCounters {
  uint64_t requestsReceived = 0;    // Binding-class requests (any method) that parsed
  uint64_t requestsAccepted = 0;
  uint64_t responsesSent = 0;       // success responses written
  uint64_t errorResponsesSent = 0;  // 400/401/487 written
  uint64_t responsesTooLarge = 0;   // `out` was too small for the response
  uint64_t indicationsIgnored = 0;
  uint64_t responsesIgnored = 0;
  uint64_t nominations = 0;         // USE-CANDIDATE that changed the selected address
  uint64_t roleSwitches = 0;
  uint64_t consentExpirations = 0;
  uint64_t eventsDropped = 0;       // event queue full: the owner is not draining
  std::array<uint64_t, size_t(IceRejectReason::Count)> rejected{};

  uint64_t rejectedFor(IceRejectReason r) const noexcept { return rejected[size_t(r)]; }
};

}  // namespace rtcgate::ice
