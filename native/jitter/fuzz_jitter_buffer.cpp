// libFuzzer target: arbitrary push/pop sequences against one JitterBuffer. Not a wire parser,
// but the buffer takes its numbers straight from the network (SSRC, sequence, timestamp,
// marker, payload size) and its timing from the caller, so any sequence must keep it sound:
// no crash or sanitizer report, payload spans inside the buffer's storage, counters consistent.
//
// Input: a 4-byte header picks the configuration (clock rate, frame size, capacity, delays),
// then a stream of 1-byte opcodes:
//   op & 3 == 0..1  push: 2 bytes Δseq (signed, small usually), 2 bytes Δts/16 (signed),
//                   1 byte flags (marker, SSRC switch, size class), 1 byte Δt in ms
//   op & 3 == 2     pop after Δt = next byte in ms
//   op & 3 == 3     pop at once, then a time jump of (op >> 2) × 100 ms
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "jitter/JitterBuffer.hpp"

using namespace rtcgate;
using namespace rtcgate::jitter;

namespace {

struct Reader {
  const uint8_t* p;
  size_t n;
  bool take(size_t k) const noexcept { return n >= k; }
  uint8_t u8() noexcept { return n ? (--n, *p++) : 0; }
  uint16_t u16() noexcept { return uint16_t(u8() << 8 | u8()); }
};

constexpr uint32_t kRates[] = {8000, 16000, 48000, 90000};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in{data, size};
  if (!in.take(4)) return 0;
  const uint8_t c0 = in.u8(), c1 = in.u8(), c2 = in.u8(), c3 = in.u8();
  JitterBufferConfig config;
  config.clockRate = kRates[c0 & 3];
  config.frameSamples = uint32_t((c0 >> 2) & 7) * config.clockRate / 200;  // 0 (default), 5..35 ms
  config.capacity = 2 + c1 % 63;
  config.maxPayload = 1 + size_t(c2) * 5;
  config.minDelay = milliseconds(c3 & 31);
  config.maxDelay = config.minDelay + milliseconds(20 * (1 + (c3 >> 5)));
  config.initialDelay = milliseconds(60);
  JitterBuffer jb(config);

  static std::vector<uint8_t> payload(1400, 0xA5);
  TimePoint now = TimePoint{} + seconds(100);
  uint32_t ssrc = 7;
  uint16_t seq = 1;
  uint32_t ts = 0;
  uint64_t pops = 0, lostPops = 0, silencePops = 0, framePops = 0;
  while (in.take(1)) {
    const uint8_t op = in.u8();
    switch (op & 3) {
      case 0:
      case 1: {
        seq = uint16_t(seq + int16_t(in.u16()));
        ts += uint32_t(int32_t(int16_t(in.u16())) * 16);
        const uint8_t flags = in.u8();
        now += milliseconds(in.u8());
        if (flags & 2) ssrc ^= 0x10001;
        const size_t len = (flags >> 2) * 22;  // 0 .. 1386: some above maxPayload
        jb.push(now, ssrc, seq, ts, flags & 1, std::span<const uint8_t>(payload.data(), len));
        break;
      }
      case 2:
      case 3: {
        if ((op & 3) == 2) now += milliseconds(in.u8());
        const auto out = jb.pop(now);
        ++pops;
        if (out.payload.size() > config.maxPayload || out.nextPayload.size() > config.maxPayload) __builtin_trap();
        // Read every byte handed out: ASan catches a span outside the storage.
        volatile uint8_t sink = 0;
        for (uint8_t b : out.payload) sink = sink ^ b;
        for (uint8_t b : out.nextPayload) sink = sink ^ b;
        (void)sink;
        switch (out.kind) {
          case JitterBuffer::Playout::Kind::Frame: ++framePops; break;
          case JitterBuffer::Playout::Kind::Lost: ++lostPops; break;
          case JitterBuffer::Playout::Kind::Silence: ++silencePops; break;
          case JitterBuffer::Playout::Kind::Empty:
            if (!out.payload.empty()) __builtin_trap();
            break;
        }
        if (out.kind != JitterBuffer::Playout::Kind::Frame && !out.payload.empty()) __builtin_trap();
        if ((op & 3) == 3) now += milliseconds(100 * (op >> 2));
        break;
      }
    }
  }
  const auto& s = jb.stats();
  if (s.concealed + s.inserted < lostPops) __builtin_trap();  // inserted silences count too
  if (s.dtxFrames != silencePops || s.frames != framePops) __builtin_trap();
  if (s.targetDelay < config.minDelay || s.targetDelay > config.maxDelay) __builtin_trap();
  (void)pops;
  return 0;
}
