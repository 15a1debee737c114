#include "io/UdpSocket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace rtcgate::io {

namespace {
constexpr size_t kMaxBatch = 64;
constexpr int kSocketBufferBytes = 1 << 20;  // absorbs bursts (video key frames) between polls
}  // namespace

int openUdpSocket(const std::string& ip, uint16_t port) noexcept {
  SocketAddress addr = SocketAddress::fromIp(ip, port);
  if (!addr.isSet()) {
    errno = EINVAL;
    return -1;
  }
  const int fd = socket(addr.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSocketBufferBytes, sizeof(kSocketBufferBytes));
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSocketBufferBytes, sizeof(kSocketBufferBytes));
  if (bind(fd, addr.sockaddrPtr(), addr.length()) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

void closeSocket(int fd) noexcept {
  if (fd >= 0) close(fd);
}

size_t receiveBatch(int fd, std::span<ReceivedDatagram> slots) noexcept {
  const size_t n = slots.size() < kMaxBatch ? slots.size() : kMaxBatch;
  mmsghdr msgs[kMaxBatch];
  iovec iovs[kMaxBatch];
  for (size_t i = 0; i < n; ++i) {
    iovs[i].iov_base = slots[i].buffer.data();
    iovs[i].iov_len = slots[i].buffer.size();
    msgs[i] = mmsghdr{};
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = slots[i].from.sockaddrPtr();
    msgs[i].msg_hdr.msg_namelen = SocketAddress::capacity();
  }
  const int got = recvmmsg(fd, msgs, static_cast<unsigned>(n), MSG_DONTWAIT, nullptr);
  if (got <= 0) return 0;
  for (int i = 0; i < got; ++i) {
    // A datagram larger than the slot is truncated by the kernel: report it as empty so the
    // caller drops it instead of parsing half a packet.
    slots[i].size = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? 0 : msgs[i].msg_len;
  }
  return static_cast<size_t>(got);
}

bool sendDatagram(int fd, std::span<const uint8_t> data, const SocketAddress& to) noexcept {
  const ssize_t n = sendto(fd, data.data(), data.size(), MSG_DONTWAIT, to.sockaddrPtr(), to.length());
  return n == static_cast<ssize_t>(data.size());
}

}  // namespace rtcgate::io
