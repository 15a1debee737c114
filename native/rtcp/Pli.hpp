#pragma once
// RFC 4585 §6.3.1 picture loss indication (PT 206, FMT 1): no FCI.
#include <cstdint>
#include <optional>
#include <span>

#include "common/ByteOrder.hpp"
#include "rtcp/RtcpHeader.hpp"

namespace rtcgate::rtcp {

class Pli {
 public:
  static std::optional<Pli> parse(const RtcpHeader& header) noexcept;

  uint32_t senderSsrc() const noexcept { return load32(body_.data()); }
  uint32_t mediaSsrc() const noexcept { return load32(body_.data() + 4); }

 private:
  explicit Pli(std::span<const uint8_t> body) noexcept : body_(body) {}
  std::span<const uint8_t> body_;
};

}  // namespace rtcgate::rtcp
