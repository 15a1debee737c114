#pragma once
// RFC 5104 §4.3.1 full intra request (PT 206, FMT 4): one (SSRC, command sequence number) per target.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/ByteOrder.hpp"
#include "rtcp/RtcpHeader.hpp"

namespace rtcgate::rtcp {

inline constexpr size_t kFirEntrySize = 8;  // RFC 5104 §4.3.1.1: SSRC, Seq nr., 24 reserved bits

struct FirEntry {
  uint32_t ssrc;      // media sender asked to send a decoder refresh point
  uint8_t seqNumber;  // incremented per new request (§4.3.1.2)

  friend bool operator==(const FirEntry&, const FirEntry&) = default;
};

class Fir {
 public:
  static std::optional<Fir> parse(const RtcpHeader& header) noexcept;

  uint32_t senderSsrc() const noexcept { return load32(body_.data()); }
  size_t entryCount() const noexcept;
  FirEntry entry(size_t i) const noexcept;  // i < entryCount()

 private:
  explicit Fir(std::span<const uint8_t> body) noexcept : body_(body) {}
  std::span<const uint8_t> body_;
};

}  // namespace rtcgate::rtcp
