#include "io/PortPool.hpp"

#include <stdexcept>

#include "io/UdpSocket.hpp"

namespace rtcgate::io {

PortPool::PortPool(std::string bindAddress, uint16_t minPort, uint16_t maxPort)
    : bindAddress_(std::move(bindAddress)), minPort_(minPort), maxPort_(maxPort) {
  if (minPort == 0 || maxPort < minPort) throw std::invalid_argument("invalid media port range");
  used_.assign(total(), false);
}

std::optional<BoundPort> PortPool::acquire() {
  std::lock_guard lock(mutex_);
  const size_t n = used_.size();
  for (size_t tried = 0; tried < n; ++tried) {
    const size_t i = (next_ + tried) % n;
    if (used_[i]) continue;
    const auto port = static_cast<uint16_t>(minPort_ + i);
    const int fd = openUdpSocket(bindAddress_, port);
    if (fd < 0) continue;  // held by someone else: try the next one
    used_[i] = true;
    ++inUse_;
    next_ = (i + 1) % n;
    return BoundPort{fd, port};
  }
  return std::nullopt;
}

void PortPool::release(uint16_t port) noexcept {
  std::lock_guard lock(mutex_);
  if (port < minPort_ || port > maxPort_) return;
  const size_t i = port - minPort_;
  if (used_[i]) {
    used_[i] = false;
    --inUse_;
  }
}

std::optional<BoundPortPair> PortPool::acquirePair() {
  std::lock_guard lock(mutex_);
  const size_t n = used_.size();
  // Index of the first even port in the range (RFC 3550 §11 wants RTP on an even port).
  const size_t firstEven = (minPort_ % 2 == 0) ? 0 : 1;
  if (n < firstEven + 2) return std::nullopt;
  const size_t pairs = (n - firstEven) / 2;  // whole (even, odd) pairs inside the range
  for (size_t tried = 0; tried < pairs; ++tried) {
    const size_t pair = (nextPair_ + tried) % pairs;
    const size_t i = firstEven + 2 * pair;
    if (used_[i] || used_[i + 1]) continue;
    const auto rtpPort = static_cast<uint16_t>(minPort_ + i);
    const int rtpFd = openUdpSocket(bindAddress_, rtpPort);
    if (rtpFd < 0) continue;  // held by someone else: try the next pair
    const int rtcpFd = openUdpSocket(bindAddress_, static_cast<uint16_t>(rtpPort + 1));
    if (rtcpFd < 0) {
      closeSocket(rtpFd);
      continue;
    }
    used_[i] = used_[i + 1] = true;
    inUse_ += 2;
    nextPair_ = (pair + 1) % pairs;
    return BoundPortPair{BoundPort{rtpFd, rtpPort}, BoundPort{rtcpFd, static_cast<uint16_t>(rtpPort + 1)}};
  }
  return std::nullopt;
}

void PortPool::releasePair(uint16_t rtpPort) noexcept {
  release(rtpPort);
  if (rtpPort < maxPort_) release(static_cast<uint16_t>(rtpPort + 1));
}

size_t PortPool::inUse() const noexcept {
  std::lock_guard lock(mutex_);
  return inUse_;
}

}  // namespace rtcgate::io
