#pragma once
// Reception statistics for one inbound SSRC (RFC 3550 §6.4.1, Appendix A.1, A.3, A.8), and
// the report block an RR/SR sends back about it.
//
// Depends on rtcp/ReportBlock.hpp only for the plain ReportBlock struct (header-only): the
// rtp module does not link or otherwise depend on the rtcp module.
#include <cstddef>
#include <cstdint>

#include "common/Time.hpp"
#include "rtcp/ReportBlock.hpp"
#include "rtp/SequenceUnwrapper.hpp"

namespace rtcgate::rtp {

class RtpReceiveStats {
 public:
  // clockRate: RTP timestamp units per second (e.g. 48000 for Opus). Throws if 0.
  explicit RtpReceiveStats(uint32_t clockRate);

  // Call for every RTP packet of this SSRC that passed SRTP and RtpPacket::parse.
  SeqUpdate onPacket(uint16_t seq, uint32_t rtpTimestamp, TimePoint arrival, size_t payloadBytes) noexcept;
  // ntpMiddle32: SenderReport::ntpMiddle32() of an SR from this source (becomes our LSR).
  void onSenderReport(uint32_t ntpMiddle32, TimePoint arrival) noexcept;
  // Builds the block and starts a new fraction-lost interval (A.3). `ssrc` goes in the block.
  rtcp::ReportBlock makeReportBlock(uint32_t ssrc, TimePoint now) noexcept;

  // Every packet passed to onPacket, valid or not (lifetime counters).
  uint64_t packets() const noexcept { return packets_; }
  uint64_t bytes() const noexcept { return bytes_; }
  // Packets A.1 did not count (probation, big jumps).
  uint64_t discarded() const noexcept { return discarded_; }

  bool started() const noexcept { return seq_.started(); }
  uint32_t extendedHighestSeq() const noexcept { return seq_.extendedMax(); }
  uint32_t expected() const noexcept;  // A.3 expected packets in the current sequence
  uint32_t received() const noexcept { return received_; }
  int64_t cumulativeLost() const noexcept;  // unclamped; negative with duplicates
  uint32_t jitter() const noexcept { return uint32_t(jitter_ + 0.5); }  // timestamp units
  double jitterSeconds() const noexcept { return jitter_ / clockRate_; }
  uint32_t clockRate() const noexcept { return clockRate_; }

 private:
  uint32_t arrivalInTimestampUnits(TimePoint arrival) noexcept;

  const uint32_t clockRate_;
  SequenceUnwrapper seq_;
  uint64_t packets_ = 0;
  uint64_t bytes_ = 0;
  uint64_t discarded_ = 0;
  uint32_t received_ = 0;       // A.1 `received` in the current sequence
  uint32_t expectedPrior_ = 0;  // A.3
  uint32_t receivedPrior_ = 0;  // A.3
  // A.8 jitter state.
  bool hasEpoch_ = false;
  TimePoint epoch_{};
  bool hasTransit_ = false;
  uint32_t transit_ = 0;
  double jitter_ = 0;
  // §6.4.1 LSR/DLSR.
  uint32_t lastSr_ = 0;
  TimePoint lastSrArrival_{};
};

}  // namespace rtcgate::rtp
