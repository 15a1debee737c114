// IceLiteAgent driven by IceControllingChecker (and hand-built requests) on a fake clock.
#include "ice/IceLiteAgent.hpp"

#include <gtest/gtest.h>

#include <string>

#include "ice/IceTestPeers.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunWriter.hpp"

namespace rtcgate::ice {
namespace {

using testing::IcePeers;
using testing::kBrowser;
using testing::kGateway;

const stun::TransactionId kTid = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};

struct RequestSpec {
  std::string username = "gwUf:brWs";
  std::string password = kGateway.pwd;
  std::optional<uint64_t> controlling = 200;
  std::optional<uint64_t> controlled;
  bool useCandidate = true;
  bool integrity = true;
  bool fingerprint = true;
  stun::StunClass cls = stun::StunClass::Request;
};

std::vector<uint8_t> buildRequest(const RequestSpec& s) {
  std::vector<uint8_t> buf(1500);
  stun::StunWriter w(buf);
  w.start(stun::StunMethod::Binding, s.cls, kTid);
  if (!s.username.empty()) w.addUsername(s.username);
  w.addPriority(1234);
  if (s.controlling) w.addIceControlling(*s.controlling);
  if (s.controlled) w.addIceControlled(*s.controlled);
  if (s.useCandidate) w.addUseCandidate();
  if (s.integrity) w.addMessageIntegrity(stun::HmacSha1Key(std::string_view(s.password)));
  if (s.fingerprint) w.addFingerprint();
  buf.resize(w.finish());
  return buf;
}

std::optional<uint16_t> errorCodeOf(std::span<const uint8_t> response) {
  auto m = stun::StunMessage::parse(response);
  if (!m || !m->errorCode()) return std::nullopt;
  return m->errorCode()->code;
}

TEST(IceLiteAgent, ConnectsAndNominatesTheCheckersAddress) {
  IcePeers p;
  EXPECT_EQ(p.agent.nextTimeout(), kNever);
  p.checker.start(p.now, p.gateway);
  ASSERT_TRUE(p.deliverOne());
  EXPECT_EQ(p.lastResult.kind, IceResultKind::Accepted);
  EXPECT_EQ(p.checker.state(), IceCheckerState::Connected);
  EXPECT_EQ(p.agent.state(), IceState::Connected);
  ASSERT_NE(p.agent.selected(), nullptr);
  EXPECT_EQ(*p.agent.selected(), p.browser);
  EXPECT_TRUE(p.agent.isValidatedSource(p.browser));
  EXPECT_FALSE(p.agent.isValidatedSource(p.gateway));
  EXPECT_EQ(p.checker.mappedAddress(), p.browser);  // XOR-MAPPED-ADDRESS = request source
  EXPECT_EQ(p.agent.nextTimeout(), p.now + seconds(30));

  auto events = p.drainEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<IceSelectedChanged>(events[0]).address, p.browser);
  EXPECT_EQ(std::get<IceStateChanged>(events[1]).state, IceState::Connected);
  EXPECT_EQ(p.agent.counters().requestsAccepted, 1u);
  EXPECT_EQ(p.agent.counters().responsesSent, 1u);
  EXPECT_EQ(p.agent.counters().nominations, 1u);
}

TEST(IceLiteAgent, SuccessResponseIsSignedWithLocalPasswordAndFingerprinted) {
  IcePeers p;
  auto req = buildRequest({});
  std::array<uint8_t, 200> out;
  auto r = p.agent.handleStun(p.now, req, p.browser, out);
  ASSERT_EQ(r.kind, IceResultKind::Accepted);
  auto m = stun::StunMessage::parse(std::span<const uint8_t>(out.data(), r.responseSize));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->messageClass(), stun::StunClass::SuccessResponse);
  EXPECT_TRUE(std::equal(kTid.begin(), kTid.end(), m->transactionId().begin()));
  EXPECT_TRUE(m->verifyMessageIntegrity(stun::HmacSha1Key(std::string_view(kGateway.pwd))));
  EXPECT_TRUE(m->verifyFingerprint());
  EXPECT_EQ(m->xorMappedAddress(), p.browser);
}

TEST(IceLiteAgent, RejectsBadRequestsWithTheRightResponse) {
  struct Row {
    const char* name;
    RequestSpec spec;
    IceRejectReason reason;
    std::optional<uint16_t> errorCode;  // nullopt: nothing sent back
  };
  RequestSpec wrongPassword;
  wrongPassword.password = "not-the-gateway-password-000";
  RequestSpec wrongUfrag;
  wrongUfrag.username = "XXXX:brWs";
  RequestSpec wrongRemoteUfrag;
  wrongRemoteUfrag.username = "gwUf:other";
  RequestSpec prefixOnly;
  prefixOnly.username = "gwUf";
  RequestSpec noUsername;
  noUsername.username = "";
  RequestSpec noIntegrity;
  noIntegrity.integrity = false;
  const Row rows[] = {
      {"wrong password", wrongPassword, IceRejectReason::BadIntegrity, 401},
      {"wrong local ufrag", wrongUfrag, IceRejectReason::UnknownUsername, 401},
      {"wrong remote ufrag", wrongRemoteUfrag, IceRejectReason::UnknownUsername, 401},
      {"ufrag without colon", prefixOnly, IceRejectReason::UnknownUsername, 401},
      {"no USERNAME", noUsername, IceRejectReason::BadRequest, 400},
      {"no MESSAGE-INTEGRITY", noIntegrity, IceRejectReason::BadRequest, 400},
  };
  for (const auto& row : rows) {
    IcePeers p;
    auto req = buildRequest(row.spec);
    std::array<uint8_t, 200> out;
    auto r = p.agent.handleStun(p.now, req, p.browser, out);
    EXPECT_EQ(r.kind, IceResultKind::Rejected) << row.name;
    EXPECT_EQ(r.reason, row.reason) << row.name;
    EXPECT_EQ(errorCodeOf(std::span<const uint8_t>(out.data(), r.responseSize)), row.errorCode) << row.name;
    auto m = stun::StunMessage::parse(std::span<const uint8_t>(out.data(), r.responseSize));
    ASSERT_TRUE(m) << row.name;
    EXPECT_FALSE(m->hasMessageIntegrity()) << row.name;  // unauthenticated: RFC 5389 §10.1.2
    EXPECT_TRUE(m->verifyFingerprint()) << row.name;
    EXPECT_FALSE(p.agent.isValidatedSource(p.browser)) << row.name;
    EXPECT_EQ(p.agent.selected(), nullptr) << row.name;
    EXPECT_EQ(p.agent.counters().rejectedFor(row.reason), 1u) << row.name;
  }
}

TEST(IceLiteAgent, WrongPasswordCheckerNeverConnects) {
  IcePeers p(IceCredentials{kGateway.ufrag, "wrong-password-0123456789xx"});
  p.checker.start(p.now, p.gateway);
  p.runUntil(p.now + seconds(10));
  EXPECT_EQ(p.checker.state(), IceCheckerState::Failed);
  EXPECT_EQ(p.agent.state(), IceState::New);
  EXPECT_EQ(p.agent.counters().rejectedFor(IceRejectReason::BadIntegrity), 7u);  // every transmit
  EXPECT_EQ(p.checker.counters().responsesRejected, 7u);  // 401s carry no integrity: discarded
}

TEST(IceLiteAgent, DropsBadFingerprintSilently) {
  IcePeers p;
  auto req = buildRequest({});
  req.back() ^= 0x01;
  std::array<uint8_t, 200> out;
  auto r = p.agent.handleStun(p.now, req, p.browser, out);
  EXPECT_EQ(r.kind, IceResultKind::Rejected);
  EXPECT_EQ(r.reason, IceRejectReason::BadFingerprint);
  EXPECT_EQ(r.responseSize, 0u);
}

TEST(IceLiteAgent, AcceptsRequestWithoutFingerprint) {
  IcePeers p;
  RequestSpec s;
  s.fingerprint = false;
  std::array<uint8_t, 200> out;
  EXPECT_EQ(p.agent.handleStun(p.now, buildRequest(s), p.browser, out).kind, IceResultKind::Accepted);
}

TEST(IceLiteAgent, AcceptsAnyRemoteUfragUntilRemoteCredentialsAreKnown) {
  IceLiteAgent agent(kGateway, 1);
  RequestSpec s;
  s.username = "gwUf:whoever";
  std::array<uint8_t, 200> out;
  const auto from = SocketAddress::fromIp("192.0.2.1", 1);
  EXPECT_EQ(agent.handleStun(TimePoint{}, buildRequest(s), from, out).kind, IceResultKind::Accepted);
  agent.setRemoteCredentials(kBrowser);
  EXPECT_EQ(agent.handleStun(TimePoint{}, buildRequest(s), from, out).reason, IceRejectReason::UnknownUsername);
}

TEST(IceLiteAgent, RoleConflictWhenBothClaimControlled) {
  // RFC 8445 §7.3.1.1, we are controlled and the request says ICE-CONTROLLED.
  struct Row {
    uint64_t ours, theirs;
    IceResultKind kind;
    IceRole roleAfter;
  };
  const Row rows[] = {
      {500, 100, IceResultKind::Rejected, IceRole::Controlled},   // ours >= theirs: 487, keep role
      {500, 500, IceResultKind::Rejected, IceRole::Controlled},   // equal counts as ">="
      {100, 500, IceResultKind::Accepted, IceRole::Controlling},  // ours < theirs: switch
  };
  for (const auto& row : rows) {
    IceLiteAgent agent(kGateway, row.ours);
    RequestSpec s;
    s.controlling.reset();
    s.controlled = row.theirs;
    std::array<uint8_t, 200> out;
    auto r = agent.handleStun(TimePoint{}, buildRequest(s), SocketAddress::fromIp("192.0.2.1", 1), out);
    EXPECT_EQ(r.kind, row.kind) << row.ours << " vs " << row.theirs;
    EXPECT_EQ(agent.role(), row.roleAfter);
    if (row.kind == IceResultKind::Rejected) {
      EXPECT_EQ(r.reason, IceRejectReason::RoleConflict);
      std::span<const uint8_t> resp(out.data(), r.responseSize);
      EXPECT_EQ(errorCodeOf(resp), 487);
      auto m = stun::StunMessage::parse(resp);
      ASSERT_TRUE(m);  // the request was authenticated, so the 487 is too
      EXPECT_TRUE(m->verifyMessageIntegrity(stun::HmacSha1Key(std::string_view(kGateway.pwd))));
      EXPECT_EQ(agent.selected(), nullptr);
    } else {
      EXPECT_EQ(agent.counters().roleSwitches, 1u);
    }
  }
}

TEST(IceLiteAgent, RoleConflictAfterSwitchingToControlling) {
  IceLiteAgent agent(kGateway, 300);
  std::array<uint8_t, 200> out;
  const auto from = SocketAddress::fromIp("192.0.2.1", 1);
  RequestSpec s;
  s.controlling.reset();
  s.controlled = 400;  // > 300: we become controlling
  ASSERT_EQ(agent.handleStun(TimePoint{}, buildRequest(s), from, out).kind, IceResultKind::Accepted);
  ASSERT_EQ(agent.role(), IceRole::Controlling);
  // Now both claim controlling: ours (300) >= theirs (200) → 487.
  RequestSpec c;
  c.controlling = 200;
  auto r = agent.handleStun(TimePoint{}, buildRequest(c), from, out);
  EXPECT_EQ(r.reason, IceRejectReason::RoleConflict);
  EXPECT_EQ(agent.role(), IceRole::Controlling);
  // ours (300) < theirs (900) → back to controlled, request accepted.
  c.controlling = 900;
  EXPECT_EQ(agent.handleStun(TimePoint{}, buildRequest(c), from, out).kind, IceResultKind::Accepted);
  EXPECT_EQ(agent.role(), IceRole::Controlled);
  EXPECT_EQ(agent.counters().roleSwitches, 2u);
}

TEST(IceLiteAgent, ControllingRequestIsNoConflictForControlledAgent) {
  IceLiteAgent agent(kGateway, ~uint64_t(0));
  std::array<uint8_t, 200> out;
  RequestSpec s;
  s.controlling = 1;
  EXPECT_EQ(agent.handleStun(TimePoint{}, buildRequest(s), SocketAddress::fromIp("192.0.2.1", 1), out).kind,
            IceResultKind::Accepted);
  EXPECT_EQ(agent.role(), IceRole::Controlled);
}

TEST(IceLiteAgent, ConsentExpiresAfterThirtySecondsOfSilence) {
  IcePeers p;
  p.checker.start(p.now, p.gateway);
  ASSERT_TRUE(p.deliverOne());
  const TimePoint connectedAt = p.now;
  p.drainEvents();
  p.agent.handleTimeout(connectedAt + seconds(29));
  EXPECT_EQ(p.agent.state(), IceState::Connected);
  EXPECT_EQ(p.agent.nextTimeout(), connectedAt + seconds(30));
  p.agent.handleTimeout(connectedAt + seconds(30));
  EXPECT_EQ(p.agent.state(), IceState::Disconnected);
  EXPECT_EQ(p.agent.nextTimeout(), kNever);
  auto events = p.drainEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<IceStateChanged>(events[0]).state, IceState::Disconnected);
  EXPECT_EQ(p.agent.counters().consentExpirations, 1u);
  // Terminal: even a valid request is refused now.
  std::array<uint8_t, 200> out;
  auto r = p.agent.handleStun(connectedAt + seconds(31), buildRequest({}), p.browser, out);
  EXPECT_EQ(r.reason, IceRejectReason::NotAccepting);
  EXPECT_EQ(r.responseSize, 0u);
  p.agent.close();
  EXPECT_EQ(p.agent.state(), IceState::Closed);
}

TEST(IceLiteAgent, ConsentChecksKeepTheAgentConnected) {
  IcePeers p;
  const TimePoint start = p.now;
  p.checker.start(p.now, p.gateway);
  p.runUntil(start + seconds(120));
  EXPECT_EQ(p.agent.state(), IceState::Connected);
  EXPECT_EQ(p.checker.state(), IceCheckerState::Connected);
  // One check, then one every 4-6 s (RFC 7675 §5.1 jitter): between 20 and 30 consent checks.
  EXPECT_GE(p.checker.counters().requestsSent, 21u);
  EXPECT_LE(p.checker.counters().requestsSent, 31u);
  EXPECT_EQ(p.checker.counters().retransmissions, 0u);
  EXPECT_EQ(p.agent.counters().requestsAccepted, p.checker.counters().successResponses);

  // Responses lost: the checker's own consent runs out 30 s after the last response, and the
  // agent (still receiving requests) stays connected.
  p.dropResponses = true;
  p.runUntil(start + seconds(151));  // last response was within 114..120 s
  EXPECT_EQ(p.checker.state(), IceCheckerState::Failed);
  EXPECT_EQ(p.agent.state(), IceState::Connected);
  // Requests stop, so the agent's consent expires within 30 s as well.
  p.runUntil(start + seconds(240));
  EXPECT_EQ(p.agent.state(), IceState::Disconnected);
}

TEST(IceLiteAgent, UseCandidateFromAnotherValidatedAddressMovesTheSelection) {
  IcePeers p;
  std::array<uint8_t, 200> out;
  const auto wifi = SocketAddress::fromIp("192.0.2.10", 50000);
  const auto lte = SocketAddress::fromIp("2001:db8::7", 61000);
  ASSERT_EQ(p.agent.handleStun(p.now, buildRequest({}), wifi, out).kind, IceResultKind::Accepted);
  p.drainEvents();
  // A check from the new address without USE-CANDIDATE validates it but does not move media.
  RequestSpec plain;
  plain.useCandidate = false;
  p.now += seconds(1);
  ASSERT_EQ(p.agent.handleStun(p.now, buildRequest(plain), lte, out).kind, IceResultKind::Accepted);
  EXPECT_TRUE(p.agent.isValidatedSource(lte));
  EXPECT_EQ(*p.agent.selected(), wifi);
  EXPECT_TRUE(p.drainEvents().empty());
  // Nomination moves it.
  p.now += seconds(1);
  ASSERT_EQ(p.agent.handleStun(p.now, buildRequest({}), lte, out).kind, IceResultKind::Accepted);
  EXPECT_EQ(*p.agent.selected(), lte);
  auto events = p.drainEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<IceSelectedChanged>(events[0]).address, lte);
  EXPECT_EQ(p.agent.nextTimeout(), p.now + seconds(30));
  // Requests on the old address no longer refresh consent.
  p.now += seconds(10);
  ASSERT_EQ(p.agent.handleStun(p.now, buildRequest(plain), wifi, out).kind, IceResultKind::Accepted);
  EXPECT_EQ(p.agent.nextTimeout(), p.now - seconds(10) + seconds(30));
}

TEST(IceLiteAgent, IgnoresIndicationsAndResponsesAndRejectsGarbage) {
  IcePeers p;
  std::array<uint8_t, 200> out;
  RequestSpec ind;
  ind.cls = stun::StunClass::Indication;
  ind.integrity = false;
  EXPECT_EQ(p.agent.handleStun(p.now, buildRequest(ind), p.browser, out).kind, IceResultKind::Ignored);
  RequestSpec resp;
  resp.cls = stun::StunClass::SuccessResponse;
  EXPECT_EQ(p.agent.handleStun(p.now, buildRequest(resp), p.browser, out).kind, IceResultKind::Ignored);
  const uint8_t garbage[] = {0x00, 0x01, 0x00, 0x00, 1, 2, 3, 4};
  auto r = p.agent.handleStun(p.now, garbage, p.browser, out);
  EXPECT_EQ(r.reason, IceRejectReason::Malformed);
  EXPECT_EQ(p.agent.counters().indicationsIgnored, 1u);
  EXPECT_EQ(p.agent.counters().responsesIgnored, 1u);
  EXPECT_EQ(p.agent.counters().requestsReceived, 0u);
  EXPECT_EQ(p.agent.state(), IceState::New);
}

TEST(IceLiteAgent, ValidatedSourcesAreBoundedAndKeepTheSelected) {
  IcePeers p;
  std::array<uint8_t, 200> out;
  const auto selected = SocketAddress::fromIp("192.0.2.1", 1000);
  ASSERT_EQ(p.agent.handleStun(p.now, buildRequest({}), selected, out).kind, IceResultKind::Accepted);
  RequestSpec plain;
  plain.useCandidate = false;
  for (uint16_t port = 2000; port < 2020; ++port)
    p.agent.handleStun(p.now, buildRequest(plain), SocketAddress::fromIp("192.0.2.2", port), out);
  EXPECT_TRUE(p.agent.isValidatedSource(selected));
  EXPECT_TRUE(p.agent.isValidatedSource(SocketAddress::fromIp("192.0.2.2", 2019)));
  EXPECT_FALSE(p.agent.isValidatedSource(SocketAddress::fromIp("192.0.2.2", 2000)));
}

TEST(IceLiteAgent, TooSmallOutputBufferSendsNothingButStillValidates) {
  IcePeers p;
  std::array<uint8_t, 40> out;
  auto r = p.agent.handleStun(p.now, buildRequest({}), p.browser, out);
  EXPECT_EQ(r.kind, IceResultKind::Accepted);
  EXPECT_EQ(r.responseSize, 0u);
  EXPECT_EQ(p.agent.counters().responsesTooLarge, 1u);
}

TEST(IceLiteAgent, CloseStopsEverything) {
  IcePeers p;
  p.agent.close();
  EXPECT_EQ(p.agent.state(), IceState::Closed);
  std::array<uint8_t, 200> out;
  EXPECT_EQ(p.agent.handleStun(p.now, buildRequest({}), p.browser, out).reason, IceRejectReason::NotAccepting);
  EXPECT_EQ(std::get<IceStateChanged>(*p.agent.pollEvent()).state, IceState::Closed);
}

TEST(IceLiteAgent, RejectsWeakLocalCredentials) {
  EXPECT_THROW(IceLiteAgent(IceCredentials{"ab", kGateway.pwd}, 1), std::runtime_error);
  EXPECT_THROW(IceLiteAgent(IceCredentials{"abcd", "short"}, 1), std::runtime_error);
}

}  // namespace
}  // namespace rtcgate::ice
