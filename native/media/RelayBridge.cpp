#include "media/RelayBridge.hpp"

#include <cstring>

namespace rtcgate::media {

RelayBridge::RelayBridge(uint32_t id, MediaLeg& a, const LegFormat& formatA, MediaLeg& b,
                         const LegFormat& formatB) noexcept
    : Bridge(id, a, b) {
  dirs_[0].in = formatA;
  dirs_[0].out = formatB;
  dirs_[0].stats.fromLeg = a.legId();
  dirs_[0].stats.toLeg = b.legId();
  dirs_[1].in = formatB;
  dirs_[1].out = formatA;
  dirs_[1].stats.fromLeg = b.legId();
  dirs_[1].stats.toLeg = a.legId();
}

int RelayBridge::mapPayloadType(const Direction& d, uint8_t pt) noexcept {
  if (pt == d.in.payloadType) return d.out.payloadType;
  if (d.in.telephoneEventPt >= 0 && pt == d.in.telephoneEventPt) return d.out.telephoneEventPt;
  if (d.in.comfortNoisePt >= 0 && pt == d.in.comfortNoisePt) return d.out.comfortNoisePt;
  return -1;
}

void RelayBridge::onRtp(TimePoint now, uint32_t fromLeg, const rtp::RtpPacket& packet, io::TxQueue& tx) noexcept {
  Direction& d = dirs_[fromLeg == a_.legId() ? 0 : 1];
  ++d.stats.packetsIn;
  if (d.in.telephoneEventPt >= 0 && packet.payloadType() == d.in.telephoneEventPt) ++d.stats.dtmfEventsIn;
  const int outPt = mapPayloadType(d, packet.payloadType());
  MediaLeg& out = otherLeg(fromLeg);
  const std::span<const uint8_t> bytes = packet.bytes();
  if (outPt < 0 || !out.canSend() || bytes.size() > kMaxPacket) {
    ++d.stats.dropped;
    return;
  }
  if (!d.started || packet.ssrc() != d.inSsrc) {
    if (d.started) {
      // A new source: continue our numbering, and advance timestamps by the time that passed.
      const auto elapsed = std::chrono::duration_cast<microseconds>(now - d.lastOutAt).count();
      const uint32_t advance = uint32_t(uint64_t(elapsed) * d.in.clockRate / 1'000'000);
      d.seqOffset = uint16_t(d.lastOutSeq + 1 - packet.sequenceNumber());
      d.tsOffset = d.lastOutTs + advance - packet.timestamp();
    }
    d.started = true;
    d.inSsrc = packet.ssrc();
  }
  std::array<uint8_t, kMaxPacket> buf;
  std::memcpy(buf.data(), bytes.data(), bytes.size());
  auto copy = rtp::RtpPacket::parse(std::span<uint8_t>(buf.data(), bytes.size()));
  if (!copy) {
    ++d.stats.dropped;
    return;
  }
  const uint16_t seq = uint16_t(packet.sequenceNumber() + d.seqOffset);
  const uint32_t ts = packet.timestamp() + d.tsOffset;
  copy->setPayloadType(uint8_t(outPt));
  copy->setSsrc(d.out.ssrc);
  copy->setSequenceNumber(seq);
  copy->setTimestamp(ts);
  if (!out.sendRtp(now, copy->bytes(), tx)) {
    ++d.stats.dropped;
    return;
  }
  ++d.stats.packetsOut;
  d.lastOutSeq = seq;
  d.lastOutTs = ts;
  d.lastOutAt = now;
}

BridgeStats RelayBridge::stats() const {
  BridgeStats s;
  s.id = id_;
  s.mode = "relay";
  s.directions = {dirs_[0].stats, dirs_[1].stats};
  return s;
}

}  // namespace rtcgate::media
