#include "codec/AudioCodec.hpp"

#include <array>
#include <stdexcept>

#include "codec/G711Decoder.hpp"
#include "codec/G711Encoder.hpp"
#include "codec/G722Decoder.hpp"
#include "codec/G722Encoder.hpp"
#include "codec/G729Decoder.hpp"
#include "codec/G729Encoder.hpp"
#include "codec/OpusAudioDecoder.hpp"
#include "codec/OpusAudioEncoder.hpp"

namespace rtcgate::codec {
namespace {

struct CodecInfo {
  CodecId id;
  std::string_view name;  // encoding name as SDP writes it (RFC 3551 §6, RFC 7587 §7)
  uint32_t rtpClock;
  uint32_t nativeRate;
};

constexpr std::array<CodecInfo, 5> kCodecs{{
    {CodecId::Pcmu, "PCMU", 8000, 8000},
    {CodecId::Pcma, "PCMA", 8000, 8000},
    // RFC 3551 §4.5.2: G.722 samples at 16 kHz but its RTP clock is 8000 for historical reasons.
    {CodecId::G722, "G722", 8000, 16000},
    // RFC 7587 §4.1: the Opus RTP clock is 48000 whatever the bandwidth in use.
    {CodecId::Opus, "opus", 48000, 48000},
    {CodecId::G729, "G729", 8000, 8000},
}};

const CodecInfo* find(CodecId id) noexcept {
  for (const auto& c : kCodecs)
    if (c.id == id) return &c;
  return nullptr;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string_view codecName(CodecId id) noexcept {
  const CodecInfo* c = find(id);
  return c ? c->name : std::string_view{};
}

std::optional<CodecId> codecFromName(std::string_view name) noexcept {
  for (const auto& c : kCodecs)
    if (equalsIgnoreCase(c.name, name)) return c.id;
  return std::nullopt;
}

uint32_t rtpClockRate(CodecId id) noexcept {
  const CodecInfo* c = find(id);
  return c ? c->rtpClock : 0;
}

uint32_t nativeSampleRate(CodecId id) noexcept {
  const CodecInfo* c = find(id);
  return c ? c->nativeRate : 0;
}

std::unique_ptr<AudioDecoder> makeDecoder(CodecId id, uint32_t outputRate) {
  switch (id) {
    case CodecId::Pcmu:
    case CodecId::Pcma:
      if (outputRate != G711Decoder::kSampleRate) throw std::invalid_argument("G.711 decodes to 8000 Hz only");
      return std::make_unique<G711Decoder>(id);
    case CodecId::G722:
      return std::make_unique<G722Decoder>(outputRate);
    case CodecId::Opus:
      return std::make_unique<OpusAudioDecoder>(outputRate);
    case CodecId::G729:
      if (outputRate != G729Decoder::kSampleRate) throw std::invalid_argument("G.729 decodes to 8000 Hz only");
      return std::make_unique<G729Decoder>();
  }
  throw std::invalid_argument("makeDecoder: unknown codec");
}

std::unique_ptr<AudioEncoder> makeEncoder(CodecId id, const EncoderOptions& options) {
  switch (id) {
    case CodecId::Pcmu:
    case CodecId::Pcma:
      return std::make_unique<G711Encoder>(id, options);
    case CodecId::G722:
      return std::make_unique<G722Encoder>(options);
    case CodecId::Opus:
      return std::make_unique<OpusAudioEncoder>(options);
    case CodecId::G729:
      return std::make_unique<G729Encoder>(options);
  }
  throw std::invalid_argument("makeEncoder: unknown codec");
}

}  // namespace rtcgate::codec
