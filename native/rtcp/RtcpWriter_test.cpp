#include "rtcp/RtcpWriter.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "rtcp/Bye.hpp"
#include "rtcp/GenericNack.hpp"
#include "rtcp/Pli.hpp"
#include "rtcp/ReceiverReport.hpp"
#include "rtcp/Remb.hpp"
#include "rtcp/RtcpCompound.hpp"
#include "rtcp/Sdes.hpp"
#include "rtcp/SenderReport.hpp"

namespace rtcgate::rtcp {
namespace {

const ReportBlock kBlockA{0xAABBCCDD, 12, -3, 0x0002FFFF, 77, 0x12345678, 1000};
const ReportBlock kBlockB{0x01020304, 255, 0x7FFFFF, 5, 0, 0, 0};

TEST(RtcpWriter, CompoundRoundTrip) {
  std::array<uint8_t, 1500> buf{};
  RtcpWriter w(buf);
  const SenderInfo info{0xE8A1B2C380000000ull, 0x1234, 100, 16000};
  const ReportBlock blocks[] = {kBlockA, kBlockB};
  const uint32_t byeSsrcs[] = {7, 8};
  const FirEntry firs[] = {{0xBEEF, 3}, {0xCAFE, 250}};
  const uint32_t rembSsrcs[] = {0x11111111};
  EXPECT_EQ(w.addSenderReport(1, info, blocks), 4u + 4 + 20 + 48);
  EXPECT_EQ(w.addReceiverReport(2, blocks), 4u + 4 + 48);
  EXPECT_EQ(w.addSdesCname(1, "user@example"), 24u);  // 4 + pad4(4 + 2 + 12 + 1)
  EXPECT_GT(w.addPli(1, 0xBEEF), 0u);
  EXPECT_GT(w.addFir(1, firs), 0u);
  EXPECT_GT(w.addRemb(1, 2'500'000, rembSsrcs), 0u);
  const uint16_t lost[] = {10, 11, 30};
  EXPECT_GT(w.addNack(1, 0xBEEF, lost), 0u);
  EXPECT_GT(w.addBye(byeSsrcs, "bye now"), 0u);

  RtcpCompound c(w.bytes());
  ASSERT_TRUE(c.valid());
  std::vector<RtcpKind> kinds;
  for (RtcpHeader pkt : c) {
    kinds.push_back(pkt.kind());
    switch (pkt.kind()) {
      case RtcpKind::SenderReport: {
        auto sr = SenderReport::parse(pkt);
        ASSERT_TRUE(sr);
        EXPECT_EQ(sr->senderSsrc(), 1u);
        EXPECT_EQ(sr->senderInfo(), info);
        ASSERT_EQ(sr->reportCount(), 2u);
        EXPECT_EQ(sr->reportBlock(0), kBlockA);
        EXPECT_EQ(sr->reportBlock(1), kBlockB);
        break;
      }
      case RtcpKind::ReceiverReport: {
        auto rr = ReceiverReport::parse(pkt);
        ASSERT_TRUE(rr);
        EXPECT_EQ(rr->senderSsrc(), 2u);
        EXPECT_EQ(rr->reportBlock(1), kBlockB);
        break;
      }
      case RtcpKind::Sdes: {
        auto sdes = Sdes::parse(pkt);
        ASSERT_TRUE(sdes);
        EXPECT_EQ(sdes->cname()->text, "user@example");
        break;
      }
      case RtcpKind::Pli: EXPECT_EQ(Pli::parse(pkt)->mediaSsrc(), 0xBEEFu); break;
      case RtcpKind::Fir: {
        auto fir = Fir::parse(pkt);
        ASSERT_TRUE(fir);
        ASSERT_EQ(fir->entryCount(), 2u);
        EXPECT_EQ(fir->entry(1), firs[1]);
        break;
      }
      case RtcpKind::Remb: {
        auto remb = Remb::parse(pkt);
        ASSERT_TRUE(remb);
        // 2,500,000 needs 22 bits: exp 4, mantissa 156250, exact.
        EXPECT_EQ(remb->bitrate(), 2'500'000u);
        EXPECT_EQ(remb->ssrc(0), 0x11111111u);
        break;
      }
      case RtcpKind::GenericNack: {
        uint16_t out[8];
        const size_t n = GenericNack::parse(pkt)->lostSequenceNumbers(out);
        EXPECT_EQ(std::vector<uint16_t>(out, out + n), (std::vector<uint16_t>{10, 11, 30}));
        break;
      }
      case RtcpKind::Bye: {
        auto bye = Bye::parse(pkt);
        ASSERT_TRUE(bye);
        EXPECT_EQ(bye->ssrcCount(), 2u);
        EXPECT_EQ(bye->ssrc(1), 8u);
        EXPECT_EQ(*bye->reason(), "bye now");
        break;
      }
      case RtcpKind::Other: ADD_FAILURE(); break;
    }
  }
  using K = RtcpKind;
  EXPECT_EQ(kinds, (std::vector<K>{K::SenderReport, K::ReceiverReport, K::Sdes, K::Pli, K::Fir, K::Remb,
                                   K::GenericNack, K::Bye}));
}

TEST(RtcpWriter, ClampsCumulativeLostTo24Bits) {
  std::array<uint8_t, 64> buf{};
  RtcpWriter w(buf);
  const ReportBlock blocks[] = {{1, 0, -10'000'000, 0, 0, 0, 0}};
  ASSERT_GT(w.addReceiverReport(2, blocks), 0u);
  EXPECT_EQ(ReceiverReport::parse(*RtcpCompound(w.bytes()).begin())->reportBlock(0).cumulativeLost,
            kMinCumulativeLost);
}

TEST(RtcpWriter, ReturnsZeroWhenItDoesNotFit) {
  std::array<uint8_t, 20> buf{};
  RtcpWriter w(buf);
  EXPECT_EQ(w.addReceiverReport(1), 8u);
  EXPECT_EQ(w.addPli(1, 2), 12u);
  EXPECT_EQ(w.size(), 20u);
  EXPECT_EQ(w.addPli(1, 2), 0u);
  EXPECT_EQ(w.addSdesCname(1, "x"), 0u);
  const uint16_t lost[] = {1};
  EXPECT_EQ(w.addNack(1, 2, lost), 0u);
  EXPECT_EQ(w.size(), 20u);  // nothing partial appended
  EXPECT_TRUE(RtcpCompound(w.bytes()).valid());

  // Encodable limits.
  RtcpWriter big(std::span<uint8_t>(buf.data(), buf.size()));
  std::array<ReportBlock, 32> tooMany{};
  EXPECT_EQ(big.addReceiverReport(1, tooMany), 0u);
  EXPECT_EQ(big.addSdesCname(1, std::string(256, 'x')), 0u);
  EXPECT_EQ(big.addNack(1, 2, {}), 0u);
  EXPECT_EQ(big.addFir(1, {}), 0u);
}

TEST(RtcpWriter, NackRunsOutOfRoomMidListAndTakesThePacketBack) {
  std::array<uint8_t, 16> buf{};  // header + SSRCs + exactly one FCI entry
  RtcpWriter w(buf);
  const uint16_t lost[] = {100, 200};
  EXPECT_EQ(w.addNack(1, 2, lost), 0u);
  EXPECT_EQ(w.size(), 0u);
}

struct NackRow {
  const char* name;
  std::vector<uint16_t> lost;
  std::vector<NackItem> items;
};

TEST(RtcpWriter, NackPacksLostListIntoPidBlp) {
  const std::vector<NackRow> rows = {
      {"single", {5}, {{5, 0x0000}}},
      {"consecutive", {5, 6, 7}, {{5, 0x0003}}},
      {"pid+16 is the last BLP bit", {5, 21}, {{5, 0x8000}}},
      {"pid+17 starts a new pair", {5, 22}, {{5, 0}, {22, 0}}},
      {"sparse bits", {100, 101, 103, 116}, {{100, 0x8005}}},
      {"wraps at 65535", {65534, 65535, 0, 1}, {{65534, 0x0007}}},
      {"duplicates are folded", {9, 9, 10, 10}, {{9, 0x0001}}},
      {"descending costs a pair each", {3, 2}, {{3, 0}, {2, 0}}},
      {"many pairs", {0, 20, 40, 41}, {{0, 0}, {20, 0}, {40, 0x0001}}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    std::array<uint8_t, 256> buf{};
    RtcpWriter w(buf);
    ASSERT_EQ(w.addNack(0xA, 0xB, row.lost), 12 + 4 * row.items.size());
    RtcpCompound c(w.bytes());
    ASSERT_TRUE(c.valid());
    auto nack = GenericNack::parse(*c.begin());
    ASSERT_TRUE(nack);
    EXPECT_EQ(nack->senderSsrc(), 0xAu);
    EXPECT_EQ(nack->mediaSsrc(), 0xBu);
    std::vector<NackItem> items;
    for (size_t i = 0; i < nack->itemCount(); ++i) items.push_back(nack->item(i));
    EXPECT_EQ(items, row.items);
  }
}

TEST(RtcpWriter, RembRoundsDownToMantissaAndExponent) {
  struct {
    uint64_t in, out;
  } rows[] = {{0, 0}, {0x3FFFF, 0x3FFFF}, {0x40000, 0x40000}, {0x40001, 0x40000},
              {1'000'000'007, (1'000'000'007ull >> 12) << 12}, {UINT64_MAX, 0x3FFFFull << 46}};
  for (const auto& r : rows) {
    std::array<uint8_t, 64> buf{};
    RtcpWriter w(buf);
    ASSERT_GT(w.addRemb(1, r.in, {}), 0u);
    auto remb = Remb::parse(*RtcpCompound(w.bytes()).begin());
    ASSERT_TRUE(remb);
    EXPECT_EQ(remb->bitrate(), r.out) << r.in;
    EXPECT_EQ(remb->ssrcCount(), 0u);
  }
}

}  // namespace
}  // namespace rtcgate::rtcp
