#include "rtcp/RtcpCompound.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtcp/Bye.hpp"
#include "rtcp/Fir.hpp"
#include "rtcp/GenericNack.hpp"
#include "rtcp/Pli.hpp"
#include "rtcp/ReceiverReport.hpp"
#include "rtcp/Remb.hpp"
#include "rtcp/Sdes.hpp"
#include "rtcp/SenderReport.hpp"

namespace rtcgate::rtcp {
namespace {

using Bytes = std::vector<uint8_t>;

// SR with one report block, then SDES with one CNAME chunk.
const Bytes kSrSdes = {
    0x81, 0xC8, 0x00, 0x0C,  // V=2 P=0 RC=1, PT=200 SR, length 12 words (52 bytes)
    0x11, 0x22, 0x33, 0x44,  // sender SSRC
    0xE8, 0xA1, 0xB2, 0xC3,  // NTP seconds
    0x80, 0x00, 0x00, 0x00,  // NTP fraction (0.5 s)
    0x00, 0x01, 0x23, 0x45,  // RTP timestamp
    0x00, 0x00, 0x00, 0x64,  // sender's packet count 100
    0x00, 0x00, 0x3E, 0x80,  // sender's octet count 16000
    0xAA, 0xBB, 0xCC, 0xDD,  // block: SSRC_1
    0x40, 0xFF, 0xFF, 0xFE,  //   fraction lost 64/256, cumulative lost -2 (24-bit signed)
    0x00, 0x01, 0xFF, 0xFF,  //   extended highest seq: cycles 1, seq 65535
    0x00, 0x00, 0x00, 0x20,  //   jitter 32
    0xA1, 0xB2, 0xC3, 0x80,  //   LSR
    0x00, 0x01, 0x00, 0x00,  //   DLSR 1.0 s
    0x81, 0xCA, 0x00, 0x04,  // V=2 SC=1, PT=202 SDES, length 4 words
    0x11, 0x22, 0x33, 0x44,  // chunk SSRC
    0x01, 0x06, 'a', 'b',    // CNAME, length 6
    'c', 'd', 'e', 'f',      //
    0x00, 0x00, 0x00, 0x00,  // end of item list + padding to 32 bits
};

// RR without blocks, then BYE with a reason.
const Bytes kRrBye = {
    0x80, 0xC9, 0x00, 0x01,  // V=2 RC=0, PT=201 RR, length 1
    0x01, 0x02, 0x03, 0x04,  // sender SSRC
    0x81, 0xCB, 0x00, 0x03,  // V=2 SC=1, PT=203 BYE, length 3
    0x01, 0x02, 0x03, 0x04,  // SSRC
    0x05, 'g', 'o', 'n',     // reason length 5
    'e', '!', 0x00, 0x00,    // reason tail + padding
};

const Bytes kNack = {
    0x81, 0xCD, 0x00, 0x04,  // V=2 FMT=1, PT=205 RTPFB, length 4
    0x00, 0x00, 0x00, 0x01,  // packet sender SSRC
    0x00, 0x00, 0x00, 0x02,  // media source SSRC
    0x00, 0x64, 0x80, 0x05,  // PID 100, BLP bits 0,2,15 → 101, 103, 116
    0xFF, 0xFF, 0x00, 0x01,  // PID 65535, BLP bit 0 → 0 (wraps)
};

const Bytes kPli = {
    0x81, 0xCE, 0x00, 0x02,  // V=2 FMT=1, PT=206 PSFB, length 2
    0x00, 0x00, 0x00, 0x01,  // packet sender SSRC
    0x00, 0x00, 0xBE, 0xEF,  // media source SSRC
};

const Bytes kFir = {
    0x84, 0xCE, 0x00, 0x04,  // V=2 FMT=4, PT=206 PSFB, length 4
    0x00, 0x00, 0x00, 0x01,  // packet sender SSRC
    0x00, 0x00, 0x00, 0x00,  // media source SSRC: unused (RFC 5104 §4.3.1.2)
    0x00, 0x00, 0xBE, 0xEF,  // FCI: SSRC
    0x07, 0x00, 0x00, 0x00,  //      seq nr 7, reserved
};

const Bytes kRemb = {
    0x8F, 0xCE, 0x00, 0x06,  // V=2 FMT=15, PT=206 PSFB, length 6
    0x00, 0x00, 0x00, 0x01,  // packet sender SSRC
    0x00, 0x00, 0x00, 0x00,  // media source SSRC: 0
    'R', 'E', 'M', 'B',      // unique identifier
    0x02, 0x0D, 0xE8, 0x48,  // Num SSRC 2, BR Exp 3, BR Mantissa 0x1E848 (125000) → 1,000,000 bps
    0x11, 0x11, 0x11, 0x11,  // SSRC feedback 1
    0x22, 0x22, 0x22, 0x22,  // SSRC feedback 2
};

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<RtcpKind> kindsOf(const RtcpCompound& c) {
  std::vector<RtcpKind> kinds;
  for (RtcpHeader pkt : c) kinds.push_back(pkt.kind());
  return kinds;
}

struct Row {
  const char* name;
  Bytes bytes;
  RtcpStatus status;
  std::vector<RtcpKind> kinds;  // well-formed packets yielded before any error
};

TEST(RtcpCompound, TableOfCompounds) {
  using K = RtcpKind;
  const std::vector<Row> rows = {
      {"sr+sdes", kSrSdes, RtcpStatus::Ok, {K::SenderReport, K::Sdes}},
      {"rr+bye", kRrBye, RtcpStatus::Ok, {K::ReceiverReport, K::Bye}},
      {"reduced-size nack", kNack, RtcpStatus::Ok, {K::GenericNack}},
      {"reduced-size pli", kPli, RtcpStatus::Ok, {K::Pli}},
      {"fir", kFir, RtcpStatus::Ok, {K::Fir}},
      {"remb", kRemb, RtcpStatus::Ok, {K::Remb}},
      {"app, xr and transport-cc are skipped as Other",
       concat({{0x80, 0xCC, 0x00, 0x02, 0, 0, 0, 1, 'A', 'B', 'C', 'D'},   // APP, name "ABCD"
               {0x80, 0xCF, 0x00, 0x01, 0, 0, 0, 1},                       // XR, no blocks
               {0x8F, 0xCD, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2},           // RTPFB FMT 15
               {0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 1}}),                     // RR
       RtcpStatus::Ok, {K::Other, K::Other, K::Other, K::ReceiverReport}},
      {"afb that is not REMB", {0x8F, 0xCE, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 'X', 'X', 'X', 'X'},
       RtcpStatus::Ok, {K::Other}},
      {"padding on the last packet",
       {0xA0, 0xC9, 0x00, 0x02, 0, 0, 0, 1, 0x00, 0x00, 0x00, 0x04},  // P=1, 4 padding bytes
       RtcpStatus::Ok, {K::ReceiverReport}},
      {"empty", {}, RtcpStatus::Truncated, {}},
      {"three bytes", {0x80, 0xC9, 0x00}, RtcpStatus::Truncated, {}},
      {"length past the datagram", {0x80, 0xC9, 0x00, 0x03, 0, 0, 0, 1}, RtcpStatus::Truncated, {}},
      {"version 1", {0x40, 0xC9, 0x00, 0x01, 0, 0, 0, 1}, RtcpStatus::BadVersion, {}},
      {"padding count 0", {0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 0}, RtcpStatus::BadPadding, {}},
      {"padding count larger than the body", {0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 9}, RtcpStatus::BadPadding, {}},
      {"good packet then truncated tail", concat({kPli, {0x80, 0xC8, 0x00, 0x06, 0, 0}}),
       RtcpStatus::Truncated, {K::Pli}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    RtcpCompound c(row.bytes);
    EXPECT_EQ(c.status(), row.status);
    EXPECT_EQ(c.valid(), row.status == RtcpStatus::Ok);
    EXPECT_EQ(kindsOf(c), row.kinds);
    EXPECT_EQ(c.packetCount(), row.kinds.size());
  }
}

TEST(RtcpCompound, SenderReportAndSdesFields) {
  RtcpCompound c(kSrSdes);
  auto it = c.begin();
  auto sr = SenderReport::parse(*it);
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->senderSsrc(), 0x11223344u);
  EXPECT_EQ(sr->ntpTimestamp(), 0xE8A1B2C380000000ull);
  EXPECT_EQ(sr->ntpMiddle32(), 0xB2C38000u);
  EXPECT_EQ(sr->rtpTimestamp(), 0x12345u);
  EXPECT_EQ(sr->packetCount(), 100u);
  EXPECT_EQ(sr->octetCount(), 16000u);
  ASSERT_EQ(sr->reportCount(), 1u);
  const ReportBlock b = sr->reportBlock(0);
  EXPECT_EQ(b.ssrc, 0xAABBCCDDu);
  EXPECT_EQ(b.fractionLost, 64);
  EXPECT_EQ(b.cumulativeLost, -2);
  EXPECT_EQ(b.extendedHighestSeq, 0x1FFFFu);
  EXPECT_EQ(b.jitter, 32u);
  EXPECT_EQ(b.lastSr, 0xA1B2C380u);
  EXPECT_EQ(b.delaySinceLastSr, 65536u);
  EXPECT_FALSE(ReceiverReport::parse(*it));  // wrong type

  ++it;
  auto sdes = Sdes::parse(*it);
  ASSERT_TRUE(sdes);
  EXPECT_EQ(sdes->chunkCount(), 1u);
  auto cname = sdes->cname();
  ASSERT_TRUE(cname);
  EXPECT_EQ(cname->ssrc, 0x11223344u);
  EXPECT_EQ(cname->text, "abcdef");
  ++it;
  EXPECT_EQ(it, c.end());
}

TEST(RtcpCompound, ReceiverReportAndByeFields) {
  RtcpCompound c(kRrBye);
  auto it = c.begin();
  auto rr = ReceiverReport::parse(*it);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->senderSsrc(), 0x01020304u);
  EXPECT_EQ(rr->reportCount(), 0u);
  auto bye = Bye::parse(*++it);
  ASSERT_TRUE(bye);
  ASSERT_EQ(bye->ssrcCount(), 1u);
  EXPECT_EQ(bye->ssrc(0), 0x01020304u);
  ASSERT_TRUE(bye->reason());
  EXPECT_EQ(*bye->reason(), "gone!");
}

TEST(RtcpCompound, FeedbackFields) {
  auto nack = GenericNack::parse(*RtcpCompound(kNack).begin());
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->senderSsrc(), 1u);
  EXPECT_EQ(nack->mediaSsrc(), 2u);
  ASSERT_EQ(nack->itemCount(), 2u);
  EXPECT_EQ(nack->item(0), (NackItem{100, 0x8005}));
  uint16_t lost[16];
  const size_t n = nack->lostSequenceNumbers(lost);
  EXPECT_EQ(std::vector<uint16_t>(lost, lost + n), (std::vector<uint16_t>{100, 101, 103, 116, 65535, 0}));
  uint16_t two[2];
  EXPECT_EQ(nack->lostSequenceNumbers(two), 2u);  // bounded by the caller's buffer

  auto pli = Pli::parse(*RtcpCompound(kPli).begin());
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->senderSsrc(), 1u);
  EXPECT_EQ(pli->mediaSsrc(), 0xBEEFu);

  auto fir = Fir::parse(*RtcpCompound(kFir).begin());
  ASSERT_TRUE(fir);
  EXPECT_EQ(fir->senderSsrc(), 1u);
  ASSERT_EQ(fir->entryCount(), 1u);
  EXPECT_EQ(fir->entry(0), (FirEntry{0xBEEF, 7}));

  auto remb = Remb::parse(*RtcpCompound(kRemb).begin());
  ASSERT_TRUE(remb);
  EXPECT_EQ(remb->senderSsrc(), 1u);
  EXPECT_EQ(remb->bitrate(), 1'000'000u);
  ASSERT_EQ(remb->ssrcCount(), 2u);
  EXPECT_EQ(remb->ssrc(0), 0x11111111u);
  EXPECT_EQ(remb->ssrc(1), 0x22222222u);
}

TEST(RtcpCompound, TypedViewsRejectBodiesTooShortForTheirCounts) {
  // Well-formed headers whose bodies cannot hold what the count field promises.
  const Bytes srRc2 = {0x82, 0xC8, 0x00, 0x06, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
                       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};            // RC=2, no blocks
  const Bytes rrRc1 = {0x81, 0xC9, 0x00, 0x01, 0, 0, 0, 1};           // RC=1, no block
  const Bytes byeSc2 = {0x82, 0xCB, 0x00, 0x01, 0, 0, 0, 1};          // SC=2, one SSRC
  const Bytes byeReasonOverrun = {0x81, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 9, 'a', 'b', 'c'};
  const Bytes sdesItemOverrun = {0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 'a', 'b'};
  const Bytes sdesMissingChunk = {0x82, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0};  // SC=2
  const Bytes nackNoFci = {0x81, 0xCD, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  const Bytes pliShort = {0x81, 0xCE, 0x00, 0x01, 0, 0, 0, 1};
  const Bytes firNoFci = {0x84, 0xCE, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0};
  const Bytes rembSsrcOverrun = {0x8F, 0xCE, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 0,
                                 'R', 'E', 'M', 'B', 0x03, 0x00, 0x00, 0x01};  // Num SSRC 3, none present
  EXPECT_FALSE(SenderReport::parse(*RtcpCompound(srRc2).begin()));
  EXPECT_FALSE(ReceiverReport::parse(*RtcpCompound(rrRc1).begin()));
  EXPECT_FALSE(Bye::parse(*RtcpCompound(byeSc2).begin()));
  EXPECT_FALSE(Bye::parse(*RtcpCompound(byeReasonOverrun).begin()));
  EXPECT_FALSE(Sdes::parse(*RtcpCompound(sdesItemOverrun).begin()));
  EXPECT_FALSE(Sdes::parse(*RtcpCompound(sdesMissingChunk).begin()));
  EXPECT_FALSE(GenericNack::parse(*RtcpCompound(nackNoFci).begin()));
  EXPECT_FALSE(Pli::parse(*RtcpCompound(pliShort).begin()));
  EXPECT_FALSE(Fir::parse(*RtcpCompound(firNoFci).begin()));
  EXPECT_FALSE(Remb::parse(*RtcpCompound(rembSsrcOverrun).begin()));
}

TEST(RtcpCompound, RembSaturatesHugeBitrates) {
  Bytes b = kRemb;
  b[17] = 0xFF;  // exponent 63, mantissa 0x3E848: far beyond 64 bits
  auto remb = Remb::parse(*RtcpCompound(b).begin());
  ASSERT_TRUE(remb);
  EXPECT_EQ(remb->bitrate(), UINT64_MAX);
}

}  // namespace
}  // namespace rtcgate::rtcp
