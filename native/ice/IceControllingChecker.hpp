#pragma once
// The browser's half of one ICE candidate pair, for tests and the load generator: a full,
// controlling agent's connectivity check (RFC 8445 §7.2.4) with STUN retransmission
// (RFC 5389 §7.2.1), aggressive nomination (USE-CANDIDATE on every request), then consent
// freshness checks (RFC 7675 §5.1). Sans-IO like IceLiteAgent.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/SocketAddress.hpp"
#include "common/Time.hpp"
#include "ice/IceCredentials.hpp"
#include "ice/IceResult.hpp"
#include "stun/HmacSha1Key.hpp"
#include "stun/StunConstants.hpp"

namespace rtcgate::ice {

enum class IceCheckerState : uint8_t { New, Checking, Connected, Failed, Closed };

struct IceCheckerCounters {
  uint64_t requestsSent = 0;
  uint64_t retransmissions = 0;
  uint64_t successResponses = 0;
  uint64_t errorResponses = 0;         // authenticated error responses (e.g. 487)
  uint64_t responsesRejected = 0;      // bad integrity/fingerprint, wrong source, unauthenticated
  uint64_t responsesIgnored = 0;       // unknown transaction, not a response
};

class IceControllingChecker {
 public:
  static constexpr Duration kInitialRto = milliseconds(50);     // RFC 8445 §14.3 (Ta-paced RTO)
  static constexpr int kMaxTransmits = 7;                       // RFC 5389 §7.2.1 Rc
  static constexpr int kFinalWaitFactor = 16;                   // RFC 5389 §7.2.1 Rm
  static constexpr Duration kConsentInterval = seconds(5);      // RFC 7675 §5.1
  static constexpr Duration kConsentTimeout = seconds(30);      // RFC 7675 §5.1
  static constexpr size_t kOutstanding = 8;                     // transactions remembered

  // `local` are this (browser-side) agent's credentials, `remote` the lite agent's.
  IceControllingChecker(IceCredentials local, IceCredentials remote, uint64_t tieBreaker, uint32_t priority);

  void start(TimePoint now, const SocketAddress& remote) noexcept;
  // A Binding request to send to remote() if one is due, else 0.
  size_t pollTransmit(TimePoint now, std::span<uint8_t> out) noexcept;
  IceResultKind handleStun(TimePoint now, std::span<const uint8_t> datagram, const SocketAddress& from) noexcept;
  TimePoint nextTimeout() const noexcept;
  void handleTimeout(TimePoint now) noexcept;
  void close() noexcept { state_ = IceCheckerState::Closed; }

  IceCheckerState state() const noexcept { return state_; }
  const SocketAddress& remote() const noexcept { return remoteAddress_; }
  // XOR-MAPPED-ADDRESS of the latest success response: how the lite agent sees us.
  const std::optional<SocketAddress>& mappedAddress() const noexcept { return mapped_; }
  const IceCheckerCounters& counters() const noexcept { return counters_; }

 private:
  size_t writeRequest(const stun::TransactionId& tid, std::span<uint8_t> out) noexcept;
  void newTransaction() noexcept;
  Duration jitteredConsentInterval() noexcept;
  bool isOutstanding(std::span<const uint8_t, stun::kTransactionIdSize> tid) const noexcept;

  IceCredentials local_;
  IceCredentials remote_;
  stun::HmacSha1Key remoteKey_;  // requests and their responses use the remote pwd (§7.2.2)
  uint64_t tieBreaker_;
  uint32_t priority_;

  IceCheckerState state_ = IceCheckerState::New;
  SocketAddress remoteAddress_;
  std::optional<SocketAddress> mapped_;
  std::array<stun::TransactionId, kOutstanding> outstanding_{};
  size_t outstandingNext_ = 0;
  size_t outstandingCount_ = 0;
  stun::TransactionId current_{};
  int transmits_ = 0;
  Duration rto_ = kInitialRto;
  TimePoint nextSendAt_ = kNever;
  TimePoint giveUpAt_ = kNever;
  TimePoint lastResponse_{};
  IceCheckerCounters counters_;
};

}  // namespace rtcgate::ice
