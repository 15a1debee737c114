#include "codec/Plc.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>

// spandsp's umbrella header is missing from Debian's package: telephony.h declares the
// SPAN_DECLARE visibility macro every other spandsp header needs.
#include <spandsp/telephony.h>
#include <spandsp/plc.h>

namespace rtcgate::codec {

// The spandsp state is a plain struct (no heap inside); wrapping it keeps <spandsp/*> out of
// our headers.
struct Plc::State {
  plc_state_t plc;
};

Plc::Plc() : state_(std::make_unique<State>()) {
  if (plc_init(&state_->plc) == nullptr) throw std::runtime_error("spandsp plc_init failed");
}

Plc::~Plc() = default;

void Plc::observe(std::span<int16_t> pcm) noexcept {
  if (pcm.empty() || pcm.size() > INT_MAX) return;
  plc_rx(&state_->plc, pcm.data(), static_cast<int>(pcm.size()));
}

void Plc::fill(std::span<int16_t> pcm) noexcept {
  if (pcm.empty() || pcm.size() > INT_MAX) return;
  plc_state_t& s = state_->plc;
  // At the start of a loss spandsp 0.0.6 unrolls its circular history with a memcpy between
  // overlapping ranges (undefined behaviour; ASan flags it). Unroll it here with a rotate so
  // spandsp finds the history already in order and skips that copy.
  if (s.missing_samples == 0 && s.buf_ptr > 0 && s.buf_ptr < PLC_HISTORY_LEN) {
    std::rotate(s.history, s.history + s.buf_ptr, s.history + PLC_HISTORY_LEN);
    s.buf_ptr = 0;
  }
  plc_fillin(&state_->plc, pcm.data(), static_cast<int>(pcm.size()));
}

}  // namespace rtcgate::codec
