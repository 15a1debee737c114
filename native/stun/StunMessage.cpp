#include "stun/StunMessage.hpp"

#include <openssl/crypto.h>

#include <array>
#include <cstring>

#include "common/ByteOrder.hpp"
#include "stun/Crc32.hpp"

namespace rtcgate::stun {
namespace {

constexpr size_t padded(size_t n) noexcept { return (n + 3) & ~size_t(3); }

// RFC 5389 §6: M11..M7 C1 M6..M4 C0 M3..M0 in the 14 low bits of the message type.
constexpr uint16_t methodOf(uint16_t type) noexcept {
  return uint16_t((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}
constexpr uint8_t classOf(uint16_t type) noexcept { return uint8_t(((type >> 7) & 0x2) | ((type >> 4) & 0x1)); }

// Lengths fixed by the RFCs; a mismatch makes the message malformed.
bool lengthOk(StunAttribute type, size_t len) noexcept {
  switch (type) {
    case StunAttribute::Username: return len <= kMaxUsernameSize;
    case StunAttribute::MessageIntegrity: return len == kHmacSha1Size;
    case StunAttribute::Fingerprint: return len == 4;
    case StunAttribute::Priority: return len == 4;
    case StunAttribute::UseCandidate: return len == 0;
    case StunAttribute::IceControlled:
    case StunAttribute::IceControlling: return len == 8;
    case StunAttribute::ErrorCode: return len >= 4 && len <= 4 + kMaxReasonSize;
    case StunAttribute::XorMappedAddress: return len == 8 || len == 20;
    default: return true;
  }
}

}  // namespace

std::optional<StunMessage> StunMessage::parse(std::span<const uint8_t> data) noexcept {
  if (data.size() < kHeaderSize) return std::nullopt;
  const uint8_t* p = data.data();
  const uint16_t type = load16(p);
  if (type & 0xC000) return std::nullopt;                    // RFC 5389 §6: top bits zero
  if (load32(p + 4) != kMagicCookie) return std::nullopt;     // RFC 5389 §6
  const size_t length = load16(p + 2);
  if (length % 4 != 0) return std::nullopt;                   // RFC 5389 §6: multiple of 4
  if (kHeaderSize + length != data.size()) return std::nullopt;
  StunMessage m(data);
  m.method_ = StunMethod(methodOf(type));
  m.class_ = StunClass(classOf(type));

  size_t pos = kHeaderSize;
  while (pos < data.size()) {
    if (data.size() - pos < kAttributeHeaderSize) return std::nullopt;
    const auto attr = StunAttribute(load16(p + pos));
    const size_t len = load16(p + pos + 2);
    if (padded(len) > data.size() - pos - kAttributeHeaderSize) return std::nullopt;
    if (!lengthOk(attr, len)) return std::nullopt;
    const auto offset = uint32_t(pos);
    if (m.fingerprint_ != 0) return std::nullopt;  // RFC 5389 §15.5: FINGERPRINT is last
    if (attr == StunAttribute::Fingerprint) {
      m.fingerprint_ = offset;
    } else if (m.integrity_ != 0) {
      // RFC 5389 §15.4: attributes after MESSAGE-INTEGRITY, other than FINGERPRINT, are ignored.
    } else {
      // RFC 5389 §15: only the first occurrence of an attribute is processed.
      auto first = [offset](uint32_t& slot) { if (slot == 0) slot = offset; };
      switch (attr) {
        case StunAttribute::Username: first(m.username_); break;
        case StunAttribute::Priority: first(m.priority_); break;
        case StunAttribute::IceControlling: first(m.controlling_); break;
        case StunAttribute::IceControlled: first(m.controlled_); break;
        case StunAttribute::ErrorCode: first(m.errorCode_); break;
        case StunAttribute::XorMappedAddress: first(m.xorMapped_); break;
        case StunAttribute::UseCandidate: m.useCandidate_ = true; break;
        case StunAttribute::MessageIntegrity: m.integrity_ = offset; break;
        default: break;
      }
    }
    pos += kAttributeHeaderSize + padded(len);
  }
  return m;
}

std::span<const uint8_t> StunMessage::value(uint32_t offset) const noexcept {
  const size_t len = load16(data_.data() + offset + 2);
  return data_.subspan(size_t(offset) + kAttributeHeaderSize, len);
}

std::optional<std::span<const uint8_t>> StunMessage::attribute(StunAttribute type) const noexcept {
  size_t pos = kHeaderSize;
  const size_t end = integrity_ != 0 ? integrity_ : (fingerprint_ != 0 ? fingerprint_ : data_.size());
  while (pos < end) {
    const size_t len = load16(data_.data() + pos + 2);
    if (StunAttribute(load16(data_.data() + pos)) == type) return data_.subspan(pos + kAttributeHeaderSize, len);
    pos += kAttributeHeaderSize + padded(len);
  }
  return std::nullopt;
}

std::optional<std::string_view> StunMessage::username() const noexcept {
  if (username_ == 0) return std::nullopt;
  auto v = value(username_);
  return std::string_view(reinterpret_cast<const char*>(v.data()), v.size());
}

std::optional<uint32_t> StunMessage::priority() const noexcept {
  if (priority_ == 0) return std::nullopt;
  return load32(value(priority_).data());
}

std::optional<uint64_t> StunMessage::iceControlling() const noexcept {
  if (controlling_ == 0) return std::nullopt;
  return load64(value(controlling_).data());
}

std::optional<uint64_t> StunMessage::iceControlled() const noexcept {
  if (controlled_ == 0) return std::nullopt;
  return load64(value(controlled_).data());
}

std::optional<StunErrorCode> StunMessage::errorCode() const noexcept {
  if (errorCode_ == 0) return std::nullopt;
  auto v = value(errorCode_);
  // RFC 5389 §15.6: 21 reserved bits, 3-bit class (hundreds), 8-bit number (0..99).
  const unsigned cls = v[2] & 0x07;
  const unsigned number = v[3];
  if (cls < 3 || cls > 6 || number > 99) return std::nullopt;
  return StunErrorCode{uint16_t(cls * 100 + number),
                       std::string_view(reinterpret_cast<const char*>(v.data() + 4), v.size() - 4)};
}

std::optional<SocketAddress> StunMessage::xorMappedAddress() const noexcept {
  if (xorMapped_ == 0) return std::nullopt;
  auto v = value(xorMapped_);
  // RFC 5389 §15.2: port XOR the cookie's top 16 bits; address XOR cookie (+ transaction id).
  const uint16_t port = uint16_t(load16(v.data() + 2) ^ (kMagicCookie >> 16));
  std::array<uint8_t, 16> mask;
  store32(mask.data(), kMagicCookie);
  std::memcpy(mask.data() + 4, data_.data() + 8, kTransactionIdSize);
  if (v[1] == kFamilyIpv4 && v.size() == 8) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    auto* a = reinterpret_cast<uint8_t*>(&sin.sin_addr);
    for (size_t i = 0; i < 4; ++i) a[i] = v[4 + i] ^ mask[i];
    return SocketAddress(reinterpret_cast<const sockaddr*>(&sin), sizeof(sin));
  }
  if (v[1] == kFamilyIpv6 && v.size() == 20) {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    auto* a = reinterpret_cast<uint8_t*>(&sin6.sin6_addr);
    for (size_t i = 0; i < 16; ++i) a[i] = v[4 + i] ^ mask[i];
    return SocketAddress(reinterpret_cast<const sockaddr*>(&sin6), sizeof(sin6));
  }
  return std::nullopt;
}

bool StunMessage::verifyMessageIntegrity(const HmacSha1Key& key) const noexcept {
  if (integrity_ == 0) return false;
  // RFC 5389 §15.4: the length field must count up to the end of MESSAGE-INTEGRITY, as if
  // nothing followed it; hash the header with that length, then the attributes before it.
  std::array<uint8_t, 4> head;
  std::memcpy(head.data(), data_.data(), 2);
  store16(head.data() + 2, uint16_t(integrity_ + kMessageIntegritySize - kHeaderSize));
  auto s = key.begin();
  s.update(head);
  s.update(data_.subspan(4, integrity_ - 4));
  std::array<uint8_t, kSha1Size> mac;
  s.finish(mac);
  return CRYPTO_memcmp(mac.data(), data_.data() + integrity_ + kAttributeHeaderSize, kSha1Size) == 0;
}

bool StunMessage::verifyMessageIntegrity(std::span<const uint8_t> key) const noexcept {
  return verifyMessageIntegrity(HmacSha1Key(key));
}

bool StunMessage::verifyFingerprint() const noexcept {
  if (fingerprint_ == 0) return false;
  // parse() rejects attributes after FINGERPRINT, so the header length already ends with it.
  const uint32_t expected = crc32(data_.first(fingerprint_)) ^ kFingerprintXor;
  return load32(data_.data() + fingerprint_ + kAttributeHeaderSize) == expected;
}

}  // namespace rtcgate::stun
