#include "rtp/RtpSendStats.hpp"

#include <algorithm>
#include <stdexcept>

namespace rtcgate::rtp {

namespace {
constexpr double kCompactNtpUnitsPerSecond = 65536.0;  // §6.4.1: LSR/DLSR are 16.16 fixed point
constexpr int64_t kNanosPerSecond = 1'000'000'000;
}  // namespace

RtpSendStats::RtpSendStats(uint32_t clockRate) : clockRate_(clockRate) {
  if (clockRate == 0) throw std::runtime_error("RtpSendStats: clock rate must be > 0");
}

void RtpSendStats::onPacketSent(uint32_t rtpTimestamp, size_t payloadBytes, TimePoint now) noexcept {
  ++packets_;
  bytes_ += payloadBytes;
  hasSent_ = true;
  lastRtpTimestamp_ = rtpTimestamp;
  lastSentAt_ = now;
}

rtcp::SenderInfo RtpSendStats::makeSenderInfo(NtpTime ntpNow, TimePoint now) noexcept {
  rtcp::SenderInfo info;
  info.ntpTimestamp = ntpNow.value;
  // §6.4.1: counts wrap at 32 bits on the wire.
  info.packetCount = uint32_t(packets_);
  info.octetCount = uint32_t(bytes_);
  if (hasSent_) {
    // §6.4.1: the RTP timestamp of the same instant as the NTP timestamp, in the media clock.
    const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - lastSentAt_).count();
    const int64_t units = (ns / kNanosPerSecond) * clockRate_ + (ns % kNanosPerSecond) * clockRate_ / kNanosPerSecond;
    info.rtpTimestamp = lastRtpTimestamp_ + uint32_t(units);
  }
  srSent_[srNext_] = ntpNow.middle32();
  srNext_ = (srNext_ + 1) % kSrHistory;
  return info;
}

void RtpSendStats::onReportBlock(const rtcp::ReportBlock& block, NtpTime ntpArrival) noexcept {
  fractionLost_ = block.fractionLost;
  packetsLost_ = block.cumulativeLost;
  jitter_ = block.jitter;
  // §6.4.1: LSR 0 means no SR received yet. An LSR we never sent (e.g. echoing an SR from
  // before an SSRC rewrite) would give a meaningless RTT, so only matching blocks count.
  if (block.lastSr == 0) return;
  if (std::find(srSent_.begin(), srSent_.end(), block.lastSr) == srSent_.end()) return;
  const uint32_t sinceSr = ntpArrival.middle32() - block.lastSr;  // mod 2^32, 16.16 seconds
  if (sinceSr < block.delaySinceLastSr) return;  // clocks disagree: negative RTT, ignore
  rtt_ = double(sinceSr - block.delaySinceLastSr) / kCompactNtpUnitsPerSecond;
}

}  // namespace rtcgate::rtp
