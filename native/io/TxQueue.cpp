#include "io/TxQueue.hpp"

#include <cstring>

#include "io/UdpSocket.hpp"

namespace rtcgate::io {

TxQueue::TxQueue() : slots_(std::make_unique<std::array<uint8_t, kSlotSize>[]>(kSlots)) {}

std::span<uint8_t> TxQueue::reserve() noexcept {
  if (count_ == kSlots) {
    // Full: send what we have so that a burst (a DTLS flight, a video frame) is not lost.
    flush();
  }
  return {slots_[count_].data(), kSlotSize};
}

void TxQueue::commit(size_t size, int fd, const SocketAddress& to) noexcept {
  if (size == 0 || size > kSlotSize || count_ == kSlots) {
    ++dropped_;
    return;
  }
  entries_[count_] = Entry{size, fd, to};
  ++count_;
}

bool TxQueue::push(std::span<const uint8_t> data, int fd, const SocketAddress& to) noexcept {
  if (data.size() > kSlotSize) {
    ++dropped_;
    return false;
  }
  auto slot = reserve();
  std::memcpy(slot.data(), data.data(), data.size());
  commit(data.size(), fd, to);
  return true;
}

size_t TxQueue::flush() noexcept {
  size_t refused = 0;
  for (size_t i = 0; i < count_; ++i) {
    const Entry& e = entries_[i];
    if (!sendDatagram(e.fd, {slots_[i].data(), e.size}, e.to)) ++refused;
  }
  dropped_ += refused;
  count_ = 0;
  return refused;
}

}  // namespace rtcgate::io
