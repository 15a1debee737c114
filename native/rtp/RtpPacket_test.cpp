#include "rtp/RtpPacket.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/RtpHeaderWriter.hpp"

namespace rtcgate::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

std::vector<uint8_t> toVec(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

TEST(RtpPacket, WriteParseMutateParse) {
  const uint32_t csrcs[] = {0x01010101, 0x02020202};
  const uint8_t audioLevel[] = {0x85};
  const uint8_t mid[] = {'a', 'u', 'd'};
  const RtpExtensionElement ext[] = {{1, audioLevel}, {4, mid}};
  RtpHeaderFields f;
  f.marker = true;
  f.payloadType = 111;
  f.sequenceNumber = 0xFFFE;
  f.timestamp = 0xDEADBEEF;
  f.ssrc = 0x12345678;
  f.csrcs = csrcs;
  f.extensions = ext;

  std::array<uint8_t, 100> buf{};
  const size_t header = writeRtpHeader(buf, f);
  // 12 fixed + 8 CSRC + 4 extension header + (2 + 4 = 6 → padded 8)
  ASSERT_EQ(header, 32u);
  EXPECT_EQ(rtpHeaderSize(f), header);
  const uint8_t payload[] = {9, 8, 7, 6, 5};
  std::copy(std::begin(payload), std::end(payload), buf.begin() + header);
  std::span<uint8_t> datagram(buf.data(), header + sizeof(payload));

  auto p = RtpPacket::parse(datagram);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->marker());
  EXPECT_EQ(p->payloadType(), 111);
  EXPECT_EQ(p->sequenceNumber(), 0xFFFE);
  EXPECT_EQ(p->timestamp(), 0xDEADBEEFu);
  EXPECT_EQ(p->ssrc(), 0x12345678u);
  ASSERT_EQ(p->csrcCount(), 2u);
  EXPECT_EQ(p->csrc(1), 0x02020202u);
  EXPECT_TRUE(p->hasExtension());
  EXPECT_EQ(p->extensionProfile(), kOneByteExtensionProfile);
  EXPECT_EQ(p->extension().size(), 8u);
  ASSERT_TRUE(p->findExtension(1));
  EXPECT_EQ(toVec(*p->findExtension(1)), Bytes{0x85});
  EXPECT_EQ(toVec(*p->findExtension(4)), (Bytes{'a', 'u', 'd'}));
  EXPECT_FALSE(p->findExtension(2));
  EXPECT_FALSE(p->findExtension(15));
  EXPECT_EQ(p->headerSize(), 32u);
  EXPECT_EQ(toVec(p->payload()), toVec(payload));
  EXPECT_EQ(p->paddingSize(), 0u);
  EXPECT_EQ(p->size(), datagram.size());

  p->setMarker(false);
  p->setPayloadType(0);
  p->setSequenceNumber(7);
  p->setTimestamp(160);
  p->setSsrc(0xCAFEBABE);
  auto q = RtpPacket::parse(datagram);
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->marker());
  EXPECT_EQ(q->payloadType(), 0);
  EXPECT_EQ(q->sequenceNumber(), 7);
  EXPECT_EQ(q->timestamp(), 160u);
  EXPECT_EQ(q->ssrc(), 0xCAFEBABEu);
  EXPECT_EQ(q->csrc(0), 0x01010101u);  // untouched
  EXPECT_EQ(toVec(*q->findExtension(4)), (Bytes{'a', 'u', 'd'}));
  EXPECT_EQ(toVec(q->payload()), toVec(payload));
  q->setPayloadType(0xFF);  // only 7 bits are written; the marker survives
  EXPECT_EQ(q->payloadType(), 0x7F);
  EXPECT_FALSE(q->marker());
}

TEST(RtpPacket, TwoByteExtensionsWhenOneByteCannotHoldThem) {
  const uint8_t big[20] = {1, 2, 3};
  const RtpExtensionElement ext[] = {{3, {}}, {200, big}};  // empty data and id > 14 need §4.3
  RtpHeaderFields f;
  f.ssrc = 1;
  f.extensions = ext;
  std::array<uint8_t, 64> buf{};
  const size_t header = writeRtpHeader(buf, f);
  ASSERT_EQ(header, 12u + 4 + 24);  // 2 + 0 + 2 + 20 = 24
  auto p = RtpPacket::parse(std::span<uint8_t>(buf.data(), header));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->extensionProfile(), kTwoByteExtensionProfile);
  ASSERT_TRUE(p->findExtension(3));
  EXPECT_TRUE(p->findExtension(3)->empty());
  EXPECT_EQ(toVec(*p->findExtension(200)), toVec(big));
  EXPECT_FALSE(p->findExtension(4));
  EXPECT_TRUE(p->payload().empty());
}

TEST(RtpPacket, FindsExtensionsAcrossPaddingBytes) {
  Bytes one = {
      0x90, 0x60, 0x00, 0x01,  // V=2 X=1, PT 96, seq 1
      0x00, 0x00, 0x00, 0x02,  // timestamp
      0x00, 0x00, 0x00, 0x03,  // SSRC
      0xBE, 0xDE, 0x00, 0x02,  // one-byte profile, 2 words
      0x10, 0xAA, 0x00, 0x00,  // id 1 len 1: AA, then two padding bytes
      0x21, 0xBB, 0xCC, 0x00,  // id 2 len 2: BB CC, padding
      0xEE,                    // payload
  };
  auto p = RtpPacket::parse(one);
  ASSERT_TRUE(p);
  EXPECT_EQ(toVec(*p->findExtension(1)), Bytes{0xAA});
  EXPECT_EQ(toVec(*p->findExtension(2)), (Bytes{0xBB, 0xCC}));
  EXPECT_EQ(toVec(p->payload()), Bytes{0xEE});

  Bytes two = {
      0x90, 0x60, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3,
      0x10, 0x07, 0x00, 0x02,  // two-byte profile with appbits 7, 2 words
      0x00, 0x05, 0x01, 0xAA,  // padding, id 5 len 1: AA
      0x09, 0x02, 0xBB, 0xCC,  // id 9 len 2: BB CC
  };
  p = RtpPacket::parse(two);
  ASSERT_TRUE(p);
  EXPECT_EQ(toVec(*p->findExtension(5)), Bytes{0xAA});
  EXPECT_EQ(toVec(*p->findExtension(9)), (Bytes{0xBB, 0xCC}));

  Bytes otherProfile = {0x90, 0x60, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3, 0x12, 0x34, 0x00, 0x01, 0x10, 0xAA, 0, 0};
  p = RtpPacket::parse(otherProfile);
  ASSERT_TRUE(p);  // a valid RFC 3550 extension, just not RFC 8285
  EXPECT_EQ(p->extensionProfile(), 0x1234);
  EXPECT_FALSE(p->findExtension(1));

  Bytes elementOverrun = {0x90, 0x60, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0x00, 0x01, 0x1F, 0xAA, 0, 0};
  p = RtpPacket::parse(elementOverrun);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->findExtension(1));  // claims 16 bytes in a 4-byte block
}

TEST(RtpPacket, PaddingIsExcludedFromThePayload) {
  Bytes b = {
      0xA0, 0x00, 0x00, 0x01,  // V=2 P=1, PT 0
      0, 0, 0, 2, 0, 0, 0, 3,  // timestamp, SSRC
      0x11, 0x22, 0x33,        // payload
      0x00, 0x00, 0x03,        // 3 padding bytes, count included
  };
  auto p = RtpPacket::parse(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->paddingSize(), 3u);
  EXPECT_EQ(toVec(p->payload()), (Bytes{0x11, 0x22, 0x33}));
  b.back() = 6;  // padding may eat the whole payload
  p = RtpPacket::parse(b);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->payload().empty());
}

struct InvalidRow {
  const char* name;
  Bytes bytes;
  RtpParseError error;
};

TEST(RtpPacket, RejectsInvalidDatagrams) {
  const std::vector<InvalidRow> rows = {
      {"empty", {}, RtpParseError::TooShort},
      {"eleven bytes", {0x80, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0}, RtpParseError::TooShort},
      {"version 1", {0x40, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}, RtpParseError::BadVersion},
      {"version 0", {0x00, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}, RtpParseError::BadVersion},
      {"CC=2 with one CSRC", {0x82, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4}, RtpParseError::CsrcOverrun},
      {"extension header cut", {0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE}, RtpParseError::ExtensionOverrun},
      {"extension length past the end",
       {0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0x00, 0x02, 0x10, 0xAA, 0, 0},
       RtpParseError::ExtensionOverrun},
      {"padding count 0", {0xA0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x11, 0x00}, RtpParseError::BadPadding},
      {"padding larger than the payload", {0xA0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x11, 0x03},
       RtpParseError::BadPadding},
      {"padding bit with no room at all", {0xA0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}, RtpParseError::BadPadding},
  };
  for (auto row : rows) {
    SCOPED_TRACE(row.name);
    RtpParseError why = RtpParseError::None;
    EXPECT_FALSE(RtpPacket::parse(row.bytes, why));
    EXPECT_EQ(why, row.error);
  }
}

TEST(RtpHeaderWriter, RejectsFieldsItCannotEncode) {
  std::array<uint8_t, 128> buf{};
  RtpHeaderFields f;
  std::array<uint32_t, 16> csrcs{};
  f.csrcs = csrcs;  // 16 > 15
  EXPECT_EQ(writeRtpHeader(buf, f), 0u);
  f.csrcs = {};
  const RtpExtensionElement idZero[] = {{0, {}}};
  f.extensions = idZero;
  EXPECT_EQ(writeRtpHeader(buf, f), 0u);
  f.extensions = {};
  EXPECT_EQ(writeRtpHeader(std::span<uint8_t>(buf.data(), 11), f), 0u);  // does not fit
  EXPECT_EQ(writeRtpHeader(std::span<uint8_t>(buf.data(), 12), f), 12u);
}

}  // namespace
}  // namespace rtcgate::rtp
