#pragma once
// DTLS-SRTP (RFC 5763/5764) for one ICE transport, sans-IO: bytes and time in, datagrams,
// deadlines, events and SRTP keys out. Drive it like every protocol object here:
//   start(now) / handleDatagram(now, bytes) / handleTimeout(now) / close()
//   then drain:  while ((n = pollTransmit(buf)) > 0) send(buf, n);
//                while (auto ev = pollEvent()) ...;
//                arm a timer for nextTimeout(now).
// Seam: OpenSSL reads its own clock for handshake retransmissions, so `now` only positions
// the deadline we report; a flight is resent when OpenSSL's clock says so (see .cpp).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "common/Time.hpp"
#include "dtls/DatagramBio.hpp"
#include "dtls/DtlsContext.hpp"
#include "dtls/DtlsTypes.hpp"

struct ssl_st;  // OpenSSL SSL

namespace rtcgate::dtls {

class DtlsTransport {
 public:
  // Largest datagram pollTransmit() can return: size `out` at least this big.
  static constexpr size_t kMaxDatagram = DatagramBio::kSlotSize;

  // `context` must outlive the transport (non-owning). Throws std::runtime_error.
  DtlsTransport(DtlsContext& context, DtlsRole role);
  ~DtlsTransport();
  // Not movable: OpenSSL holds pointers to this object and to its datagram ring.
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // From the remote SDP a=fingerprint (RFC 8122 §5), e.g. ("sha-256", "AB:CD:..."). Must be
  // set before the handshake completes, or the transport fails with NoRemoteFingerprint.
  void setRemoteFingerprint(std::string algorithm, std::string value);

  // Client: sends the ClientHello. Server: starts waiting for one (a server also starts by
  // itself on its first datagram, in case the ClientHello beats the signalling).
  void start(TimePoint now) noexcept;
  void handleDatagram(TimePoint now, std::span<const uint8_t> datagram) noexcept;
  void handleTimeout(TimePoint now) noexcept;
  // kNever when no retransmission is pending.
  TimePoint nextTimeout(TimePoint now) const noexcept;
  // Next outgoing datagram, copied into `out` (one datagram per call, boundaries kept);
  // returns its length, 0 when nothing is queued.
  size_t pollTransmit(std::span<uint8_t> out) noexcept;
  std::optional<DtlsEvent> pollEvent() noexcept;
  // Queues close_notify (if the handshake finished) and moves to Closed.
  void close() noexcept;

  DtlsState state() const noexcept { return state_; }
  DtlsRole role() const noexcept { return role_; }
  DtlsFailure failure() const noexcept { return failure_; }
  // Set once Connected; stays readable afterwards.
  const std::optional<SrtpKeys>& srtpKeys() const noexcept { return keys_; }
  DtlsCounters counters() const noexcept;

 private:
  struct SslDeleter {
    void operator()(ssl_st* p) const noexcept;
  };
  static unsigned int retransmitTimer(ssl_st* ssl, unsigned int previousUs);

  void createSsl();
  void driveHandshake() noexcept;
  void completeHandshake() noexcept;
  void readRecords() noexcept;
  void setState(DtlsState next) noexcept;
  void fail(DtlsFailure reason) noexcept;

  // Passed by argument (not owned).
  DtlsContext& context_;
  DtlsRole role_;
  // Owned. bio_ is declared before ssl_ so it outlives the SSL (and its BIO) on destruction.
  DatagramBio bio_;
  std::unique_ptr<ssl_st, SslDeleter> ssl_;
  // State.
  DtlsState state_ = DtlsState::New;
  DtlsFailure failure_ = DtlsFailure::None;
  bool peerHelloSeen_ = false;  // server: we answered a ClientHello, so errors are real
  std::string remoteFingerprintAlgorithm_;
  std::string remoteFingerprint_;
  std::optional<SrtpKeys> keys_;
  // Pending events: a transport changes state a handful of times in its life.
  static constexpr size_t kMaxEvents = 8;
  DtlsEvent events_[kMaxEvents];
  size_t eventHead_ = 0;
  size_t eventCount_ = 0;
  DtlsCounters counters_;
};

}  // namespace rtcgate::dtls
