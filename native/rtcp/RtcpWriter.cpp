#include "rtcp/RtcpWriter.hpp"

#include <cstring>

#include "common/ByteOrder.hpp"
#include "rtcp/GenericNack.hpp"
#include "rtcp/Remb.hpp"
#include "rtcp/RtcpHeader.hpp"
#include "rtcp/Sdes.hpp"

namespace rtcgate::rtcp {

namespace {
constexpr size_t kMaxSdesText = 255;  // §6.5: 8-bit length
constexpr size_t kMaxRembSsrcs = 255; // 8-bit Num SSRC
constexpr uint8_t kRembIdentifier[4] = {'R', 'E', 'M', 'B'};

size_t padded4(size_t n) noexcept { return (n + 3) & ~size_t(3); }
}  // namespace

uint8_t* RtcpWriter::begin(size_t size, uint8_t count, uint8_t packetType) noexcept {
  if (size > out_.size() - size_) return nullptr;
  uint8_t* p = out_.data() + size_;
  std::memset(p, 0, size);
  p[0] = uint8_t(kRtcpVersion << 6 | (count & 0x1f));
  p[1] = packetType;
  store16(p + 2, uint16_t(size / 4 - 1));  // §6.4.1: length in words minus one
  size_ += size;
  return p;
}

size_t RtcpWriter::addSenderReport(uint32_t senderSsrc, const SenderInfo& info,
                                   std::span<const ReportBlock> blocks) noexcept {
  if (blocks.size() > kMaxRtcpCount) return 0;
  const size_t size = kRtcpHeaderSize + 4 + kSenderInfoSize + blocks.size() * kReportBlockSize;
  uint8_t* p = begin(size, uint8_t(blocks.size()), uint8_t(RtcpPacketType::SenderReport));
  if (!p) return 0;
  store32(p + 4, senderSsrc);
  writeSenderInfo(p + 8, info);
  for (size_t i = 0; i < blocks.size(); ++i) writeReportBlock(p + 28 + i * kReportBlockSize, blocks[i]);
  return size;
}

size_t RtcpWriter::addReceiverReport(uint32_t senderSsrc, std::span<const ReportBlock> blocks) noexcept {
  if (blocks.size() > kMaxRtcpCount) return 0;
  const size_t size = kRtcpHeaderSize + 4 + blocks.size() * kReportBlockSize;
  uint8_t* p = begin(size, uint8_t(blocks.size()), uint8_t(RtcpPacketType::ReceiverReport));
  if (!p) return 0;
  store32(p + 4, senderSsrc);
  for (size_t i = 0; i < blocks.size(); ++i) writeReportBlock(p + 8 + i * kReportBlockSize, blocks[i]);
  return size;
}

size_t RtcpWriter::addSdesCname(uint32_t ssrc, std::string_view cname) noexcept {
  if (cname.size() > kMaxSdesText) return 0;
  // SSRC, type, length, text, then at least one null octet padded to 32 bits (§6.5).
  const size_t size = kRtcpHeaderSize + padded4(4 + 2 + cname.size() + 1);
  uint8_t* p = begin(size, 1, uint8_t(RtcpPacketType::Sdes));
  if (!p) return 0;
  store32(p + 4, ssrc);
  p[8] = uint8_t(SdesItemType::Cname);
  p[9] = uint8_t(cname.size());
  std::memcpy(p + 10, cname.data(), cname.size());
  return size;
}

size_t RtcpWriter::addBye(std::span<const uint32_t> ssrcs, std::string_view reason) noexcept {
  if (ssrcs.size() > kMaxRtcpCount || reason.size() > kMaxSdesText) return 0;
  const size_t reasonSize = reason.empty() ? 0 : padded4(1 + reason.size());
  const size_t size = kRtcpHeaderSize + ssrcs.size() * 4 + reasonSize;
  uint8_t* p = begin(size, uint8_t(ssrcs.size()), uint8_t(RtcpPacketType::Bye));
  if (!p) return 0;
  for (size_t i = 0; i < ssrcs.size(); ++i) store32(p + 4 + i * 4, ssrcs[i]);
  if (!reason.empty()) {
    uint8_t* r = p + 4 + ssrcs.size() * 4;
    r[0] = uint8_t(reason.size());
    std::memcpy(r + 1, reason.data(), reason.size());
  }
  return size;
}

size_t RtcpWriter::addPli(uint32_t senderSsrc, uint32_t mediaSsrc) noexcept {
  const size_t size = kRtcpHeaderSize + kFeedbackFixedSize;
  uint8_t* p = begin(size, kFmtPli, uint8_t(RtcpPacketType::PayloadFeedback));
  if (!p) return 0;
  store32(p + 4, senderSsrc);
  store32(p + 8, mediaSsrc);
  return size;
}

size_t RtcpWriter::addFir(uint32_t senderSsrc, std::span<const FirEntry> entries) noexcept {
  if (entries.empty()) return 0;
  const size_t size = kRtcpHeaderSize + kFeedbackFixedSize + entries.size() * kFirEntrySize;
  if (size / 4 - 1 > 0xffff) return 0;
  uint8_t* p = begin(size, kFmtFir, uint8_t(RtcpPacketType::PayloadFeedback));
  if (!p) return 0;
  store32(p + 4, senderSsrc);  // media source SSRC stays 0 (RFC 5104 §4.3.1.2)
  for (size_t i = 0; i < entries.size(); ++i) {
    uint8_t* e = p + 12 + i * kFirEntrySize;
    store32(e, entries[i].ssrc);
    e[4] = entries[i].seqNumber;
  }
  return size;
}

size_t RtcpWriter::addNack(uint32_t senderSsrc, uint32_t mediaSsrc, std::span<const uint16_t> lost) noexcept {
  if (lost.empty()) return 0;
  const size_t start = size_;
  uint8_t* p = begin(kRtcpHeaderSize + kFeedbackFixedSize, kFmtGenericNack, uint8_t(RtcpPacketType::RtpFeedback));
  if (!p) return 0;
  store32(p + 4, senderSsrc);
  store32(p + 8, mediaSsrc);
  uint8_t* item = nullptr;  // the (PID, BLP) pair being filled
  uint16_t pid = 0;
  for (uint16_t seq : lost) {
    const uint16_t distance = uint16_t(seq - pid);
    if (item && distance == 0) continue;  // duplicate of the PID
    if (item && distance <= 16) {
      store16(item + 2, uint16_t(load16(item + 2) | (1u << (distance - 1))));
      continue;
    }
    if (kNackItemSize > out_.size() - size_ || (size_ - start) / 4 > 0xffff) {
      size_ = start;  // does not fit: take the whole packet back
      return 0;
    }
    item = out_.data() + size_;
    size_ += kNackItemSize;
    pid = seq;
    store16(item, pid);
    store16(item + 2, 0);
  }
  const size_t size = size_ - start;
  store16(p + 2, uint16_t(size / 4 - 1));
  return size;
}

size_t RtcpWriter::addRemb(uint32_t senderSsrc, uint64_t bitrate, std::span<const uint32_t> ssrcs) noexcept {
  if (ssrcs.size() > kMaxRembSsrcs) return 0;
  uint8_t exp = 0;
  while ((bitrate >> exp) > kRembMaxMantissa) ++exp;  // ends by exp 46 for 64-bit input
  const uint32_t mantissa = uint32_t(bitrate >> exp);
  const size_t size = kRtcpHeaderSize + kRembFixedSize + ssrcs.size() * 4;
  uint8_t* p = begin(size, kFmtAfb, uint8_t(RtcpPacketType::PayloadFeedback));
  if (!p) return 0;
  store32(p + 4, senderSsrc);  // media source SSRC stays 0 (draft §2.2)
  std::memcpy(p + 12, kRembIdentifier, 4);
  p[16] = uint8_t(ssrcs.size());
  p[17] = uint8_t(exp << 2 | (mantissa >> 16));
  store16(p + 18, uint16_t(mantissa));
  for (size_t i = 0; i < ssrcs.size(); ++i) store32(p + 20 + i * 4, ssrcs[i]);
  return size;
}

}  // namespace rtcgate::rtcp
