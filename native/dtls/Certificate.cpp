#include "dtls/Certificate.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cctype>
#include <stdexcept>
#include <string>

namespace rtcgate::dtls {
namespace {

constexpr long kBackdateSeconds = 30L * 24 * 3600;   // tolerate peers whose clock lags
constexpr long kLifetimeSeconds = 365L * 24 * 3600;  // certificates are regenerated at start
constexpr int kSerialBytes = 8;                      // RFC 5280 §4.1.2.2: ≤ 20 octets, positive

[[noreturn]] void fail(const std::string& what) {
  char detail[256] = "no OpenSSL error";
  if (unsigned long e = ERR_get_error(); e != 0) ERR_error_string_n(e, detail, sizeof(detail));
  ERR_clear_error();
  throw std::runtime_error(what + " (" + detail + ")");
}

// RFC 8122 §5 / RFC 4572 §5 hash function textual names.
const EVP_MD* digestByName(std::string_view name) noexcept {
  std::string lower;
  for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "sha-256") return EVP_sha256();
  if (lower == "sha-1") return EVP_sha1();
  if (lower == "sha-384") return EVP_sha384();
  if (lower == "sha-512") return EVP_sha512();
  if (lower == "sha-224") return EVP_sha224();
  return nullptr;
}

struct BioDeleter {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

void Certificate::X509Deleter::operator()(x509_st* p) const noexcept { X509_free(p); }
void Certificate::KeyDeleter::operator()(evp_pkey_st* p) const noexcept { EVP_PKEY_free(p); }

Certificate::Certificate(std::unique_ptr<x509_st, X509Deleter> cert,
                         std::unique_ptr<evp_pkey_st, KeyDeleter> key) noexcept
    : cert_(std::move(cert)), key_(std::move(key)) {}

Certificate::Certificate(const Certificate& other) {
  if (other.cert_) X509_up_ref(other.cert_.get());
  if (other.key_) EVP_PKEY_up_ref(other.key_.get());
  cert_.reset(other.cert_.get());
  key_.reset(other.key_.get());
}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) {
    Certificate copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Certificate Certificate::generate() {
  std::unique_ptr<evp_pkey_st, KeyDeleter> key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot generate an ECDSA P-256 key");

  std::unique_ptr<x509_st, X509Deleter> cert(X509_new());
  if (!cert) fail("X509_new failed");
  X509_set_version(cert.get(), 2);  // X.509 v3

  unsigned char serial[kSerialBytes];
  if (RAND_bytes(serial, sizeof(serial)) != 1) fail("RAND_bytes failed for the serial");
  serial[0] &= 0x7f;  // keep it positive
  serial[0] |= 0x01;  // and non-zero
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  const bool serialOk = bn != nullptr &&
                        BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  if (!serialOk) fail("cannot set the certificate serial");

  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kLifetimeSeconds) == nullptr) {
    fail("cannot set the certificate validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  const unsigned char cn[] = "rtcgate";
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    fail("cannot fill the certificate");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("cannot self-sign the certificate");
  return Certificate(std::move(cert), std::move(key));
}

Certificate Certificate::fromPem(std::string_view certPem, std::string_view keyPem) {
  BioPtr certBio(BIO_new_mem_buf(certPem.data(), static_cast<int>(certPem.size())));
  BioPtr keyBio(BIO_new_mem_buf(keyPem.data(), static_cast<int>(keyPem.size())));
  if (!certBio || !keyBio) fail("cannot allocate PEM buffers");
  std::unique_ptr<x509_st, X509Deleter> cert(
      PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("certificate PEM is not a valid X.509 certificate");
  std::unique_ptr<evp_pkey_st, KeyDeleter> key(
      PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
  if (!key) fail("private key PEM is not a valid unencrypted private key");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    fail("private key does not match the certificate's public key");
  }
  return Certificate(std::move(cert), std::move(key));
}

std::string Certificate::fingerprint(std::string_view algorithm) const {
  if (digestByName(algorithm) == nullptr) {
    throw std::runtime_error("unknown fingerprint algorithm '" + std::string(algorithm) + "'");
  }
  std::string fp = fingerprintOf(cert_.get(), algorithm);
  if (fp.empty()) fail("cannot digest the certificate");
  return fp;
}

std::string Certificate::fingerprintOf(const x509_st* cert, std::string_view algorithm) noexcept {
  const EVP_MD* md = digestByName(algorithm);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (cert == nullptr || md == nullptr || X509_digest(cert, md, digest, &len) != 1) {
    ERR_clear_error();
    return {};
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(len * 3);
  for (unsigned int i = 0; i < len; ++i) {
    if (i != 0) out.push_back(':');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

std::string Certificate::certificatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1) fail("cannot write certificate PEM");
  return drain(bio.get());
}

std::string Certificate::privateKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    fail("cannot write private key PEM");
  }
  return drain(bio.get());
}

}  // namespace rtcgate::dtls
