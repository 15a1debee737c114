#pragma once
// Test double for a bridge leg: records every RTP packet the bridge sends on it (with the
// fake-clock time it was sent at) and hands injected datagrams to the leg's sink, as a real
// leg does after SRTP and parsing. No sockets. Header-only test code: it allocates freely.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/Time.hpp"
#include "io/TxQueue.hpp"
#include "media/MediaLeg.hpp"
#include "rtp/RtpHeaderWriter.hpp"
#include "rtp/RtpPacket.hpp"

namespace rtcgate::media::testing {

// One packet the bridge sent, header fields already read out.
struct SentRtp {
  TimePoint at{};
  bool marker = false;
  uint8_t payloadType = 0;
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  std::vector<uint8_t> payload;
  std::vector<uint8_t> bytes;  // the whole datagram
};

// A plain RTP datagram: header from `fields`, then `payload`.
inline std::vector<uint8_t> makeRtp(const rtp::RtpHeaderFields& fields, std::span<const uint8_t> payload) {
  std::vector<uint8_t> out(rtp::rtpHeaderSize(fields) + payload.size());
  const size_t h = rtp::writeRtpHeader(out, fields);
  out.resize(h + payload.size());
  std::copy(payload.begin(), payload.end(), out.begin() + std::ptrdiff_t(h));
  return out;
}

class FakeLeg final : public MediaLeg {
 public:
  explicit FakeLeg(uint32_t id) : id_(id) {}

  uint32_t legId() const noexcept override { return id_; }
  void setSink(RtpSink* sink) noexcept override { sink_ = sink; }
  bool canSend() const noexcept override { return canSend_; }

  bool sendRtp(TimePoint now, std::span<const uint8_t> plainRtp, io::TxQueue&) noexcept override {
    if (!canSend_ || refuseSends_) {
      ++refused_;
      return false;
    }
    std::vector<uint8_t> copy(plainRtp.begin(), plainRtp.end());
    auto p = rtp::RtpPacket::parse(std::span<uint8_t>(copy));
    if (!p) {
      ++malformed_;  // the bridge built something that is not RTP: tests assert this stays 0
      return true;
    }
    SentRtp s;
    s.at = now;
    s.marker = p->marker();
    s.payloadType = p->payloadType();
    s.seq = p->sequenceNumber();
    s.timestamp = p->timestamp();
    s.ssrc = p->ssrc();
    s.payload.assign(p->payload().begin(), p->payload().end());
    s.bytes = std::move(copy);
    sent_.push_back(std::move(s));
    return true;
  }

  // The leg received `datagram` from its peer: parse it and give it to the sink (the bridge).
  // Returns false if it is not RTP or no sink is set.
  bool receive(TimePoint now, std::span<const uint8_t> datagram, io::TxQueue& tx) {
    rxBuffer_.assign(datagram.begin(), datagram.end());
    auto p = rtp::RtpPacket::parse(std::span<uint8_t>(rxBuffer_));
    if (!p || sink_ == nullptr) return false;
    sink_->onRtp(now, id_, *p, tx);
    return true;
  }

  // canSend() false: the bridge should not even try. refuseSends: canSend() says yes but
  // sendRtp() fails (no peer address yet, SRTP refused), which the bridge must count.
  void setCanSend(bool v) noexcept { canSend_ = v; }
  void setRefuseSends(bool v) noexcept { refuseSends_ = v; }

  const std::vector<SentRtp>& sent() const noexcept { return sent_; }
  std::vector<SentRtp> sentWithPt(uint8_t pt) const {
    std::vector<SentRtp> out;
    for (const auto& s : sent_)
      if (s.payloadType == pt) out.push_back(s);
    return out;
  }
  void clearSent() { sent_.clear(); }
  uint64_t refused() const noexcept { return refused_; }
  uint64_t malformed() const noexcept { return malformed_; }
  RtpSink* sink() const noexcept { return sink_; }

 private:
  uint32_t id_;
  RtpSink* sink_ = nullptr;
  bool canSend_ = true;
  bool refuseSends_ = false;
  std::vector<SentRtp> sent_;
  std::vector<uint8_t> rxBuffer_;
  uint64_t refused_ = 0;
  uint64_t malformed_ = 0;
};

}  // namespace rtcgate::media::testing
