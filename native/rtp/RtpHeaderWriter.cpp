#include "rtp/RtpHeaderWriter.hpp"

#include <cstring>

#include "common/ByteOrder.hpp"
#include "rtp/RtpPacket.hpp"

namespace rtcgate::rtp {

namespace {
constexpr uint8_t kMaxOneByteId = 14;     // RFC 8285 §4.2: 15 is reserved
constexpr size_t kMaxOneByteLength = 16;  // 4-bit len field holds length - 1

bool fitsOneByte(std::span<const RtpExtensionElement> ext) noexcept {
  for (const auto& e : ext)
    if (e.id > kMaxOneByteId || e.data.empty() || e.data.size() > kMaxOneByteLength) return false;
  return true;
}

// Bytes of element data plus per-element headers, before padding to 32 bits; 0 if invalid.
size_t extensionBodySize(std::span<const RtpExtensionElement> ext, bool oneByte) noexcept {
  size_t n = 0;
  for (const auto& e : ext) {
    if (e.id == 0 || e.data.size() > 255) return 0;
    n += (oneByte ? 1 : 2) + e.data.size();
  }
  return n;
}
}  // namespace

size_t rtpHeaderSize(const RtpHeaderFields& f) noexcept {
  if (f.csrcs.size() > kMaxCsrcs) return 0;
  size_t size = kRtpFixedHeaderSize + 4 * f.csrcs.size();
  if (!f.extensions.empty()) {
    const size_t body = extensionBodySize(f.extensions, fitsOneByte(f.extensions));
    if (body == 0) return 0;
    const size_t padded = (body + 3) & ~size_t(3);
    if (padded / 4 > 0xffff) return 0;
    size += 4 + padded;
  }
  return size;
}

size_t writeRtpHeader(std::span<uint8_t> out, const RtpHeaderFields& f) noexcept {
  const size_t size = rtpHeaderSize(f);
  if (size == 0 || size > out.size()) return 0;
  uint8_t* p = out.data();
  std::memset(p, 0, size);
  p[0] = uint8_t(kRtpVersion << 6 | (f.extensions.empty() ? 0 : 0x10) | f.csrcs.size());
  p[1] = uint8_t((f.marker ? 0x80 : 0) | (f.payloadType & 0x7f));
  store16(p + 2, f.sequenceNumber);
  store32(p + 4, f.timestamp);
  store32(p + 8, f.ssrc);
  size_t pos = kRtpFixedHeaderSize;
  for (uint32_t c : f.csrcs) {
    store32(p + pos, c);
    pos += 4;
  }
  if (!f.extensions.empty()) {
    const bool oneByte = fitsOneByte(f.extensions);
    store16(p + pos, oneByte ? kOneByteExtensionProfile : kTwoByteExtensionProfile);
    store16(p + pos + 2, uint16_t((size - pos - 4) / 4));
    pos += 4;
    for (const auto& e : f.extensions) {
      if (oneByte) {
        p[pos++] = uint8_t(e.id << 4 | (e.data.size() - 1));
      } else {
        p[pos++] = e.id;
        p[pos++] = uint8_t(e.data.size());
      }
      if (!e.data.empty()) std::memcpy(p + pos, e.data.data(), e.data.size());
      pos += e.data.size();
    }
    // The remaining bytes up to `size` are the zero padding set by memset (§4.2/§4.3).
  }
  return size;
}

}  // namespace rtcgate::rtp
