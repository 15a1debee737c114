#include "dtmf/TelephoneEvent.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "dtmf/DtmfDigit.hpp"

namespace rtcgate::dtmf {
namespace {

struct Row {
  const char* name;
  std::vector<uint8_t> bytes;
  TelephoneEventParseError error;
  size_t count;
  TelephoneEvent first;  // checked when error == None
};

TEST(TelephoneEvent, ParseTable) {
  using E = TelephoneEventParseError;
  const Row rows[] = {
      {"digit 5 start",
       {0x05,         // event 5
        0x0A,         // E=0 R=0 volume=10
        0x00, 0x00},  // duration 0
       E::None, 1, {5, false, false, 10, 0}},
      {"digit # update",
       {0x0B,         // event 11 '#'
        0x07,         // E=0 R=0 volume=7
        0x01, 0x90},  // duration 400 (50 ms at 8 kHz)
       E::None, 1, {11, false, false, 7, 400}},
      {"end, max volume, max duration",
       {0x00,         // event 0
        0xBF,         // E=1 R=0 volume=63
        0xFF, 0xFF},  // duration 65535
       E::None, 1, {0, true, false, 63, 0xFFFF}},
      {"R bit set is accepted and reported",
       {0x0F,         // event 15 'D'
        0xC0,         // E=1 R=1 volume=0
        0x03, 0x20},  // duration 800
       E::None, 1, {15, true, true, 0, 800}},
      {"non-DTMF code (flash, RFC 4733 §3.2: 16) parses",
       {0x10, 0x0A, 0x00, 0xA0}, E::None, 1, {16, false, false, 10, 160}},
      {"code 255",
       {0xFF, 0x00, 0x00, 0x01}, E::None, 1, {255, false, false, 0, 1}},
      {"two events in one payload: first returned, count 2",
       {0x01, 0x8A, 0x03, 0x20,   // event 1, E, vol 10, duration 800
        0x02, 0x0A, 0x01, 0x90},  // event 2, vol 10, duration 400
       E::None, 2, {1, true, false, 10, 800}},
      {"empty", {}, E::TooShort, 0, {}},
      {"3 bytes", {0x05, 0x0A, 0x00}, E::TooShort, 0, {}},
      {"5 bytes: trailing byte", {0x05, 0x0A, 0x00, 0x00, 0x00}, E::TrailingBytes, 0, {}},
      {"7 bytes", {0x05, 0x0A, 0x00, 0x00, 0x06, 0x0A, 0x00}, E::TrailingBytes, 0, {}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    TelephoneEventParseError error = E::None;
    size_t count = 99;
    const auto e = TelephoneEvent::parse(r.bytes, error, count);
    EXPECT_EQ(error, r.error);
    EXPECT_EQ(count, r.count);
    EXPECT_EQ(TelephoneEvent::parse(r.bytes).has_value(), r.error == E::None);
    if (r.error != E::None) {
      EXPECT_FALSE(e);
      continue;
    }
    ASSERT_TRUE(e);
    EXPECT_EQ(e->event, r.first.event);
    EXPECT_EQ(e->end, r.first.end);
    EXPECT_EQ(e->reserved, r.first.reserved);
    EXPECT_EQ(e->volume, r.first.volume);
    EXPECT_EQ(e->duration, r.first.duration);
    // Write back: identical bytes except the R bit, which a sender always clears (§2.3.3).
    std::array<uint8_t, 4> out{};
    ASSERT_EQ(e->write(out), 4u);
    std::vector<uint8_t> expect(r.bytes.begin(), r.bytes.begin() + 4);
    expect[1] &= 0xBF;
    EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.end()), expect);
    const auto again = TelephoneEvent::parse(out);
    ASSERT_TRUE(again);
    TelephoneEvent noR = *e;
    noR.reserved = false;
    EXPECT_EQ(*again, noR);
  }
}

TEST(TelephoneEvent, ParseAtWalksEveryBlock) {
  const uint8_t bytes[] = {0x01, 0x8A, 0x03, 0x20, 0x02, 0x0A, 0x01, 0x90};
  ASSERT_TRUE(TelephoneEvent::parseAt(bytes, 1));
  EXPECT_EQ(TelephoneEvent::parseAt(bytes, 1)->event, 2);
  EXPECT_EQ(TelephoneEvent::parseAt(bytes, 1)->duration, 400);
  EXPECT_FALSE(TelephoneEvent::parseAt(bytes, 2));
  EXPECT_FALSE(TelephoneEvent::parseAt(std::span(bytes, 7), 0));
}

TEST(TelephoneEvent, WriteClampsVolumeAndNeedsFourBytes) {
  TelephoneEvent e{9, true, true, 200, 1234};
  std::array<uint8_t, 4> out{};
  ASSERT_EQ(e.write(out), 4u);
  EXPECT_EQ(out, (std::array<uint8_t, 4>{0x09, 0x80 | 63, 0x04, 0xD2}));  // R not written, volume 63
  std::array<uint8_t, 3> small{};
  EXPECT_EQ(e.write(small), 0u);
}

TEST(DtmfDigit, MapsTheSixteenDigits) {
  const char* digits = "0123456789*#ABCD";
  for (uint8_t i = 0; i < 16; ++i) {
    ASSERT_EQ(dtmfEventForDigit(digits[i]), i);
    EXPECT_EQ(dtmfDigitForEvent(i), digits[i]);
  }
  EXPECT_EQ(dtmfEventForDigit('b'), 13);
  EXPECT_FALSE(dtmfEventForDigit('E'));
  EXPECT_FALSE(dtmfEventForDigit(','));
  EXPECT_EQ(dtmfDigitForEvent(16), '\0');
}

}  // namespace
}  // namespace rtcgate::dtmf
