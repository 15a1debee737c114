#pragma once
// The gateway's side of ICE: a lite agent (RFC 8445 §2.5, §6.2) with one component. It only
// answers Binding requests from the browser (the full, controlling agent), remembers which
// source addresses proved knowledge of the password, follows USE-CANDIDATE to pick the address
// media goes to, and lets consent (RFC 7675) expire when the selected address falls silent.
// Sans-IO: datagrams and time come in, response bytes, deadlines and events go out.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/SocketAddress.hpp"
#include "common/Time.hpp"
#include "ice/IceCredentials.hpp"
#include "ice/IceResult.hpp"
#include "ice/IceState.hpp"
#include "stun/HmacSha1Key.hpp"

namespace rtcgate::stun {
class StunMessage;
}

namespace rtcgate::ice {

class IceLiteAgent {
 public:
  static constexpr Duration kDefaultConsentTimeout = seconds(30);  // RFC 7675 §5.1
  static constexpr size_t kMaxValidatedSources = 8;
  static constexpr size_t kEventQueueSize = 8;

  // Throws std::runtime_error if the local credentials break RFC 8445 §5.3 (ufrag >= 4
  // characters, pwd >= 22 characters).
  IceLiteAgent(IceCredentials local, uint64_t tieBreaker, Duration consentTimeout = kDefaultConsentTimeout);

  // Until this is called, any USERNAME "<local ufrag>:<anything>" is accepted: the browser's
  // checks can arrive before its answer does.
  void setRemoteCredentials(IceCredentials remote);

  IceResult handleStun(TimePoint now, std::span<const uint8_t> datagram, const SocketAddress& from,
                       std::span<uint8_t> out) noexcept;

  TimePoint nextTimeout() const noexcept;
  void handleTimeout(TimePoint now) noexcept;
  void close() noexcept;

  bool isValidatedSource(const SocketAddress& address) const noexcept;
  const SocketAddress* selected() const noexcept { return selected_.isSet() ? &selected_ : nullptr; }
  IceState state() const noexcept { return state_; }
  IceRole role() const noexcept { return role_; }
  std::optional<IceEvent> pollEvent() noexcept;
  const IceCounters& counters() const noexcept { return counters_; }
  const IceCredentials& localCredentials() const noexcept { return local_; }

 private:
  bool usernameMatches(std::string_view username) const noexcept;
  IceResult reject(IceRejectReason reason, size_t responseSize) noexcept;
  size_t writeError(const stun::StunMessage& request, uint16_t code, bool authenticated,
                    std::span<uint8_t> out) noexcept;
  size_t writeSuccess(const stun::StunMessage& request, const SocketAddress& from, std::span<uint8_t> out) noexcept;
  void addValidated(const SocketAddress& address) noexcept;
  void nominate(TimePoint now, const SocketAddress& address) noexcept;
  void setState(IceState state) noexcept;
  void pushEvent(IceEvent event) noexcept;

  IceCredentials local_;
  IceCredentials remote_;
  bool remoteKnown_ = false;
  stun::HmacSha1Key localKey_;  // MESSAGE-INTEGRITY key: the local pwd (RFC 8445 §7.2.2)
  uint64_t tieBreaker_;
  Duration consentTimeout_;

  IceState state_ = IceState::New;
  IceRole role_ = IceRole::Controlled;  // RFC 8445 §6.1.1: a lite agent facing a full one
  SocketAddress selected_;
  TimePoint lastConsent_{};
  std::array<SocketAddress, kMaxValidatedSources> validated_{};
  size_t validatedCount_ = 0;
  size_t nextEvict_ = 0;

  std::array<IceEvent, kEventQueueSize> events_{};
  size_t eventHead_ = 0;
  size_t eventCount_ = 0;

  IceCounters counters_;
};

}  // namespace rtcgate::ice
