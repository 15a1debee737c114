#include "stun/HmacSha1Key.hpp"

#include <array>
#include <cstring>

namespace rtcgate::stun {
namespace {
constexpr size_t kBlockSize = 64;   // SHA-1 block size, RFC 2104 §2 "B"
constexpr uint8_t kIpad = 0x36;     // RFC 2104 §2
constexpr uint8_t kOpad = 0x5c;     // RFC 2104 §2
}  // namespace

HmacSha1Key::HmacSha1Key() noexcept { init({}); }

HmacSha1Key::HmacSha1Key(std::span<const uint8_t> key) noexcept { init(key); }

HmacSha1Key::HmacSha1Key(std::string_view key) noexcept {
  init({reinterpret_cast<const uint8_t*>(key.data()), key.size()});
}

void HmacSha1Key::init(std::span<const uint8_t> key) noexcept {
  std::array<uint8_t, kBlockSize> block{};
  if (key.size() > kBlockSize) {
    // RFC 2104 §2: keys longer than B are hashed first.
    SHA1(key.data(), key.size(), block.data());
  } else if (!key.empty()) {
    std::memcpy(block.data(), key.data(), key.size());
  }
  std::array<uint8_t, kBlockSize> pad;
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ kIpad;
  SHA1_Init(&inner_);
  SHA1_Update(&inner_, pad.data(), pad.size());
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ kOpad;
  SHA1_Init(&outer_);
  SHA1_Update(&outer_, pad.data(), pad.size());
}

void HmacSha1Key::compute(std::span<const uint8_t> data, std::span<uint8_t, kSha1Size> out) const noexcept {
  Stream s = begin();
  s.update(data);
  s.finish(out);
}

HmacSha1Key::Stream::Stream(const HmacSha1Key& key) noexcept : inner_(key.inner_), key_(&key) {}

void HmacSha1Key::Stream::update(std::span<const uint8_t> data) noexcept {
  if (!data.empty()) SHA1_Update(&inner_, data.data(), data.size());
}

void HmacSha1Key::Stream::finish(std::span<uint8_t, kSha1Size> out) noexcept {
  std::array<uint8_t, kSha1Size> innerDigest;
  SHA1_Final(innerDigest.data(), &inner_);
  SHA_CTX outer = key_->outer_;
  SHA1_Update(&outer, innerDigest.data(), innerDigest.size());
  SHA1_Final(out.data(), &outer);
}

}  // namespace rtcgate::stun
