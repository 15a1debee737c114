// libFuzzer target: RtpPacket::parse and every accessor on arbitrary datagrams, plus the
// receive statistics fed with whatever parses.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "rtp/RtpPacket.hpp"
#include "rtp/RtpReceiveStats.hpp"

using namespace rtcgate;

static volatile size_t gSink;  // keeps the reads from being optimised away

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buf(data, data + size);  // parse wants a mutable buffer
  static rtp::RtpReceiveStats stats(48000);
  static TimePoint now{};
  auto p = rtp::RtpPacket::parse(buf);
  if (!p) return 0;
  size_t sink = 0;
  sink += p->marker() + p->payloadType() + p->sequenceNumber() + p->timestamp() + p->ssrc();
  for (size_t i = 0; i < p->csrcCount(); ++i) sink += p->csrc(i);
  sink += p->extensionProfile() + p->extension().size();
  for (unsigned id = 0; id < 256; ++id)
    if (auto e = p->findExtension(uint8_t(id))) sink += e->size() ? (*e)[e->size() - 1] : 0;
  const auto payload = p->payload();
  for (uint8_t b : payload) sink += b;
  sink += p->paddingSize() + p->headerSize() + p->size();
  p->setSsrc(~p->ssrc());
  p->setMarker(!p->marker());
  p->setSequenceNumber(uint16_t(p->sequenceNumber() + 1));
  auto again = rtp::RtpPacket::parse(buf);
  if (!again || again->payload().size() != payload.size()) __builtin_trap();
  now += std::chrono::milliseconds(size % 40);
  stats.onPacket(again->sequenceNumber(), again->timestamp(), now, payload.size());
  if (size % 7 == 0) stats.makeReportBlock(again->ssrc(), now);
  gSink = sink;
  return 0;
}
