#pragma once
// Writes one STUN message (RFC 5389/8489) into a caller-owned buffer, attribute by attribute.
// The header length is kept current after each attribute, as MESSAGE-INTEGRITY and FINGERPRINT
// need. Running out of room is sticky: every later call fails and finish() returns 0.
#include <cstdint>
#include <span>
#include <string_view>

#include "common/SocketAddress.hpp"
#include "stun/HmacSha1Key.hpp"
#include "stun/StunConstants.hpp"

namespace rtcgate::stun {

class StunWriter {
 public:
  explicit StunWriter(std::span<uint8_t> buffer) noexcept : buffer_(buffer) {}

  // RFC 5389 §15: padding bytes are arbitrary; 0 by default (RFC 5769 used 0x20).
  void setPaddingByte(uint8_t b) noexcept { padding_ = b; }

  bool start(StunMethod method, StunClass cls, std::span<const uint8_t, kTransactionIdSize> transactionId) noexcept;
  bool addUsername(std::string_view username) noexcept;
  bool addPriority(uint32_t priority) noexcept;
  bool addIceControlling(uint64_t tieBreaker) noexcept;
  bool addIceControlled(uint64_t tieBreaker) noexcept;
  bool addUseCandidate() noexcept;
  bool addXorMappedAddress(const SocketAddress& address) noexcept;
  bool addErrorCode(uint16_t code, std::string_view reason) noexcept;
  bool addAttribute(StunAttribute type, std::span<const uint8_t> value) noexcept;
  bool addMessageIntegrity(const HmacSha1Key& key) noexcept;
  bool addMessageIntegrity(std::span<const uint8_t> key) noexcept;
  bool addFingerprint() noexcept;
  // Size of the finished message, or 0 if start() was not called or anything did not fit.
  size_t finish() const noexcept { return (started_ && !failed_) ? size_ : 0; }

 private:
  // Reserves an attribute header + padded value; returns the value pointer or nullptr.
  uint8_t* append(StunAttribute type, size_t length) noexcept;

  std::span<uint8_t> buffer_;
  size_t size_ = 0;
  bool started_ = false;
  bool failed_ = false;
  uint8_t padding_ = 0;
};

}  // namespace rtcgate::stun
