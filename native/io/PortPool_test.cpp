// PortPool with real sockets on 127.0.0.1: single ports as before, and RTP/RTCP pairs on an
// even port and the next odd one (RFC 3550 §11), skipping ports another socket holds.
#include "io/PortPool.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <vector>

#include "common/SocketAddress.hpp"
#include "io/UdpSocket.hpp"

namespace rtcgate::io {
namespace {

constexpr const char* kLoopback = "127.0.0.1";
constexpr uint16_t kBlock = 8;

// The first block of kBlock ports (starting on an even port) that nothing on this host holds,
// so tests running beside other processes do not depend on one fixed range being free.
uint16_t freeBlock() {
  for (uint16_t base = 42000; base < 60000; base += 16) {
    std::vector<int> fds;
    for (uint16_t p = base; p < base + kBlock; ++p) {
      const int fd = openUdpSocket(kLoopback, p);
      if (fd < 0) break;
      fds.push_back(fd);
    }
    const bool allFree = fds.size() == kBlock;
    for (int fd : fds) closeSocket(fd);
    if (allFree) return base;
  }
  ADD_FAILURE() << "no free block of UDP ports on 127.0.0.1";
  return 0;
}

uint16_t boundPort(int fd) {
  SocketAddress a;
  socklen_t len = SocketAddress::capacity();
  if (getsockname(fd, a.sockaddrPtr(), &len) != 0) return 0;
  return a.port();
}

void closePair(const BoundPortPair& p) {
  closeSocket(p.rtp.fd);
  closeSocket(p.rtcp.fd);
}

TEST(PortPoolTest, SinglePortsAreHandedOutRoundRobinAndReturned) {
  const uint16_t base = freeBlock();
  PortPool pool(kLoopback, base, base + 2);
  auto a = pool.acquire();
  auto b = pool.acquire();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->port, base);
  EXPECT_EQ(b->port, base + 1);
  EXPECT_EQ(boundPort(a->fd), base);
  EXPECT_EQ(pool.inUse(), 2u);
  pool.release(a->port);
  closeSocket(a->fd);
  // Round robin: the just-freed port is not the next one handed out.
  auto c = pool.acquire();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, base + 2);
  auto d = pool.acquire();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, base);
  EXPECT_FALSE(pool.acquire().has_value());
  EXPECT_EQ(pool.inUse(), 3u);
  for (const auto& p : {*b, *c, *d}) closeSocket(p.fd);
}

TEST(PortPoolTest, PairIsAnEvenRtpPortAndTheNextOddRtcpPort) {
  const uint16_t base = freeBlock();
  PortPool pool(kLoopback, base, base + 7);
  auto pair = pool.acquirePair();
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->rtp.port % 2, 0);
  EXPECT_EQ(pair->rtcp.port, pair->rtp.port + 1);
  EXPECT_EQ(boundPort(pair->rtp.fd), pair->rtp.port);
  EXPECT_EQ(boundPort(pair->rtcp.fd), pair->rtcp.port);
  EXPECT_NE(pair->rtp.fd, pair->rtcp.fd);
  EXPECT_EQ(pool.inUse(), 2u);
  pool.releasePair(pair->rtp.port);
  EXPECT_EQ(pool.inUse(), 0u);
  closePair(*pair);
}

TEST(PortPoolTest, OddMinimumStartsAtTheFirstEvenPortAndALoneTopPortIsNoPair) {
  const uint16_t base = freeBlock();
  // base+1 .. base+6: whole pairs are (base+2, base+3) and (base+4, base+5); base+1 and base+6
  // have no partner inside the range.
  PortPool pool(kLoopback, base + 1, base + 6);
  auto p1 = pool.acquirePair();
  auto p2 = pool.acquirePair();
  ASSERT_TRUE(p1 && p2);
  EXPECT_EQ(p1->rtp.port, base + 2);
  EXPECT_EQ(p2->rtp.port, base + 4);
  EXPECT_FALSE(pool.acquirePair().has_value());
  EXPECT_EQ(pool.inUse(), 4u);
  // The left-over single ports are still there for acquire().
  auto s1 = pool.acquire();
  auto s2 = pool.acquire();
  ASSERT_TRUE(s1 && s2);
  EXPECT_EQ(s1->port + s2->port, (base + 1) + (base + 6));
  EXPECT_FALSE(pool.acquire().has_value());
  closePair(*p1);
  closePair(*p2);
  closeSocket(s1->fd);
  closeSocket(s2->fd);
}

TEST(PortPoolTest, RangeTooSmallForAPairGivesNone) {
  const uint16_t base = freeBlock();
  PortPool single(kLoopback, base, base);
  EXPECT_FALSE(single.acquirePair().has_value());
  PortPool oddTwo(kLoopback, base + 1, base + 2);  // odd, even: no even-odd pair
  EXPECT_FALSE(oddTwo.acquirePair().has_value());
  EXPECT_EQ(oddTwo.inUse(), 0u);
}

TEST(PortPoolTest, PairWithEitherHalfHeldElsewhereIsSkipped) {
  const uint16_t base = freeBlock();
  // Another socket holds base+1 (RTCP half of the first pair) and base+4 (RTP half of the third).
  const int foreignRtcp = openUdpSocket(kLoopback, base + 1);
  const int foreignRtp = openUdpSocket(kLoopback, base + 4);
  ASSERT_GE(foreignRtcp, 0);
  ASSERT_GE(foreignRtp, 0);
  PortPool pool(kLoopback, base, base + 7);
  auto p = pool.acquirePair();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->rtp.port, base + 2);
  auto q = pool.acquirePair();
  ASSERT_TRUE(q);
  EXPECT_EQ(q->rtp.port, base + 6);
  EXPECT_FALSE(pool.acquirePair().has_value());
  EXPECT_EQ(pool.inUse(), 4u);  // the skipped ports were not marked used
  // The free half of a skipped pair was closed again: it can be bound now.
  const int probe = openUdpSocket(kLoopback, base);
  EXPECT_GE(probe, 0);
  closeSocket(probe);
  closePair(*p);
  closePair(*q);
  closeSocket(foreignRtcp);
  closeSocket(foreignRtp);
}

TEST(PortPoolTest, SinglesAndPairsShareTheRangeAndReleasePairFreesBoth) {
  const uint16_t base = freeBlock();
  PortPool pool(kLoopback, base, base + 3);
  auto single = pool.acquire();  // takes base: the first pair is broken
  ASSERT_TRUE(single);
  EXPECT_EQ(single->port, base);
  auto pair = pool.acquirePair();
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->rtp.port, base + 2);
  EXPECT_FALSE(pool.acquirePair().has_value());
  EXPECT_EQ(pool.inUse(), 3u);

  pool.releasePair(pair->rtp.port);
  closePair(*pair);
  EXPECT_EQ(pool.inUse(), 1u);
  auto again = pool.acquirePair();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->rtp.port, base + 2);
  // acquire() sees the pair's ports as used too.
  auto next = pool.acquire();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->port, base + 1);
  EXPECT_FALSE(pool.acquire().has_value());
  closePair(*again);
  closeSocket(single->fd);
  closeSocket(next->fd);
}

}  // namespace
}  // namespace rtcgate::io
