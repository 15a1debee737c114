#include "rtp/RtpReceiveStats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace rtcgate::rtp {
namespace {

const TimePoint kT0 = TimePoint() + seconds(1000);
constexpr uint32_t kSsrc = 0x5555;

// Feeds `seqs` 20 ms apart with a matching 8 kHz timestamp (constant transit).
void feed(RtpReceiveStats& s, const std::vector<uint16_t>& seqs) {
  for (uint16_t seq : seqs) s.onPacket(seq, uint32_t(seq) * 160, kT0 + milliseconds(20) * seq, 100);
}

std::vector<uint16_t> range(uint32_t from, uint32_t to) {  // [from, to), mod 2^16
  std::vector<uint16_t> v;
  for (uint32_t i = from; i < to; ++i) v.push_back(uint16_t(i));
  return v;
}

TEST(SequenceUnwrapper, ProbationThenInOrderAndWrap) {
  SequenceUnwrapper u;
  EXPECT_EQ(u.update(65534).result, SeqResult::Probation);
  auto r = u.update(65535);
  EXPECT_EQ(r.result, SeqResult::Restarted);
  EXPECT_EQ(r.extended, 65535u);
  r = u.update(0);
  EXPECT_EQ(r.result, SeqResult::InOrder);
  EXPECT_EQ(r.extended, 65536u);
  r = u.update(65535);  // late packet from the previous cycle
  EXPECT_EQ(r.result, SeqResult::Reordered);
  EXPECT_EQ(r.extended, 65535u);
  EXPECT_EQ(u.extendedMax(), 65536u);
}

TEST(SequenceUnwrapper, ProbationRestartsOnANonSequentialPacket) {
  SequenceUnwrapper u;
  EXPECT_EQ(u.update(10).result, SeqResult::Probation);
  EXPECT_EQ(u.update(50).result, SeqResult::Probation);  // not 11: probation starts over from 50
  EXPECT_EQ(u.update(51).result, SeqResult::Restarted);
  EXPECT_EQ(u.base(), 50u);
}

TEST(RtpReceiveStats, InOrderStreamHasNoLoss) {
  RtpReceiveStats s(8000);
  feed(s, range(1000, 1010));
  EXPECT_EQ(s.packets(), 10u);
  EXPECT_EQ(s.bytes(), 1000u);
  EXPECT_EQ(s.discarded(), 1u);  // the first packet was on probation, but is counted below
  EXPECT_EQ(s.expected(), 10u);
  EXPECT_EQ(s.received(), 10u);
  auto b = s.makeReportBlock(kSsrc, kT0);
  EXPECT_EQ(b.ssrc, kSsrc);
  EXPECT_EQ(b.fractionLost, 0);
  EXPECT_EQ(b.cumulativeLost, 0);
  EXPECT_EQ(b.extendedHighestSeq, 1009u);
  EXPECT_EQ(b.jitter, 0u);  // constant transit
  EXPECT_EQ(b.lastSr, 0u);
  EXPECT_EQ(b.delaySinceLastSr, 0u);
}

TEST(RtpReceiveStats, GapGivesLossAndFractionPerInterval) {
  RtpReceiveStats s(8000);
  feed(s, {0, 1, 2, 5, 6, 7, 8, 9});  // 3 and 4 lost
  auto b = s.makeReportBlock(kSsrc, kT0);
  EXPECT_EQ(b.cumulativeLost, 2);
  EXPECT_EQ(b.fractionLost, 2 * 256 / 10);  // A.3: (lost_interval << 8) / expected_interval = 51
  feed(s, range(10, 20));                   // a clean interval
  b = s.makeReportBlock(kSsrc, kT0);
  EXPECT_EQ(b.cumulativeLost, 2);
  EXPECT_EQ(b.fractionLost, 0);
  EXPECT_EQ(b.extendedHighestSeq, 19u);
}

TEST(RtpReceiveStats, ReorderedPacketsAreNotLost) {
  RtpReceiveStats s(8000);
  feed(s, {0, 1, 2, 4, 3, 5});
  auto b = s.makeReportBlock(kSsrc, kT0);
  EXPECT_EQ(b.cumulativeLost, 0);
  EXPECT_EQ(b.fractionLost, 0);
  EXPECT_EQ(b.extendedHighestSeq, 5u);
}

TEST(RtpReceiveStats, DuplicatesMakeLossNegative) {
  RtpReceiveStats s(8000);
  feed(s, {0, 1, 2, 3, 4, 4, 3});
  EXPECT_EQ(s.cumulativeLost(), -2);
  auto b = s.makeReportBlock(kSsrc, kT0);
  EXPECT_EQ(b.cumulativeLost, -2);  // RFC 3550 §6.4.1 allows negative values
  EXPECT_EQ(b.fractionLost, 0);     // A.3: 0 when duplicates outnumber losses
}

TEST(RtpReceiveStats, WrapAroundExtendsTheSequence) {
  RtpReceiveStats s(8000);
  std::vector<uint16_t> seqs = range(65530, 65536);
  for (uint16_t i = 0; i < 6; ++i) seqs.push_back(i);
  seqs.erase(seqs.begin() + 7);  // lose seq 1 (after the wrap)
  feed(s, seqs);
  auto b = s.makeReportBlock(kSsrc, kT0);
  EXPECT_EQ(b.extendedHighestSeq, 65536u + 5);
  EXPECT_EQ(b.cumulativeLost, 1);
  EXPECT_EQ(s.expected(), 12u);
}

TEST(RtpReceiveStats, BigJumpRestartsOnlyAfterASecondSequentialPacket) {
  RtpReceiveStats s(8000);
  feed(s, range(0, 10));
  // A stray packet far ahead is dropped and does not count as thousands of losses.
  EXPECT_EQ(s.onPacket(20000, 0, kT0, 100).result, SeqResult::Bad);
  feed(s, {10, 11});
  EXPECT_EQ(s.makeReportBlock(kSsrc, kT0).cumulativeLost, 0);
  EXPECT_EQ(s.extendedHighestSeq(), 11u);
  // The sender restarted: two sequential packets after the jump start a new sequence.
  EXPECT_EQ(s.onPacket(40000, 0, kT0, 100).result, SeqResult::Bad);
  EXPECT_EQ(s.onPacket(40001, 160, kT0, 100).result, SeqResult::Restarted);
  feed(s, {40002, 40004});
  auto b = s.makeReportBlock(kSsrc, kT0);
  EXPECT_EQ(b.extendedHighestSeq, 40004u);
  EXPECT_EQ(s.expected(), 5u);  // 40000..40004
  EXPECT_EQ(b.cumulativeLost, 1);
  EXPECT_EQ(b.fractionLost, 256 / 5);
  EXPECT_EQ(s.discarded(), 3u);  // first probation packet, 20000, 40000
}

TEST(RtpReceiveStats, JitterOfAlternatingTransitMatchesTheA8Recurrence) {
  // 8 kHz, 20 ms packets; every odd packet arrives 10 ms (80 units) late, so |D| = 80 on every
  // step. Packet 0 is on probation and packet 1 sets the first transit, leaving n - 2 updates:
  // J = 80 * (1 - (15/16)^(n - 2)).
  RtpReceiveStats s(8000);
  constexpr int n = 50;
  for (int i = 0; i < n; ++i)
    s.onPacket(uint16_t(i), uint32_t(i) * 160, kT0 + milliseconds(20 * i + (i % 2 ? 10 : 0)), 160);
  const double expected = 80.0 * (1.0 - std::pow(15.0 / 16.0, n - 2));
  EXPECT_NEAR(s.jitterSeconds() * 8000, expected, 1e-6);
  EXPECT_EQ(s.makeReportBlock(kSsrc, kT0).jitter, uint32_t(std::lround(expected)));  // 76
  EXPECT_EQ(uint32_t(std::lround(expected)), 76u);
}

TEST(RtpReceiveStats, ReportsLsrAndDlsr) {
  RtpReceiveStats s(48000);
  feed(s, range(0, 3));
  s.onSenderReport(0xABCD1234, kT0);
  auto b = s.makeReportBlock(kSsrc, kT0 + milliseconds(1500));
  EXPECT_EQ(b.lastSr, 0xABCD1234u);
  EXPECT_EQ(b.delaySinceLastSr, 98304u);  // 1.5 s × 65536
}

TEST(RtpReceiveStats, ThrowsOnZeroClockRateAtSetup) { EXPECT_THROW(RtpReceiveStats(0), std::runtime_error); }

}  // namespace
}  // namespace rtcgate::rtp
