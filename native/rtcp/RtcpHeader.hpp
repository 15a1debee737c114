#pragma once
// One RTCP packet inside a compound (RFC 3550 §6.4.1 common header), as a borrowed view.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace rtcgate::rtcp {

inline constexpr uint8_t kRtcpVersion = 2;        // RFC 3550 §6.4.1
inline constexpr size_t kRtcpHeaderSize = 4;      // V/P/count, PT, length
inline constexpr size_t kMaxRtcpCount = 31;       // 5-bit RC/SC field

// RFC 3550 §12.1 and RFC 4585 §6.1, RFC 3611 (XR).
enum class RtcpPacketType : uint8_t {
  SenderReport = 200,
  ReceiverReport = 201,
  Sdes = 202,
  Bye = 203,
  App = 204,
  RtpFeedback = 205,      // RFC 4585 §6.2 transport layer feedback
  PayloadFeedback = 206,  // RFC 4585 §6.3 payload-specific feedback
  ExtendedReport = 207,   // RFC 3611
};

// FMT values in the count field of feedback packets.
inline constexpr uint8_t kFmtGenericNack = 1;      // RFC 4585 §6.2.1 (PT 205)
inline constexpr uint8_t kFmtTransportCc = 15;     // draft-holmer-rmcat-transport-wide-cc (PT 205)
inline constexpr uint8_t kFmtPli = 1;              // RFC 4585 §6.3.1 (PT 206)
inline constexpr uint8_t kFmtFir = 4;              // RFC 5104 §4.3.1 (PT 206)
inline constexpr uint8_t kFmtAfb = 15;             // RFC 4585 §6.4 application layer FB (REMB)

// What the session layer dispatches on; anything it does not handle is Other.
enum class RtcpKind {
  SenderReport,
  ReceiverReport,
  Sdes,
  Bye,
  GenericNack,
  Pli,
  Fir,
  Remb,
  Other,  // APP, XR, transport-cc, unknown types/FMTs: skipped, not errors
};

enum class RtcpStatus {
  Ok,
  Truncated,    // fewer than 4 bytes left, or the length field runs past the datagram
  BadVersion,   // version != 2
  BadPadding,   // padding bit set with a count of 0 or larger than the packet body
};

class RtcpHeader {
 public:
  // Reads the first RTCP packet at the front of `bytes`. On failure returns nullopt and sets `status`.
  static std::optional<RtcpHeader> parse(std::span<const uint8_t> bytes, RtcpStatus& status) noexcept;

  bool padding() const noexcept { return (packet_[0] & 0x20) != 0; }
  uint8_t count() const noexcept { return packet_[0] & 0x1f; }  // RC, SC or FMT
  uint8_t fmt() const noexcept { return count(); }
  uint8_t packetType() const noexcept { return packet_[1]; }
  RtcpKind kind() const noexcept;

  size_t size() const noexcept { return packet_.size(); }             // whole packet incl. padding
  std::span<const uint8_t> bytes() const noexcept { return packet_; }  // whole packet incl. padding
  // Everything after the 4-byte common header, without trailing padding.
  std::span<const uint8_t> body() const noexcept { return packet_.subspan(kRtcpHeaderSize, bodySize_); }

 private:
  RtcpHeader(std::span<const uint8_t> packet, size_t bodySize) noexcept : packet_(packet), bodySize_(bodySize) {}

  std::span<const uint8_t> packet_;
  size_t bodySize_;
};

}  // namespace rtcgate::rtcp
