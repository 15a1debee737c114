// StunMessage parsing: every RFC 5769 vector byte-exact, then malformed rows.
#include "stun/StunMessage.hpp"

#include <gtest/gtest.h>
#include <openssl/md5.h>

#include <string>
#include <vector>

#include "stun/Crc32.hpp"
#include "stun/testdata/Rfc5769Vectors.hpp"

namespace rtcgate::stun {
namespace {

std::span<const uint8_t> bytesOf(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

using namespace rfc5769;

TEST(StunMessage, Rfc5769SampleRequest) {
  auto m = StunMessage::parse(kSampleRequest);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), StunMethod::Binding);
  EXPECT_EQ(m->messageClass(), StunClass::Request);
  EXPECT_EQ(m->transactionId()[0], 0xb7);
  EXPECT_EQ(m->transactionId()[11], 0xae);
  EXPECT_EQ(m->username(), "evtj:h6vY");
  EXPECT_EQ(m->priority(), 0x6e0001ffu);
  EXPECT_EQ(m->iceControlled(), 0x932ff9b151263b36ull);
  EXPECT_FALSE(m->iceControlling());
  EXPECT_FALSE(m->useCandidate());
  auto software = m->attribute(StunAttribute::Software);
  ASSERT_TRUE(software);
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(software->data()), software->size()), "STUN test client");
  EXPECT_TRUE(m->verifyMessageIntegrity(bytesOf(kShortTermPassword)));
  EXPECT_FALSE(m->verifyMessageIntegrity(bytesOf("VOkJxbRl1RmTxUk/WvJxBT")));
  EXPECT_TRUE(m->hasFingerprint());
  EXPECT_TRUE(m->verifyFingerprint());
}

TEST(StunMessage, Rfc5769Ipv4Response) {
  auto m = StunMessage::parse(kIpv4Response);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->messageClass(), StunClass::SuccessResponse);
  auto mapped = m->xorMappedAddress();
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, SocketAddress::fromIp("192.0.2.1", 32853));
  EXPECT_TRUE(m->verifyMessageIntegrity(bytesOf(kShortTermPassword)));
  EXPECT_TRUE(m->verifyFingerprint());
}

TEST(StunMessage, Rfc5769Ipv6Response) {
  auto m = StunMessage::parse(kIpv6Response);
  ASSERT_TRUE(m);
  auto mapped = m->xorMappedAddress();
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, SocketAddress::fromIp("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  EXPECT_TRUE(m->verifyMessageIntegrity(bytesOf(kShortTermPassword)));
  EXPECT_TRUE(m->verifyFingerprint());
}

TEST(StunMessage, Rfc5769LongTermRequest) {
  auto m = StunMessage::parse(kLongTermRequest);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->messageClass(), StunClass::Request);
  EXPECT_EQ(m->username(), kKatakanaUsername);
  auto realm = m->attribute(StunAttribute::Realm);
  ASSERT_TRUE(realm);
  EXPECT_EQ(realm->size(), 11u);
  auto nonce = m->attribute(StunAttribute::Nonce);
  ASSERT_TRUE(nonce);
  EXPECT_EQ(nonce->size(), 28u);
  EXPECT_FALSE(m->hasFingerprint());
  EXPECT_FALSE(m->verifyFingerprint());
  // RFC 5389 §15.4 long-term key: MD5(username ":" realm ":" SASLprep(password)).
  const std::string keyText = std::string(kKatakanaUsername) + ":example.org:TheMatrIX";
  uint8_t key[MD5_DIGEST_LENGTH];
  MD5(reinterpret_cast<const uint8_t*>(keyText.data()), keyText.size(), key);
  EXPECT_TRUE(m->verifyMessageIntegrity(key));
}

TEST(StunMessage, Crc32CheckValue) {
  // The CRC-32/ISO-HDLC check value over "123456789".
  EXPECT_EQ(crc32(bytesOf("123456789")), 0xCBF43926u);
  EXPECT_EQ(crc32(bytesOf("56789"), crc32(bytesOf("1234"))), 0xCBF43926u);
}

TEST(StunMessage, AttributesAfterIntegrityAreIgnored) {
  // Sample request with an extra PRIORITY placed between MESSAGE-INTEGRITY and FINGERPRINT.
  std::vector<uint8_t> m(kSampleRequest.begin(), kSampleRequest.end() - 8);
  const uint8_t extra[] = {0x00, 0x24, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04};
  m.insert(m.end(), extra, extra + sizeof(extra));
  m.insert(m.end(), kSampleRequest.end() - 8, kSampleRequest.end());
  m[3] = uint8_t(m.size() - 20);
  auto parsed = StunMessage::parse(m);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->priority(), 0x6e0001ffu);
  EXPECT_TRUE(parsed->verifyMessageIntegrity(bytesOf(kShortTermPassword)));
  EXPECT_FALSE(parsed->verifyFingerprint());  // the CRC now covers 8 more bytes
}

struct InvalidRow {
  const char* name;
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> mutate(std::vector<uint8_t> b, size_t at, uint8_t value) {
  b[at] = value;
  return b;
}

TEST(StunMessage, InvalidRowsAreRejected) {
  const std::vector<InvalidRow> rows = {
      {"empty", {}},
      {"short header", std::vector<uint8_t>(kSampleRequest.begin(), kSampleRequest.begin() + 19)},
      {"truncated body", std::vector<uint8_t>(kSampleRequest.begin(), kSampleRequest.end() - 4)},
      {"top bits set", mutate(kSampleRequest, 0, 0x40)},
      {"bad cookie", mutate(kSampleRequest, 4, 0x22)},
      {"length not multiple of 4", mutate(kSampleRequest, 3, 0x57)},
      {"length larger than datagram", mutate(kSampleRequest, 3, 0x5c)},
      {"length smaller than datagram", mutate(kSampleRequest, 3, 0x54)},
      {"attribute overruns", mutate(kSampleRequest, 23, 0x60)},        // SOFTWARE length 0x60
      {"priority wrong size", mutate(kSampleRequest, 43, 0x08)},       // PRIORITY length 8
      {"integrity wrong size", mutate(kSampleRequest, 79, 0x10)},      // MESSAGE-INTEGRITY 16
      {"header only attr stub", {0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                 11, 12, 0x00, 0x06, 0x00, 0x01}},     // USERNAME len 1, value missing
  };
  for (const auto& row : rows) EXPECT_FALSE(StunMessage::parse(row.bytes)) << row.name;
}

TEST(StunMessage, AttributeAfterFingerprintIsRejected) {
  std::vector<uint8_t> m(kSampleRequest);
  const uint8_t extra[] = {0x80, 0x22, 0x00, 0x00};  // empty SOFTWARE after FINGERPRINT
  m.insert(m.end(), extra, extra + sizeof(extra));
  m[3] = uint8_t(m.size() - 20);
  EXPECT_FALSE(StunMessage::parse(m));
}

TEST(StunMessage, HeaderOnlyMessageParses) {
  const std::vector<uint8_t> m = {0x00, 0x11, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  auto parsed = StunMessage::parse(m);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->messageClass(), StunClass::Indication);
  EXPECT_EQ(parsed->method(), StunMethod::Binding);
  EXPECT_FALSE(parsed->username());
  EXPECT_FALSE(parsed->hasMessageIntegrity());
  EXPECT_FALSE(parsed->verifyMessageIntegrity(bytesOf("x")));
}

}  // namespace
}  // namespace rtcgate::stun
