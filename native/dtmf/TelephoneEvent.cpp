#include "dtmf/TelephoneEvent.hpp"

#include <algorithm>

#include "common/ByteOrder.hpp"

namespace rtcgate::dtmf {
namespace {

constexpr uint8_t kEndBit = 0x80;       // RFC 4733 §2.3: E
constexpr uint8_t kReservedBit = 0x40;  // R
constexpr uint8_t kVolumeMask = 0x3F;

TelephoneEvent decodeBlock(const uint8_t* p) noexcept {
  TelephoneEvent e;
  e.event = p[0];
  e.end = (p[1] & kEndBit) != 0;
  e.reserved = (p[1] & kReservedBit) != 0;
  e.volume = p[1] & kVolumeMask;
  e.duration = load16(p + 2);
  return e;
}

}  // namespace

std::optional<TelephoneEvent> TelephoneEvent::parse(std::span<const uint8_t> payload) noexcept {
  TelephoneEventParseError error;
  size_t count;
  return parse(payload, error, count);
}

std::optional<TelephoneEvent> TelephoneEvent::parse(std::span<const uint8_t> payload, TelephoneEventParseError& error,
                                                    size_t& count) noexcept {
  count = 0;
  if (payload.size() < kTelephoneEventSize) {
    error = TelephoneEventParseError::TooShort;
    return std::nullopt;
  }
  // RTP padding has already been stripped by the RTP parser, so a remainder means a broken
  // sender: guessing which bytes belong to which block would relay garbage.
  if (payload.size() % kTelephoneEventSize != 0) {
    error = TelephoneEventParseError::TrailingBytes;
    return std::nullopt;
  }
  error = TelephoneEventParseError::None;
  count = payload.size() / kTelephoneEventSize;
  return decodeBlock(payload.data());
}

std::optional<TelephoneEvent> TelephoneEvent::parseAt(std::span<const uint8_t> payload, size_t index) noexcept {
  if (payload.size() % kTelephoneEventSize != 0 || index >= payload.size() / kTelephoneEventSize) return std::nullopt;
  return decodeBlock(payload.data() + index * kTelephoneEventSize);
}

size_t TelephoneEvent::write(std::span<uint8_t> out) const noexcept {
  if (out.size() < kTelephoneEventSize) return 0;
  out[0] = event;
  out[1] = uint8_t((end ? kEndBit : 0) | std::min<uint8_t>(volume, kMaxEventVolume));
  store16(out.data() + 2, duration);
  return kTelephoneEventSize;
}

}  // namespace rtcgate::dtmf
