// StunWriter: rebuilds the RFC 5769 vectors byte for byte, round-trips through StunMessage,
// and fails cleanly when the buffer is too small.
#include "stun/StunWriter.hpp"

#include <gtest/gtest.h>
#include <openssl/md5.h>

#include <string>
#include <vector>

#include "stun/StunMessage.hpp"
#include "stun/testdata/Rfc5769Vectors.hpp"

namespace rtcgate::stun {
namespace {

using namespace rfc5769;

std::span<const uint8_t> bytesOf(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TransactionId tidOf(const std::vector<uint8_t>& message) {
  TransactionId t;
  std::copy(message.begin() + 8, message.begin() + 20, t.begin());
  return t;
}

TEST(StunWriter, RebuildsRfc5769SampleRequest) {
  std::vector<uint8_t> buf(1500);
  StunWriter w(buf);
  w.setPaddingByte(0x20);  // the RFC padded USERNAME with spaces
  const auto tid = tidOf(kSampleRequest);
  w.start(StunMethod::Binding, StunClass::Request, tid);
  w.addAttribute(StunAttribute::Software, bytesOf("STUN test client"));
  w.addPriority(0x6e0001ff);
  w.addIceControlled(0x932ff9b151263b36ull);
  w.addUsername("evtj:h6vY");
  w.addMessageIntegrity(bytesOf(kShortTermPassword));
  w.addFingerprint();
  buf.resize(w.finish());
  EXPECT_EQ(buf, kSampleRequest);
}

TEST(StunWriter, RebuildsRfc5769Responses) {
  struct Row {
    const std::vector<uint8_t>* expected;
    SocketAddress mapped;
  };
  const Row rows[] = {
      {&kIpv4Response, SocketAddress::fromIp("192.0.2.1", 32853)},
      {&kIpv6Response, SocketAddress::fromIp("2001:db8:1234:5678:11:2233:4455:6677", 32853)},
  };
  for (const auto& row : rows) {
    std::vector<uint8_t> buf(1500);
    StunWriter w(buf);
    w.setPaddingByte(0x20);
    const auto tid = tidOf(*row.expected);
    w.start(StunMethod::Binding, StunClass::SuccessResponse, tid);
    w.addAttribute(StunAttribute::Software, bytesOf("test vector"));
    w.addXorMappedAddress(row.mapped);
    w.addMessageIntegrity(bytesOf(kShortTermPassword));
    w.addFingerprint();
    buf.resize(w.finish());
    EXPECT_EQ(buf, *row.expected) << row.mapped.toString();
  }
}

TEST(StunWriter, RebuildsRfc5769LongTermRequest) {
  const std::string keyText = std::string(kKatakanaUsername) + ":example.org:TheMatrIX";
  uint8_t key[MD5_DIGEST_LENGTH];
  MD5(reinterpret_cast<const uint8_t*>(keyText.data()), keyText.size(), key);
  std::vector<uint8_t> buf(1500);
  StunWriter w(buf);
  const auto tid = tidOf(kLongTermRequest);
  w.start(StunMethod::Binding, StunClass::Request, tid);
  w.addUsername(kKatakanaUsername);
  w.addAttribute(StunAttribute::Nonce, bytesOf("f//499k954d6OL34oL9FSTvy64sA"));
  w.addAttribute(StunAttribute::Realm, bytesOf("example.org"));
  w.addMessageIntegrity(key);
  buf.resize(w.finish());
  EXPECT_EQ(buf, kLongTermRequest);
}

TEST(StunWriter, RoundTripsIceAttributes) {
  const TransactionId tid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const HmacSha1Key key(std::string_view("remote-password-0123456789"));
  struct Row {
    StunClass cls;
    SocketAddress mapped;
    uint16_t error;
  };
  const Row rows[] = {
      {StunClass::Request, SocketAddress::fromIp("10.0.0.1", 5000), 0},
      {StunClass::SuccessResponse, SocketAddress::fromIp("::ffff:10.0.0.1", 65535), 0},
      {StunClass::ErrorResponse, SocketAddress::fromIp("203.0.113.9", 1), 487},
  };
  for (const auto& row : rows) {
    std::vector<uint8_t> buf(200);
    StunWriter w(buf);
    w.start(StunMethod::Binding, row.cls, tid);
    w.addUsername("abcd:efgh");
    w.addPriority(0x7effffff);
    w.addIceControlling(0x0102030405060708ull);
    w.addIceControlled(0x1112131415161718ull);
    w.addUseCandidate();
    w.addXorMappedAddress(row.mapped);
    if (row.error != 0) w.addErrorCode(row.error, "Role Conflict");
    w.addMessageIntegrity(key);
    w.addFingerprint();
    const size_t n = w.finish();
    ASSERT_GT(n, 0u);
    auto m = StunMessage::parse(std::span<const uint8_t>(buf.data(), n));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->method(), StunMethod::Binding);
    EXPECT_EQ(m->messageClass(), row.cls);
    EXPECT_TRUE(std::equal(tid.begin(), tid.end(), m->transactionId().begin()));
    EXPECT_EQ(m->username(), "abcd:efgh");
    EXPECT_EQ(m->priority(), 0x7effffffu);
    EXPECT_EQ(m->iceControlling(), 0x0102030405060708ull);
    EXPECT_EQ(m->iceControlled(), 0x1112131415161718ull);
    EXPECT_TRUE(m->useCandidate());
    EXPECT_EQ(m->xorMappedAddress(), row.mapped);
    if (row.error != 0) {
      ASSERT_TRUE(m->errorCode());
      EXPECT_EQ(m->errorCode()->code, row.error);
      EXPECT_EQ(m->errorCode()->reason, "Role Conflict");
    } else {
      EXPECT_FALSE(m->errorCode());
    }
    EXPECT_TRUE(m->verifyMessageIntegrity(key));
    EXPECT_FALSE(m->verifyMessageIntegrity(HmacSha1Key(std::string_view("other"))));
    EXPECT_TRUE(m->verifyFingerprint());
  }
}

TEST(StunWriter, ReturnsZeroWhenBufferTooSmall) {
  const TransactionId tid{};
  // Find the full size first, then every shorter buffer must fail without writing past it.
  std::vector<uint8_t> full(200);
  auto build = [&](std::span<uint8_t> out) {
    StunWriter w(out);
    w.start(StunMethod::Binding, StunClass::SuccessResponse, tid);
    w.addXorMappedAddress(SocketAddress::fromIp("192.0.2.1", 9));
    w.addMessageIntegrity(bytesOf("pw"));
    w.addFingerprint();
    return w.finish();
  };
  const size_t n = build(full);
  ASSERT_EQ(n, 20u + 12 + 24 + 8);
  for (size_t size = 0; size < n; ++size) {
    std::vector<uint8_t> small(size + 16, 0xAB);
    EXPECT_EQ(build(std::span<uint8_t>(small.data(), size)), 0u) << size;
    for (size_t i = size; i < small.size(); ++i) ASSERT_EQ(small[i], 0xAB) << "wrote past end at " << i;
  }
}

TEST(StunWriter, RejectsBadArguments) {
  std::vector<uint8_t> buf(1500);
  const TransactionId tid{};
  StunWriter w(buf);
  EXPECT_FALSE(w.addPriority(1));  // before start()
  EXPECT_EQ(w.finish(), 0u);
  StunWriter w2(buf);
  w2.start(StunMethod::Binding, StunClass::ErrorResponse, tid);
  EXPECT_FALSE(w2.addErrorCode(200, "no"));
  EXPECT_EQ(w2.finish(), 0u);
  StunWriter w3(buf);
  w3.start(StunMethod::Binding, StunClass::Request, tid);
  EXPECT_FALSE(w3.addUsername(std::string(600, 'x')));
  EXPECT_EQ(w3.finish(), 0u);
}

}  // namespace
}  // namespace rtcgate::stun
