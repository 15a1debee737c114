#include "io/EventLoop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace rtcgate::io {

namespace {
constexpr int kMaxEventsPerWait = 64;
}

EventLoop::EventLoop() {
  epollFd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epollFd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  wakeFd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wakeFd_;
  if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, wakeFd_, &ev) != 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl(eventfd)");
}

EventLoop::~EventLoop() {
  if (wakeFd_ >= 0) close(wakeFd_);
  if (epollFd_ >= 0) close(epollFd_);
}

void EventLoop::add(int fd, ReadyHandler handler) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev) != 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl(add)");
  handlers_[fd] = std::move(handler);
}

void EventLoop::remove(int fd) noexcept {
  epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr);
  handlers_.erase(fd);
}

void EventLoop::runOnce(TimePoint deadline) {
  int timeoutMs = -1;
  if (deadline != kNever) {
    const auto left = deadline - Clock::now();
    // Round up so that the loop never wakes just before a deadline and spins.
    const auto ms = std::chrono::ceil<milliseconds>(left).count();
    timeoutMs = ms < 0 ? 0 : static_cast<int>(std::min<int64_t>(ms, 60'000));
  }
  epoll_event events[kMaxEventsPerWait];
  const int n = epoll_wait(epollFd_, events, kMaxEventsPerWait, timeoutMs);
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (fd == wakeFd_) {
      uint64_t count;
      while (read(wakeFd_, &count, sizeof(count)) > 0) {
      }
      continue;
    }
    // A handler may remove its own or another fd: look it up each time.
    auto it = handlers_.find(fd);
    if (it != handlers_.end()) it->second(events[i].events);
  }
}

void EventLoop::wake() noexcept {
  const uint64_t one = 1;
  [[maybe_unused]] auto r = write(wakeFd_, &one, sizeof(one));
}

}  // namespace rtcgate::io
