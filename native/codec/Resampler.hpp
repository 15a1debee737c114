#pragma once
// Mono 16-bit sample-rate converter (speexdsp), used only where the two legs' rates differ.
// Stateful: feed consecutive blocks of one stream; reset() after a discontinuity.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

struct SpeexResamplerState_;

namespace rtcgate::codec {

class Resampler {
 public:
  // speexdsp's 0..10 scale; 3 is its VoIP setting and costs ~7 µs per 20 ms here.
  static constexpr int kDefaultQuality = 3;

  // Throws std::invalid_argument for a zero rate or a quality outside 0..10,
  // std::runtime_error if speexdsp refuses. Equal rates build no speexdsp state (identity copy).
  Resampler(uint32_t inRate, uint32_t outRate, int quality = kDefaultQuality);
  ~Resampler();
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  // Output capacity that always holds the result of process() on `inSamples` samples:
  // the exact ratio rounded up plus one sample, because the fractional phase carried over
  // from the previous block can add one.
  static constexpr size_t maxOutput(size_t inSamples, uint32_t inRate, uint32_t outRate) noexcept {
    return inRate == 0 ? 0 : (inSamples * outRate + inRate - 1) / inRate + 1;
  }
  size_t maxOutput(size_t inSamples) const noexcept { return maxOutput(inSamples, inRate_, outRate_); }

  // Converts all of `in`; returns samples written to `out`. If `out` is smaller than
  // maxOutput(in.size()) the conversion stops when it is full and the rest of `in` is dropped.
  size_t process(std::span<const int16_t> in, std::span<int16_t> out) noexcept;
  // Forgets the filter history (new stream or a gap).
  void reset() noexcept;

  uint32_t inRate() const noexcept { return inRate_; }
  uint32_t outRate() const noexcept { return outRate_; }

 private:
  struct StateDeleter {
    void operator()(SpeexResamplerState_* s) const noexcept;
  };

  uint32_t inRate_;
  uint32_t outRate_;
  std::unique_ptr<SpeexResamplerState_, StateDeleter> state_;  // null on the identity path
};

}  // namespace rtcgate::codec
