#include "rtp/RtpReceiveStats.hpp"

#include <stdexcept>

namespace rtcgate::rtp {

namespace {
constexpr double kJitterGain = 1.0 / 16.0;  // RFC 3550 §6.4.1 / A.8
constexpr int64_t kDlsrUnitsPerSecond = 65536;  // §6.4.1: DLSR in 1/65536 s
constexpr int64_t kNanosPerSecond = 1'000'000'000;
}  // namespace

RtpReceiveStats::RtpReceiveStats(uint32_t clockRate) : clockRate_(clockRate) {
  if (clockRate == 0) throw std::runtime_error("RtpReceiveStats: clock rate must be > 0");
}

uint32_t RtpReceiveStats::arrivalInTimestampUnits(TimePoint arrival) noexcept {
  if (!hasEpoch_) {
    hasEpoch_ = true;
    epoch_ = arrival;
  }
  // Split seconds and remainder so that days of uptime at 90 kHz do not overflow 64 bits.
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(arrival - epoch_).count();
  const int64_t units = (ns / kNanosPerSecond) * clockRate_ + (ns % kNanosPerSecond) * clockRate_ / kNanosPerSecond;
  return uint32_t(units);  // only differences matter; they are taken mod 2^32
}

SeqUpdate RtpReceiveStats::onPacket(uint16_t seq, uint32_t rtpTimestamp, TimePoint arrival,
                                    size_t payloadBytes) noexcept {
  ++packets_;
  bytes_ += payloadBytes;
  const SeqUpdate u = seq_.update(seq);
  switch (u.result) {
    case SeqResult::Probation:
    case SeqResult::Bad:
      ++discarded_;
      return u;
    case SeqResult::Restarted:
      // The previous packet belongs to the new sequence too (see SequenceUnwrapper::init).
      received_ = SequenceUnwrapper::kMinSequential;
      expectedPrior_ = 0;
      receivedPrior_ = 0;
      hasTransit_ = true;
      transit_ = arrivalInTimestampUnits(arrival) - rtpTimestamp;
      return u;
    case SeqResult::Reordered:
      // Counted (A.1), but late packets would inflate A.8 jitter with the reordering delay.
      ++received_;
      return u;
    case SeqResult::InOrder: {
      ++received_;
      // A.8: D(i-1,i) = (Rj - Ri) - (Sj - Si); J += (|D| - J) / 16.
      const uint32_t transit = arrivalInTimestampUnits(arrival) - rtpTimestamp;
      if (hasTransit_) {
        const int32_t d = int32_t(transit - transit_);
        const double absD = d < 0 ? -double(d) : double(d);
        jitter_ += kJitterGain * (absD - jitter_);
      }
      hasTransit_ = true;
      transit_ = transit;
      return u;
    }
  }
  return u;
}

void RtpReceiveStats::onSenderReport(uint32_t ntpMiddle32, TimePoint arrival) noexcept {
  lastSr_ = ntpMiddle32;
  lastSrArrival_ = arrival;
}

uint32_t RtpReceiveStats::expected() const noexcept {
  return seq_.started() ? seq_.extendedMax() - seq_.base() + 1 : 0;
}

int64_t RtpReceiveStats::cumulativeLost() const noexcept { return int64_t(expected()) - int64_t(received_); }

rtcp::ReportBlock RtpReceiveStats::makeReportBlock(uint32_t ssrc, TimePoint now) noexcept {
  rtcp::ReportBlock b;
  b.ssrc = ssrc;
  // A.3: fraction of the packets expected in this interval that were lost; 0 when duplicates
  // outnumber the losses.
  const uint32_t expected = this->expected();
  const uint32_t expectedInterval = expected - expectedPrior_;
  const uint32_t receivedInterval = received_ - receivedPrior_;
  expectedPrior_ = expected;
  receivedPrior_ = received_;
  const int64_t lostInterval = int64_t(expectedInterval) - int64_t(receivedInterval);
  if (expectedInterval != 0 && lostInterval > 0) {
    const uint64_t fraction = (uint64_t(lostInterval) << 8) / expectedInterval;
    b.fractionLost = uint8_t(fraction > 255 ? 255 : fraction);
  }
  // §6.4.1: clamp to the 24-bit signed field.
  int64_t lost = cumulativeLost();
  if (lost > rtcp::kMaxCumulativeLost) lost = rtcp::kMaxCumulativeLost;
  if (lost < rtcp::kMinCumulativeLost) lost = rtcp::kMinCumulativeLost;
  b.cumulativeLost = int32_t(lost);
  b.extendedHighestSeq = seq_.started() ? seq_.extendedMax() : 0;
  b.jitter = jitter();
  if (lastSr_ != 0) {
    b.lastSr = lastSr_;
    const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - lastSrArrival_).count();
    b.delaySinceLastSr = ns <= 0 ? 0 : uint32_t(ns / kNanosPerSecond * kDlsrUnitsPerSecond +
                                                (ns % kNanosPerSecond) * kDlsrUnitsPerSecond / kNanosPerSecond);
  }
  return b;
}

}  // namespace rtcgate::rtp
