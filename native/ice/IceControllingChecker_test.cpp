// IceControllingChecker alone: retransmission schedule, failure, and what it puts on the wire.
#include "ice/IceControllingChecker.hpp"

#include <gtest/gtest.h>

#include "ice/IceTestPeers.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunWriter.hpp"

namespace rtcgate::ice {
namespace {

using testing::kBrowser;
using testing::kGateway;

TEST(IceControllingChecker, RequestCarriesIceAttributes) {
  IceControllingChecker c(kBrowser, kGateway, 0xABCDEF, 0x6e0001ff);
  const auto remote = SocketAddress::fromIp("198.51.100.1", 40000);
  c.start(TimePoint{}, remote);
  std::array<uint8_t, 1500> out;
  const size_t n = c.pollTransmit(TimePoint{}, out);
  auto m = stun::StunMessage::parse(std::span<const uint8_t>(out.data(), n));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->messageClass(), stun::StunClass::Request);
  EXPECT_EQ(m->username(), "gwUf:brWs");
  EXPECT_EQ(m->priority(), 0x6e0001ffu);
  EXPECT_EQ(m->iceControlling(), 0xABCDEFu);
  EXPECT_TRUE(m->useCandidate());
  EXPECT_TRUE(m->verifyMessageIntegrity(stun::HmacSha1Key(std::string_view(kGateway.pwd))));
  EXPECT_TRUE(m->verifyFingerprint());
}

TEST(IceControllingChecker, RetransmitsWithDoublingIntervalThenFails) {
  IceControllingChecker c(kBrowser, kGateway, 1, 1);
  const TimePoint t0{};
  c.start(t0, SocketAddress::fromIp("198.51.100.1", 40000));
  std::array<uint8_t, 1500> out;
  // RFC 5389 §7.2.1 with RTO 50 ms: sends at 0, 50, 150, 350, 750, 1550, 3150 ms, fails 800 ms later.
  const int expectedMs[] = {0, 50, 150, 350, 750, 1550, 3150};
  std::vector<uint8_t> first;
  for (int ms : expectedMs) {
    const TimePoint due = c.nextTimeout();
    EXPECT_EQ(due, t0 + milliseconds(ms));
    EXPECT_EQ(c.pollTransmit(due - milliseconds(1), out), 0u);  // not early
    c.handleTimeout(due);
    const size_t n = c.pollTransmit(due, out);
    ASSERT_GT(n, 0u) << ms;
    if (first.empty()) first.assign(out.begin(), out.begin() + n);
    else EXPECT_TRUE(std::equal(first.begin(), first.end(), out.begin()));  // same transaction
  }
  EXPECT_EQ(c.nextTimeout(), t0 + milliseconds(3950));
  c.handleTimeout(t0 + milliseconds(3949));
  EXPECT_EQ(c.state(), IceCheckerState::Checking);
  c.handleTimeout(t0 + milliseconds(3950));
  EXPECT_EQ(c.state(), IceCheckerState::Failed);
  EXPECT_EQ(c.nextTimeout(), kNever);
  EXPECT_EQ(c.counters().requestsSent, 7u);
  EXPECT_EQ(c.counters().retransmissions, 6u);
}

TEST(IceControllingChecker, IgnoresResponsesFromElsewhereOrForOtherTransactions) {
  testing::IcePeers p;
  p.checker.start(p.now, p.gateway);
  const size_t n = p.checker.pollTransmit(p.now, p.request);
  auto r = p.agent.handleStun(p.now, std::span<const uint8_t>(p.request.data(), n), p.browser, p.response);
  std::span<const uint8_t> resp(p.response.data(), r.responseSize);
  // Wrong source address: RFC 8445 §7.2.5.2.1.
  EXPECT_EQ(p.checker.handleStun(p.now, resp, p.browser), IceResultKind::Rejected);
  // Unknown transaction.
  std::vector<uint8_t> other(resp.begin(), resp.end());
  other[10] ^= 0xff;
  EXPECT_EQ(p.checker.handleStun(p.now, other, p.gateway), IceResultKind::Ignored);
  EXPECT_EQ(p.checker.state(), IceCheckerState::Checking);
  EXPECT_EQ(p.checker.handleStun(p.now, resp, p.gateway), IceResultKind::Accepted);
  EXPECT_EQ(p.checker.state(), IceCheckerState::Connected);
  // The first consent check is due 4-6 s later (RFC 7675 §5.1).
  EXPECT_GE(p.checker.nextTimeout(), p.now + seconds(4));
  EXPECT_LE(p.checker.nextTimeout(), p.now + seconds(6));
}

TEST(IceControllingChecker, RoleConflictErrorEndsTheAttempt) {
  testing::IcePeers p(kGateway, /*agentTie=*/5, /*checkerTie=*/1);
  // The agent will have switched to controlling if a request said ICE-CONTROLLED with a larger
  // tie-breaker; emulate it by making the agent controlling first, then the checker conflicts.
  std::array<uint8_t, 1500> buf;
  stun::StunWriter w(buf);
  const stun::TransactionId tid{};
  w.start(stun::StunMethod::Binding, stun::StunClass::Request, tid);
  w.addUsername("gwUf:brWs");
  w.addIceControlled(100);
  w.addMessageIntegrity(stun::HmacSha1Key(std::string_view(kGateway.pwd)));
  std::array<uint8_t, 200> out;
  ASSERT_EQ(p.agent.handleStun(p.now, std::span<const uint8_t>(buf.data(), w.finish()), p.browser, out).kind,
            IceResultKind::Accepted);
  ASSERT_EQ(p.agent.role(), IceRole::Controlling);
  p.checker.start(p.now, p.gateway);
  ASSERT_TRUE(p.deliverOne());
  EXPECT_EQ(p.lastResult.reason, IceRejectReason::RoleConflict);
  EXPECT_EQ(p.checker.state(), IceCheckerState::Failed);
  EXPECT_EQ(p.checker.counters().errorResponses, 1u);
}

}  // namespace
}  // namespace rtcgate::ice
