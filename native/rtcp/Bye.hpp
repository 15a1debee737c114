#pragma once
// RFC 3550 §6.6 goodbye (PT 203): SSRC/CSRC list and an optional reason, as a borrowed view.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtcp/RtcpHeader.hpp"

namespace rtcgate::rtcp {

class Bye {
 public:
  static std::optional<Bye> parse(const RtcpHeader& header) noexcept;

  size_t ssrcCount() const noexcept { return count_; }
  uint32_t ssrc(size_t i) const noexcept;  // i < ssrcCount()
  std::optional<std::string_view> reason() const noexcept { return reason_; }

 private:
  Bye(std::span<const uint8_t> body, size_t count, std::optional<std::string_view> reason) noexcept
      : body_(body), count_(count), reason_(reason) {}
  std::span<const uint8_t> body_;
  size_t count_;
  std::optional<std::string_view> reason_;
};

}  // namespace rtcgate::rtcp
