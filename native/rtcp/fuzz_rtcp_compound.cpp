// libFuzzer target: RtcpCompound and every typed view on arbitrary datagrams; what parses is
// written back with RtcpWriter and must parse again.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "rtcp/Bye.hpp"
#include "rtcp/Fir.hpp"
#include "rtcp/GenericNack.hpp"
#include "rtcp/Pli.hpp"
#include "rtcp/ReceiverReport.hpp"
#include "rtcp/Remb.hpp"
#include "rtcp/RtcpCompound.hpp"
#include "rtcp/RtcpWriter.hpp"
#include "rtcp/Sdes.hpp"
#include "rtcp/SenderReport.hpp"

using namespace rtcgate::rtcp;

static volatile size_t gSink;  // keeps the reads from being optimised away

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  RtcpCompound compound(in);
  std::array<uint8_t, 2048> out{};
  RtcpWriter w(out);
  std::array<ReportBlock, kMaxRtcpCount> blocks{};
  std::array<uint16_t, 64> lost{};
  std::array<uint32_t, 31> ssrcs{};
  std::array<FirEntry, 16> firs{};
  size_t sink = 0;
  for (RtcpHeader pkt : compound) {
    sink += pkt.size() + pkt.body().size();
    switch (pkt.kind()) {
      case RtcpKind::SenderReport:
        if (auto sr = SenderReport::parse(pkt)) {
          for (size_t i = 0; i < sr->reportCount(); ++i) blocks[i] = sr->reportBlock(i);
          w.addSenderReport(sr->senderSsrc(), sr->senderInfo(), std::span(blocks.data(), sr->reportCount()));
        }
        break;
      case RtcpKind::ReceiverReport:
        if (auto rr = ReceiverReport::parse(pkt)) {
          for (size_t i = 0; i < rr->reportCount(); ++i) blocks[i] = rr->reportBlock(i);
          w.addReceiverReport(rr->senderSsrc(), std::span(blocks.data(), rr->reportCount()));
        }
        break;
      case RtcpKind::Sdes:
        if (auto sdes = Sdes::parse(pkt)) {
          sdes->forEachItem([&](const SdesItem& item) { sink += item.text.size(); });
          if (auto c = sdes->cname()) w.addSdesCname(c->ssrc, c->text);
        }
        break;
      case RtcpKind::Bye:
        if (auto bye = Bye::parse(pkt)) {
          for (size_t i = 0; i < bye->ssrcCount(); ++i) ssrcs[i] = bye->ssrc(i);
          w.addBye(std::span(ssrcs.data(), bye->ssrcCount()), bye->reason().value_or(""));
        }
        break;
      case RtcpKind::GenericNack:
        if (auto nack = GenericNack::parse(pkt)) {
          const size_t n = nack->lostSequenceNumbers(lost);
          w.addNack(nack->senderSsrc(), nack->mediaSsrc(), std::span(lost.data(), n));
        }
        break;
      case RtcpKind::Pli:
        if (auto pli = Pli::parse(pkt)) w.addPli(pli->senderSsrc(), pli->mediaSsrc());
        break;
      case RtcpKind::Fir:
        if (auto fir = Fir::parse(pkt)) {
          size_t n = 0;
          for (; n < fir->entryCount() && n < firs.size(); ++n) firs[n] = fir->entry(n);
          w.addFir(fir->senderSsrc(), std::span(firs.data(), n));
        }
        break;
      case RtcpKind::Remb:
        if (auto remb = Remb::parse(pkt)) {
          size_t n = 0;
          for (; n < remb->ssrcCount() && n < ssrcs.size(); ++n) ssrcs[n] = remb->ssrc(n);
          w.addRemb(remb->senderSsrc(), remb->bitrate(), std::span(ssrcs.data(), n));
        }
        break;
      case RtcpKind::Other: break;
    }
  }
  // Whatever we wrote must be a valid compound.
  if (!RtcpCompound(w.bytes()).valid() && w.size() > 0) __builtin_trap();
  gSink = sink;
  return 0;
}
