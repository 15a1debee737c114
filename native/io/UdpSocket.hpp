#pragma once
// Plain UDP socket calls, the only place besides EventLoop that makes syscalls.
#include <cstdint>
#include <span>
#include <string>

#include "common/SocketAddress.hpp"

namespace rtcgate::io {

// Opens a non-blocking UDP socket bound to ip:port. Returns -1 (errno set) on failure.
int openUdpSocket(const std::string& ip, uint16_t port) noexcept;
void closeSocket(int fd) noexcept;

struct ReceivedDatagram {
  std::span<uint8_t> buffer;  // the whole slot; the first `size` bytes are the datagram
  size_t size;
  SocketAddress from;
};

// Reads up to `slots.size()` datagrams with one recvmmsg call. Returns how many were read.
size_t receiveBatch(int fd, std::span<ReceivedDatagram> slots) noexcept;

// Sends one datagram; returns false when the kernel refused it (counted by the caller).
bool sendDatagram(int fd, std::span<const uint8_t> data, const SocketAddress& to) noexcept;

}  // namespace rtcgate::io
