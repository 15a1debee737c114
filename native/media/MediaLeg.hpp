#pragma once
// What the bridge sees of an endpoint: a leg that hands over the RTP it receives (decrypted,
// parsed) and sends RTP it is given (encrypting it if the leg is secure). WebRtcEndpoint and
// RtpEndpoint both implement it; a bridge joins two legs on the same worker, so nothing here
// is shared across threads.
#include <cstdint>
#include <span>

#include "common/Time.hpp"
#include "io/TxQueue.hpp"
#include "rtp/RtpPacket.hpp"

namespace rtcgate::media {

// Receives what a leg got from its peer. Called on the worker thread, inside the leg's input
// handling; it may send on other legs through `tx` but must not destroy anything.
class RtpSink {
 public:
  virtual ~RtpSink() = default;
  virtual void onRtp(TimePoint now, uint32_t fromLeg, const rtp::RtpPacket& packet, io::TxQueue& tx) noexcept = 0;
  // The peer asked for a key frame (PLI/FIR) on the stream this leg sends: video only.
  virtual void onKeyFrameRequest(TimePoint now, uint32_t fromLeg, io::TxQueue& tx) noexcept {
    (void)now; (void)fromLeg; (void)tx;
  }
};

class MediaLeg {
 public:
  virtual ~MediaLeg() = default;
  virtual uint32_t legId() const noexcept = 0;
  // Where received RTP goes; nullptr drops it (counted by the leg). Not owned.
  virtual void setSink(RtpSink* sink) noexcept = 0;
  // Sends one plain RTP packet (header + payload) to the peer; the leg protects it when it is
  // secure and updates its send statistics. Returns false when it could not (not connected,
  // no peer address yet, too large): counted by the leg.
  virtual bool sendRtp(TimePoint now, std::span<const uint8_t> plainRtp, io::TxQueue& tx) noexcept = 0;
  // True once the leg can send media (ICE+DTLS done, or a peer address known).
  virtual bool canSend() const noexcept = 0;
};

}  // namespace rtcgate::media
