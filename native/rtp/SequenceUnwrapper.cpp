#include "rtp/SequenceUnwrapper.hpp"

namespace rtcgate::rtp {

void SequenceUnwrapper::init(uint16_t seq) noexcept {
  // A.1 init_seq, except that the base includes the one packet that preceded this one (the
  // last probation packet, or the packet that set bad_seq): both belong to the new sequence
  // and the receive statistics count them.
  started_ = true;
  maxSeq_ = seq;
  cycles_ = 0;
  base_ = uint32_t(seq) - 1;  // may "wrap" below 0; expected = max - base stays right mod 2^32
  badSeq_ = kSeqMod + 1;
}

SeqUpdate SequenceUnwrapper::update(uint16_t seq) noexcept {
  if (!seen_) {
    // A.1: a new source starts on probation, as if the previous packet were seq - 1.
    seen_ = true;
    maxSeq_ = uint16_t(seq - 1);
    probation_ = kMinSequential;
  }
  const uint16_t udelta = uint16_t(seq - maxSeq_);
  if (probation_ > 0) {
    if (seq == uint16_t(maxSeq_ + 1)) {
      --probation_;
      maxSeq_ = seq;
      if (probation_ == 0) {
        init(seq);
        return {SeqResult::Restarted, extendedMax()};
      }
    } else {
      probation_ = kMinSequential - 1;
      maxSeq_ = seq;
    }
    return {SeqResult::Probation, seq};
  }
  if (udelta == 0) return {SeqResult::Reordered, extendedMax()};  // duplicate of the highest
  if (udelta < kMaxDropout) {
    if (seq < maxSeq_) cycles_ += kSeqMod;  // wrapped
    maxSeq_ = seq;
    return {SeqResult::InOrder, extendedMax()};
  }
  if (udelta <= kSeqMod - kMaxMisorder) {
    // A big jump: believe it only if the next packet follows it (A.1 bad_seq).
    if (seq == badSeq_) {
      init(seq);
      return {SeqResult::Restarted, extendedMax()};
    }
    badSeq_ = (uint32_t(seq) + 1) & (kSeqMod - 1);
    return {SeqResult::Bad, seq};
  }
  // Late or duplicate packet within kMaxMisorder behind the highest.
  const uint32_t cycles = seq > maxSeq_ ? cycles_ - kSeqMod : cycles_;
  return {SeqResult::Reordered, cycles + seq};
}

}  // namespace rtcgate::rtp
