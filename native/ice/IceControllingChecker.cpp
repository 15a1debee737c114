#include "ice/IceControllingChecker.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <utility>

#include "common/ByteOrder.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunWriter.hpp"

namespace rtcgate::ice {

using stun::StunClass;
using stun::StunMessage;
using stun::StunMethod;

IceControllingChecker::IceControllingChecker(IceCredentials local, IceCredentials remote, uint64_t tieBreaker,
                                             uint32_t priority)
    : local_(std::move(local)), remote_(std::move(remote)), remoteKey_(std::string_view(remote_.pwd)),
      tieBreaker_(tieBreaker), priority_(priority) {}

void IceControllingChecker::start(TimePoint now, const SocketAddress& remote) noexcept {
  remoteAddress_ = remote;
  state_ = IceCheckerState::Checking;
  newTransaction();
  transmits_ = 0;
  rto_ = kInitialRto;
  nextSendAt_ = now;
  giveUpAt_ = kNever;
}

void IceControllingChecker::newTransaction() noexcept {
  // RFC 7675 §5.1: consent transaction ids must be unguessable, so use the CSPRNG for all.
  if (RAND_bytes(current_.data(), int(current_.size())) != 1) {
    // Keep going with whatever is there, but never reuse an id verbatim.
    current_[0] ^= uint8_t(outstandingNext_ + 1);
  }
  outstanding_[outstandingNext_] = current_;
  outstandingNext_ = (outstandingNext_ + 1) % kOutstanding;
  outstandingCount_ = std::min(outstandingCount_ + 1, kOutstanding);
}

Duration IceControllingChecker::jitteredConsentInterval() noexcept {
  // RFC 7675 §5.1: uniformly random in [0.8, 1.2] × 5 s, so checks from many flows spread out.
  uint8_t r[2] = {0, 0};
  (void)RAND_bytes(r, sizeof(r));
  const double u = double(load16(r)) / 65535.0;
  return std::chrono::duration_cast<Duration>(kConsentInterval * (0.8 + 0.4 * u));
}

bool IceControllingChecker::isOutstanding(std::span<const uint8_t, stun::kTransactionIdSize> tid) const noexcept {
  // Slots fill from 0 and then wrap, so the first outstandingCount_ are the live ones.
  return std::any_of(outstanding_.begin(), outstanding_.begin() + outstandingCount_,
                     [&](const stun::TransactionId& t) { return std::equal(t.begin(), t.end(), tid.begin()); });
}

size_t IceControllingChecker::writeRequest(const stun::TransactionId& tid, std::span<uint8_t> out) noexcept {
  // RFC 8445 §7.2.2: USERNAME "<remote ufrag>:<local ufrag>", integrity with the remote pwd.
  std::array<char, 2 * 256 + 1> username;
  const size_t n1 = std::min(remote_.ufrag.size(), size_t(256));
  const size_t n2 = std::min(local_.ufrag.size(), size_t(256));
  std::copy_n(remote_.ufrag.data(), n1, username.data());
  username[n1] = ':';
  std::copy_n(local_.ufrag.data(), n2, username.data() + n1 + 1);

  stun::StunWriter w(out);
  w.start(StunMethod::Binding, StunClass::Request, tid);
  w.addUsername(std::string_view(username.data(), n1 + 1 + n2));
  w.addPriority(priority_);             // RFC 8445 §7.1.1
  w.addIceControlling(tieBreaker_);     // RFC 8445 §7.1.3
  w.addUseCandidate();                  // RFC 8445 §8.1.1: nominate with every check
  w.addMessageIntegrity(remoteKey_);
  w.addFingerprint();
  return w.finish();
}

size_t IceControllingChecker::pollTransmit(TimePoint now, std::span<uint8_t> out) noexcept {
  if (now < nextSendAt_) return 0;
  if (state_ == IceCheckerState::Checking && transmits_ < kMaxTransmits) {
    const size_t n = writeRequest(current_, out);
    if (n == 0) return 0;
    if (transmits_ > 0) ++counters_.retransmissions;
    ++transmits_;
    ++counters_.requestsSent;
    // RFC 5389 §7.2.1: the interval doubles; after the last transmit wait Rm × RTO, then fail.
    if (transmits_ < kMaxTransmits) {
      nextSendAt_ = now + rto_;
      rto_ *= 2;
    } else {
      nextSendAt_ = kNever;
      giveUpAt_ = now + kFinalWaitFactor * kInitialRto;
    }
    return n;
  }
  if (state_ == IceCheckerState::Connected) {
    newTransaction();
    const size_t n = writeRequest(current_, out);
    if (n == 0) return 0;
    ++counters_.requestsSent;
    nextSendAt_ = now + jitteredConsentInterval();
    return n;
  }
  return 0;
}

IceResultKind IceControllingChecker::handleStun(TimePoint now, std::span<const uint8_t> datagram,
                                                const SocketAddress& from) noexcept {
  auto parsed = StunMessage::parse(datagram);
  if (!parsed) {
    ++counters_.responsesRejected;
    return IceResultKind::Rejected;
  }
  const StunMessage& m = *parsed;
  const bool isResponse = m.messageClass() == StunClass::SuccessResponse || m.messageClass() == StunClass::ErrorResponse;
  if (!isResponse || m.method() != StunMethod::Binding || !isOutstanding(m.transactionId()) ||
      state_ == IceCheckerState::Closed || state_ == IceCheckerState::Failed || state_ == IceCheckerState::New) {
    ++counters_.responsesIgnored;
    return IceResultKind::Ignored;
  }
  // RFC 8445 §7.2.5.2.1: the response must come from where the request went. RFC 5389
  // §10.1.3: a response without valid MESSAGE-INTEGRITY is discarded as if never received.
  if (!(from == remoteAddress_) || (m.hasFingerprint() && !m.verifyFingerprint()) ||
      !m.verifyMessageIntegrity(remoteKey_)) {
    ++counters_.responsesRejected;
    return IceResultKind::Rejected;
  }
  if (m.messageClass() == StunClass::ErrorResponse) {
    // A tool, not a browser: any authenticated error (487 included) ends the attempt.
    ++counters_.errorResponses;
    state_ = IceCheckerState::Failed;
    return IceResultKind::Rejected;
  }
  ++counters_.successResponses;
  mapped_ = m.xorMappedAddress();
  lastResponse_ = now;
  if (state_ == IceCheckerState::Checking) {
    state_ = IceCheckerState::Connected;
    giveUpAt_ = kNever;
    nextSendAt_ = now + jitteredConsentInterval();
  }
  return IceResultKind::Accepted;
}

TimePoint IceControllingChecker::nextTimeout() const noexcept {
  switch (state_) {
    case IceCheckerState::Checking: return std::min(nextSendAt_, giveUpAt_);
    case IceCheckerState::Connected: return std::min(nextSendAt_, lastResponse_ + kConsentTimeout);
    default: return kNever;
  }
}

void IceControllingChecker::handleTimeout(TimePoint now) noexcept {
  if (state_ == IceCheckerState::Checking && now >= giveUpAt_) state_ = IceCheckerState::Failed;
  // RFC 7675 §5.1: no authenticated response for 30 s means consent is lost.
  if (state_ == IceCheckerState::Connected && now >= lastResponse_ + kConsentTimeout)
    state_ = IceCheckerState::Failed;
}

}  // namespace rtcgate::ice
