#pragma once
// The media port range ([rsmp] web-rtp-min-port .. web-rtp-max-port). Ports are handed out
// with a bound UDP socket and come back when the endpoint closes. Touched only on the control
// path (create/close), never per packet, so a mutex is fine here.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace rtcgate::io {

struct BoundPort {
  int fd;
  uint16_t port;
};

class PortPool {
 public:
  PortPool(std::string bindAddress, uint16_t minPort, uint16_t maxPort);

  // Binds a non-blocking UDP socket on the next free port. Ports that another process holds
  // are skipped. Returns nullopt when the range is exhausted.
  std::optional<BoundPort> acquire();
  void release(uint16_t port) noexcept;

  size_t inUse() const noexcept;
  size_t total() const noexcept { return size_t(maxPort_ - minPort_) + 1; }

 private:
  std::string bindAddress_;
  uint16_t minPort_;
  uint16_t maxPort_;
  mutable std::mutex mutex_;
  std::vector<bool> used_;
  size_t inUse_ = 0;
  size_t next_ = 0;  // round-robin start, so a just-freed port is not reused at once
};

}  // namespace rtcgate::io
