#pragma once
// An IPv4 or IPv6 transport address held by value (no allocation), comparable and printable.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace rtcgate {

class SocketAddress {
 public:
  SocketAddress() noexcept { std::memset(&storage_, 0, sizeof(storage_)); }
  SocketAddress(const sockaddr* sa, socklen_t len) noexcept;

  // Parses "1.2.3.4" or "::1" with a port; returns an unset address (family() == AF_UNSPEC)
  // when the text is not a numeric IP.
  static SocketAddress fromIp(const std::string& ip, uint16_t port) noexcept;

  int family() const noexcept { return storage_.ss_family; }
  bool isSet() const noexcept { return family() == AF_INET || family() == AF_INET6; }
  uint16_t port() const noexcept;
  void setPort(uint16_t port) noexcept;
  std::string ip() const;
  std::string toString() const;  // "1.2.3.4:5" or "[::1]:5"

  const sockaddr* sockaddrPtr() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* sockaddrPtr() noexcept { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t length() const noexcept;
  static constexpr socklen_t capacity() noexcept { return sizeof(sockaddr_storage); }

  // Raw address bytes (4 or 16) for STUN XOR-MAPPED-ADDRESS.
  const uint8_t* addressBytes() const noexcept;
  size_t addressSize() const noexcept { return family() == AF_INET6 ? 16 : 4; }

  friend bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept;

 private:
  sockaddr_storage storage_;
};

}  // namespace rtcgate
