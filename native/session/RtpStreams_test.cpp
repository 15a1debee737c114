// RtpStreams on its own: stream tables, the report compound it writes, and what it takes from
// incoming SR/RR packets.
#include "session/RtpStreams.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtcp/Bye.hpp"
#include "rtcp/ReceiverReport.hpp"
#include "rtcp/Sdes.hpp"
#include "rtcp/SenderReport.hpp"
#include "rtp/RtpHeaderWriter.hpp"

namespace rtcgate::session {
namespace {

const TimePoint kStart = TimePoint{} + seconds(100);
constexpr rtp::NtpTime kNtp{0xE000000080000000ull};  // some instant; only differences matter

// A packet view over `buf` (kept alive by the caller).
rtp::RtpPacket packet(std::array<uint8_t, 200>& buf, uint32_t ssrc, uint16_t seq, size_t payload = 160) {
  rtp::RtpHeaderFields f;
  f.ssrc = ssrc;
  f.sequenceNumber = seq;
  f.timestamp = 160u * seq;
  const size_t h = rtp::writeRtpHeader(buf, f);
  return *rtp::RtpPacket::parse(std::span<uint8_t>(buf.data(), h + payload));
}

std::vector<rtcp::RtcpHeader> packetsOf(std::span<const uint8_t> bytes) {
  std::vector<rtcp::RtcpHeader> out;
  rtcp::RtcpCompound compound(bytes);
  EXPECT_TRUE(compound.valid());
  for (const rtcp::RtcpHeader& h : compound) out.push_back(h);
  return out;
}

TEST(RtpStreamsTest, TablesAreBoundedAndFindOrCreate) {
  RtpStreams s("cname");
  for (uint32_t i = 0; i < RtpStreams::kMaxInbound; ++i) ASSERT_NE(s.inbound(100 + i, false, 8000), nullptr);
  EXPECT_EQ(s.inbound(999, false, 8000), nullptr);
  EXPECT_EQ(s.inbound(100, false, 8000), s.findInbound(100));  // existing one found
  EXPECT_EQ(s.inboundCount(), RtpStreams::kMaxInbound);
  EXPECT_EQ(s.outbound(1, false, 0), nullptr);  // clock rate 0 is refused, not thrown
  for (uint32_t i = 0; i < RtpStreams::kMaxOutbound; ++i) ASSERT_NE(s.outbound(200 + i, false, 8000), nullptr);
  EXPECT_EQ(s.outbound(999, false, 8000), nullptr);
  EXPECT_FALSE(s.anySent());
  EXPECT_THROW(RtpStreams(std::string(256, 'x')), std::invalid_argument);
}

TEST(RtpStreamsTest, ReceiverReportWhenNothingWasSent) {
  RtpStreams s("me");
  std::array<uint8_t, 200> buf;
  for (uint16_t seq = 1; seq <= 10; ++seq) ASSERT_TRUE(s.onRtpReceived(kStart, packet(buf, 0xAAAA, seq), false, 8000));
  s.inbound(0xBBBB, false, 8000);  // declared, never heard: no block about it
  std::array<uint8_t, 512> out;
  rtcp::RtcpWriter w(out);
  ASSERT_GT(s.addReports(w, kStart, kNtp, 0x1234), 0u);
  const auto packets = packetsOf(w.bytes());
  ASSERT_EQ(packets.size(), 2u);
  auto rr = rtcp::ReceiverReport::parse(packets[0]);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->senderSsrc(), 0x1234u);
  ASSERT_EQ(rr->reportCount(), 1u);
  EXPECT_EQ(rr->reportBlock(0).ssrc, 0xAAAAu);
  EXPECT_EQ(rr->reportBlock(0).extendedHighestSeq, 10u);
  auto sdes = rtcp::Sdes::parse(packets[1]);
  EXPECT_EQ(sdes->cname()->ssrc, 0x1234u);
  EXPECT_EQ(sdes->cname()->text, "me");
}

TEST(RtpStreamsTest, SenderReportsForEverySenderWithBlocksOnTheFirst) {
  RtpStreams s("me");
  std::array<uint8_t, 200> buf;
  s.onRtpReceived(kStart, packet(buf, 0xAAAA, 1), false, 8000);
  s.outbound(0x2222, false, 8000);  // declared, silent: not an SR sender
  ASSERT_TRUE(s.onRtpSent(kStart, packet(buf, 0x1111, 1, 100), false, 8000));
  ASSERT_TRUE(s.onRtpSent(kStart, packet(buf, 0x3333, 1, 50), true, 90000));
  EXPECT_TRUE(s.anySent());
  std::array<uint8_t, 512> out;
  rtcp::RtcpWriter w(out);
  s.addReports(w, kStart, kNtp, 0x1111);
  const auto packets = packetsOf(w.bytes());
  ASSERT_EQ(packets.size(), 4u);  // SR, SR, SDES, SDES
  auto sr1 = rtcp::SenderReport::parse(packets[0]);
  auto sr2 = rtcp::SenderReport::parse(packets[1]);
  ASSERT_TRUE(sr1 && sr2);
  EXPECT_EQ(sr1->senderSsrc(), 0x1111u);
  EXPECT_EQ(sr1->reportCount(), 1u);
  EXPECT_EQ(sr1->octetCount(), 100u);
  EXPECT_EQ(sr2->senderSsrc(), 0x3333u);
  EXPECT_EQ(sr2->reportCount(), 0u);
  EXPECT_EQ(packets[2].kind(), rtcp::RtcpKind::Sdes);
  EXPECT_EQ(packets[3].kind(), rtcp::RtcpKind::Sdes);

  w.reset();
  ASSERT_GT(s.addBye(w, 0x1111), 0u);
  auto bye = rtcp::Bye::parse(packetsOf(w.bytes())[0]);
  ASSERT_EQ(bye->ssrcCount(), 2u);
  EXPECT_EQ(bye->ssrc(0), 0x1111u);
  EXPECT_EQ(bye->ssrc(1), 0x3333u);

  std::vector<StreamStats> stats;
  s.appendStats(stats);
  EXPECT_EQ(stats.size(), 3u);  // one inbound, two senders (the silent one is left out)
}

TEST(RtpStreamsTest, IncomingReportsFeedRttAndLsr) {
  RtpStreams s("me");
  std::array<uint8_t, 200> buf;
  s.onRtpReceived(kStart, packet(buf, 0xAAAA, 1), false, 8000);
  s.onRtpSent(kStart, packet(buf, 0x1111, 1), false, 8000);
  std::array<uint8_t, 512> out;
  rtcp::RtcpWriter ours(out);
  s.addReports(ours, kStart, kNtp, 0x1111);  // our SR at kNtp

  // The peer's SR, 1 s later, holds a block about our stream: held 0.25 s, RTT 0.75 s.
  rtcp::ReportBlock b;
  b.ssrc = 0x1111;
  b.lastSr = kNtp.middle32();
  b.delaySinceLastSr = 0x4000;  // 0.25 s
  b.cumulativeLost = 2;
  rtcp::ReportBlock other = b;
  other.ssrc = 0x9999;  // not ours: ignored
  const std::array<rtcp::ReportBlock, 2> blocks{other, b};
  std::array<uint8_t, 512> in;
  rtcp::RtcpWriter peer(in);
  const rtcp::SenderInfo peerInfo{0xE000000100000000ull, 160, 1, 160};
  peer.addSenderReport(0xAAAA, peerInfo, blocks);
  peer.addBye(std::array<uint32_t, 1>{0xAAAA});
  const rtp::NtpTime oneSecondLater{kNtp.value + (1ull << 32)};
  rtcp::RtcpCompound compound(peer.bytes());
  EXPECT_EQ(s.onRtcpCompound(compound, kStart + seconds(1), oneSecondLater), 1u);  // the BYE is left to the caller

  std::vector<StreamStats> stats;
  s.appendStats(stats);
  ASSERT_EQ(stats.size(), 2u);
  ASSERT_TRUE(stats[1].roundTripSeconds.has_value());
  EXPECT_NEAR(*stats[1].roundTripSeconds, 0.75, 1e-4);
  EXPECT_EQ(stats[1].packetsLost, 2);

  // Our next report echoes the peer's SR as LSR, with the time since it arrived as DLSR.
  ours.reset();
  s.addReports(ours, kStart + seconds(3), rtp::NtpTime{kNtp.value + (3ull << 32)}, 0x1111);
  auto sr = rtcp::SenderReport::parse(packetsOf(ours.bytes())[0]);
  ASSERT_EQ(sr->reportCount(), 1u);
  EXPECT_EQ(sr->reportBlock(0).lastSr, peerInfo.ntpMiddle32());
  EXPECT_EQ(sr->reportBlock(0).delaySinceLastSr, 2u * 65536u);
}

}  // namespace
}  // namespace rtcgate::session
