// libFuzzer target: the RFC 4733 telephone-event parser (and the RFC 3389 CN parser) on
// arbitrary payloads, then the same bytes read as a script of received packets driving a
// DtmfRelay and checking its output contract.
//
// Script after the first byte (which picks the input/output clock rates): records of 8 bytes,
//   [advance ms] [flags: bit0 marker, bit1 repeat timestamp, bits 2-7 seq step]
//   [timestamp delta, 16 bits] [telephone-event block, 4 bytes]
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/ByteOrder.hpp"
#include "dtmf/ComfortNoise.hpp"
#include "dtmf/DtmfRelay.hpp"
#include "dtmf/TelephoneEvent.hpp"

using namespace rtcgate;
using namespace rtcgate::dtmf;

namespace {

constexpr uint32_t kRates[] = {8000, 16000, 48000, 44100};
volatile size_t gSink;

void checkParser(std::span<const uint8_t> payload) {
  TelephoneEventParseError error;
  size_t count = 0;
  const auto e = TelephoneEvent::parse(payload, error, count);
  if (e.has_value() != (error == TelephoneEventParseError::None)) __builtin_trap();
  if (!e) return;
  if (count * kTelephoneEventSize != payload.size()) __builtin_trap();
  size_t sink = 0;
  for (size_t i = 0; i < count; ++i) {
    const auto block = TelephoneEvent::parseAt(payload, i);
    if (!block || block->volume > kMaxEventVolume) __builtin_trap();
    std::array<uint8_t, kTelephoneEventSize> out{};
    if (block->write(out) != kTelephoneEventSize) __builtin_trap();
    // Written back, only the R bit may differ (senders clear it).
    const uint8_t* in = payload.data() + i * kTelephoneEventSize;
    if (out[0] != in[0] || out[1] != (in[1] & 0xBF) || out[2] != in[2] || out[3] != in[3]) __builtin_trap();
    sink += block->duration;
  }
  if (!TelephoneEvent::parseAt(payload, 0) || !(*TelephoneEvent::parseAt(payload, 0) == *e)) __builtin_trap();
  gSink = sink;
}

void checkComfortNoise(std::span<const uint8_t> payload) {
  if (const auto cn = ComfortNoise::parse(payload)) {
    if (cn->level > kMaxNoiseLevel || cn->reflectionCoefficients.size() + 1 != payload.size()) __builtin_trap();
  }
}

void runRelay(std::span<const uint8_t> data) {
  if (data.empty()) return;
  DtmfRelayConfig cfg;
  cfg.inputClockRate = kRates[data[0] & 3];
  const TimePoint t0 = TimePoint{} + seconds(100);
  DtmfRelay relay(cfg, OutputClock{kRates[(data[0] >> 2) & 3], t0, load32(data.data()) ^ 0x5A5A5A5A});
  data = data.subspan(1);
  TimePoint now = t0;
  uint16_t seq = 0;
  uint32_t ts = 0;
  auto drain = [&] {
    OutputPacket p;
    int n = 0;
    while (relay.poll(now, p)) {
      const auto back = TelephoneEvent::parse(p.payload);
      if (!back || !(*back == p.event)) __builtin_trap();
      if (++n > 64) __builtin_trap();  // poll must settle
    }
    if (relay.nextTimeout() <= now) __builtin_trap();  // the deadline it reports is in the future
  };
  for (; data.size() >= 8; data = data.subspan(8)) {
    now += milliseconds(data[0]);
    // Let timers fire between packets as a run loop would.
    while (relay.nextTimeout() <= now) {
      const TimePoint due = relay.nextTimeout();
      const TimePoint saved = now;
      now = due;
      drain();
      now = saved;
    }
    seq = uint16_t(seq + (data[1] >> 2));
    if (!(data[1] & 2)) ts += load16(data.data() + 2);
    if (const auto e = TelephoneEvent::parse(data.subspan(4, 4))) relay.onEventPacket(now, seq, ts, data[1] & 1, *e);
    drain();
  }
  // With no more input, every event must end (by E or the timeout) and every packet leave,
  // within a bounded number of timer firings.
  for (int i = 0; i < 200 && relay.nextTimeout() != kNever; ++i) {
    now = relay.nextTimeout();
    drain();
  }
  if (relay.eventActive() || relay.nextTimeout() != kNever) __builtin_trap();
  const auto& s = relay.stats();
  if (s.eventsEnded + s.endsSynthesized != s.eventsStarted) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  checkParser(bytes);
  checkComfortNoise(bytes);
  if (size >= 4) runRelay(bytes);
  return 0;
}
