#pragma once
// A parsed STUN message (RFC 5389/8489) that borrows the datagram it was parsed from: parse()
// walks the attributes once and remembers where the ones ICE needs are. No allocation.
// The view is valid only while the datagram bytes are.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/SocketAddress.hpp"
#include "stun/HmacSha1Key.hpp"
#include "stun/StunConstants.hpp"

namespace rtcgate::stun {

struct StunErrorCode {
  uint16_t code;            // 300..699, RFC 5389 §15.6
  std::string_view reason;  // UTF-8 reason phrase, borrowed
};

class StunMessage {
 public:
  // nullopt when the bytes are not a well-formed STUN message: top two bits not 0, wrong magic
  // cookie, length not a multiple of 4 or not matching the datagram, an attribute running past
  // the end, a known attribute with an impossible length, or anything after FINGERPRINT.
  static std::optional<StunMessage> parse(std::span<const uint8_t> data) noexcept;

  StunMethod method() const noexcept { return method_; }
  StunClass messageClass() const noexcept { return class_; }
  std::span<const uint8_t, kTransactionIdSize> transactionId() const noexcept {
    return data_.subspan<8, kTransactionIdSize>();
  }
  std::span<const uint8_t> bytes() const noexcept { return data_; }

  std::optional<std::string_view> username() const noexcept;
  std::optional<uint32_t> priority() const noexcept;
  std::optional<uint64_t> iceControlling() const noexcept;
  std::optional<uint64_t> iceControlled() const noexcept;
  bool useCandidate() const noexcept { return useCandidate_; }
  std::optional<StunErrorCode> errorCode() const noexcept;
  std::optional<SocketAddress> xorMappedAddress() const noexcept;
  bool hasMessageIntegrity() const noexcept { return integrity_ != 0; }
  bool hasFingerprint() const noexcept { return fingerprint_ != 0; }

  // Any attribute by type (first occurrence before MESSAGE-INTEGRITY); value without padding.
  std::optional<std::span<const uint8_t>> attribute(StunAttribute type) const noexcept;

  // RFC 5389 §15.4: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the header length
  // counting up to and including MESSAGE-INTEGRITY. False when the attribute is absent.
  bool verifyMessageIntegrity(const HmacSha1Key& key) const noexcept;
  bool verifyMessageIntegrity(std::span<const uint8_t> key) const noexcept;
  // RFC 5389 §15.5: CRC-32 of the message up to FINGERPRINT, XOR 0x5354554e. False when absent.
  bool verifyFingerprint() const noexcept;

 private:
  explicit StunMessage(std::span<const uint8_t> data) noexcept : data_(data) {}
  std::span<const uint8_t> value(uint32_t offset) const noexcept;

  std::span<const uint8_t> data_;
  StunMethod method_{};
  StunClass class_{};
  // Byte offsets of attribute headers inside data_; 0 means absent (offset 0 is the header).
  uint32_t username_ = 0;
  uint32_t priority_ = 0;
  uint32_t controlling_ = 0;
  uint32_t controlled_ = 0;
  uint32_t errorCode_ = 0;
  uint32_t xorMapped_ = 0;
  uint32_t integrity_ = 0;
  uint32_t fingerprint_ = 0;
  bool useCandidate_ = false;
};

}  // namespace rtcgate::stun
