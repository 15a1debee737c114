#pragma once
// An HMAC-SHA1 key (RFC 2104) with its inner and outer SHA-1 states computed once, so that
// each STUN MESSAGE-INTEGRITY (RFC 5389 §15.4) costs two SHA-1 runs over the message and a
// copy of two contexts: no key padding, no allocation per packet.
#include <openssl/sha.h>

#include <cstdint>
#include <span>
#include <string_view>

namespace rtcgate::stun {

inline constexpr size_t kSha1Size = 20;

class HmacSha1Key {
 public:
  // One HMAC computation in progress; copies the precomputed inner state.
  class Stream {
   public:
    void update(std::span<const uint8_t> data) noexcept;
    void finish(std::span<uint8_t, kSha1Size> out) noexcept;

   private:
    friend class HmacSha1Key;
    explicit Stream(const HmacSha1Key& key) noexcept;
    SHA_CTX inner_;
    const HmacSha1Key* key_;  // not owned; must outlive the stream
  };

  HmacSha1Key() noexcept;  // the empty key
  explicit HmacSha1Key(std::span<const uint8_t> key) noexcept;
  explicit HmacSha1Key(std::string_view key) noexcept;

  Stream begin() const noexcept { return Stream(*this); }
  void compute(std::span<const uint8_t> data, std::span<uint8_t, kSha1Size> out) const noexcept;

 private:
  void init(std::span<const uint8_t> key) noexcept;

  SHA_CTX inner_;  // after absorbing key XOR ipad
  SHA_CTX outer_;  // after absorbing key XOR opad
};

}  // namespace rtcgate::stun
