#pragma once
// The SRTP protection profiles rtcgate negotiates, with their key sizes and names in every
// vocabulary we meet them in: the DTLS-SRTP use_srtp extension (a 16-bit id), OpenSSL's
// profile string, and the crypto-suite names the TypeScript control plane shows.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace rtcgate::srtp {

enum class SrtpProfile : uint8_t {
  AesCm128HmacSha1_80,  // RFC 3711 default transform, RFC 5764 §4.1.2
  AeadAes128Gcm,        // RFC 7714
};

// DTLS-SRTP protection profile ids as carried in the use_srtp extension.
inline constexpr uint16_t kDtlsIdAes128CmHmacSha1_80 = 0x0001;  // RFC 5764 §4.1.2
inline constexpr uint16_t kDtlsIdAeadAes128Gcm = 0x0007;        // RFC 7714 §14.2

// Key and salt sizes of the master key material each profile takes.
inline constexpr size_t kAesCm128KeyLength = 16;   // RFC 3711 §8.2 / RFC 5764 §4.1.2
inline constexpr size_t kAesCm128SaltLength = 14;  // RFC 3711 §8.2: 112-bit master salt
inline constexpr size_t kAeadAes128GcmKeyLength = 16;   // RFC 7714 §12
inline constexpr size_t kAeadAes128GcmSaltLength = 12;  // RFC 7714 §12: 96-bit master salt
// Largest key+salt of any profile above: sizes the fixed key arrays.
inline constexpr size_t kMaxMasterKeySaltLength = kAesCm128KeyLength + kAesCm128SaltLength;

constexpr size_t masterKeyLength(SrtpProfile p) noexcept {
  return p == SrtpProfile::AeadAes128Gcm ? kAeadAes128GcmKeyLength : kAesCm128KeyLength;
}
constexpr size_t masterSaltLength(SrtpProfile p) noexcept {
  return p == SrtpProfile::AeadAes128Gcm ? kAeadAes128GcmSaltLength : kAesCm128SaltLength;
}
constexpr size_t masterKeySaltLength(SrtpProfile p) noexcept {
  return masterKeyLength(p) + masterSaltLength(p);
}

constexpr uint16_t dtlsProfileId(SrtpProfile p) noexcept {
  return p == SrtpProfile::AeadAes128Gcm ? kDtlsIdAeadAes128Gcm : kDtlsIdAes128CmHmacSha1_80;
}
constexpr std::optional<SrtpProfile> profileFromDtlsId(uint16_t id) noexcept {
  if (id == kDtlsIdAes128CmHmacSha1_80) return SrtpProfile::AesCm128HmacSha1_80;
  if (id == kDtlsIdAeadAes128Gcm) return SrtpProfile::AeadAes128Gcm;
  return std::nullopt;
}

// RFC 5764 §4.1.2 / RFC 7714 §14.2 registry names.
constexpr std::string_view dtlsProfileName(SrtpProfile p) noexcept {
  return p == SrtpProfile::AeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_HMAC_SHA1_80";
}
// OpenSSL spells the CM profile without "HMAC_" (SSL_CTX_set_tlsext_use_srtp).
constexpr std::string_view opensslProfileName(SrtpProfile p) noexcept {
  return p == SrtpProfile::AeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80";
}
// Crypto-suite names (RFC 4568 §6.2.1 / RFC 7714 §14.1), what the TS API reports.
constexpr std::string_view profileName(SrtpProfile p) noexcept {
  return p == SrtpProfile::AeadAes128Gcm ? "AEAD_AES_128_GCM" : "AES_CM_128_HMAC_SHA1_80";
}
constexpr std::optional<SrtpProfile> profileFromName(std::string_view name) noexcept {
  if (name == "AES_CM_128_HMAC_SHA1_80") return SrtpProfile::AesCm128HmacSha1_80;
  if (name == "AEAD_AES_128_GCM") return SrtpProfile::AeadAes128Gcm;
  return std::nullopt;
}

}  // namespace rtcgate::srtp
