#pragma once
// One SSL_CTX per engine, configured for DTLS-SRTP (RFC 5763/5764) and shared by every worker
// thread: once configured, SSL_new() on it is thread-safe, and each SSL object it makes is
// then used by the one thread that owns its session.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dtls/Certificate.hpp"
#include "srtp/SrtpProfile.hpp"

struct ssl_ctx_st;  // OpenSSL SSL_CTX

namespace rtcgate::dtls {

struct DtlsContextOptions {
  // Offered / accepted in this order of preference (RFC 5764 §4.1.1: the server picks).
  std::vector<srtp::SrtpProfile> srtpProfiles = {srtp::SrtpProfile::AeadAes128Gcm,
                                                 srtp::SrtpProfile::AesCm128HmacSha1_80};
  // First handshake retransmission timeout; doubles up to kMaxRetransmitTimeout. RFC 6347
  // §4.2.4.1 suggests 1 s. Tests shorten it.
  std::chrono::milliseconds initialRetransmitTimeout{1000};
};

class DtlsContext {
 public:
  // RFC 6347 §4.2.4.1: back off to at most 60 s between retransmissions.
  static constexpr std::chrono::milliseconds kMaxRetransmitTimeout{60000};

  // Throws std::runtime_error if OpenSSL rejects the certificate or a setting.
  explicit DtlsContext(Certificate certificate, DtlsContextOptions options = {});
  ~DtlsContext();
  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;

  const Certificate& certificate() const noexcept { return certificate_; }
  const DtlsContextOptions& options() const noexcept { return options_; }
  // For DtlsTransport: borrowed, lives as long as this context.
  ssl_ctx_st* native() const noexcept { return ctx_.get(); }

 private:
  struct Deleter {
    void operator()(ssl_ctx_st* p) const noexcept;
  };
  Certificate certificate_;
  DtlsContextOptions options_;
  std::unique_ptr<ssl_ctx_st, Deleter> ctx_;
};

}  // namespace rtcgate::dtls
