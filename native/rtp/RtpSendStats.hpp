#pragma once
// Send-side statistics for one outbound SSRC: the sender info of our SRs (RFC 3550 §6.4.1)
// and what the peer's report blocks say about our stream, including the round-trip time.
//
// Depends on rtcp/ReportBlock.hpp and rtcp/SenderInfo.hpp only for their plain structs
// (header-only): the rtp module does not link the rtcp module.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/Time.hpp"
#include "rtcp/ReportBlock.hpp"
#include "rtcp/SenderInfo.hpp"
#include "rtp/NtpTime.hpp"

namespace rtcgate::rtp {

class RtpSendStats {
 public:
  // SRs remembered to match the LSR of incoming report blocks against.
  static constexpr size_t kSrHistory = 8;

  // clockRate: RTP timestamp units per second. Throws if 0.
  explicit RtpSendStats(uint32_t clockRate);

  void onPacketSent(uint32_t rtpTimestamp, size_t payloadBytes, TimePoint now) noexcept;
  // ntpNow and now must be the same instant on the wall and steady clocks. The RTP timestamp
  // is extrapolated from the last packet sent. Remembers the SR for RTT matching: call it only
  // for SRs actually sent.
  rtcp::SenderInfo makeSenderInfo(NtpTime ntpNow, TimePoint now) noexcept;
  // A report block about this SSRC from an incoming SR/RR, received at ntpArrival.
  void onReportBlock(const rtcp::ReportBlock& block, NtpTime ntpArrival) noexcept;

  uint64_t packetsSent() const noexcept { return packets_; }
  uint64_t bytesSent() const noexcept { return bytes_; }
  bool hasSent() const noexcept { return hasSent_; }

  // As last reported by the peer.
  double fractionLost() const noexcept { return fractionLost_ / 256.0; }
  int32_t packetsLost() const noexcept { return packetsLost_; }
  uint32_t jitter() const noexcept { return jitter_; }  // timestamp units
  double jitterSeconds() const noexcept { return double(jitter_) / clockRate_; }
  // §6.4.1: A - LSR - DLSR, from the latest block that echoed one of our SRs.
  std::optional<double> roundTripSeconds() const noexcept { return rtt_; }

 private:
  const uint32_t clockRate_;
  uint64_t packets_ = 0;
  uint64_t bytes_ = 0;
  bool hasSent_ = false;
  uint32_t lastRtpTimestamp_ = 0;
  TimePoint lastSentAt_{};
  std::array<uint32_t, kSrHistory> srSent_{};  // NTP middle 32 bits; 0 = empty slot
  size_t srNext_ = 0;
  uint8_t fractionLost_ = 0;
  int32_t packetsLost_ = 0;
  uint32_t jitter_ = 0;
  std::optional<double> rtt_;
};

}  // namespace rtcgate::rtp
