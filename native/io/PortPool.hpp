#pragma once
// A media port range ([rsmp] web-rtp-min-port .. web-rtp-max-port, or sip-rtp-min-port ..
// sip-rtp-max-port for the SIP side). Ports are handed out with a bound UDP socket, singly
// (rtcp-mux, WebRTC) or as an RTP/RTCP pair, and come back when the endpoint closes. Touched
// only on the control path (create/close), never per packet, so a mutex is fine here.
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

// RFC 3550 §11: RTP on an even port and its RTCP on the next (odd) one.
struct BoundPortPair {
  BoundPort rtp;
  BoundPort rtcp;
};

class PortPool {
 public:
  PortPool(std::string bindAddress, uint16_t minPort, uint16_t maxPort);

  // Binds a non-blocking UDP socket on the next free port. Ports that another process holds
  // are skipped. Returns nullopt when the range is exhausted.
  std::optional<BoundPort> acquire();
  void release(uint16_t port) noexcept;

  // Binds an even port for RTP and the odd port above it for RTCP (RFC 3550 §11), both free
  // in this pool and bindable. A pair that another process holds half of is skipped. Returns
  // nullopt when no whole pair is left in the range.
  std::optional<BoundPortPair> acquirePair();
  // Returns both ports of a pair acquired with acquirePair() (rtpPort and rtpPort + 1).
  void releasePair(uint16_t rtpPort) noexcept;

  size_t inUse() const noexcept;
  size_t total() const noexcept { return size_t(maxPort_ - minPort_) + 1; }

 private:
  std::string bindAddress_;
  uint16_t minPort_;
  uint16_t maxPort_;
  mutable std::mutex mutex_;
  std::vector<bool> used_;
  size_t inUse_ = 0;
  size_t next_ = 0;      // round-robin start, so a just-freed port is not reused at once
  size_t nextPair_ = 0;  // the same for pairs, as an index into the range
};

}  // namespace rtcgate::io
