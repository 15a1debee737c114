#include "stun/StunWriter.hpp"

#include <array>
#include <cstring>

#include "common/ByteOrder.hpp"
#include "stun/Crc32.hpp"

namespace rtcgate::stun {
namespace {

// RFC 5389 §6: interleave the 12 method bits with the two class bits.
constexpr uint16_t messageType(uint16_t method, uint8_t cls) noexcept {
  return uint16_t((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
                  ((cls & 0x1) << 4) | ((cls & 0x2) << 7));
}

}  // namespace

bool StunWriter::start(StunMethod method, StunClass cls,
                       std::span<const uint8_t, kTransactionIdSize> transactionId) noexcept {
  started_ = true;
  failed_ = buffer_.size() < kHeaderSize;
  if (failed_) return false;
  uint8_t* p = buffer_.data();
  store16(p, messageType(uint16_t(method), uint8_t(cls)));
  store16(p + 2, 0);
  store32(p + 4, kMagicCookie);
  std::memcpy(p + 8, transactionId.data(), kTransactionIdSize);
  size_ = kHeaderSize;
  return true;
}

uint8_t* StunWriter::append(StunAttribute type, size_t length) noexcept {
  if (!started_ || failed_) return nullptr;
  const size_t paddedLength = (length + 3) & ~size_t(3);
  if (length > 0xFFFF || buffer_.size() - size_ < kAttributeHeaderSize + paddedLength ||
      size_ - kHeaderSize + kAttributeHeaderSize + paddedLength > 0xFFFF) {
    failed_ = true;
    return nullptr;
  }
  uint8_t* p = buffer_.data() + size_;
  store16(p, uint16_t(type));
  store16(p + 2, uint16_t(length));
  std::memset(p + kAttributeHeaderSize + length, padding_, paddedLength - length);
  size_ += kAttributeHeaderSize + paddedLength;
  store16(buffer_.data() + 2, uint16_t(size_ - kHeaderSize));
  return p + kAttributeHeaderSize;
}

bool StunWriter::addAttribute(StunAttribute type, std::span<const uint8_t> value) noexcept {
  uint8_t* v = append(type, value.size());
  if (v == nullptr) return false;
  if (!value.empty()) std::memcpy(v, value.data(), value.size());
  return true;
}

bool StunWriter::addUsername(std::string_view username) noexcept {
  if (username.size() > kMaxUsernameSize) {
    failed_ = true;
    return false;
  }
  return addAttribute(StunAttribute::Username,
                      {reinterpret_cast<const uint8_t*>(username.data()), username.size()});
}

bool StunWriter::addPriority(uint32_t priority) noexcept {
  uint8_t* v = append(StunAttribute::Priority, 4);
  if (v != nullptr) store32(v, priority);
  return v != nullptr;
}

bool StunWriter::addIceControlling(uint64_t tieBreaker) noexcept {
  uint8_t* v = append(StunAttribute::IceControlling, 8);
  if (v != nullptr) store64(v, tieBreaker);
  return v != nullptr;
}

bool StunWriter::addIceControlled(uint64_t tieBreaker) noexcept {
  uint8_t* v = append(StunAttribute::IceControlled, 8);
  if (v != nullptr) store64(v, tieBreaker);
  return v != nullptr;
}

bool StunWriter::addUseCandidate() noexcept { return append(StunAttribute::UseCandidate, 0) != nullptr; }

bool StunWriter::addXorMappedAddress(const SocketAddress& address) noexcept {
  if (!address.isSet()) {
    failed_ = true;
    return false;
  }
  const size_t addrSize = address.addressSize();
  uint8_t* v = append(StunAttribute::XorMappedAddress, 4 + addrSize);
  if (v == nullptr) return false;
  // RFC 5389 §15.2: X-Port = port XOR cookie>>16; X-Address = address XOR (cookie || tid).
  std::array<uint8_t, 16> mask;
  store32(mask.data(), kMagicCookie);
  std::memcpy(mask.data() + 4, buffer_.data() + 8, kTransactionIdSize);
  v[0] = 0;
  v[1] = addrSize == 16 ? kFamilyIpv6 : kFamilyIpv4;
  store16(v + 2, uint16_t(address.port() ^ (kMagicCookie >> 16)));
  const uint8_t* a = address.addressBytes();
  for (size_t i = 0; i < addrSize; ++i) v[4 + i] = a[i] ^ mask[i];
  return true;
}

bool StunWriter::addErrorCode(uint16_t code, std::string_view reason) noexcept {
  if (code < 300 || code > 699 || reason.size() > kMaxReasonSize) {
    failed_ = true;
    return false;
  }
  uint8_t* v = append(StunAttribute::ErrorCode, 4 + reason.size());
  if (v == nullptr) return false;
  // RFC 5389 §15.6: 21 zero bits, class = hundreds digit, number = code mod 100.
  v[0] = 0;
  v[1] = 0;
  v[2] = uint8_t(code / 100);
  v[3] = uint8_t(code % 100);
  if (!reason.empty()) std::memcpy(v + 4, reason.data(), reason.size());
  return true;
}

bool StunWriter::addMessageIntegrity(const HmacSha1Key& key) noexcept {
  const size_t covered = size_;
  // append() sets the header length to include this attribute, as RFC 5389 §15.4 requires
  // for the hashed copy; nothing follows yet, so the buffer itself is the hashed text.
  uint8_t* v = append(StunAttribute::MessageIntegrity, kHmacSha1Size);
  if (v == nullptr) return false;
  key.compute(buffer_.first(covered), std::span<uint8_t, kSha1Size>(v, kSha1Size));
  return true;
}

bool StunWriter::addMessageIntegrity(std::span<const uint8_t> key) noexcept {
  return addMessageIntegrity(HmacSha1Key(key));
}

bool StunWriter::addFingerprint() noexcept {
  const size_t covered = size_;
  uint8_t* v = append(StunAttribute::Fingerprint, 4);
  if (v == nullptr) return false;
  // RFC 5389 §15.5: CRC over everything before this attribute, length already including it.
  store32(v, crc32(buffer_.first(covered)) ^ kFingerprintXor);
  return true;
}

}  // namespace rtcgate::stun
