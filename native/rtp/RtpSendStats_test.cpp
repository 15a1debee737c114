#include "rtp/RtpSendStats.hpp"

#include <gtest/gtest.h>

namespace rtcgate::rtp {
namespace {

const TimePoint kT0 = TimePoint() + seconds(500);

TEST(NtpTime, ConvertsFromSystemTime) {
  using std::chrono::system_clock;
  const auto epoch = NtpTime::fromSystemTime(system_clock::time_point());
  EXPECT_EQ(epoch.seconds(), 2208988800u);  // 1970-01-01 in NTP era 0
  EXPECT_EQ(epoch.fraction(), 0u);
  const auto half = NtpTime::fromSystemTime(system_clock::time_point() + std::chrono::milliseconds(1500));
  EXPECT_EQ(half.seconds(), 2208988801u);
  EXPECT_EQ(half.fraction(), 0x80000000u);
  EXPECT_EQ(half.middle32(), (2208988801u << 16) | 0x8000u);
}

TEST(RtpSendStats, SenderInfoCountsAndExtrapolatesTheTimestamp) {
  RtpSendStats s(48000);
  s.onPacketSent(1000, 100, kT0);
  s.onPacketSent(1960, 120, kT0 + milliseconds(20));
  s.onPacketSent(2920, 80, kT0 + milliseconds(40));
  const NtpTime ntp{0x1122334455667788ull};
  const auto info = s.makeSenderInfo(ntp, kT0 + milliseconds(50));
  EXPECT_EQ(info.ntpTimestamp, ntp.value);
  EXPECT_EQ(info.packetCount, 3u);
  EXPECT_EQ(info.octetCount, 300u);
  EXPECT_EQ(info.rtpTimestamp, 2920u + 480);  // 10 ms at 48 kHz after the last packet
  EXPECT_EQ(s.packetsSent(), 3u);
  EXPECT_EQ(s.bytesSent(), 300u);
}

TEST(RtpSendStats, RoundTripFromACraftedReportBlock) {
  RtpSendStats s(8000);
  s.onPacketSent(0, 160, kT0);
  const NtpTime srTime{(uint64_t(3900000000u) << 32) | 0x40000000u};  // x.25 s
  s.makeSenderInfo(srTime, kT0);

  rtcp::ReportBlock b;
  b.ssrc = 1;
  b.fractionLost = 64;
  b.cumulativeLost = 5;
  b.jitter = 40;
  b.lastSr = srTime.middle32();
  b.delaySinceLastSr = 32768;  // the peer held the SR for 0.5 s
  // The block arrives 0.6 s after the SR left: RTT = 0.6 - 0.5 = 0.1 s.
  const NtpTime arrival{srTime.value + (uint64_t(0x1999999A) * 6)};  // + 6 × 0.1 s in 32.32
  s.onReportBlock(b, arrival);
  ASSERT_TRUE(s.roundTripSeconds());
  EXPECT_NEAR(*s.roundTripSeconds(), 0.1, 1.0 / 65536);
  EXPECT_DOUBLE_EQ(s.fractionLost(), 0.25);
  EXPECT_EQ(s.packetsLost(), 5);
  EXPECT_EQ(s.jitter(), 40u);
  EXPECT_DOUBLE_EQ(s.jitterSeconds(), 40.0 / 8000);
}

TEST(RtpSendStats, IgnoresBlocksThatCannotGiveAnRtt) {
  RtpSendStats s(8000);
  const NtpTime srTime{uint64_t(3900000000u) << 32};
  s.makeSenderInfo(srTime, kT0);
  rtcp::ReportBlock b;
  b.fractionLost = 10;
  s.onReportBlock(b, srTime);  // LSR 0: the peer has not seen an SR yet
  EXPECT_FALSE(s.roundTripSeconds());
  EXPECT_EQ(s.fractionLost(), 10 / 256.0);  // the loss figures still count
  b.lastSr = srTime.middle32() + 7;  // an SR we never sent
  s.onReportBlock(b, NtpTime{srTime.value + (1ull << 32)});
  EXPECT_FALSE(s.roundTripSeconds());
  b.lastSr = srTime.middle32();
  b.delaySinceLastSr = 2 * 65536;  // DLSR longer than the time since the SR: clocks disagree
  s.onReportBlock(b, NtpTime{srTime.value + (1ull << 32)});
  EXPECT_FALSE(s.roundTripSeconds());
  b.delaySinceLastSr = 65536 / 2;
  s.onReportBlock(b, NtpTime{srTime.value + (1ull << 32)});
  ASSERT_TRUE(s.roundTripSeconds());
  EXPECT_DOUBLE_EQ(*s.roundTripSeconds(), 0.5);
}

TEST(RtpSendStats, SenderInfoBeforeAnyPacket) {
  RtpSendStats s(90000);
  const auto info = s.makeSenderInfo(NtpTime{1}, kT0);
  EXPECT_EQ(info.packetCount, 0u);
  EXPECT_EQ(info.rtpTimestamp, 0u);
  EXPECT_FALSE(s.hasSent());
}

}  // namespace
}  // namespace rtcgate::rtp
