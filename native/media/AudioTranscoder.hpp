#pragma once
// One direction of a transcoding bridge: RTP in one codec from leg X becomes RTP in another
// codec on leg Y.
//
//   onRtp ─▶ JitterBuffer ─(pop, once per input frame period)─▶ decode / FEC / conceal
//         ─▶ Resampler (only when the two sample rates differ) ─▶ PCM FIFO
//         ─▶ encode one output frame whenever the FIFO holds one (ptime conversion) ─▶ RTP ─▶ leg Y
//
// The decoder runs at the rate the encoder needs where it can (Opus decodes straight to 8 or
// 16 kHz, so Opus↔G.711 never resamples). Telephone events bypass the codecs (dtmf::DtmfRelay).
// The playout clock is ours: the owner calls handleTimeout() at nextTimeout().
#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "codec/AudioCodec.hpp"
#include "codec/Resampler.hpp"
#include "dtmf/ComfortNoiseGenerator.hpp"
#include "dtmf/DtmfRelay.hpp"
#include "io/TxQueue.hpp"
#include "jitter/JitterBuffer.hpp"
#include "media/BridgeStats.hpp"
#include "media/LegFormat.hpp"
#include "media/MediaLeg.hpp"
#include "media/TranscoderOptions.hpp"
#include "rtp/RtpPacket.hpp"

namespace rtcgate::media {

class AudioTranscoder {
 public:
  // Throws when a codec cannot be set up for these formats.
  AudioTranscoder(const LegFormat& in, const LegFormat& out, const TranscoderOptions& options, uint32_t fromLeg,
                  uint32_t toLeg);

  void onRtp(TimePoint now, const rtp::RtpPacket& packet) noexcept;
  void handleTimeout(TimePoint now, MediaLeg& out, io::TxQueue& tx) noexcept;
  TimePoint nextTimeout() const noexcept;
  DirectionStats stats() const;

  uint32_t decoderRate() const noexcept { return decoder_->outputRate(); }
  uint32_t encoderRate() const noexcept { return encoder_->inputRate(); }

 private:
  static constexpr size_t kFifoCapacity = 4 * codec::kMaxFrameSamples;
  static constexpr size_t kMaxRtp = 1500;

  void playOneFrame(TimePoint now) noexcept;
  void pushPcm(std::span<const int16_t> pcm) noexcept;
  void encodeReady(TimePoint now, MediaLeg& out, io::TxQueue& tx) noexcept;
  void sendEvents(TimePoint now, MediaLeg& out, io::TxQueue& tx) noexcept;
  dtmf::OutputClock outputClock() const noexcept;
  bool sendPacket(TimePoint now, MediaLeg& out, io::TxQueue& tx, uint8_t pt, bool marker, uint32_t timestamp,
                  std::span<const uint8_t> payload) noexcept;

  LegFormat in_;
  LegFormat out_;
  std::unique_ptr<codec::AudioDecoder> decoder_;
  std::unique_ptr<codec::AudioEncoder> encoder_;
  std::optional<codec::Resampler> resampler_;
  jitter::JitterBuffer jitter_;
  std::optional<dtmf::DtmfRelay> dtmf_;  // when both legs negotiated telephone-event
  // RFC 3389: the peer's last comfort-noise level, played during its silences (DTX gaps)
  // instead of digital silence; absent until a CN packet arrived.
  std::optional<dtmf::ComfortNoiseGenerator> comfortNoise_;

  std::array<int16_t, codec::kMaxFrameSamples> decoded_{};
  std::array<int16_t, codec::kMaxFrameSamples * 2> resampled_{};
  std::array<int16_t, kFifoCapacity> fifo_{};
  size_t fifoSize_ = 0;

  Duration defaultFrame_;         // input frame period assumed until packets say otherwise
  TimePoint nextPop_ = kNever;    // playout clock, started by the first packet
  uint16_t seq_;
  uint32_t timestamp_;            // RTP timestamp of the next audio frame we send (out clock)
  uint32_t timestampStep_;        // per encoded frame, out clock units
  TimePoint lastSentAt_{};
  uint32_t lastSentTimestamp_ = 0;
  bool firstPacket_ = true;
  DirectionStats stats_;
  uint64_t framesPlayed_ = 0;
};

}  // namespace rtcgate::media
