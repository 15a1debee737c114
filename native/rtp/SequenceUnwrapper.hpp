#pragma once
// RFC 3550 Appendix A.1: source validation and 16→32-bit sequence number extension.
// A new source (or a jump of more than kMaxDropout) is believed only after kMinSequential
// packets in sequence ("probation"), so a stray packet cannot reset the loss statistics.
#include <cstdint>

namespace rtcgate::rtp {

enum class SeqResult {
  InOrder,    // ahead of the highest seen (possibly with a gap, possibly wrapping)
  Reordered,  // at or behind the highest seen, within kMaxMisorder: late or duplicate
  Restarted,  // the sequence (re)started here; this and the previous packet begin it
  Probation,  // not yet validated: do not count
  Bad,        // a big jump: dropped until the next packet confirms a restart
};

struct SeqUpdate {
  SeqResult result;
  uint32_t extended;  // cycles << 16 | seq, meaningful when counted()

  bool counted() const noexcept {
    return result == SeqResult::InOrder || result == SeqResult::Reordered || result == SeqResult::Restarted;
  }
};

class SequenceUnwrapper {
 public:
  static constexpr uint32_t kMaxDropout = 3000;  // A.1 MAX_DROPOUT
  static constexpr uint32_t kMaxMisorder = 100;  // A.1 MAX_MISORDER
  static constexpr uint32_t kMinSequential = 2;  // A.1 MIN_SEQUENTIAL
  static constexpr uint32_t kSeqMod = 1u << 16;  // A.1 RTP_SEQ_MOD

  SeqUpdate update(uint16_t seq) noexcept;

  bool started() const noexcept { return started_; }        // a sequence has been validated
  uint32_t extendedMax() const noexcept { return cycles_ + maxSeq_; }
  // First extended sequence number of the current sequence (A.1 base_seq).
  uint32_t base() const noexcept { return base_; }

 private:
  void init(uint16_t seq) noexcept;

  bool started_ = false;
  bool seen_ = false;
  uint16_t maxSeq_ = 0;
  uint32_t cycles_ = 0;  // count of wraps, shifted left 16 (A.1 `cycles`)
  uint32_t base_ = 0;
  uint32_t badSeq_ = kSeqMod + 1;  // "impossible" until a jump is seen
  uint32_t probation_ = 0;
};

}  // namespace rtcgate::rtp
