#pragma once
// RTP/RTCP bookkeeping of one transport, shared by the endpoints: reception statistics per
// inbound SSRC, send statistics per outbound SSRC, the SR/RR + SDES CNAME compound reporting
// on them (RFC 3550 §6.4, §6.5.1), and what incoming SR/RR packets tell about both directions
// (LSR for our receiver reports, loss/jitter/RTT of our streams). Fixed-size tables, no
// allocation on the packet path; it never sends anything itself (callers protect and queue
// the bytes it writes).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/Time.hpp"
#include "rtcp/RtcpCompound.hpp"
#include "rtcp/RtcpHeader.hpp"
#include "rtcp/RtcpWriter.hpp"
#include "rtp/NtpTime.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpReceiveStats.hpp"
#include "rtp/RtpSendStats.hpp"
#include "session/EndpointTypes.hpp"

namespace rtcgate::session {

class RtpStreams {
 public:
  // Streams tracked per direction; more SSRCs than this are not reported on (the media still
  // flows, the caller decides whether to count that).
  static constexpr size_t kMaxInbound = 8;
  static constexpr size_t kMaxOutbound = 4;
  static constexpr size_t kMaxCnameLength = 255;  // RFC 3550 §6.5: 8-bit item length

  struct Inbound {
    uint32_t ssrc = 0;
    bool video = false;
    std::optional<rtp::RtpReceiveStats> stats;  // emplaced with the stream's clock rate
  };
  struct Outbound {
    uint32_t ssrc = 0;
    bool video = false;
    std::optional<rtp::RtpSendStats> stats;
  };

  // cname: the RFC 3550 §6.5.1 CNAME put in every report compound. Throws if longer than 255.
  explicit RtpStreams(std::string_view cname);

  // --- inbound -------------------------------------------------------------------------------
  // The stream for `ssrc`, created with `clockRate` (> 0) on first sight; nullptr when the table
  // is full.
  Inbound* inbound(uint32_t ssrc, bool video, uint32_t clockRate) noexcept;
  Inbound* findInbound(uint32_t ssrc) noexcept;
  // Records one received packet (after SRTP and parsing). False when its SSRC could not be
  // tracked (table full).
  bool onRtpReceived(TimePoint now, const rtp::RtpPacket& packet, bool video, uint32_t clockRate) noexcept;

  // --- outbound ------------------------------------------------------------------------------
  // Declares one of our SSRCs (or finds it); nullptr when the table is full or clockRate is 0.
  Outbound* outbound(uint32_t ssrc, bool video, uint32_t clockRate) noexcept;
  Outbound* findOutbound(uint32_t ssrc) noexcept;
  // Records one sent packet under its SSRC, declaring the stream if new.
  bool onRtpSent(TimePoint now, const rtp::RtpPacket& packet, bool video, uint32_t clockRate) noexcept;
  // True once any outbound stream has sent a packet: the next report is an SR.
  bool anySent() const noexcept;

  // --- incoming RTCP -------------------------------------------------------------------------
  // Consumes an SR (its sender info becomes the LSR of our reports about that source) and the
  // report blocks of an SR or RR that are about our outbound streams. Returns true for SR/RR,
  // false for any other packet, which the caller may handle (feedback, BYE, ...).
  bool onRtcpPacket(const rtcp::RtcpHeader& packet, TimePoint now, rtp::NtpTime ntpNow) noexcept;
  // onRtcpPacket() over every well-formed packet of a compound. Returns how many were SR/RR.
  size_t onRtcpCompound(const rtcp::RtcpCompound& compound, TimePoint now, rtp::NtpTime ntpNow) noexcept;

  // --- outgoing RTCP -------------------------------------------------------------------------
  // Appends the periodic report (RFC 3550 §6.4): an SR for each outbound stream that has sent,
  // the reception blocks riding on the first; or, when nothing was sent, an RR from
  // `reporterSsrc`. Then an SDES CNAME for each SSRC that reported (§6.1: every compound
  // carries one). Starts a new fraction-lost interval on every inbound stream. Returns the bytes
  // appended (0 if nothing fitted).
  size_t addReports(rtcp::RtcpWriter& writer, TimePoint now, rtp::NtpTime ntpNow, uint32_t reporterSsrc) noexcept;
  // Appends a BYE (§6.6) for every outbound stream that has sent, or for `reporterSsrc`.
  size_t addBye(rtcp::RtcpWriter& writer, uint32_t reporterSsrc) noexcept;

  // --- stats (control path) ------------------------------------------------------------------
  void appendStats(std::vector<StreamStats>& out) const;
  size_t inboundCount() const noexcept { return inboundCount_; }
  size_t outboundCount() const noexcept { return outboundCount_; }
  const Inbound& inboundAt(size_t i) const noexcept { return inbound_[i]; }
  const Outbound& outboundAt(size_t i) const noexcept { return outbound_[i]; }

 private:
  void onReportBlock(const rtcp::ReportBlock& block, rtp::NtpTime ntpNow) noexcept;

  std::string cname_;
  std::array<Inbound, kMaxInbound> inbound_{};
  size_t inboundCount_ = 0;
  std::array<Outbound, kMaxOutbound> outbound_{};
  size_t outboundCount_ = 0;
};

}  // namespace rtcgate::session
