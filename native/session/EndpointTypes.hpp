#pragma once
// Plain data exchanged between the engine's control path and a WebRTC endpoint: what the
// endpoint needs to connect, and what it reports. Mirrored one to one in ts/engine/types.ts.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rtcgate::session {

// MediaTimeout: a plain RTP leg heard no RTP or RTCP for its configured media timeout.
enum class CloseReason { Closed, ConsentTimeout, SetupTimeout, DtlsFailed, EngineStopped, MediaTimeout };
const char* toString(CloseReason) noexcept;

// The media an endpoint carries: which payload types are audio or video, and the SSRCs and clock
// rates the gateway sends with. With `echo`, what the browser sends comes straight back under
// the gateway's SSRCs (the loop-back call "self"); otherwise it goes to the leg's RtpSink (a
// bridge), or is dropped and counted while the leg is not bridged.
struct MediaRoute {
  bool echo = true;
  std::vector<uint8_t> audioPayloadTypes;
  std::vector<uint8_t> videoPayloadTypes;
  uint32_t audioSsrc = 0;
  uint32_t videoSsrc = 0;
  uint32_t audioClockRate = 48000;
  uint32_t videoClockRate = 90000;
};

struct ConnectParams {
  std::string iceUfrag;
  std::string icePwd;
  std::string fingerprintAlgorithm;
  std::string fingerprintValue;
  bool dtlsClient = false;  // our role: client = a=setup:active
  MediaRoute route;
};

struct StreamStats {
  uint32_t ssrc = 0;
  bool video = false;
  bool inbound = true;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  int64_t packetsLost = 0;
  double jitterSeconds = 0;
  std::optional<double> roundTripSeconds;
};

struct EndpointCounters {
  uint64_t stunReceived = 0;
  uint64_t stunRejected = 0;
  uint64_t dtlsReceived = 0;
  uint64_t dtlsRejected = 0;         // before the remote description was set
  uint64_t dtlsInvalid = 0;          // dropped by the DTLS transport: bad framing, or after it ended
  uint64_t dtlsHandshakeResets = 0;  // garbage before any ClientHello made the server start over
  uint64_t dtlsRetransmissions = 0;
  uint64_t rtpReceived = 0;
  uint64_t rtcpReceived = 0;
  uint64_t srtpRejected = 0;
  uint64_t unknownRejected = 0;
  uint64_t unvalidatedSourceRejected = 0;
  uint64_t sendFailed = 0;  // SRTP protect failed or the packet did not fit a send slot
  uint64_t noSink = 0;      // media received while the leg is neither echoing nor bridged
};

struct EndpointStats {
  uint32_t id = 0;
  std::string iceState;
  std::string dtlsState;
  std::string selectedAddress;  // empty until ICE selects a pair
  std::string srtpProfile;      // empty until DTLS-SRTP completes
  std::vector<StreamStats> streams;
  EndpointCounters counters;
  // Plain RTP legs (RtpEndpoint) have no ICE or DTLS: iceState and dtlsState stay empty,
  // selectedAddress is where RTP goes now (latched source or SDP address, empty if neither)
  // and srtpProfile is the SDES crypto-suite (empty for plain RTP).
  std::string kind = "webrtc";    // "webrtc" | "rtp"
  std::string rtcpAddress;        // rtp legs: where RTCP goes now (same as selectedAddress with rtcp-mux)
  bool latched = false;           // rtp legs: selectedAddress was learnt from received RTP (symmetric RTP)
};

}  // namespace rtcgate::session
