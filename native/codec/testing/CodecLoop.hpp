#pragma once
// Test helper: runs PCM through an encoder and a decoder frame by frame.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "codec/AudioCodec.hpp"

namespace rtcgate::codec::testing {

// Encodes `pcm` in whole frames (a trailing partial frame is ignored) and returns every
// encoded payload.
inline std::vector<std::vector<uint8_t>> encodeAll(AudioEncoder& enc, std::span<const int16_t> pcm) {
  std::vector<std::vector<uint8_t>> payloads;
  std::array<uint8_t, 4000> buf{};
  const size_t step = enc.frameSamples();
  for (size_t off = 0; off + step <= pcm.size(); off += step) {
    const int n = enc.encode(pcm.subspan(off, step), buf);
    if (n < 0) return {};
    payloads.emplace_back(buf.begin(), buf.begin() + n);
  }
  return payloads;
}

// Decodes every payload and concatenates the PCM; an empty vector if any decode fails.
inline std::vector<int16_t> decodeAll(AudioDecoder& dec, const std::vector<std::vector<uint8_t>>& payloads) {
  std::vector<int16_t> out;
  std::array<int16_t, kMaxFrameSamples> buf{};
  for (const auto& p : payloads) {
    const int n = dec.decode(p, buf);
    if (n < 0) return {};
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  return out;
}

}  // namespace rtcgate::codec::testing
