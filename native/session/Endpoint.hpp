#pragma once
// What a worker drives: an endpoint owns one or two sockets' worth of protocol state (a
// WebRTC leg, a plain RTP leg) and is fed datagrams and time. Bridges see the MediaLeg face.
#include <cstdint>
#include <optional>
#include <span>

#include "common/SocketAddress.hpp"
#include "common/Time.hpp"
#include "io/TxQueue.hpp"
#include "media/MediaLeg.hpp"
#include "session/EndpointEvent.hpp"
#include "session/EndpointTypes.hpp"

namespace rtcgate::session {

class Endpoint : public media::MediaLeg {
 public:
  // Which of the endpoint's sockets a datagram came in on: RTP (or the only one), or RTCP on
  // its own port (RFC 3550 §11, when rtcp-mux is not used).
  enum class Socket : uint8_t { Primary, Rtcp };

  virtual void handleDatagram(TimePoint now, Socket socket, std::span<uint8_t> slot, size_t size,
                              const SocketAddress& from, io::TxQueue& tx) noexcept = 0;
  virtual void handleTimeout(TimePoint now, io::TxQueue& tx) noexcept = 0;
  virtual TimePoint nextTimeout() const noexcept = 0;
  virtual std::optional<EndpointEvent> pollEvent() = 0;
  // Set once the endpoint wants to be closed (consent lost, set-up or media timeout, ...).
  virtual std::optional<CloseReason> finished() const noexcept = 0;
  // Queues what a clean goodbye sends (RTCP BYE, DTLS close_notify).
  virtual void close(TimePoint now, io::TxQueue& tx) noexcept = 0;
  virtual EndpointStats stats(TimePoint now) const = 0;
};

}  // namespace rtcgate::session
