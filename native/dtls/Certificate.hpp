#pragma once
// The certificate a DTLS endpoint presents (RFC 5763 §5: self-signed is fine, the SDP
// a=fingerprint authenticates it). Immutable; copies share the OpenSSL objects by refcount.
#include <memory>
#include <string>
#include <string_view>

struct x509_st;      // OpenSSL X509
struct evp_pkey_st;  // OpenSSL EVP_PKEY

namespace rtcgate::dtls {

class Certificate {
 public:
  // ECDSA P-256 self-signed, CN "rtcgate", random serial, valid 30 days back to 1 year ahead
  // (backdated so peers with a slow clock still accept it). Throws std::runtime_error.
  static Certificate generate();
  // Throws std::runtime_error naming the part that is wrong (certificate, key, or mismatch).
  static Certificate fromPem(std::string_view certPem, std::string_view keyPem);

  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;
  ~Certificate() = default;

  // RFC 8122 §5 fingerprint: "sha-1", "sha-224", "sha-256", "sha-384" or "sha-512"
  // (case-insensitive), formatted as uppercase hex pairs joined by ':'. Throws on an
  // unknown algorithm.
  std::string fingerprint(std::string_view algorithm = "sha-256") const;
  std::string certificatePem() const;
  std::string privateKeyPem() const;  // PKCS#8, unencrypted

  // Same formatting for any certificate (the peer's, in DtlsTransport). Returns "" for an
  // unknown algorithm or a digest failure instead of throwing: used on the packet path.
  static std::string fingerprintOf(const x509_st* cert, std::string_view algorithm) noexcept;

  // For DtlsContext only: borrowed pointers, valid while this Certificate lives.
  x509_st* x509() const noexcept { return cert_.get(); }
  evp_pkey_st* privateKey() const noexcept { return key_.get(); }

 private:
  struct X509Deleter {
    void operator()(x509_st* p) const noexcept;
  };
  struct KeyDeleter {
    void operator()(evp_pkey_st* p) const noexcept;
  };
  Certificate(std::unique_ptr<x509_st, X509Deleter> cert,
              std::unique_ptr<evp_pkey_st, KeyDeleter> key) noexcept;

  std::unique_ptr<x509_st, X509Deleter> cert_;
  std::unique_ptr<evp_pkey_st, KeyDeleter> key_;
};

}  // namespace rtcgate::dtls
