#include "rtcp/RtcpCompound.hpp"

namespace rtcgate::rtcp {

RtcpHeader RtcpIterator::operator*() const noexcept {
  RtcpStatus status;
  // Validated by RtcpCompound's constructor; parse cannot fail here.
  return *RtcpHeader::parse(rest_, status);
}

RtcpIterator& RtcpIterator::operator++() noexcept {
  RtcpStatus status;
  auto h = RtcpHeader::parse(rest_, status);
  rest_ = h ? rest_.subspan(h->size()) : rest_.subspan(rest_.size());
  return *this;
}

RtcpCompound::RtcpCompound(std::span<const uint8_t> datagram) noexcept : datagram_(datagram) {
  if (datagram.empty()) {
    status_ = RtcpStatus::Truncated;
    return;
  }
  while (validSize_ < datagram.size()) {
    auto h = RtcpHeader::parse(datagram.subspan(validSize_), status_);
    if (!h) return;
    validSize_ += h->size();
    ++packetCount_;
  }
}

}  // namespace rtcgate::rtcp
