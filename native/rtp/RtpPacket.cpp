#include "rtp/RtpPacket.hpp"

namespace rtcgate::rtp {

namespace {
constexpr uint8_t kOneByteReservedId = 15;  // RFC 8285 §4.2: stop parsing at ID 15
}  // namespace

std::optional<RtpPacket> RtpPacket::parse(std::span<uint8_t> datagram) noexcept {
  RtpParseError ignored;
  return parse(datagram, ignored);
}

std::optional<RtpPacket> RtpPacket::parse(std::span<uint8_t> d, RtpParseError& error) noexcept {
  if (d.size() < kRtpFixedHeaderSize) {
    error = RtpParseError::TooShort;
    return std::nullopt;
  }
  if ((d[0] >> 6) != kRtpVersion) {
    error = RtpParseError::BadVersion;
    return std::nullopt;
  }
  RtpPacket p;
  p.buf_ = d;
  size_t pos = kRtpFixedHeaderSize + 4 * size_t(d[0] & 0x0f);
  if (pos > d.size()) {
    error = RtpParseError::CsrcOverrun;
    return std::nullopt;
  }
  p.extOffset_ = pos;
  if (d[0] & 0x10) {
    // §5.3.1: 16-bit profile-defined field, 16-bit length in 32-bit words, then the data.
    if (pos + 4 > d.size()) {
      error = RtpParseError::ExtensionOverrun;
      return std::nullopt;
    }
    const size_t extSize = size_t(load16(d.data() + pos + 2)) * 4;
    pos += 4;
    if (extSize > d.size() - pos) {
      error = RtpParseError::ExtensionOverrun;
      return std::nullopt;
    }
    p.extOffset_ = pos;
    p.extSize_ = extSize;
    pos += extSize;
  }
  p.headerSize_ = pos;
  size_t padding = 0;
  if (d[0] & 0x20) {
    // §5.1: the last octet counts the padding octets, itself included.
    padding = d[d.size() - 1];
    if (padding == 0 || padding > d.size() - pos) {
      error = RtpParseError::BadPadding;
      return std::nullopt;
    }
  }
  p.payloadSize_ = d.size() - pos - padding;
  error = RtpParseError::None;
  return p;
}

std::optional<std::span<const uint8_t>> RtpPacket::findExtension(uint8_t id) const noexcept {
  if (!hasExtension() || id == 0) return std::nullopt;
  const auto ext = extension();
  const uint16_t profile = extensionProfile();
  if (profile == kOneByteExtensionProfile) {
    if (id >= kOneByteReservedId) return std::nullopt;
    size_t pos = 0;
    while (pos < ext.size()) {
      const uint8_t b = ext[pos];
      if (b == 0) {  // padding byte between elements
        ++pos;
        continue;
      }
      const uint8_t elemId = b >> 4;
      if (elemId == kOneByteReservedId) return std::nullopt;
      const size_t len = size_t(b & 0x0f) + 1;  // §4.2: length field is len - 1
      if (pos + 1 + len > ext.size()) return std::nullopt;
      if (elemId == id) return ext.subspan(pos + 1, len);
      pos += 1 + len;
    }
    return std::nullopt;
  }
  if ((profile & kTwoByteExtensionProfileMask) == kTwoByteExtensionProfile) {
    size_t pos = 0;
    while (pos < ext.size()) {
      const uint8_t elemId = ext[pos];
      if (elemId == 0) {  // §4.3: padding byte
        ++pos;
        continue;
      }
      if (pos + 2 > ext.size()) return std::nullopt;
      const size_t len = ext[pos + 1];  // §4.3: may be 0
      if (pos + 2 + len > ext.size()) return std::nullopt;
      if (elemId == id) return ext.subspan(pos + 2, len);
      pos += 2 + len;
    }
  }
  return std::nullopt;
}

}  // namespace rtcgate::rtp
