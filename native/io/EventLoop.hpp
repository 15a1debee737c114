#pragma once
// One epoll loop per worker thread. It owns the only blocking call of the native engine
// (epoll_wait); file descriptors register a callback and the loop sleeps until the next
// deadline the owner gives it. Wake-ups from other threads go through an eventfd.
#include <cstdint>
#include <functional>
#include <unordered_map>

#include "common/Time.hpp"

namespace rtcgate::io {

class EventLoop {
 public:
  using ReadyHandler = std::function<void(uint32_t epollEvents)>;

  EventLoop();  // throws std::system_error
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registers fd for reading (level-triggered). The handler runs on the loop's thread.
  void add(int fd, ReadyHandler handler);
  void remove(int fd) noexcept;

  // Waits for readiness until `deadline` (or a wake()), then runs the handlers of ready fds.
  // Returns after one round so that the caller can drain queues and run timers.
  void runOnce(TimePoint deadline);

  // Thread-safe: makes a pending or next runOnce() return promptly.
  void wake() noexcept;

 private:
  int epollFd_ = -1;
  int wakeFd_ = -1;
  std::unordered_map<int, ReadyHandler> handlers_;
};

}  // namespace rtcgate::io
