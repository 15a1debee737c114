#include "dtls/DtlsContext.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <string>

namespace rtcgate::dtls {
namespace {

// Forward-secret AEAD suites first; CBC-SHA suites stay for older SIP-side DTLS stacks. Both
// ECDSA and RSA authentication: our certificate is ECDSA, but as DTLS client we must accept a
// server that presents RSA (RFC 5763 does not constrain the key type).
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";
// What browsers offer for ECDHE (RFC 8422 §5.1.1 named groups).
constexpr const char* kGroups = "X25519:P-256:P-384";

[[noreturn]] void fail(const std::string& what) {
  char detail[256] = "no OpenSSL error";
  if (unsigned long e = ERR_get_error(); e != 0) ERR_error_string_n(e, detail, sizeof(detail));
  ERR_clear_error();
  throw std::runtime_error("DtlsContext: " + what + " (" + detail + ")");
}

// RFC 5763 §5: the peer's certificate is self-signed and authenticated by the fingerprint in
// the SDP, not by a CA chain, so chain verification always succeeds here. DtlsTransport
// compares the fingerprint once the handshake completes (see DtlsTransport.cpp).
int acceptAnyCertificate(int /*preverifyOk*/, X509_STORE_CTX* /*store*/) { return 1; }

}  // namespace

void DtlsContext::Deleter::operator()(ssl_ctx_st* p) const noexcept { SSL_CTX_free(p); }

DtlsContext::DtlsContext(Certificate certificate, DtlsContextOptions options)
    : certificate_(std::move(certificate)), options_(std::move(options)) {
  ERR_clear_error();
  ctx_.reset(SSL_CTX_new(DTLS_method()));
  if (!ctx_) fail("SSL_CTX_new(DTLS_method()) failed");
  SSL_CTX* ctx = ctx_.get();

  // DTLS 1.2 only in practice: OpenSSL 3.0 has no DTLS 1.3, and DTLS 1.0 (RFC 4347) is
  // obsolete. Browsers speak 1.2.
  if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1) fail("cannot require DTLS 1.2");

  if (SSL_CTX_use_certificate(ctx, certificate_.x509()) != 1) fail("certificate rejected");
  if (SSL_CTX_use_PrivateKey(ctx, certificate_.privateKey()) != 1) fail("private key rejected");
  if (SSL_CTX_check_private_key(ctx) != 1) fail("private key does not match the certificate");

  if (SSL_CTX_set_cipher_list(ctx, kCipherList) != 1) fail("cipher list rejected");
  if (SSL_CTX_set1_groups_list(ctx, kGroups) != 1) fail("ECDHE group list rejected");

  std::string profiles;
  for (srtp::SrtpProfile p : options_.srtpProfiles) {
    if (!profiles.empty()) profiles += ':';
    profiles += srtp::opensslProfileName(p);
  }
  if (profiles.empty()) throw std::runtime_error("DtlsContext: no SRTP profile configured");
  // Returns 0 on success, unlike most of OpenSSL.
  if (SSL_CTX_set_tlsext_use_srtp(ctx, profiles.c_str()) != 0) fail("SRTP profiles rejected");

  // Ask for the peer's certificate in both roles (RFC 5763 §5: both sides MUST present one)
  // and accept it whatever its chain; the SDP fingerprint decides.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, acceptAnyCertificate);

  // The transport hands OpenSSL one datagram at a time; read-ahead would make it buffer
  // across datagrams, which our BIO never offers anyway.
  SSL_CTX_set_read_ahead(ctx, 0);
  // MTU is ours to set (DtlsTransport), there is no socket to query. No renegotiation (RFC
  // 5764 keying happens once), no session resumption state kept for anyone.
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  ERR_clear_error();
}

DtlsContext::~DtlsContext() = default;

}  // namespace rtcgate::dtls
