// Micro-benchmark (not a test): cost of the media pipeline per relayed packet and per 20 ms
// transcoded frame, each beside the bare library work the same job needs at minimum (libsrtp
// protect/unprotect; libopus, spandsp, speexdsp and our G.711 tables), measured in the same run so
// the ratio pipeline/bare is what our layers add. No sockets: outputs go into a TxQueue that is
// cleared after every input, as the worker's flush would. Build with -DRTCGATE_BENCH=ON, run
// ./pipeline_bench [runs] [framesPerRun] [packetsPerRun]. Prints Markdown tables.
//
// Method (as codec_bench): each case is warmed up with one untimed run, then `runs` runs of
// pipeline and bare alternate, timed with std::chrono::steady_clock; a figure is the median (and
// the minimum) over runs of (run time / items). Inputs that cannot be reused (SRTP packets, which
// the replay check accepts once) are prepared before each run, outside the timed part.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <numbers>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "codec/AudioCodec.hpp"
#include "codec/G711.hpp"
#include "codec/Resampler.hpp"
#include "io/TxQueue.hpp"
#include "media/AudioTranscoder.hpp"
#include "media/LegFormat.hpp"
#include "media/MediaLeg.hpp"
#include "media/RelayBridge.hpp"
#include "media/TranscoderOptions.hpp"
#include "rtp/RtpHeaderWriter.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpSendStats.hpp"
#include "session/testing/BrowserHarness.hpp"  // brings GoogleTest's headers; linked with -lgtest
#include "srtp/SrtpSession.hpp"

#include <opus.h>
#include <speex/speex_resampler.h>
#include <srtp2/srtp.h>
// spandsp's headers come last: they need <cmath> seen first.
#include <spandsp/telephony.h>
#include <spandsp/g722.h>

namespace {

using namespace rtcgate;
using codec::CodecId;
using BenchClock = std::chrono::steady_clock;

volatile int gSink = 0;  // keeps results alive so the optimiser cannot drop the work

constexpr uint8_t kOpusPt = 111;
constexpr size_t kRtpHeader = 12;           // RFC 3550 §5.1 fixed header, no CSRC/extension
constexpr size_t kRelayPayload = 160;       // a 20 ms PCMU frame, as in shared/README.md's SRTP figure
constexpr Duration kFrame = milliseconds(20);

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "pipeline_bench: %s\n", what.c_str());
  std::exit(1);
}

// ---------------------------------------------------------------------------------------------
// Timing

struct Work {
  std::function<void()> prepare;     // untimed, before each run (may be empty)
  std::function<void(size_t)> step;  // one item: a packet or a 20 ms frame
};

struct Figure {
  double medianUs = 0;
  double minUs = 0;
};

double timeRun(const Work& w, size_t items) {
  if (w.prepare) w.prepare();
  const auto t0 = BenchClock::now();
  for (size_t i = 0; i < items; ++i) w.step(i);
  const auto t1 = BenchClock::now();
  return std::chrono::duration<double, std::micro>(t1 - t0).count() / static_cast<double>(items);
}

Figure summarise(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front()};
}

// Pipeline and bare alternate run by run, so both see the same machine state.
std::pair<Figure, Figure> compare(const Work& pipeline, const Work& bare, int runs, size_t items) {
  timeRun(pipeline, items);  // warm-up: caches, branch predictors, codec and jitter-buffer state
  timeRun(bare, items);
  std::vector<double> p, b;
  for (int r = 0; r < runs; ++r) {
    p.push_back(timeRun(pipeline, items));
    b.push_back(timeRun(bare, items));
  }
  return {summarise(p), summarise(b)};
}

Figure measure(const Work& w, int runs, size_t items) {
  timeRun(w, items);
  std::vector<double> v;
  for (int r = 0; r < runs; ++r) v.push_back(timeRun(w, items));
  return summarise(v);
}

// ---------------------------------------------------------------------------------------------
// Signals, keys, RTP

// One second of a speech-like signal at `rate` (harmonics of 140 Hz plus light noise), so the
// encoders do real work; the same signal as codec_bench.
std::vector<int16_t> speechLike(uint32_t rate) {
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0.0, 150.0);
  std::vector<int16_t> out(rate);
  for (size_t n = 0; n < out.size(); ++n) {
    double v = noise(rng);
    for (int h = 1; h <= 12; ++h) v += 4000.0 / h * std::sin(2.0 * std::numbers::pi * 140.0 * h * n / rate + h);
    out[n] = static_cast<int16_t>(std::clamp(v, -32768.0, 32767.0));
  }
  return out;
}

std::span<const int16_t> frameAt(const std::vector<int16_t>& pcm, size_t samplesPerFrame, size_t i) {
  const size_t frames = pcm.size() / samplesPerFrame;
  return std::span(pcm).subspan((i % frames) * samplesPerFrame, samplesPerFrame);
}

std::vector<uint8_t> masterKey(srtp::SrtpProfile profile, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> key(srtp::masterKeySaltLength(profile));
  for (auto& b : key) b = static_cast<uint8_t>(rng());
  return key;
}

size_t writeRtp(std::span<uint8_t> out, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                std::span<const uint8_t> payload, bool marker = false) {
  rtp::RtpHeaderFields f;
  f.marker = marker;
  f.payloadType = pt;
  f.sequenceNumber = seq;
  f.timestamp = ts;
  f.ssrc = ssrc;
  const size_t h = rtp::writeRtpHeader(out, f);
  if (h == 0 || h + payload.size() > out.size()) die("RTP packet does not fit");
  std::memcpy(out.data() + h, payload.data(), payload.size());
  return h + payload.size();
}

// Bare libsrtp: one session per direction with the policy SrtpSession uses (any SSRC, same
// replay window), driven through srtp_protect / srtp_unprotect directly.
class BareSrtp {
 public:
  BareSrtp(srtp::SrtpProfile profile, std::span<const uint8_t> key, bool inbound) {
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof(policy));
    if (profile == srtp::SrtpProfile::AeadAes128Gcm) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    std::vector<uint8_t> k(key.begin(), key.end());
    policy.key = k.data();
    policy.window_size = srtp::SrtpSession::kReplayWindow;
    policy.allow_repeat_tx = inbound ? 0 : 1;
    if (srtp_create(&ctx_, &policy) != srtp_err_status_ok) die("srtp_create failed");
  }
  ~BareSrtp() { srtp_dealloc(ctx_); }
  BareSrtp(const BareSrtp&) = delete;
  BareSrtp& operator=(const BareSrtp&) = delete;
  bool protect(uint8_t* buf, int& len) { return srtp_protect(ctx_, buf, &len) == srtp_err_status_ok; }
  bool unprotect(uint8_t* buf, int& len) { return srtp_unprotect(ctx_, buf, &len) == srtp_err_status_ok; }

 private:
  srtp_t ctx_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// FakeLeg: what WebRtcEndpoint::sendRtp does, minus the socket: copy into a TxQueue slot, check
// the SSRC, SRTP-protect with a real SrtpSession (when secure), update the send statistics, commit.

class FakeLeg final : public media::MediaLeg {
 public:
  FakeLeg(uint32_t id, uint32_t ssrc, uint32_t clockRate, std::optional<srtp::SrtpProfile> profile)
      : id_(id), ssrc_(ssrc), stats_(clockRate) {
    if (profile) srtp_.emplace(srtp::SrtpSession::Direction::Outbound, *profile, masterKey(*profile, id));
  }
  uint32_t legId() const noexcept override { return id_; }
  void setSink(media::RtpSink* sink) noexcept override { sink_ = sink; }
  bool canSend() const noexcept override { return true; }
  bool sendRtp(TimePoint now, std::span<const uint8_t> plainRtp, io::TxQueue& tx) noexcept override {
    std::span<uint8_t> dst = tx.reserve();
    if (dst.size() < plainRtp.size() + srtp::SrtpSession::kMaxTrailer) return false;
    std::memcpy(dst.data(), plainRtp.data(), plainRtp.size());
    auto packet = rtp::RtpPacket::parse(dst.first(plainRtp.size()));
    if (!packet || packet->ssrc() != ssrc_) return false;
    const uint32_t timestamp = packet->timestamp();
    const size_t payloadSize = packet->payload().size();
    size_t length = plainRtp.size();
    if (srtp_ && !srtp_->protectRtp(dst, length)) return false;
    stats_.onPacketSent(timestamp, payloadSize, now);
    tx.commit(length, -1, peer_);
    ++sent_;
    return true;
  }
  uint64_t sent() const noexcept { return sent_; }

 private:
  uint32_t id_;
  uint32_t ssrc_;
  rtp::RtpSendStats stats_;
  std::optional<srtp::SrtpSession> srtp_;
  SocketAddress peer_ = SocketAddress::fromIp("127.0.0.1", 9000);
  media::RtpSink* sink_ = nullptr;
  uint64_t sent_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Relay, per packet

struct RelayRow {
  std::string path;
  std::string bare;
  Figure pipeline;
  std::optional<Figure> bareFigure;
};

media::LegFormat opusLeg(uint32_t ssrc) {
  media::LegFormat f;
  f.codec = CodecId::Opus;
  f.payloadType = kOpusPt;
  f.clockRate = 48000;
  f.ssrc = ssrc;
  return f;
}

std::string profileLabel(srtp::SrtpProfile p) { return std::string(srtp::profileName(p)); }

// RelayBridge::onRtp → FakeLeg; the input is an already unprotected, parsed packet (what the
// receiving leg hands the bridge). Bare: srtp_protect of the same packet.
RelayRow relayToFakeLeg(std::optional<srtp::SrtpProfile> profile, int runs, size_t packets) {
  FakeLeg a(1, 0xA0000001, 48000, std::nullopt);
  FakeLeg b(2, 0xB0000002, 48000, profile);
  media::RelayBridge bridge(1, a, opusLeg(0xA0000001), b, opusLeg(0xB0000002));
  io::TxQueue tx;
  std::array<uint8_t, 2048> in{};
  std::vector<uint8_t> payload(kRelayPayload, 0x5a);
  const size_t len = writeRtp(in, kOpusPt, 1000, 5000, 0x12345678, payload);
  auto packet = rtp::RtpPacket::parse(std::span<uint8_t>(in.data(), len));
  uint16_t seq = 1000;
  uint32_t ts = 5000;
  TimePoint now = TimePoint{} + seconds(1000);
  Work pipeline{{}, [&](size_t) {
                  packet->setSequenceNumber(++seq);
                  packet->setTimestamp(ts += 960);
                  now += kFrame;
                  bridge.onRtp(now, 1, *packet, tx);
                  tx.clear();
                }};
  const uint64_t before = b.sent();
  if (!profile) {
    const Figure f = measure(pipeline, runs, packets);
    if (b.sent() - before != uint64_t(runs + 1) * packets) die("relay dropped packets");
    return {"RelayBridge::onRtp → leg without SRTP (copy, parse, stats, queue)", "—", f, std::nullopt};
  }
  BareSrtp bare(*profile, masterKey(*profile, 99), false);
  std::array<uint8_t, 2048> buf{};
  uint16_t bareSeq = 0;
  Work bareWork{{}, [&](size_t) {
                  std::memcpy(buf.data(), in.data(), len);
                  store16(buf.data() + 2, ++bareSeq);
                  int n = int(len);
                  if (!bare.protect(buf.data(), n)) die("bare protect failed");
                  gSink = n;
                }};
  const auto [p, q] = compare(pipeline, bareWork, runs, packets);
  if (b.sent() - before != uint64_t(runs + 1) * packets) die("relay dropped packets");
  return {"RelayBridge::onRtp → FakeLeg (copy, parse, SRTP protect, stats, queue), " + profileLabel(*profile),
          "libsrtp protect", p, q};
}

// The browser leg: a connected WebRtcEndpoint fed SRTP datagrams through handleDatagram. With
// no sink the echo route sends each packet back (unprotect, parse, receive stats, SSRC rewrite,
// protect, send stats, queue); with a RelayBridge sink the packet goes to a plain-RTP FakeLeg.
// Bare: libsrtp unprotect (+ protect for the echo) of the same packet.
RelayRow browserLeg(srtp::SrtpProfile profile, bool bridged, int runs, size_t packets) {
  session::testing::HarnessOptions opts;
  opts.browserProfiles = {profile};
  opts.consentTimeout = seconds(1'000'000);  // no STUN is sent during the bench
  session::testing::BrowserHarness h(opts);
  h.connect();
  if (!h.connected()) die("browser harness did not connect");
  h.collect();

  FakeLeg sipLeg(2, 0xB0000002, 48000, std::nullopt);
  std::optional<media::RelayBridge> bridge;
  if (bridged) {
    bridge.emplace(1, h.endpoint, opusLeg(session::testing::kGatewayAudioSsrc), sipLeg, opusLeg(0xB0000002));
    bridge->attach();
  }

  std::vector<uint8_t> payload(kRelayPayload, 0x5a);
  // Per run: `packets` protected datagrams with consecutive sequence numbers (the replay
  // window accepts each once), stored back to back.
  constexpr size_t kStride = 512;  // packet + libsrtp trailer room
  std::vector<uint8_t> store(packets * kStride);
  std::vector<size_t> lengths(packets);
  uint16_t seq = 0;
  uint32_t ts = 0;
  TimePoint now = h.now;
  std::array<uint8_t, session::testing::BrowserHarness::kSlotSize> slot{};
  uint64_t out = 0;
  Work pipeline{[&] {
                  for (size_t i = 0; i < packets; ++i) {
                    std::span<uint8_t> dst(store.data() + i * kStride, kStride);
                    rtp::RtpHeaderFields f;
                    f.payloadType = kOpusPt;
                    f.sequenceNumber = ++seq;
                    f.timestamp = ts += 960;
                    f.ssrc = session::testing::kBrowserAudioSsrc;
                    size_t n = rtp::writeRtpHeader(dst, f);
                    std::memcpy(dst.data() + n, payload.data(), payload.size());
                    n += payload.size();
                    if (!h.srtpOut->protectRtp(dst, n)) die("harness protect failed");
                    lengths[i] = n;
                  }
                },
                [&](size_t i) {
                  std::memcpy(slot.data(), store.data() + i * kStride, lengths[i]);  // the kernel's copy
                  now += kFrame;
                  h.endpoint.handleDatagram(now, slot, lengths[i], h.browser, h.tx);
                  out += h.tx.pending();
                  h.tx.clear();
                }};
  const uint64_t sipBefore = sipLeg.sent();

  const auto key = masterKey(profile, 7);
  BareSrtp bareOut(profile, key, false);
  BareSrtp bareIn(profile, key, true);
  BareSrtp bareEcho(profile, masterKey(profile, 8), false);
  std::array<uint8_t, 2048> plain{};
  const size_t plainLen = writeRtp(plain, kOpusPt, 0, 0, session::testing::kBrowserAudioSsrc, payload);
  std::array<uint8_t, 2048> buf{};
  uint16_t bareSeq = 0;
  // Prepared like the pipeline's input: protected before the run, unprotected (and for the
  // echo protected again) inside it.
  Work bareWork{[&] {
                  for (size_t i = 0; i < packets; ++i) {
                    uint8_t* d = store.data() + i * kStride;  // shares the store: runs never overlap
                    std::memcpy(d, plain.data(), plainLen);
                    store16(d + 2, ++bareSeq);
                    int n = int(plainLen);
                    if (!bareOut.protect(d, n)) die("bare protect failed");
                    lengths[i] = size_t(n);
                  }
                },
                [&](size_t i) {
                  std::memcpy(buf.data(), store.data() + i * kStride, lengths[i]);
                  int n = int(lengths[i]);
                  if (!bareIn.unprotect(buf.data(), n)) die("bare unprotect failed");
                  if (!bridged && !bareEcho.protect(buf.data(), n)) die("bare protect failed");
                  gSink = n;
                }};
  const auto [p, q] = compare(pipeline, bareWork, runs, packets);
  const uint64_t expected = uint64_t(runs + 1) * packets;
  if (bridged ? sipLeg.sent() - sipBefore != expected : out != expected)
    die("browser leg did not pass every packet (consent, replay or route problem)");
  if (bridge) bridge->detach();
  if (bridged)
    return {"WebRtcEndpoint::handleDatagram (unprotect, parse, stats) → RelayBridge → plain-RTP FakeLeg, " +
                profileLabel(profile),
            "libsrtp unprotect", p, q};
  return {"WebRtcEndpoint::handleDatagram, echo route (unprotect, parse, stats, protect, queue), " +
              profileLabel(profile),
          "libsrtp unprotect + protect", p, q};
}

// ---------------------------------------------------------------------------------------------
// Transcoding, per 20 ms frame

media::LegFormat legFormat(CodecId id, uint32_t ssrc) {
  media::LegFormat f;
  f.codec = id;
  f.clockRate = codec::rtpClockRate(id);
  f.ssrc = ssrc;
  switch (id) {
    case CodecId::Pcmu: f.payloadType = 0; break;   // RFC 3551 static payload types
    case CodecId::Pcma: f.payloadType = 8; break;
    case CodecId::G722: f.payloadType = 9; break;
    case CodecId::G729: f.payloadType = 18; break;
    case CodecId::Opus: f.payloadType = kOpusPt; break;
  }
  return f;
}

OpusEncoder* bareOpusEncoder(uint32_t rate, int complexity, int bitrate) {
  int err = 0;
  OpusEncoder* e = opus_encoder_create(static_cast<opus_int32>(rate), 1, OPUS_APPLICATION_VOIP, &err);
  if (err != OPUS_OK) die("opus_encoder_create failed");
  // What OpusAudioEncoder sets with the default TranscoderOptions.
  opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(complexity));
  opus_encoder_ctl(e, OPUS_SET_BITRATE(bitrate));
  opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(rate == 8000    ? OPUS_BANDWIDTH_NARROWBAND
                                             : rate == 16000 ? OPUS_BANDWIDTH_WIDEBAND
                                                             : OPUS_BANDWIDTH_FULLBAND));
  opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(1));
  opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(5));
  opus_encoder_ctl(e, OPUS_SET_DTX(0));
  return e;
}

// 50 encoded input frames (one second, cycled) as the sending peer would produce them: Opus
// like a browser's (48 kHz input, mono, 32 kbit/s as libwebrtc sends by default, FEC on);
// G.711/G.722 from the same speech-like signal.
constexpr int kBrowserOpusBitrate = 32000;
std::vector<std::vector<uint8_t>> inputPayloads(CodecId id) {
  const uint32_t rate = codec::nativeSampleRate(id);
  const auto pcm = speechLike(rate);
  auto enc = codec::makeEncoder(
      id, codec::EncoderOptions{.inputRate = rate, .frameMs = 20, .opusBitrate = id == CodecId::Opus ? kBrowserOpusBitrate : 0});
  std::vector<std::vector<uint8_t>> out;
  std::array<uint8_t, 1500> buf{};
  for (size_t i = 0; i < 50; ++i) {
    const int n = enc->encode(frameAt(pcm, rate / 50, i), buf);
    if (n <= 0) die("input encode failed");
    out.emplace_back(buf.begin(), buf.begin() + n);
  }
  return out;
}

// The minimum the same direction needs, straight on the libraries: decode (at the rate the
// pipeline decodes to), resample when the rates differ, encode, and SRTP-protect the result
// when the output leg is the browser's.
class BareDirection {
 public:
  BareDirection(CodecId in, CodecId out, uint32_t decodeRate, uint32_t encodeRate, int complexity, int bitrate,
                bool secure)
      : in_(in), out_(out), decodeRate_(decodeRate), encodeRate_(encodeRate) {
    int err = 0;
    if (in == CodecId::Opus) opusDec_ = opus_decoder_create(opus_int32(decodeRate), 1, &err);
    if (in == CodecId::G722) g722Dec_ = g722_decode_init(nullptr, 64000, 0);
    if (out == CodecId::Opus) opusEnc_ = bareOpusEncoder(encodeRate, complexity, bitrate);
    if (out == CodecId::G722) g722Enc_ = g722_encode_init(nullptr, 64000, 0);
    if (decodeRate != encodeRate)
      resampler_ = speex_resampler_init(1, decodeRate, encodeRate, codec::Resampler::kDefaultQuality, &err);
    if (secure) srtp_.emplace(srtp::SrtpProfile::AesCm128HmacSha1_80, masterKey(srtp::SrtpProfile::AesCm128HmacSha1_80, 5),
                              false);
  }
  ~BareDirection() {
    if (opusDec_) opus_decoder_destroy(opusDec_);
    if (opusEnc_) opus_encoder_destroy(opusEnc_);
    if (g722Dec_) g722_decode_free(g722Dec_);
    if (g722Enc_) g722_encode_free(g722Enc_);
    if (resampler_) speex_resampler_destroy(resampler_);
  }
  BareDirection(const BareDirection&) = delete;
  BareDirection& operator=(const BareDirection&) = delete;

  void frame(std::span<const uint8_t> payload) {
    int n = 0;
    switch (in_) {
      case CodecId::Opus:
        n = opus_decode(opusDec_, payload.data(), opus_int32(payload.size()), pcm_.data(), int(pcm_.size()), 0);
        break;
      case CodecId::G722: n = g722_decode(g722Dec_, pcm_.data(), payload.data(), int(payload.size())); break;
      case CodecId::Pcmu:
        for (size_t k = 0; k < payload.size(); ++k) pcm_[k] = codec::g711::ulawToLinear(payload[k]);
        n = int(payload.size());
        break;
      case CodecId::Pcma:
        for (size_t k = 0; k < payload.size(); ++k) pcm_[k] = codec::g711::alawToLinear(payload[k]);
        n = int(payload.size());
        break;
      case CodecId::G729: die("G.729 is not benchmarked here");
    }
    const int16_t* src = pcm_.data();
    if (resampler_) {
      spx_uint32_t inLen = spx_uint32_t(n), outLen = spx_uint32_t(resampled_.size());
      speex_resampler_process_int(resampler_, 0, pcm_.data(), &inLen, resampled_.data(), &outLen);
      src = resampled_.data();
      n = int(outLen);
    }
    const size_t frame = encodeRate_ / 50;
    uint8_t* body = packet_.data() + kRtpHeader;
    int bytes = 0;
    // Speex's filter delay makes the first outputs short: encode only whole frames, as the
    // pipeline's FIFO does.
    if (size_t(n) < frame) return;
    switch (out_) {
      case CodecId::Opus: bytes = opus_encode(opusEnc_, src, int(frame), body, 1400); break;
      case CodecId::G722: bytes = g722_encode(g722Enc_, body, src, int(frame)); break;
      case CodecId::Pcmu:
        for (size_t k = 0; k < frame; ++k) body[k] = codec::g711::linearToUlaw(src[k]);
        bytes = int(frame);
        break;
      case CodecId::Pcma:
        for (size_t k = 0; k < frame; ++k) body[k] = codec::g711::linearToAlaw(src[k]);
        bytes = int(frame);
        break;
      case CodecId::G729: die("G.729 is not benchmarked here");
    }
    if (srtp_) {
      packet_[0] = 0x80;
      store16(packet_.data() + 2, ++seq_);
      int len = int(kRtpHeader) + bytes;
      if (!srtp_->protect(packet_.data(), len)) die("bare protect failed");
      bytes = len;
    }
    gSink = bytes;
  }

 private:
  CodecId in_, out_;
  uint32_t decodeRate_, encodeRate_;
  OpusDecoder* opusDec_ = nullptr;
  OpusEncoder* opusEnc_ = nullptr;
  g722_decode_state_t* g722Dec_ = nullptr;
  g722_encode_state_t* g722Enc_ = nullptr;
  SpeexResamplerState* resampler_ = nullptr;
  std::optional<BareSrtp> srtp_;
  std::array<int16_t, codec::kMaxFrameSamples> pcm_{};
  std::array<int16_t, codec::kMaxFrameSamples * 2> resampled_{};
  std::array<uint8_t, 2048> packet_{};
  uint16_t seq_ = 0;
};

struct TranscodeRow {
  std::string direction;
  std::string stages;
  Figure pipeline;
  Figure bare;
};

std::string rateLabel(uint32_t r) { return std::to_string(r / 1000) + " kHz"; }

// AudioTranscoder in → out: per 20 ms, one RTP packet in (parse, jitter push), the playout
// timer (jitter pop, decode, resample if any, FIFO, encode, RTP write), the output leg's send
// (SRTP protect when `out` is the browser's Opus leg). Every frame must come out.
TranscodeRow transcode(CodecId inCodec, CodecId outCodec, int runs, size_t frames) {
  const bool secureOut = outCodec == CodecId::Opus;
  const media::LegFormat in = legFormat(inCodec, 0xA0000001);
  const media::LegFormat out = legFormat(outCodec, 0xB0000002);
  media::TranscoderOptions options;  // Opus complexity 5, FEC on, DTX off: the defaults
  // The Opus bitrate is set explicitly, the same in pipeline and bare: 32 kbit/s, what browsers
  // send and AudioTranscoder's own default when opusBitrate is 0.
  options.opusBitrate = 32000;
  media::AudioTranscoder t(in, out, options, 1, 2);
  FakeLeg outLeg(2, out.ssrc, out.clockRate,
                 secureOut ? std::optional(srtp::SrtpProfile::AesCm128HmacSha1_80) : std::nullopt);
  io::TxQueue tx;
  const auto payloads = inputPayloads(inCodec);
  const uint32_t tsStep = in.clockRate / 50;

  std::array<uint8_t, 2048> buf{};
  uint16_t seq = 0;
  uint32_t ts = 0;
  TimePoint now = TimePoint{} + seconds(1000);
  Work pipeline{{}, [&](size_t i) {
                  const auto& p = payloads[i % payloads.size()];
                  const size_t n = writeRtp(buf, in.payloadType, ++seq, ts += tsStep, 0x12345678, p);
                  auto packet = rtp::RtpPacket::parse(std::span<uint8_t>(buf.data(), n));
                  now += kFrame;
                  t.onRtp(now, *packet);
                  if (t.nextTimeout() <= now) t.handleTimeout(now, outLeg, tx);
                  tx.clear();
                }};

  BareDirection bare(inCodec, outCodec, t.decoderRate(), t.encoderRate(), options.opusComplexity, options.opusBitrate,
                     secureOut);
  Work bareWork{{}, [&](size_t i) { bare.frame(payloads[i % payloads.size()]); }};

  const uint64_t before = outLeg.sent();
  const auto [p, q] = compare(pipeline, bareWork, runs, frames);
  const uint64_t sent = outLeg.sent() - before;
  // The warm-up run includes the jitter buffer's initial delay: allow those few frames.
  const uint64_t expected = uint64_t(runs + 1) * frames;
  if (sent + 10 < expected || sent > expected) die("transcoder did not send one packet per frame");

  std::string stages = std::string(codec::codecName(inCodec)) + " decode to " + rateLabel(t.decoderRate());
  if (t.decoderRate() != t.encoderRate()) stages += ", resample to " + rateLabel(t.encoderRate());
  stages += ", " + std::string(codec::codecName(outCodec)) + " encode";
  if (outCodec == CodecId::Opus)
    stages += " (" + std::to_string(options.opusBitrate / 1000) + " kbit/s, complexity " +
              std::to_string(options.opusComplexity) + ")";
  if (secureOut) stages += ", SRTP protect";
  return {std::string(codec::codecName(inCodec)) + " → " + std::string(codec::codecName(outCodec)), stages, p, q};
}

// ---------------------------------------------------------------------------------------------

std::string readFirstLine(const char* path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  return line;
}

std::string cpuModel() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

void printFigure(const Figure& f) { std::printf(" %.2f | %.2f |", f.medianUs, f.minUs); }

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 15;
  const size_t frames = argc > 2 ? static_cast<size_t>(std::atol(argv[2])) : 500;
  const size_t packets = argc > 3 ? static_cast<size_t>(std::atol(argv[3])) : 5000;
  if (runs < 1 || frames < 20 || packets < 1 || packets > 30000) die("usage: pipeline_bench [runs] [frames] [packets]");
  const std::string loadBefore = readFirstLine("/proc/loadavg");
  // libsrtp's crypto kernel is initialised by the first SrtpSession; BareSrtp needs it too.
  { srtp::SrtpSession init(srtp::SrtpSession::Direction::Outbound, srtp::SrtpProfile::AesCm128HmacSha1_80,
                           masterKey(srtp::SrtpProfile::AesCm128HmacSha1_80, 1)); }

  std::vector<RelayRow> relay;
  for (auto profile : {srtp::SrtpProfile::AesCm128HmacSha1_80, srtp::SrtpProfile::AeadAes128Gcm}) {
    relay.push_back(relayToFakeLeg(profile, runs, packets));
    relay.push_back(browserLeg(profile, false, runs, packets));
    relay.push_back(browserLeg(profile, true, runs, packets));
  }
  relay.push_back(relayToFakeLeg(std::nullopt, runs, packets));

  struct Pair {
    CodecId a, b;
  };
  const std::vector<Pair> pairs = {{CodecId::Opus, CodecId::Pcmu},
                                   {CodecId::Opus, CodecId::Pcma},
                                   {CodecId::Opus, CodecId::G722},
                                   {CodecId::Pcmu, CodecId::G722},
                                   {CodecId::Opus, CodecId::Opus}};
  std::vector<TranscodeRow> rows;
  struct Port {
    std::string label;
    Figure pipeline, bare;  // µs per 20 ms, both directions
  };
  std::vector<Port> ports;
  const auto sum = [](const Figure& x, const Figure& y) { return Figure{x.medianUs + y.medianUs, x.minUs + y.minUs}; };
  for (const Pair& pr : pairs) {
    TranscodeRow ab = transcode(pr.a, pr.b, runs, frames);
    rows.push_back(ab);
    std::string label = std::string(codec::codecName(pr.a)) + " ↔ " + std::string(codec::codecName(pr.b));
    if (pr.a == pr.b) {
      ports.push_back({label + " (one direction measured, × 2)", sum(ab.pipeline, ab.pipeline), sum(ab.bare, ab.bare)});
      continue;
    }
    TranscodeRow ba = transcode(pr.b, pr.a, runs, frames);
    rows.push_back(ba);
    ports.push_back({label, sum(ab.pipeline, ba.pipeline), sum(ab.bare, ba.bare)});
  }
  const std::string loadAfter = readFirstLine("/proc/loadavg");

  std::printf("pipeline_bench: %s; libopus %s; %s; single thread, steady_clock.\n", cpuModel().c_str(),
              opus_get_version_string(), srtp_get_version_string());
  std::printf("Load average (1, 5, 15 min; running/total; last pid) before: %s; after: %s.\n\n", loadBefore.c_str(),
              loadAfter.c_str());

  std::printf("### Relay, cost per RTP packet (%zu-byte payload); median and fastest of %d runs × %zu packets\n\n",
              kRelayPayload, runs, packets);
  std::printf("| path | pipeline µs (median) | pipeline µs (min) | bare work | bare µs (median) | bare µs (min) | "
              "ratio pipeline/bare (median) | ratio (min) |\n");
  std::printf("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n");
  for (const auto& r : relay) {
    std::printf("| %s |", r.path.c_str());
    printFigure(r.pipeline);
    if (r.bareFigure) {
      std::printf(" %s |", r.bare.c_str());
      printFigure(*r.bareFigure);
      std::printf(" %.2f | %.2f |\n", r.pipeline.medianUs / r.bareFigure->medianUs, r.pipeline.minUs / r.bareFigure->minUs);
    } else {
      std::printf(" — | — | — | — | — |\n");
    }
  }

  std::printf("\nA relayed browser (SRTP) ↔ SIP (plain RTP) call, both directions at 50 packets/s each "
              "(browser → bridge → plain leg, plus bridge → FakeLeg with SRTP):\n\n");
  std::printf("| SRTP profile | pipeline, ms CPU per s | bare, ms CPU per s | ports per core (pipeline) | ports per core (bare) |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: |\n");
  for (size_t k = 0; k + 2 < relay.size(); k += 3) {
    const double pipeMs = (relay[k].pipeline.medianUs + relay[k + 2].pipeline.medianUs) * 50 / 1000;
    const double bareMs = (relay[k].bareFigure->medianUs + relay[k + 2].bareFigure->medianUs) * 50 / 1000;
    std::printf("| %s | %.3f | %.3f | %.0f | %.0f |\n", k == 0 ? "AES_CM_128_HMAC_SHA1_80" : "AEAD_AES_128_GCM", pipeMs,
                bareMs, 1000 / pipeMs, 1000 / bareMs);
  }

  std::printf("\n### Transcoding, cost per 20 ms frame, one direction; median and fastest of %d runs × %zu frames\n\n",
              runs, frames);
  std::printf("Opus input: 48 kHz, %d bit/s, complexity 5 (browser-like); our Opus output: bitrate as shown (set "
              "in both pipeline and bare), complexity 5, FEC on, DTX off.\n",
              kBrowserOpusBitrate);
  std::printf("Pipeline: RTP parse, AudioTranscoder::onRtp (jitter push), handleTimeout (jitter pop, decode, resample if "
              "any, encode, RTP write), FakeLeg send (SRTP AES_CM_128_HMAC_SHA1_80 on the Opus/browser side). "
              "Bare: the library calls listed, nothing else.\n\n");
  std::printf("| direction | bare work | pipeline µs (median) | pipeline µs (min) | bare µs (median) | bare µs (min) | "
              "ratio pipeline/bare (median) | ratio (min) |\n");
  std::printf("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const auto& r : rows) {
    std::printf("| %s | %s |", r.direction.c_str(), r.stages.c_str());
    printFigure(r.pipeline);
    printFigure(r.bare);
    std::printf(" %.2f | %.2f |\n", r.pipeline.medianUs / r.bare.medianUs, r.pipeline.minUs / r.bare.minUs);
  }

  std::printf("\n### Per transcoded port (both directions of one call: µs per 20 ms × 50 frames/s)\n\n");
  std::printf("| call | pipeline, ms CPU per s (median) | (min) | bare, ms CPU per s (median) | (min) | "
              "ports per core, pipeline (median) | (min) | ports per core, bare (median) | (min) |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const Port& port : ports) {
    const double pm = port.pipeline.medianUs * 50 / 1000, pn = port.pipeline.minUs * 50 / 1000;
    const double bm = port.bare.medianUs * 50 / 1000, bn = port.bare.minUs * 50 / 1000;
    std::printf("| %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f | %.0f |\n", port.label.c_str(), pm, pn, bm, bn,
                1000 / pm, 1000 / pn, 1000 / bm, 1000 / bn);
  }
  std::printf("\nPorts per core = 1000 ms ÷ CPU ms per second of one call, codec and crypto only: no syscalls, "
              "epoll or timers (the worker's share, see loopback-calls.ts), so an upper bound.\n");
  return 0;
}
