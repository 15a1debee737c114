#pragma once
// Datagrams a worker will send once the current input has been handled. Protocol objects
// never call into sockets: they write into a reserved slot here and the worker flushes the
// queue after each input (the "drain after every input" rule). Slots are preallocated.
#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "common/SocketAddress.hpp"

namespace rtcgate::io {

class TxQueue {
 public:
  // Any datagram we receive (up to the 1500-byte Ethernet MTU) plus libsrtp's worst-case
  // trailer room (SRTP_MAX_TRAILER_LEN, 144 bytes) fits in one slot.
  static constexpr size_t kSlotSize = 2048;
  static constexpr size_t kSlots = 256;

  TxQueue();

  // The buffer to write the next datagram into; empty when the queue is full (the caller
  // counts a drop). Valid until commit() or flush().
  std::span<uint8_t> reserve() noexcept;
  void commit(size_t size, int fd, const SocketAddress& to) noexcept;

  // Convenience for small control packets built elsewhere (STUN responses, DTLS flights).
  bool push(std::span<const uint8_t> data, int fd, const SocketAddress& to) noexcept;

  // Sends everything queued; returns how many datagrams the kernel refused.
  size_t flush() noexcept;
  size_t pending() const noexcept { return count_; }
  uint64_t dropped() const noexcept { return dropped_; }

  // Read-only access for socket-free tests: the i-th queued datagram (i < pending()), its
  // destination, and clear(), which drops everything queued without sending it.
  std::span<const uint8_t> datagram(size_t i) const noexcept { return {slots_[i].data(), entries_[i].size}; }
  const SocketAddress& destination(size_t i) const noexcept { return entries_[i].to; }
  void clear() noexcept { count_ = 0; }

 private:
  struct Entry {
    size_t size;
    int fd;
    SocketAddress to;
  };
  std::unique_ptr<std::array<uint8_t, kSlotSize>[]> slots_;
  std::array<Entry, kSlots> entries_;
  size_t count_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace rtcgate::io
