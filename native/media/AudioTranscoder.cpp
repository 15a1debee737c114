#include "media/AudioTranscoder.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "dtmf/ComfortNoise.hpp"
#include "dtmf/TelephoneEvent.hpp"
#include "media/EModel.hpp"
#include "rtp/RtpHeaderWriter.hpp"

namespace rtcgate::media {

namespace {

// Where the PCM between the two codecs should run: the rate the output encoder takes, and for
// an Opus decoder that same rate (it decodes to any of 8/12/16/24/48 kHz).
uint32_t encoderInputRate(const LegFormat& in, const LegFormat& out) noexcept {
  if (out.codec != codec::CodecId::Opus) return codec::nativeSampleRate(out.codec);
  // Opus encodes 8/16/48 kHz input: keep the far side's rate so nothing is resampled.
  return codec::nativeSampleRate(in.codec);
}

uint32_t decoderOutputRate(const LegFormat& in, uint32_t encoderRate) noexcept {
  return in.codec == codec::CodecId::Opus ? encoderRate : codec::nativeSampleRate(in.codec);
}

template <typename T>
T randomValue() noexcept {
  T v{};
  RAND_bytes(reinterpret_cast<uint8_t*>(&v), sizeof(v));
  return v;
}

constexpr int kDefaultOpusBitrate = 32000;  // Chromium's default for mono voice

jitter::JitterBufferConfig jitterConfig(const LegFormat& in, const TranscoderOptions& o) {
  jitter::JitterBufferConfig c;
  c.clockRate = in.clockRate;
  c.frameSamples = in.clockRate * in.ptimeMs / 1000;
  c.minDelay = o.jitterMinDelay;
  c.maxDelay = o.jitterMaxDelay;
  c.initialDelay = o.jitterInitialDelay;
  return c;
}

}  // namespace

AudioTranscoder::AudioTranscoder(const LegFormat& in, const LegFormat& out, const TranscoderOptions& options,
                                 uint32_t fromLeg, uint32_t toLeg)
    : in_(in), out_(out), jitter_(jitterConfig(in, options)), defaultFrame_(milliseconds(in.ptimeMs)) {
  const uint32_t encRate = encoderInputRate(in, out);
  codec::EncoderOptions eo;
  eo.inputRate = encRate;
  eo.frameMs = out.ptimeMs;
  eo.opusComplexity = options.opusComplexity;
  // libopus' automatic bitrate follows the input rate (~11 kbit/s for 8 kHz input), which
  // audibly dulls G.711/G.722 audio re-encoded to Opus; use what browsers send unless told.
  eo.opusBitrate = options.opusBitrate != 0 ? options.opusBitrate : kDefaultOpusBitrate;
  eo.opusFec = options.opusFec;
  eo.opusDtx = options.opusDtx;
  encoder_ = codec::makeEncoder(out.codec, eo);
  decoder_ = codec::makeDecoder(in.codec, decoderOutputRate(in, encRate));
  if (decoder_->outputRate() != encoder_->inputRate()) resampler_.emplace(decoder_->outputRate(), encoder_->inputRate());
  seq_ = randomValue<uint16_t>();
  timestamp_ = randomValue<uint32_t>();
  lastSentTimestamp_ = timestamp_;
  timestampStep_ = out.clockRate * out.ptimeMs / 1000;
  if (in.telephoneEventPt >= 0 && out.telephoneEventPt >= 0) {
    dtmf::DtmfRelayConfig dc;
    dc.inputClockRate = in.telephoneEventClockRate;
    dtmf_.emplace(dc, outputClock());
  }
  stats_.fromLeg = fromLeg;
  stats_.toLeg = toLeg;
}

void AudioTranscoder::onRtp(TimePoint now, const rtp::RtpPacket& packet) noexcept {
  ++stats_.packetsIn;
  const uint8_t pt = packet.payloadType();
  if (in_.telephoneEventPt >= 0 && pt == in_.telephoneEventPt) {
    ++stats_.dtmfEventsIn;
    jitter_.skip(packet.ssrc(), packet.sequenceNumber());
    if (!dtmf_) {
      ++stats_.dropped;  // the other leg has no telephone-event to carry it
      return;
    }
    if (auto ev = dtmf::TelephoneEvent::parse(packet.payload()))
      dtmf_->onEventPacket(now, packet.sequenceNumber(), packet.timestamp(), packet.marker(), *ev);
    else
      ++stats_.dropped;
    return;
  }
  if (in_.comfortNoisePt >= 0 && pt == in_.comfortNoisePt) {
    jitter_.skip(packet.ssrc(), packet.sequenceNumber());
    // RFC 3389 §4: CN marks the start (and refreshes) of a silence; the gap it leaves in the
    // stream is played from the jitter buffer as Silence, filled with noise at this level.
    if (auto cn = dtmf::ComfortNoise::parse(packet.payload())) {
      if (!comfortNoise_) comfortNoise_.emplace(decoder_->outputRate());
      comfortNoise_->setLevel(cn->level);
      ++stats_.comfortNoiseIn;
    } else {
      ++stats_.dropped;
    }
    return;
  }
  if (pt != in_.payloadType) {
    ++stats_.dropped;
    return;
  }
  const auto r = jitter_.push(now, packet.ssrc(), packet.sequenceNumber(), packet.timestamp(), packet.marker(),
                              packet.payload());
  (void)r;  // duplicates, late and overflow are counted by the jitter buffer
  if (nextPop_ == kNever) nextPop_ = now;
}

TimePoint AudioTranscoder::nextTimeout() const noexcept {
  TimePoint next = nextPop_;
  if (dtmf_) next = std::min(next, dtmf_->nextTimeout());
  return next;
}

void AudioTranscoder::handleTimeout(TimePoint now, MediaLeg& out, io::TxQueue& tx) noexcept {
  if (nextPop_ != kNever) {
    // After a stall (the worker was busy for long), resynchronise rather than burst.
    if (now - nextPop_ > milliseconds(200)) nextPop_ = now;
    while (nextPop_ <= now) {
      playOneFrame(now);
      encodeReady(now, out, tx);
    }
  }
  if (dtmf_) sendEvents(now, out, tx);
}

void AudioTranscoder::playOneFrame(TimePoint now) noexcept {
  const jitter::JitterBuffer::Playout p = jitter_.pop(now);
  const uint32_t inClock = in_.clockRate;
  const uint32_t frameUnits = p.samples != 0 ? p.samples : inClock * in_.ptimeMs / 1000;
  nextPop_ += std::chrono::duration_cast<Duration>(microseconds(uint64_t(frameUnits) * 1'000'000 / inClock));
  // Samples of this frame at the decoder's rate (G.722's RTP clock runs at half its rate).
  const size_t want = std::min<size_t>(size_t(frameUnits) * decoder_->outputRate() / inClock, decoded_.size());
  int got = 0;
  switch (p.kind) {
    case jitter::JitterBuffer::Playout::Kind::Empty:
      return;  // still buffering: nothing is played yet
    case jitter::JitterBuffer::Playout::Kind::Frame:
      got = decoder_->decode(p.payload, decoded_);
      if (got < 0) {
        ++stats_.decodeErrors;
        got = decoder_->conceal(want, decoded_);
        stats_.concealedSamples += size_t(std::max(got, 0));
      } else {
        ++stats_.framesDecoded;
      }
      break;
    case jitter::JitterBuffer::Playout::Kind::Lost:
      got = p.nextPayload.empty() ? -1 : decoder_->decodeFec(p.nextPayload, want, decoded_);
      if (got > 0) {
        ++stats_.fecRecovered;
      } else {
        got = decoder_->conceal(want, decoded_);
      }
      stats_.concealedSamples += size_t(std::max(got, 0));
      break;
    case jitter::JitterBuffer::Playout::Kind::Silence:
      if (comfortNoise_)
        comfortNoise_->generate(std::span<int16_t>(decoded_.data(), want));
      else
        std::fill_n(decoded_.begin(), want, int16_t{0});
      got = int(want);
      break;
  }
  if (got <= 0) return;
  ++framesPlayed_;
  const std::span<const int16_t> pcm(decoded_.data(), size_t(got));
  if (resampler_) {
    const size_t n = resampler_->process(pcm, resampled_);
    pushPcm(std::span<const int16_t>(resampled_.data(), n));
  } else {
    pushPcm(pcm);
  }
}

void AudioTranscoder::pushPcm(std::span<const int16_t> pcm) noexcept {
  const size_t room = fifo_.size() - fifoSize_;
  const size_t n = std::min(room, pcm.size());
  std::copy_n(pcm.begin(), n, fifo_.begin() + fifoSize_);
  fifoSize_ += n;
  if (n < pcm.size()) ++stats_.dropped;  // cannot happen unless the encoder stalls
}

void AudioTranscoder::encodeReady(TimePoint now, MediaLeg& out, io::TxQueue& tx) noexcept {
  const size_t frame = encoder_->frameSamples();
  while (fifoSize_ >= frame) {
    std::array<uint8_t, kMaxRtp> payload;
    const int n = encoder_->encode(std::span<const int16_t>(fifo_.data(), frame), payload);
    std::copy(fifo_.begin() + frame, fifo_.begin() + fifoSize_, fifo_.begin());
    fifoSize_ -= frame;
    const uint32_t ts = timestamp_;
    timestamp_ += timestampStep_;
    if (n < 0) {
      ++stats_.dropped;
      continue;
    }
    ++stats_.framesEncoded;
    if (n <= 2 && encoder_->id() == codec::CodecId::Opus) continue;  // Opus DTX: nothing to send
    if (sendPacket(now, out, tx, out_.payloadType, firstPacket_, ts, std::span<const uint8_t>(payload.data(), size_t(n)))) {
      firstPacket_ = false;
      lastSentAt_ = now;
      lastSentTimestamp_ = ts;
    }
  }
}

void AudioTranscoder::sendEvents(TimePoint now, MediaLeg& out, io::TxQueue& tx) noexcept {
  dtmf_->setOutputClock(outputClock());
  dtmf::OutputPacket packet;
  while (dtmf_->poll(now, packet) > 0)
    sendPacket(now, out, tx, uint8_t(out_.telephoneEventPt), packet.marker, packet.timestamp, packet.payload);
}

bool AudioTranscoder::sendPacket(TimePoint now, MediaLeg& out, io::TxQueue& tx, uint8_t pt, bool marker,
                                 uint32_t timestamp, std::span<const uint8_t> payload) noexcept {
  std::array<uint8_t, kMaxRtp> buf;
  rtp::RtpHeaderFields h;
  h.marker = marker;
  h.payloadType = pt;
  h.sequenceNumber = seq_;
  h.timestamp = timestamp;
  h.ssrc = out_.ssrc;
  const size_t headerSize = rtp::writeRtpHeader(buf, h);
  if (headerSize == 0 || headerSize + payload.size() > buf.size()) {
    ++stats_.dropped;
    return false;
  }
  std::memcpy(buf.data() + headerSize, payload.data(), payload.size());
  if (!out.sendRtp(now, std::span<const uint8_t>(buf.data(), headerSize + payload.size()), tx)) {
    ++stats_.dropped;
    return false;
  }
  ++seq_;
  ++stats_.packetsOut;
  return true;
}

dtmf::OutputClock AudioTranscoder::outputClock() const noexcept {
  // Events are stamped on our audio timeline (anchored at the last audio packet sent),
  // converted to the telephone-event clock when the two rates differ.
  dtmf::OutputClock clock;
  clock.clockRate = out_.telephoneEventClockRate;
  clock.anchorTime = lastSentAt_;
  clock.anchorTimestamp = uint32_t(uint64_t(lastSentTimestamp_) * out_.telephoneEventClockRate / out_.clockRate);
  return clock;
}

DirectionStats AudioTranscoder::stats() const {
  DirectionStats s = stats_;
  const auto& j = jitter_.stats();
  s.jitterBufferDelayMs = std::chrono::duration<double, std::milli>(j.targetDelay).count();
  s.jitterMs = j.jitterMs;
  s.jitterBufferLost = j.lost;
  s.jitterBufferLate = j.late;
  s.jitterBufferDuplicates = j.duplicates;
  const double frames = double(framesPlayed_);
  // What the listener misses: losses that neither arrived late nor came back through FEC.
  const double unrecovered = double(j.lost) - double(std::min<uint64_t>(j.lost, stats_.fecRecovered));
  const double lossPercent = frames > 0 ? 100.0 * unrecovered / frames : 0.0;
  s.mos = frames > 0 ? estimateMos({in_.codec, lossPercent, s.jitterBufferDelayMs + 2.0 * in_.ptimeMs, true}) : 0.0;
  return s;
}

}  // namespace rtcgate::media
