#include "media/TranscodingBridge.hpp"

#include <algorithm>

namespace rtcgate::media {

TranscodingBridge::TranscodingBridge(uint32_t id, MediaLeg& a, const LegFormat& formatA, MediaLeg& b,
                                     const LegFormat& formatB, const TranscoderOptions& options)
    : Bridge(id, a, b),
      aToB_(formatA, formatB, options, a.legId(), b.legId()),
      bToA_(formatB, formatA, options, b.legId(), a.legId()) {}

void TranscodingBridge::onRtp(TimePoint now, uint32_t fromLeg, const rtp::RtpPacket& packet, io::TxQueue&) noexcept {
  // Packets only fill the jitter buffers; the playout clock (handleTimeout) sends.
  (fromLeg == a_.legId() ? aToB_ : bToA_).onRtp(now, packet);
}

TimePoint TranscodingBridge::nextTimeout() const noexcept {
  return std::min(aToB_.nextTimeout(), bToA_.nextTimeout());
}

void TranscodingBridge::handleTimeout(TimePoint now, io::TxQueue& tx) noexcept {
  aToB_.handleTimeout(now, b_, tx);
  bToA_.handleTimeout(now, a_, tx);
}

BridgeStats TranscodingBridge::stats() const {
  BridgeStats s;
  s.id = id_;
  s.mode = "transcode";
  s.directions = {aToB_.stats(), bToA_.stats()};
  return s;
}

}  // namespace rtcgate::media
