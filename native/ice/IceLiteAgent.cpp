#include "ice/IceLiteAgent.hpp"

#include <stdexcept>
#include <utility>

#include "stun/StunMessage.hpp"
#include "stun/StunWriter.hpp"

namespace rtcgate::ice {

using stun::StunClass;
using stun::StunMessage;
using stun::StunMethod;
using stun::StunWriter;

namespace {
constexpr size_t kMinUfragSize = 4;  // RFC 8445 §5.3
constexpr size_t kMinPwdSize = 22;   // RFC 8445 §5.3

// RFC 5389 §15.6 recommended reason phrases.
std::string_view reasonFor(uint16_t code) noexcept {
  switch (code) {
    case stun::kErrorBadRequest: return "Bad Request";
    case stun::kErrorUnauthorized: return "Unauthorized";
    case stun::kErrorRoleConflict: return "Role Conflict";
    default: return "";
  }
}
}  // namespace

IceLiteAgent::IceLiteAgent(IceCredentials local, uint64_t tieBreaker, Duration consentTimeout)
    : local_(std::move(local)), localKey_(std::string_view(local_.pwd)), tieBreaker_(tieBreaker),
      consentTimeout_(consentTimeout) {
  if (local_.ufrag.size() < kMinUfragSize || local_.pwd.size() < kMinPwdSize)
    throw std::runtime_error("IceLiteAgent: local ufrag must have >= 4 and pwd >= 22 characters (RFC 8445 §5.3)");
  if (local_.ufrag.find(':') != std::string::npos)
    throw std::runtime_error("IceLiteAgent: ':' is not allowed in an ufrag (RFC 8839 §5.4 ice-char)");
}

void IceLiteAgent::setRemoteCredentials(IceCredentials remote) {
  remote_ = std::move(remote);
  remoteKnown_ = true;
}

bool IceLiteAgent::usernameMatches(std::string_view username) const noexcept {
  // RFC 8445 §7.2.2: the browser sends USERNAME "<our ufrag>:<its ufrag>".
  const std::string_view ours = local_.ufrag;
  if (username.size() <= ours.size() + 1 || username.substr(0, ours.size()) != ours || username[ours.size()] != ':')
    return false;
  if (!remoteKnown_) return true;
  return username.substr(ours.size() + 1) == std::string_view(remote_.ufrag);
}

IceResult IceLiteAgent::reject(IceRejectReason reason, size_t responseSize) noexcept {
  ++counters_.rejected[size_t(reason)];
  if (responseSize > 0) ++counters_.errorResponsesSent;
  return {responseSize, IceResultKind::Rejected, reason};
}

size_t IceLiteAgent::writeError(const StunMessage& request, uint16_t code, bool authenticated,
                                std::span<uint8_t> out) noexcept {
  StunWriter w(out);
  w.start(request.method(), StunClass::ErrorResponse, request.transactionId());
  w.addErrorCode(code, reasonFor(code));
  // RFC 5389 §10.1.2: a request that failed authentication gets no MESSAGE-INTEGRITY back.
  if (authenticated) w.addMessageIntegrity(localKey_);
  w.addFingerprint();
  const size_t n = w.finish();
  if (n == 0) ++counters_.responsesTooLarge;
  return n;
}

size_t IceLiteAgent::writeSuccess(const StunMessage& request, const SocketAddress& from,
                                  std::span<uint8_t> out) noexcept {
  // RFC 8445 §7.3.1.4 / RFC 5389 §10.1.2: XOR-MAPPED-ADDRESS is the request's source,
  // integrity with the same (local) password, FINGERPRINT as ICE requires (RFC 8445 §7.2.2).
  StunWriter w(out);
  w.start(StunMethod::Binding, StunClass::SuccessResponse, request.transactionId());
  w.addXorMappedAddress(from);
  w.addMessageIntegrity(localKey_);
  w.addFingerprint();
  const size_t n = w.finish();
  if (n == 0) ++counters_.responsesTooLarge;
  return n;
}

IceResult IceLiteAgent::handleStun(TimePoint now, std::span<const uint8_t> datagram, const SocketAddress& from,
                                   std::span<uint8_t> out) noexcept {
  auto parsed = StunMessage::parse(datagram);
  if (!parsed) return reject(IceRejectReason::Malformed, 0);
  const StunMessage& m = *parsed;
  if (state_ == IceState::Disconnected || state_ == IceState::Closed) return reject(IceRejectReason::NotAccepting, 0);

  switch (m.messageClass()) {
    case StunClass::Indication:
      // RFC 7675 / RFC 8445 §11: Binding indications are keepalives; nothing to answer.
      ++counters_.indicationsIgnored;
      return {0, IceResultKind::Ignored, IceRejectReason::None};
    case StunClass::SuccessResponse:
    case StunClass::ErrorResponse:
      // A lite agent sends no checks (RFC 8445 §6.2), so no response can be ours.
      ++counters_.responsesIgnored;
      return {0, IceResultKind::Ignored, IceRejectReason::None};
    case StunClass::Request:
      break;
  }
  ++counters_.requestsReceived;

  // RFC 5389 §7.3: a wrong FINGERPRINT means "not STUN": drop without answering.
  if (m.hasFingerprint() && !m.verifyFingerprint()) return reject(IceRejectReason::BadFingerprint, 0);
  if (m.method() != StunMethod::Binding)
    return reject(IceRejectReason::UnsupportedMethod, writeError(m, stun::kErrorBadRequest, false, out));
  const auto username = m.username();
  if (!username || !m.hasMessageIntegrity())
    return reject(IceRejectReason::BadRequest, writeError(m, stun::kErrorBadRequest, false, out));
  if (!usernameMatches(*username))
    return reject(IceRejectReason::UnknownUsername, writeError(m, stun::kErrorUnauthorized, false, out));
  if (!m.verifyMessageIntegrity(localKey_))
    return reject(IceRejectReason::BadIntegrity, writeError(m, stun::kErrorUnauthorized, false, out));

  // RFC 8445 §7.3.1.1: both sides claim the same role; the larger tie-breaker keeps it.
  if (role_ == IceRole::Controlled) {
    if (const auto theirs = m.iceControlled()) {
      if (tieBreaker_ >= *theirs)
        return reject(IceRejectReason::RoleConflict, writeError(m, stun::kErrorRoleConflict, true, out));
      role_ = IceRole::Controlling;
      ++counters_.roleSwitches;
    }
  } else if (const auto theirs = m.iceControlling()) {
    if (tieBreaker_ >= *theirs)
      return reject(IceRejectReason::RoleConflict, writeError(m, stun::kErrorRoleConflict, true, out));
    role_ = IceRole::Controlled;
    ++counters_.roleSwitches;
  }

  ++counters_.requestsAccepted;
  addValidated(from);
  // RFC 8445 §7.3.1.5: USE-CANDIDATE nominates the pair the request arrived on. A lite agent
  // has no checks of its own, so the peer's nomination decides even after a role switch.
  if (m.useCandidate()) nominate(now, from);
  // RFC 7675 §5.1 seen from the answering side: a fresh authenticated request on the selected
  // address shows the peer still wants our media there.
  if (selected_.isSet() && from == selected_) lastConsent_ = now;

  const size_t n = writeSuccess(m, from, out);
  if (n > 0) ++counters_.responsesSent;
  return {n, IceResultKind::Accepted, IceRejectReason::None};
}

void IceLiteAgent::addValidated(const SocketAddress& address) noexcept {
  if (isValidatedSource(address)) return;
  if (validatedCount_ < kMaxValidatedSources) {
    validated_[validatedCount_++] = address;
    return;
  }
  // Full: overwrite round-robin, but never the selected address (media still flows there).
  for (size_t tries = 0; tries < kMaxValidatedSources; ++tries) {
    const size_t slot = nextEvict_;
    nextEvict_ = (nextEvict_ + 1) % kMaxValidatedSources;
    if (!(validated_[slot] == selected_)) {
      validated_[slot] = address;
      return;
    }
  }
}

bool IceLiteAgent::isValidatedSource(const SocketAddress& address) const noexcept {
  for (size_t i = 0; i < validatedCount_; ++i)
    if (validated_[i] == address) return true;
  return false;
}

void IceLiteAgent::nominate(TimePoint now, const SocketAddress& address) noexcept {
  if (!(selected_ == address) || !selected_.isSet()) {
    selected_ = address;
    lastConsent_ = now;
    ++counters_.nominations;
    pushEvent(IceSelectedChanged{address});
  }
  if (state_ == IceState::New) setState(IceState::Connected);
}

TimePoint IceLiteAgent::nextTimeout() const noexcept {
  if (state_ != IceState::Connected) return kNever;
  return lastConsent_ + consentTimeout_;
}

void IceLiteAgent::handleTimeout(TimePoint now) noexcept {
  if (state_ == IceState::Connected && now >= lastConsent_ + consentTimeout_) {
    // RFC 7675 §5.1: consent expired; stop sending and accept nothing more.
    ++counters_.consentExpirations;
    setState(IceState::Disconnected);
  }
}

void IceLiteAgent::close() noexcept {
  if (state_ != IceState::Closed) setState(IceState::Closed);
}

void IceLiteAgent::setState(IceState state) noexcept {
  state_ = state;
  pushEvent(IceStateChanged{state});
}

void IceLiteAgent::pushEvent(IceEvent event) noexcept {
  if (eventCount_ == kEventQueueSize) {
    ++counters_.eventsDropped;
    return;
  }
  events_[(eventHead_ + eventCount_) % kEventQueueSize] = event;
  ++eventCount_;
}

std::optional<IceEvent> IceLiteAgent::pollEvent() noexcept {
  if (eventCount_ == 0) return std::nullopt;
  IceEvent e = events_[eventHead_];
  eventHead_ = (eventHead_ + 1) % kEventQueueSize;
  --eventCount_;
  return e;
}

}  // namespace rtcgate::ice
