#pragma once
// draft-alvestrand-rmcat-remb §2.2 receiver estimated maximum bitrate (PT 206, FMT 15, "REMB").
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/ByteOrder.hpp"
#include "rtcp/RtcpHeader.hpp"

namespace rtcgate::rtcp {

inline constexpr size_t kRembFixedSize = 16;       // sender, media (0), "REMB", num/exp/mantissa
inline constexpr uint32_t kRembMaxMantissa = 0x3ffff;  // 18-bit BR Mantissa
inline constexpr uint8_t kRembMaxExponent = 0x3f;      // 6-bit BR Exp

class Remb {
 public:
  static std::optional<Remb> parse(const RtcpHeader& header) noexcept;

  uint32_t senderSsrc() const noexcept { return load32(body_.data()); }
  uint64_t bitrate() const noexcept { return bitrate_; }  // bits per second, saturated at UINT64_MAX
  size_t ssrcCount() const noexcept { return body_[12]; }
  uint32_t ssrc(size_t i) const noexcept { return load32(body_.data() + kRembFixedSize + i * 4); }

 private:
  Remb(std::span<const uint8_t> body, uint64_t bitrate) noexcept : body_(body), bitrate_(bitrate) {}
  std::span<const uint8_t> body_;
  uint64_t bitrate_;
};

}  // namespace rtcgate::rtcp
