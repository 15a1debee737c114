#pragma once
// RFC 4585 §6.2.1 generic NACK (PT 205, FMT 1): (PID, BLP) pairs naming lost RTP packets.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/ByteOrder.hpp"
#include "rtcp/RtcpHeader.hpp"

namespace rtcgate::rtcp {

inline constexpr size_t kFeedbackFixedSize = 8;  // RFC 4585 §6.1: packet sender SSRC + media source SSRC
inline constexpr size_t kNackItemSize = 4;       // §6.2.1: PID (16) + BLP (16)

struct NackItem {
  uint16_t pid;  // a lost packet
  uint16_t blp;  // bit i set: packet pid + i + 1 is lost too

  friend bool operator==(const NackItem&, const NackItem&) = default;
};

class GenericNack {
 public:
  static std::optional<GenericNack> parse(const RtcpHeader& header) noexcept;

  uint32_t senderSsrc() const noexcept { return load32(body_.data()); }
  uint32_t mediaSsrc() const noexcept { return load32(body_.data() + 4); }
  size_t itemCount() const noexcept { return (body_.size() - kFeedbackFixedSize) / kNackItemSize; }
  NackItem item(size_t i) const noexcept;  // i < itemCount()

  // Calls f(uint16_t seq) for every lost sequence number, PID first then BLP bits in order.
  template <typename F>
  void forEachLost(F&& f) const noexcept {
    for (size_t i = 0; i < itemCount(); ++i) {
      const NackItem it = item(i);
      f(it.pid);
      for (unsigned bit = 0; bit < 16; ++bit)
        if (it.blp & (1u << bit)) f(uint16_t(it.pid + bit + 1));
    }
  }

  // Writes up to out.size() lost sequence numbers; returns how many were written.
  size_t lostSequenceNumbers(std::span<uint16_t> out) const noexcept;

 private:
  explicit GenericNack(std::span<const uint8_t> body) noexcept : body_(body) {}
  std::span<const uint8_t> body_;
};

}  // namespace rtcgate::rtcp
