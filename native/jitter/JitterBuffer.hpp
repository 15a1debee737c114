#pragma once
// Adaptive jitter buffer for one decoding leg (audio). Sans-IO: the caller passes `now` to
// push() for every received RTP packet and to pop() once per played frame; nothing here reads
// a clock. Every byte it needs is allocated in the constructor (capacity × maxPayload).
//
// How it behaves (numbers are the defaults):
// - Timeline. Playout follows the sender's RTP timestamps: `nextTs` is the media time due now
//   and advances by each frame's duration as pop() is called. A packet whose timestamp has
//   already been played out is TooLate; duplicates (same extended sequence number, RFC 3550
//   A.1 style 16→64-bit extension, timestamps likewise from 32 bits) are dropped and counted.
// - Loss vs. silence. Loss is a missing sequence number (RFC 3550 §6.4.1: expected − received).
//   A timestamp gap between consecutive sequence numbers is the sender being quiet (DTX,
//   RFC 3389 comfort noise, RFC 7587 Opus DTX): Silence, never concealment. An empty buffer
//   is ambiguous; if the current delay exceeds the slowest recent packet's relative delay by a
//   frame, even the packet after the due one should have arrived, so the sender has most
//   likely stopped: Silence. Otherwise it is an under-run: Lost (conceal) for at most
//   kMaxUnderrunConceal frames, then Silence.
// - Delay. DelayEstimator tracks RFC 3550 §6.4.1 interarrival jitter J (reported) and the 95th
//   percentile of each packet's transit above the fastest recent transit ("relative delay");
//   target = clamp(p95, minDelay, maxDelay), growing at once and shrinking slowly. The current
//   delay is how long the fastest packet waits before it is played (playout time − media time
//   − min transit), so a packet is in time iff its relative delay ≤ current delay. It is kept
//   in [target, target + kDropMarginFrames frames] one frame at a time: in silence by
//   lengthening it, or shortening it once it is a frame above target (both free); in speech by
//   inserting one concealment frame when below target, or dropping a frame when above the band
//   (at most one per kMinPopsBetweenDrops); and always by dropping when above maxDelay. Clock drift between sender and playout shows up as a slow change of the min
//   transit, and is absorbed by the same steps (counted in `dropped` / `inserted`).
// - Reset. An SSRC change, a sequence jump beyond kMaxDropout (RFC 3550 A.1 MAX_DROPOUT) or
//   kMaxMisorder behind, or a timestamp jump of more than kMaxTimestampJump flushes the buffer
//   and restarts buffering with the new stream (the learned target is kept: same path).
//   Stragglers from the previous SSRC after a switch are TooLate, not a switch back.
// - Frame size. Learned from timestamp deltas between consecutive sequence numbers (seen twice
//   in a row, ignoring talkspurt starts), so a 20 → 30 ms ptime change follows within a frame.
//
// Ownership: values only. Payload spans returned by pop() point into the buffer and stay valid
// until the next push() or pop().
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/Time.hpp"
#include "jitter/DelayEstimator.hpp"

namespace rtcgate::jitter {

struct JitterBufferConfig {
  uint32_t clockRate = 8000;      // RTP clock rate of the incoming codec
  uint32_t frameSamples = 0;      // samples per packet at clockRate; 0 = 20 ms
  Duration minDelay = milliseconds(20);
  Duration maxDelay = milliseconds(300);
  Duration initialDelay = milliseconds(60);
  size_t capacity = 64;           // packets held
  size_t maxPayload = 1276;       // bytes per stored payload (RFC 6716 §3.4 R1: Opus frame max)
};

class JitterBuffer {
 public:
  static constexpr int64_t kMaxDropout = 3000;          // RFC 3550 A.1 MAX_DROPOUT
  static constexpr int64_t kMaxMisorder = 100;          // RFC 3550 A.1 MAX_MISORDER
  static constexpr Duration kMaxTimestampJump = seconds(3);
  static constexpr Duration kMaxFrameDuration = milliseconds(120);  // RFC 6716 §2: Opus ≤ 120 ms
  static constexpr uint32_t kMaxUnderrunConceal = 3;    // then an empty buffer is silence
  static constexpr int64_t kDropMarginFrames = 2;
  static constexpr uint32_t kMinPopsBetweenDrops = 5;

  // Throws std::invalid_argument on a zero rate/capacity or inconsistent delays.
  explicit JitterBuffer(const JitterBufferConfig& config);

  enum class PushResult { Stored, Duplicate, TooLate, Overflow, TooLarge, Reset };
  // Copies the payload into a preallocated slot. Reset: the stream restarted (see above); the
  // packet is stored as the first of the new stream.
  PushResult push(TimePoint now, uint32_t ssrc, uint16_t seq, uint32_t timestamp, bool marker,
                  std::span<const uint8_t> payload) noexcept;

  struct Playout {
    enum class Kind {
      Empty,    // nothing received yet, or (re)buffering after a reset: play silence
      Frame,    // decode `payload`
      Lost,     // conceal `samples`; if `nextPayload` is set the decoder may use its FEC
      Silence,  // DTX / between talkspurts: comfort noise or silence, no concealment
    };
    Kind kind = Kind::Empty;
    std::span<const uint8_t> payload;      // Frame
    std::span<const uint8_t> nextPayload;  // Lost: the following packet, when held (Opus FEC)
    uint32_t timestamp = 0;                // RTP timestamp of this frame
    uint32_t samples = 0;                  // duration at clockRate
  };
  // Called by the owner, which owns the playout clock, each time it needs the next frame:
  // every `samples` of played audio (a 20 ms ticker pops every 20 ms while frames are 20 ms).
  Playout pop(TimePoint now) noexcept;

  // A packet of this stream that is not audio for this buffer: RFC 4733 telephone-events and
  // RFC 3389 comfort noise share the sequence space (RFC 4733 §2.1). Its number is accounted
  // for, so playout passes over it: neither a frame nor a loss.
  void skip(uint32_t ssrc, uint16_t seq) noexcept;

  struct Stats {
    Duration targetDelay{};
    Duration currentDelay{};  // at the last pop
    uint64_t pushed = 0;
    uint64_t duplicates = 0;
    uint64_t late = 0;        // arrived after their playout time
    uint64_t overflow = 0;
    uint64_t tooLarge = 0;
    uint64_t resets = 0;
    uint64_t lost = 0;        // sequence numbers never received by their playout time
    uint64_t concealed = 0;   // Lost pops standing for a missing packet (lost or late)
    uint64_t inserted = 0;    // frames added to grow the delay (Lost in speech, Silence in DTX)
    uint64_t dtxFrames = 0;   // Silence pops
    uint64_t dropped = 0;     // frames skipped to shrink the delay (drift, over target/max)
    uint64_t frames = 0;      // Frame pops
    double jitterMs = 0;      // RFC 3550 §6.4.1 interarrival jitter
  };
  const Stats& stats() const noexcept { return stats_; }
  uint32_t frameSamples() const noexcept { return uint32_t(frameSamples_); }

 private:
  enum class SlotState : uint8_t {
    Free,
    Held,     // received, waiting
    Played,   // played or dropped: a later copy is a duplicate
    Late,     // received after its time
    Missed,   // given up as lost (concealed); arriving later turns it into Late
    Skipped,  // passed over by a catch-up without concealment
  };
  struct Slot {
    int64_t seq = -1;
    int64_t ts = 0;
    uint32_t size = 0;
    bool marker = false;
    SlotState state = SlotState::Free;
  };

  void startStream(TimePoint now, uint32_t ssrc, uint16_t seq, uint32_t timestamp) noexcept;
  void flush() noexcept;
  void store(int64_t seq, int64_t ts, bool marker, std::span<const uint8_t> payload) noexcept;
  void learnFrameSize(int64_t seq, int64_t ts, bool marker) noexcept;
  void observe(TimePoint now, int64_t ts) noexcept;
  PushResult rejectLate(int64_t seq, int64_t ts) noexcept;

  Slot& slotOf(int64_t seq) noexcept { return slots_[size_t(uint64_t(seq) % slots_.size())]; }
  Slot* held(int64_t seq) noexcept;
  Slot* lowestHeldAfter(int64_t seq) noexcept;
  std::span<const uint8_t> payloadOf(const Slot& s) const noexcept;
  int64_t samplesOf(const Slot& s) noexcept;
  int64_t tsToUs(int64_t ts) const noexcept;
  int64_t nowUs(TimePoint now) const noexcept;
  int64_t currentDelayUs(TimePoint now) const noexcept;

  Playout frame(Slot& s) noexcept;
  Playout lost(std::span<const uint8_t> next, bool insertion) noexcept;
  Playout silence(TimePoint now, int64_t samples, int64_t limit) noexcept;
  void catchUp(TimePoint now) noexcept;

  // Configuration.
  const uint32_t clockRate_;
  const int64_t maxPayload_;
  const int64_t minDelayUs_;
  const int64_t maxDelayUs_;
  const int64_t maxFrameSamples_;
  const int64_t maxTsJump_;

  // Allocated once.
  std::vector<Slot> slots_;
  std::vector<uint8_t> bytes_;

  DelayEstimator estimator_;
  Stats stats_;

  // Stream state.
  bool haveStream_ = false;
  bool playing_ = false;
  uint32_t ssrc_ = 0;
  uint32_t previousSsrc_ = 0;  // packets from it after a switch are late stragglers
  bool hasPreviousSsrc_ = false;
  TimePoint epoch_{};       // arrival of the stream's first packet
  int64_t originTs_ = 0;    // its extended timestamp
  int64_t highestSeq_ = 0;  // extended
  int64_t highestTs_ = 0;   // extended timestamp of the latest-in-time packet
  int64_t held_ = 0;        // packets in Held state
  int64_t nextSeq_ = 0;     // lowest sequence number not yet played or given up
  int64_t nextTs_ = 0;      // media time due at the next pop
  int64_t frameSamples_;
  int64_t candidateFrame_ = 0;
  bool quiet_ = false;          // in DTX: an empty buffer means silence
  uint32_t underruns_ = 0;      // consecutive under-run concealments
  uint32_t popsSinceDrop_ = 0;
};

}  // namespace rtcgate::jitter
