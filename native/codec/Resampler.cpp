#include "codec/Resampler.hpp"

#include <speex/speex_resampler.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>

namespace rtcgate::codec {

void Resampler::StateDeleter::operator()(SpeexResamplerState_* s) const noexcept { speex_resampler_destroy(s); }

Resampler::Resampler(uint32_t inRate, uint32_t outRate, int quality) : inRate_(inRate), outRate_(outRate) {
  if (inRate == 0 || outRate == 0) throw std::invalid_argument("Resampler: rates must be non-zero");
  if (quality < SPEEX_RESAMPLER_QUALITY_MIN || quality > SPEEX_RESAMPLER_QUALITY_MAX)
    throw std::invalid_argument("Resampler: quality must be 0..10");
  if (inRate == outRate) return;
  int err = RESAMPLER_ERR_SUCCESS;
  state_.reset(speex_resampler_init(1, inRate, outRate, quality, &err));
  if (err != RESAMPLER_ERR_SUCCESS || !state_)
    throw std::runtime_error(std::string("speex_resampler_init: ") + speex_resampler_strerror(err));
}

Resampler::~Resampler() = default;

size_t Resampler::process(std::span<const int16_t> in, std::span<int16_t> out) noexcept {
  if (!state_) {
    const size_t n = std::min(in.size(), out.size());
    std::copy_n(in.begin(), n, out.begin());
    return n;
  }
  spx_uint32_t inLen = static_cast<spx_uint32_t>(std::min<size_t>(in.size(), UINT32_MAX));
  spx_uint32_t outLen = static_cast<spx_uint32_t>(std::min<size_t>(out.size(), UINT32_MAX));
  if (speex_resampler_process_int(state_.get(), 0, in.data(), &inLen, out.data(), &outLen) != RESAMPLER_ERR_SUCCESS)
    return 0;
  return outLen;
}

void Resampler::reset() noexcept {
  if (state_) speex_resampler_reset_mem(state_.get());
}

}  // namespace rtcgate::codec
