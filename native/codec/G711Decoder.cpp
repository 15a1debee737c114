#include "codec/G711Decoder.hpp"

#include <climits>
#include <stdexcept>

#include "codec/G711.hpp"

namespace rtcgate::codec {

G711Decoder::G711Decoder(CodecId id) : id_(id) {
  if (id != CodecId::Pcmu && id != CodecId::Pcma) throw std::invalid_argument("G711Decoder: not a G.711 codec");
}

int G711Decoder::decode(std::span<const uint8_t> payload, std::span<int16_t> out) noexcept {
  if (payload.empty() || payload.size() > out.size() || payload.size() > INT_MAX) return -1;
  if (id_ == CodecId::Pcmu) {
    for (size_t i = 0; i < payload.size(); ++i) out[i] = g711::ulawToLinear(payload[i]);
  } else {
    for (size_t i = 0; i < payload.size(); ++i) out[i] = g711::alawToLinear(payload[i]);
  }
  plc_.observe(out.first(payload.size()));
  return static_cast<int>(payload.size());
}

int G711Decoder::conceal(size_t samples, std::span<int16_t> out) noexcept {
  if (samples > out.size() || samples > INT_MAX) return -1;
  plc_.fill(out.first(samples));
  return static_cast<int>(samples);
}

}  // namespace rtcgate::codec
