#pragma once
// Transcoding: the legs share no codec, so each direction decodes, resamples where the rates
// differ, and encodes (AudioTranscoder). Used when enable-transcoding allows it; the control
// path decides between this and RelayBridge from the negotiated codecs.
#include <array>
#include <memory>

#include "media/AudioTranscoder.hpp"
#include "media/Bridge.hpp"

namespace rtcgate::media {

class TranscodingBridge final : public Bridge {
 public:
  // Throws when a codec cannot be set up.
  TranscodingBridge(uint32_t id, MediaLeg& a, const LegFormat& formatA, MediaLeg& b, const LegFormat& formatB,
                    const TranscoderOptions& options);

  void onRtp(TimePoint now, uint32_t fromLeg, const rtp::RtpPacket& packet, io::TxQueue& tx) noexcept override;
  TimePoint nextTimeout() const noexcept override;
  void handleTimeout(TimePoint now, io::TxQueue& tx) noexcept override;
  BridgeStats stats() const override;

 private:
  AudioTranscoder aToB_;
  AudioTranscoder bToA_;
};

}  // namespace rtcgate::media
