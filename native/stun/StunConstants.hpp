#pragma once
// STUN wire constants (RFC 5389/8489) and the ICE attributes (RFC 8445 §16.1), each cited.
#include <array>
#include <cstddef>
#include <cstdint>

namespace rtcgate::stun {

inline constexpr uint32_t kMagicCookie = 0x2112A442;   // RFC 5389 §6
inline constexpr size_t kHeaderSize = 20;              // RFC 5389 §6
inline constexpr size_t kTransactionIdSize = 12;       // RFC 5389 §6 (96 bits)
inline constexpr size_t kAttributeHeaderSize = 4;      // RFC 5389 §15 (type + length)
inline constexpr size_t kHmacSha1Size = 20;            // RFC 5389 §15.4
inline constexpr size_t kMessageIntegritySize = kAttributeHeaderSize + kHmacSha1Size;
inline constexpr size_t kFingerprintSize = kAttributeHeaderSize + 4;  // RFC 5389 §15.5
inline constexpr uint32_t kFingerprintXor = 0x5354554e;  // RFC 5389 §15.5 ("STUN")
inline constexpr size_t kMaxUsernameSize = 512;        // RFC 5389 §15.3: "MUST be < 513 bytes"
inline constexpr size_t kMaxReasonSize = 763;          // RFC 5389 §15.6: < 128 chars, < 763 bytes
inline constexpr uint8_t kFamilyIpv4 = 0x01;           // RFC 5389 §15.1
inline constexpr uint8_t kFamilyIpv6 = 0x02;           // RFC 5389 §15.1

using TransactionId = std::array<uint8_t, kTransactionIdSize>;

// RFC 5389 §18.1; only Binding is used by ICE.
enum class StunMethod : uint16_t { Binding = 0x001 };

// RFC 5389 §6: the two class bits C1C0.
enum class StunClass : uint8_t { Request = 0, Indication = 1, SuccessResponse = 2, ErrorResponse = 3 };

// Attribute type codes.
enum class StunAttribute : uint16_t {
  MappedAddress = 0x0001,      // RFC 5389 §15.1
  Username = 0x0006,           // RFC 5389 §15.3
  MessageIntegrity = 0x0008,   // RFC 5389 §15.4
  ErrorCode = 0x0009,          // RFC 5389 §15.6
  UnknownAttributes = 0x000A,  // RFC 5389 §15.9
  Realm = 0x0014,              // RFC 5389 §15.7
  Nonce = 0x0015,              // RFC 5389 §15.8
  XorMappedAddress = 0x0020,   // RFC 5389 §15.2
  Priority = 0x0024,           // RFC 8445 §16.1
  UseCandidate = 0x0025,       // RFC 8445 §16.1
  Software = 0x8022,           // RFC 5389 §15.10
  Fingerprint = 0x8028,        // RFC 5389 §15.5
  IceControlled = 0x8029,      // RFC 8445 §16.1
  IceControlling = 0x802A,     // RFC 8445 §16.1
};

// Error codes used by ICE (RFC 5389 §15.6, RFC 8445 §7.3.1.1).
inline constexpr uint16_t kErrorBadRequest = 400;
inline constexpr uint16_t kErrorUnauthorized = 401;
inline constexpr uint16_t kErrorRoleConflict = 487;

}  // namespace rtcgate::stun
