#include "jitter/JitterBuffer.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace rtcgate::jitter {

namespace {

constexpr int64_t kUsPerSecond = 1'000'000;
// Extended numbers start far from zero so that they stay positive however a stream reorders.
constexpr int64_t kSeqBase = int64_t(1) << 32;
constexpr int64_t kTsBase = int64_t(1) << 40;
constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max() / 4;

int64_t toUs(Duration d) noexcept { return std::chrono::duration_cast<microseconds>(d).count(); }

const JitterBufferConfig& checked(const JitterBufferConfig& c) {
  if (c.clockRate == 0) throw std::invalid_argument("jitter buffer: clockRate must be > 0");
  if (c.capacity < 2) throw std::invalid_argument("jitter buffer: capacity must be >= 2");
  if (c.maxPayload == 0) throw std::invalid_argument("jitter buffer: maxPayload must be > 0");
  if (c.minDelay < Duration::zero() || c.minDelay > c.maxDelay)
    throw std::invalid_argument("jitter buffer: need 0 <= minDelay <= maxDelay");
  if (c.maxDelay > seconds(10)) throw std::invalid_argument("jitter buffer: maxDelay above 10 s");
  const uint64_t maxFrame = uint64_t(c.clockRate) * 120 / 1000;
  if (c.frameSamples > maxFrame) throw std::invalid_argument("jitter buffer: frameSamples above 120 ms");
  return c;
}


}  // namespace

JitterBuffer::JitterBuffer(const JitterBufferConfig& config)
    : clockRate_(checked(config).clockRate),
      maxPayload_(int64_t(config.maxPayload)),
      minDelayUs_(toUs(config.minDelay)),
      maxDelayUs_(toUs(config.maxDelay)),
      maxFrameSamples_(int64_t(config.clockRate) * toUs(kMaxFrameDuration) / kUsPerSecond),
      maxTsJump_(int64_t(config.clockRate) * toUs(kMaxTimestampJump) / kUsPerSecond),
      slots_(config.capacity),
      bytes_(config.capacity * config.maxPayload),
      estimator_(config.minDelay, config.maxDelay, config.initialDelay),
      frameSamples_(config.frameSamples ? config.frameSamples : std::max<uint32_t>(1, config.clockRate / 50)) {
  stats_.targetDelay = microseconds(estimator_.targetUs());
}

// ---- helpers ---------------------------------------------------------------------------------

JitterBuffer::Slot* JitterBuffer::held(int64_t seq) noexcept {
  Slot& s = slotOf(seq);
  return s.seq == seq && s.state == SlotState::Held ? &s : nullptr;
}

JitterBuffer::Slot* JitterBuffer::lowestHeldAfter(int64_t seq) noexcept {
  if (held_ == 0) return nullptr;
  const int64_t end = std::min(highestSeq_, seq + int64_t(slots_.size()));
  for (int64_t x = seq + 1; x <= end; ++x)
    if (Slot* s = held(x)) return s;
  return nullptr;
}

std::span<const uint8_t> JitterBuffer::payloadOf(const Slot& s) const noexcept {
  const size_t index = size_t(&s - slots_.data());
  return {bytes_.data() + index * size_t(maxPayload_), s.size};
}

int64_t JitterBuffer::samplesOf(const Slot& s) noexcept {
  // The next packet's timestamp says how long this one lasts (ptime changes mid-stream), unless
  // it starts a talkspurt (the delta then includes silence) or is implausibly far.
  const Slot& n = slotOf(s.seq + 1);
  const bool got = n.seq == s.seq + 1 &&
                   (n.state == SlotState::Held || n.state == SlotState::Played || n.state == SlotState::Late);
  if (got && !n.marker) {
    const int64_t d = n.ts - s.ts;
    if (d > 0 && d <= maxFrameSamples_ && d <= 2 * frameSamples_) return d;
  }
  return frameSamples_;
}

int64_t JitterBuffer::tsToUs(int64_t ts) const noexcept { return (ts - originTs_) * kUsPerSecond / clockRate_; }

int64_t JitterBuffer::nowUs(TimePoint now) const noexcept {
  return std::chrono::duration_cast<microseconds>(now - epoch_).count();
}

int64_t JitterBuffer::currentDelayUs(TimePoint now) const noexcept {
  return nowUs(now) - tsToUs(nextTs_) - estimator_.minTransitUs();
}

// ---- push ------------------------------------------------------------------------------------

void JitterBuffer::flush() noexcept {
  for (Slot& s : slots_) s = Slot{};
  held_ = 0;
  playing_ = false;
}

void JitterBuffer::startStream(TimePoint now, uint32_t ssrc, uint16_t seq, uint32_t timestamp) noexcept {
  haveStream_ = true;
  playing_ = false;
  ssrc_ = ssrc;
  epoch_ = now;
  highestSeq_ = nextSeq_ = kSeqBase + seq;
  originTs_ = highestTs_ = nextTs_ = kTsBase + timestamp;
  quiet_ = false;
  underruns_ = 0;
  candidateFrame_ = 0;
  estimator_.restart();
}

void JitterBuffer::store(int64_t seq, int64_t ts, bool marker, std::span<const uint8_t> payload) noexcept {
  Slot& s = slotOf(seq);
  s.seq = seq;
  s.ts = ts;
  s.size = uint32_t(payload.size());
  s.marker = marker;
  s.state = SlotState::Held;
  if (!payload.empty()) std::memcpy(bytes_.data() + size_t(&s - slots_.data()) * size_t(maxPayload_), payload.data(), payload.size());
  ++held_;
}

void JitterBuffer::learnFrameSize(int64_t seq, int64_t ts, bool marker) noexcept {
  if (marker) return;  // a talkspurt start's delta includes the silence before it
  const Slot& prev = slotOf(seq - 1);
  if (prev.seq != seq - 1 || prev.state == SlotState::Free || prev.state == SlotState::Missed ||
      prev.state == SlotState::Skipped)
    return;
  const int64_t delta = ts - prev.ts;
  if (delta <= 0 || delta > maxFrameSamples_) return;
  // A new size is believed when two consecutive deltas agree: one odd gap (a short DTX pause
  // without a marker) does not change it.
  if (delta != frameSamples_ && delta == candidateFrame_) frameSamples_ = delta;
  candidateFrame_ = delta;
}

void JitterBuffer::observe(TimePoint now, int64_t ts) noexcept {
  const int64_t arrival = nowUs(now);
  estimator_.onPacket(arrival, arrival - tsToUs(ts));
  stats_.targetDelay = microseconds(estimator_.targetUs());
  stats_.jitterMs = estimator_.jitterMs();
}

JitterBuffer::PushResult JitterBuffer::rejectLate(int64_t seq, int64_t ts) noexcept {
  ++stats_.late;
  Slot& s = slotOf(seq);
  if (s.state != SlotState::Held) s = Slot{seq, ts, 0, false, SlotState::Late};  // a later copy is a duplicate
  if (seq == nextSeq_) ++nextSeq_;
  return PushResult::TooLate;
}

JitterBuffer::PushResult JitterBuffer::push(TimePoint now, uint32_t ssrc, uint16_t seq, uint32_t timestamp,
                                            bool marker, std::span<const uint8_t> payload) noexcept {
  ++stats_.pushed;
  if (int64_t(payload.size()) > maxPayload_) {
    ++stats_.tooLarge;
    return PushResult::TooLarge;
  }
  if (!haveStream_) {
    startStream(now, ssrc, seq, timestamp);
    store(nextSeq_, nextTs_, marker, payload);
    observe(now, nextTs_);
    return PushResult::Stored;
  }

  if (ssrc != ssrc_ && hasPreviousSsrc_ && ssrc == previousSsrc_) {
    // A straggler from the stream we switched away from: late, not a switch back (which would
    // flush the new stream on every reordered packet around the change).
    ++stats_.late;
    return PushResult::TooLate;
  }
  const int64_t seqDelta = int16_t(uint16_t(seq - uint16_t(highestSeq_)));
  const int64_t tsDelta = int32_t(timestamp - uint32_t(highestTs_));
  if (ssrc != ssrc_ || seqDelta > kMaxDropout || seqDelta < -kMaxMisorder || tsDelta > maxTsJump_ ||
      tsDelta < -maxTsJump_) {
    ++stats_.resets;
    if (ssrc != ssrc_) {
      previousSsrc_ = ssrc_;
      hasPreviousSsrc_ = true;
    }
    flush();
    startStream(now, ssrc, seq, timestamp);
    store(nextSeq_, nextTs_, marker, payload);
    observe(now, nextTs_);
    return PushResult::Reset;
  }
  const int64_t extSeq = highestSeq_ + seqDelta;
  const int64_t extTs = highestTs_ + tsDelta;
  const int64_t capacity = int64_t(slots_.size());

  Slot& slot = slotOf(extSeq);
  if (slot.seq == extSeq) {
    switch (slot.state) {
      case SlotState::Held:
      case SlotState::Played:
      case SlotState::Late:
        ++stats_.duplicates;
        return PushResult::Duplicate;
      case SlotState::Missed:  // given up as lost and concealed: it was late, not lost
        --stats_.lost;
        ++stats_.late;
        slot.state = SlotState::Late;
        observe(now, extTs);
        return PushResult::TooLate;
      case SlotState::Skipped:
        ++stats_.late;
        slot.state = SlotState::Late;
        observe(now, extTs);
        return PushResult::TooLate;
      case SlotState::Free:
        break;
    }
  }

  if (playing_ && (extSeq < nextSeq_ || extTs + frameSamples_ / 2 <= nextTs_)) {
    observe(now, extTs);  // a late packet is exactly what the delay estimate must learn from
    highestSeq_ = std::max(highestSeq_, extSeq);
    highestTs_ = std::max(highestTs_, extTs);
    return rejectLate(extSeq, extTs);
  }
  if (!playing_ && extSeq < nextSeq_) {
    // Reordered before playout began: the stream starts earlier, if it still fits.
    if (highestSeq_ - extSeq >= capacity) {
      ++stats_.overflow;
      return PushResult::Overflow;
    }
    nextSeq_ = extSeq;
    nextTs_ = extTs;
  }
  if (extSeq >= nextSeq_ + capacity) {
    if (playing_ && held_ == 0) {
      // A long outage (loss burst while silent or under-running): nothing held stands in the
      // way, so give up the sequence numbers that no longer fit.
      const int64_t newNext = extSeq - capacity + 1;
      stats_.lost += uint64_t(newNext - nextSeq_);
      nextSeq_ = newNext;
    } else {
      ++stats_.overflow;
      return PushResult::Overflow;
    }
  }
  if (slot.state == SlotState::Held) {  // cannot happen inside the window; never overwrite
    ++stats_.overflow;
    return PushResult::Overflow;
  }
  store(extSeq, extTs, marker, payload);
  learnFrameSize(extSeq, extTs, marker);
  highestSeq_ = std::max(highestSeq_, extSeq);
  highestTs_ = std::max(highestTs_, extTs);
  observe(now, extTs);
  return PushResult::Stored;
}

// ---- pop -------------------------------------------------------------------------------------

JitterBuffer::Playout JitterBuffer::frame(Slot& s) noexcept {
  const int64_t samples = samplesOf(s);
  Playout out;
  out.kind = Playout::Kind::Frame;
  out.payload = payloadOf(s);
  out.timestamp = uint32_t(s.ts);
  out.samples = uint32_t(samples);
  s.state = SlotState::Played;
  --held_;
  nextTs_ = std::max(nextTs_, s.ts + samples);
  ++nextSeq_;
  quiet_ = false;
  underruns_ = 0;
  ++stats_.frames;
  return out;
}

JitterBuffer::Playout JitterBuffer::lost(std::span<const uint8_t> next, bool insertion) noexcept {
  Playout out;
  out.kind = Playout::Kind::Lost;
  out.nextPayload = next;
  out.timestamp = uint32_t(nextTs_);
  out.samples = uint32_t(frameSamples_);
  if (insertion) {
    ++stats_.inserted;  // the timeline waits one frame: the delay grows by one frame
  } else {
    ++stats_.concealed;
    nextTs_ += frameSamples_;
  }
  return out;
}

JitterBuffer::Playout JitterBuffer::silence(TimePoint now, int64_t samples, int64_t limit) noexcept {
  // Silence is where the delay can move for free: lengthen it by not advancing the timeline,
  // shorten it by skipping up to one more frame of it (never past the next packet).
  const int64_t delay = currentDelayUs(now);
  const int64_t target = estimator_.targetUs();
  const int64_t frameUs = frameSamples_ * kUsPerSecond / clockRate_;
  int64_t advance = samples;
  if (delay < target) {
    advance = 0;
    ++stats_.inserted;
  } else if (delay > target + frameUs) {
    const int64_t extra = std::min(frameSamples_, limit - samples);
    if (extra > 0) {
      advance += extra;
      ++stats_.dropped;
    }
  }
  Playout out;
  out.kind = Playout::Kind::Silence;
  out.timestamp = uint32_t(nextTs_);
  out.samples = uint32_t(samples);
  nextTs_ += advance;
  ++stats_.dtxFrames;
  return out;
}

void JitterBuffer::catchUp(TimePoint now) noexcept {
  // Far too much delay (the owner stalled, or drift went unchecked): drop whole frames back to
  // the target, then move the timeline itself if nothing is held.
  const int64_t target = estimator_.targetUs();
  const int64_t frameUs = frameSamples_ * kUsPerSecond / clockRate_;
  for (size_t guard = 0; guard < 2 * slots_.size() + 2; ++guard) {
    const int64_t delay = currentDelayUs(now);
    if (delay <= target + frameUs / 2) return;
    if (Slot* p = held(nextSeq_)) {
      const int64_t end = p->ts + samplesOf(*p);
      p->state = SlotState::Played;
      --held_;
      nextTs_ = std::max(nextTs_, end);
      ++nextSeq_;
      ++stats_.dropped;
      continue;
    }
    if (held_ > 0) {  // a hole before what is held
      Slot& s = slotOf(nextSeq_);
      if (s.state != SlotState::Held) s = Slot{nextSeq_, nextTs_, 0, false, SlotState::Skipped};
      ++nextSeq_;
      nextTs_ += frameSamples_;
      ++stats_.dropped;
      continue;
    }
    const int64_t excessFrames = (delay - target) / std::max<int64_t>(1, frameUs);
    nextTs_ += excessFrames * frameSamples_;
    stats_.dropped += uint64_t(excessFrames);
    return;
  }
}

void JitterBuffer::skip(uint32_t ssrc, uint16_t seq) noexcept {
  if (!haveStream_ || ssrc != ssrc_) return;
  const int64_t seqDelta = int16_t(uint16_t(seq - uint16_t(highestSeq_)));
  if (seqDelta > kMaxDropout || seqDelta < -kMaxMisorder) return;
  const int64_t extSeq = highestSeq_ + seqDelta;
  if (extSeq >= nextSeq_ + int64_t(slots_.size())) return;
  Slot& slot = slotOf(extSeq);
  if (slot.seq == extSeq) {
    if (slot.state == SlotState::Missed) {  // already concealed as lost: it was not audio
      --stats_.lost;
      slot.state = SlotState::Skipped;
    }
    return;
  }
  if (extSeq < nextSeq_ || slot.state == SlotState::Held) return;
  slot = Slot{extSeq, 0, 0, false, SlotState::Skipped};
}

JitterBuffer::Playout JitterBuffer::pop(TimePoint now) noexcept {
  Playout out;
  out.samples = uint32_t(frameSamples_);
  if (!haveStream_) return out;
  if (!playing_) {
    // Buffer the first packets for the target delay (measured from the first arrival).
    out.timestamp = uint32_t(nextTs_);
    stats_.currentDelay = Duration::zero();
    if (held_ == 0 || nowUs(now) < estimator_.targetUs()) return out;
    playing_ = true;
    popsSinceDrop_ = 0;
  }
  if (currentDelayUs(now) > maxDelayUs_) catchUp(now);
  ++popsSinceDrop_;

  const int64_t half = frameSamples_ / 2;
  const int64_t frameUs = frameSamples_ * kUsPerSecond / clockRate_;
  const int64_t target = estimator_.targetUs();
  for (size_t guard = 0; guard < 2 * slots_.size() + 2; ++guard) {
    const int64_t delay = currentDelayUs(now);
    stats_.currentDelay = microseconds(delay);

    if (Slot* p = held(nextSeq_)) {
      if (p->ts + half <= nextTs_) {  // its time went by while we concealed or skipped
        p->state = SlotState::Late;
        --held_;
        ++stats_.late;
        ++nextSeq_;
        continue;
      }
      if (p->ts >= nextTs_ + half)  // sequence continuous, timestamps jump: DTX
        return silence(now, std::min(frameSamples_, p->ts - nextTs_), p->ts - nextTs_);
      const bool over = delay > maxDelayUs_ ||
                        (delay > target + kDropMarginFrames * frameUs && popsSinceDrop_ >= kMinPopsBetweenDrops);
      if (over && held(nextSeq_ + 1)) {
        const int64_t end = p->ts + samplesOf(*p);
        p->state = SlotState::Played;
        --held_;
        nextTs_ = std::max(nextTs_, end);
        ++nextSeq_;
        ++stats_.dropped;
        popsSinceDrop_ = 0;
        continue;
      }
      if (delay < target) {
        // Too little delay: wait one frame. Before a talkspurt that is silence; inside one,
        // a concealment frame (no FEC: nothing was lost).
        if (p->marker) return silence(now, frameSamples_, 0);
        return lost({}, true);
      }
      return frame(*p);
    }

    if (Slot* q = lowestHeldAfter(nextSeq_)) {
      Slot& s = slotOf(nextSeq_);
      if (s.seq == nextSeq_ && s.state != SlotState::Free && s.state != SlotState::Held) {
        ++nextSeq_;  // already accounted for (arrived late)
        continue;
      }
      const int64_t missing = q->seq - nextSeq_;
      const int64_t due = q->ts - missing * frameSamples_;
      if (due + half <= nextTs_) {
        // Its time passed while the buffer ran empty (that frame was concealed then).
        ++stats_.lost;
        if (s.state != SlotState::Held) s = Slot{nextSeq_, due, 0, false, SlotState::Missed};
        ++nextSeq_;
        continue;
      }
      if (due >= nextTs_ + half) return silence(now, std::min(frameSamples_, due - nextTs_), due - nextTs_);
      ++stats_.lost;
      if (s.state != SlotState::Held) s = Slot{nextSeq_, due, 0, false, SlotState::Missed};
      ++nextSeq_;
      underruns_ = 0;
      return lost(missing == 1 ? payloadOf(*q) : std::span<const uint8_t>{}, false);
    }

    // Nothing held. If even the packet after the one due should be here by now (we wait a frame
    // longer than the slowest recent packet took), two in a row are missing: the sender has
    // gone quiet (DTX) far more likely than the network lost both. Otherwise: an under-run.
    if (quiet_ || delay >= estimator_.peakRelativeUs() + frameUs) {
      quiet_ = true;
      return silence(now, frameSamples_, kNoLimit);
    }
    if (underruns_ < kMaxUnderrunConceal) {
      ++underruns_;
      return lost({}, false);
    }
    quiet_ = true;
    return silence(now, frameSamples_, kNoLimit);
  }
  return silence(now, frameSamples_, 0);  // unreachable in practice: the loop always returns
}

}  // namespace rtcgate::jitter
