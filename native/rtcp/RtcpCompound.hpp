#pragma once
// A compound RTCP datagram (RFC 3550 §6.1) walked without allocation:
//
//   RtcpCompound compound(bytes);
//   for (RtcpHeader pkt : compound) switch (pkt.kind()) { ... }
//   if (!compound.valid()) ++counters.malformedRtcp;
//
// The constructor validates every common header once; iteration yields the well-formed packets
// in front of the first malformed one, so a truncated tail still delivers what precedes it.
// RFC 5506 reduced-size RTCP is accepted: the first packet need not be an SR or RR, and the
// A.2 "padding only on the last packet" rule is not enforced.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

#include "rtcp/RtcpHeader.hpp"

namespace rtcgate::rtcp {

class RtcpIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = RtcpHeader;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = RtcpHeader;

  RtcpIterator() noexcept = default;
  explicit RtcpIterator(std::span<const uint8_t> rest) noexcept : rest_(rest) {}

  // Only called on packets the owning RtcpCompound already validated.
  RtcpHeader operator*() const noexcept;
  RtcpIterator& operator++() noexcept;
  RtcpIterator operator++(int) noexcept {
    RtcpIterator old = *this;
    ++*this;
    return old;
  }
  friend bool operator==(const RtcpIterator& a, const RtcpIterator& b) noexcept {
    return a.rest_.data() == b.rest_.data() && a.rest_.size() == b.rest_.size();
  }

 private:
  std::span<const uint8_t> rest_;
};

class RtcpCompound {
 public:
  explicit RtcpCompound(std::span<const uint8_t> datagram) noexcept;

  RtcpIterator begin() const noexcept { return RtcpIterator(datagram_.first(validSize_)); }
  RtcpIterator end() const noexcept { return RtcpIterator(datagram_.subspan(validSize_, 0)); }

  bool valid() const noexcept { return status_ == RtcpStatus::Ok; }
  RtcpStatus status() const noexcept { return status_; }
  size_t packetCount() const noexcept { return packetCount_; }  // well-formed packets

 private:
  std::span<const uint8_t> datagram_;
  size_t validSize_ = 0;
  size_t packetCount_ = 0;
  RtcpStatus status_ = RtcpStatus::Ok;
};

}  // namespace rtcgate::rtcp
