#pragma once
// Packet loss concealment for codecs without their own (G.711, G.722): spandsp's pitch-repeating
// concealer. Every decoded frame goes through observe() so the concealer keeps the last pitch
// period; fill() synthesises a lost frame from it and fades out over long losses.
#include <cstdint>
#include <memory>
#include <span>

namespace rtcgate::codec {

class Plc {
 public:
  Plc();  // throws std::runtime_error if spandsp refuses
  ~Plc();
  Plc(const Plc&) = delete;
  Plc& operator=(const Plc&) = delete;

  // Records received audio. spandsp may smooth the first samples after a loss into the
  // concealed signal, so it edits `pcm` in place.
  void observe(std::span<int16_t> pcm) noexcept;
  // Writes pcm.size() samples of concealment.
  void fill(std::span<int16_t> pcm) noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rtcgate::codec
