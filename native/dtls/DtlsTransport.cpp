#include "dtls/DtlsTransport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>
#include <sys/time.h>

#include "common/ByteOrder.hpp"

namespace rtcgate::dtls {
namespace {

// RFC 6347 §4.1: type(1) version(2) epoch(2) sequence_number(6) length(2).
constexpr size_t kRecordHeaderLength = 13;
// RFC 6347 §4.1 defers to RFC 5246 §6.2.3: TLSCiphertext.length ≤ 2^14 + 2048.
constexpr size_t kMaxRecordLength = (1u << 14) + 2048;
// RFC 5246 §6.2.1 content types DTLS 1.2 carries.
constexpr uint8_t kChangeCipherSpec = 20;
constexpr uint8_t kApplicationData = 23;
// RFC 6347 §4.1: DTLS 1.0 = {254, 255}, DTLS 1.2 = {254, 253}.
constexpr uint8_t kDtlsVersionMajor = 0xfe;
constexpr uint8_t kDtls10Minor = 0xff;
constexpr uint8_t kDtls12Minor = 0xfd;
// RFC 5705 §4 exporter label registered for DTLS-SRTP (RFC 5764 §4.2).
constexpr char kExporterLabel[] = "EXTRACTOR-dtls_srtp";
// Post-handshake records handled per datagram: a datagram holds at most ~1500/13 records.
constexpr int kMaxReadsPerDatagram = 128;

// A datagram is worth showing OpenSSL only if it is a run of whole DTLS 1.0/1.2 records
// (RFC 6347 §4.1.1: records never span datagrams). Everything else (noise, truncated
// packets, misrouted RTP) is dropped and counted here, because OpenSSL would drop most of it
// silently and, for a few shapes, abort the handshake.
bool isWellFramedDtls(std::span<const uint8_t> d) noexcept {
  if (d.empty()) return false;
  size_t off = 0;
  while (off < d.size()) {
    if (d.size() - off < kRecordHeaderLength) return false;
    const uint8_t type = d[off];
    if (type < kChangeCipherSpec || type > kApplicationData) return false;
    if (d[off + 1] != kDtlsVersionMajor ||
        (d[off + 2] != kDtls12Minor && d[off + 2] != kDtls10Minor)) {
      return false;
    }
    const size_t length = load16(d.data() + off + 11);
    if (length > kMaxRecordLength || d.size() - off - kRecordHeaderLength < length) return false;
    off += kRecordHeaderLength + length;
  }
  return true;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

void DtlsTransport::SslDeleter::operator()(ssl_st* p) const noexcept { SSL_free(p); }

DtlsTransport::DtlsTransport(DtlsContext& context, DtlsRole role)
    : context_(context), role_(role) {
  bio_.setMtu(kDtlsMtu);
  createSsl();
}

DtlsTransport::~DtlsTransport() = default;

void DtlsTransport::createSsl() {
  ERR_clear_error();
  std::unique_ptr<ssl_st, SslDeleter> ssl(SSL_new(context_.native()));
  if (!ssl) throw std::runtime_error("DtlsTransport: SSL_new failed");
  BIO* bio = bio_.createBio();
  SSL_set_bio(ssl.get(), bio, bio);  // one BIO for both directions; the SSL now owns it
  SSL_set_app_data(ssl.get(), this);
  // No socket to ask, so the MTU is fixed (the context sets SSL_OP_NO_QUERY_MTU); our BIO
  // reports zero overhead, so the link MTU is the UDP payload budget.
  SSL_set_options(ssl.get(), SSL_OP_NO_QUERY_MTU);
  if (DTLS_set_link_mtu(ssl.get(), kDtlsMtu) != 1) {
    throw std::runtime_error("DtlsTransport: MTU rejected");
  }
  DTLS_set_timer_cb(ssl.get(), &DtlsTransport::retransmitTimer);
  if (role_ == DtlsRole::Client) {
    SSL_set_connect_state(ssl.get());
  } else {
    SSL_set_accept_state(ssl.get());
  }
  ssl_ = std::move(ssl);
  ERR_clear_error();
}

unsigned int DtlsTransport::retransmitTimer(ssl_st* ssl, unsigned int previousUs) {
  // RFC 6347 §4.2.4.1: start at the configured value, double on each expiry, cap at 60 s.
  auto* self = static_cast<DtlsTransport*>(SSL_get_app_data(ssl));
  const auto initial = self != nullptr ? self->context_.options().initialRetransmitTimeout
                                       : std::chrono::milliseconds(1000);
  const uint64_t initialUs = static_cast<uint64_t>(initial.count()) * 1000;
  const uint64_t maxUs = static_cast<uint64_t>(DtlsContext::kMaxRetransmitTimeout.count()) * 1000;
  if (previousUs == 0) return static_cast<unsigned int>(std::min(initialUs, maxUs));
  return static_cast<unsigned int>(std::min<uint64_t>(uint64_t(previousUs) * 2, maxUs));
}

void DtlsTransport::setRemoteFingerprint(std::string algorithm, std::string value) {
  remoteFingerprintAlgorithm_ = std::move(algorithm);
  remoteFingerprint_ = std::move(value);
}

void DtlsTransport::start(TimePoint /*now*/) noexcept {
  if (state_ != DtlsState::New) return;
  setState(DtlsState::Connecting);
  if (role_ == DtlsRole::Client) driveHandshake();  // queues the ClientHello
}

void DtlsTransport::handleDatagram(TimePoint now, std::span<const uint8_t> datagram) noexcept {
  ++counters_.datagramsReceived;
  if (state_ == DtlsState::Failed || state_ == DtlsState::Closed ||
      (state_ == DtlsState::New && role_ == DtlsRole::Client)) {
    ++counters_.ignoredDatagrams;
    return;
  }
  if (!isWellFramedDtls(datagram)) {
    ++counters_.invalidDatagrams;
    return;
  }
  if (state_ == DtlsState::New) start(now);  // server: the ClientHello came first

  bio_.setInbound(datagram);
  if (state_ == DtlsState::Connecting) driveHandshake();
  // Records after the Finished in the same datagram, or a connected peer's retransmitted
  // flight (OpenSSL answers it by resending our last flight, RFC 6347 §4.2.4).
  if (state_ == DtlsState::Connected) readRecords();
  bio_.clearInbound();
}

void DtlsTransport::driveHandshake() noexcept {
  ERR_clear_error();  // SSL_get_error reads the thread's error queue: start it clean
  const int ret = SSL_do_handshake(ssl_.get());
  if (ret == 1) {
    completeHandshake();
    return;
  }
  const int err = SSL_get_error(ssl_.get(), ret);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    if (bio_.queued() > 0) peerHelloSeen_ = true;
    return;
  }
  ERR_clear_error();
  if (err == SSL_ERROR_ZERO_RETURN) {  // close_notify during the handshake
    setState(DtlsState::Closed);
    return;
  }
  if (role_ == DtlsRole::Server && !peerHelloSeen_) {
    // A server that has not answered anything yet lost nothing: the bytes that broke
    // OpenSSL were not a usable ClientHello. Start over with a fresh SSL rather than let a
    // stray datagram fail the transport before the real peer speaks.
    ++counters_.handshakeResets;
    bio_.discardQueued();  // the alert OpenSSL queued for the garbage
    try {
      ssl_.reset();
      createSsl();
      return;
    } catch (...) {
      // fall through: no SSL object, nothing else to do
    }
  }
  fail(DtlsFailure::HandshakeError);
}

// RFC 5763 §5 says the fingerprint must match before the session is used. We check it here,
// after the handshake, not in the certificate-verify callback: the callback belongs to the
// shared SSL_CTX and would need per-connection state threaded through ex_data, a mismatch
// found there surfaces only as a generic handshake failure, and no key leaves this object
// before the check passes, so nothing is exposed in between. Cost: on mismatch the peer sees
// a completed handshake followed by close_notify rather than a bad_certificate alert.
void DtlsTransport::completeHandshake() noexcept {
  if (remoteFingerprint_.empty()) {
    fail(DtlsFailure::NoRemoteFingerprint);
    return;
  }
  X509* peer = SSL_get1_peer_certificate(ssl_.get());
  const std::string actual = Certificate::fingerprintOf(peer, remoteFingerprintAlgorithm_);
  X509_free(peer);
  if (actual.empty() || !equalsIgnoreCase(actual, remoteFingerprint_)) {
    fail(DtlsFailure::FingerprintMismatch);
    return;
  }

  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_.get());
  const auto profile = selected != nullptr
                           ? srtp::profileFromDtlsId(static_cast<uint16_t>(selected->id))
                           : std::nullopt;
  if (!profile) {
    fail(DtlsFailure::NoSrtpProfile);
    return;
  }

  // RFC 5764 §4.2: client_write_SRTP_master_key | server_write_SRTP_master_key |
  //                client_write_SRTP_master_salt | server_write_SRTP_master_salt
  const size_t keyLen = srtp::masterKeyLength(*profile);
  const size_t saltLen = srtp::masterSaltLength(*profile);
  uint8_t material[2 * srtp::kMaxMasterKeySaltLength];
  const size_t total = 2 * (keyLen + saltLen);
  if (SSL_export_keying_material(ssl_.get(), material, total, kExporterLabel,
                                 sizeof(kExporterLabel) - 1, nullptr, 0, 0) != 1) {
    ERR_clear_error();
    fail(DtlsFailure::KeyExportFailed);
    return;
  }
  SrtpKeys keys;
  keys.profile = *profile;
  keys.length = keyLen + saltLen;
  const uint8_t* clientKey = material;
  const uint8_t* serverKey = material + keyLen;
  const uint8_t* clientSalt = material + 2 * keyLen;
  const uint8_t* serverSalt = material + 2 * keyLen + saltLen;
  const bool client = role_ == DtlsRole::Client;
  std::memcpy(keys.localMasterKeySalt.data(), client ? clientKey : serverKey, keyLen);
  std::memcpy(keys.localMasterKeySalt.data() + keyLen, client ? clientSalt : serverSalt, saltLen);
  std::memcpy(keys.remoteMasterKeySalt.data(), client ? serverKey : clientKey, keyLen);
  std::memcpy(keys.remoteMasterKeySalt.data() + keyLen, client ? serverSalt : clientSalt, saltLen);
  OPENSSL_cleanse(material, sizeof(material));
  keys_ = keys;
  setState(DtlsState::Connected);
}

void DtlsTransport::readRecords() noexcept {
  uint8_t scratch[2048];
  for (int i = 0; i < kMaxReadsPerDatagram; ++i) {
    ERR_clear_error();
    const int n = SSL_read(ssl_.get(), scratch, sizeof(scratch));
    if (n > 0) {
      ++counters_.applicationDataDropped;  // no SCTP/data channel in this gateway
      continue;
    }
    const int err = SSL_get_error(ssl_.get(), n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
    ERR_clear_error();
    if (err == SSL_ERROR_ZERO_RETURN) {
      // RFC 5246 §7.2.1: answer close_notify with our own.
      SSL_shutdown(ssl_.get());
      ERR_clear_error();
      setState(DtlsState::Closed);
    } else {
      fail(DtlsFailure::ConnectionError);
    }
    return;
  }
}

void DtlsTransport::handleTimeout(TimePoint /*now*/) noexcept {
  if (state_ != DtlsState::Connecting || !ssl_) return;
  ERR_clear_error();
  // OpenSSL compares against its own clock: if our caller's deadline fires a little early
  // by that clock, this is a no-op and nextTimeout() reports the small remainder.
  const int ret = DTLSv1_handle_timeout(ssl_.get());
  if (ret > 0) {
    ++counters_.retransmissions;
  } else if (ret < 0) {
    ERR_clear_error();
    fail(DtlsFailure::RetransmitLimit);  // RFC 6347 §4.2.4: too many expiries, give up
  }
}

TimePoint DtlsTransport::nextTimeout(TimePoint now) const noexcept {
  if (state_ != DtlsState::Connecting || !ssl_) return kNever;
  // Seam: DTLSv1_get_timeout answers "time left" measured by OpenSSL's own gettimeofday
  // clock, not by `now`; we translate it onto the caller's timeline.
  struct timeval left{};
  if (DTLSv1_get_timeout(ssl_.get(), &left) != 1) return kNever;
  return now + seconds(left.tv_sec) + microseconds(left.tv_usec);
}

size_t DtlsTransport::pollTransmit(std::span<uint8_t> out) noexcept {
  const size_t n = bio_.pop(out);
  if (n > 0) ++counters_.datagramsSent;
  return n;
}

std::optional<DtlsEvent> DtlsTransport::pollEvent() noexcept {
  if (eventCount_ == 0) return std::nullopt;
  DtlsEvent ev = events_[eventHead_];
  eventHead_ = (eventHead_ + 1) % kMaxEvents;
  --eventCount_;
  return ev;
}

void DtlsTransport::close() noexcept {
  if (state_ == DtlsState::Closed || state_ == DtlsState::Failed) return;
  if (ssl_ && SSL_is_init_finished(ssl_.get())) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // queues close_notify (RFC 5246 §7.2.1); no need to wait
    ERR_clear_error();
  }
  setState(DtlsState::Closed);
}

DtlsCounters DtlsTransport::counters() const noexcept {
  DtlsCounters c = counters_;
  c.transmitOverflowDrops = bio_.overflowDrops();
  c.transmitOversizeDrops = bio_.oversizeDrops();
  return c;
}

void DtlsTransport::setState(DtlsState next) noexcept {
  if (state_ == next) return;
  state_ = next;
  if (eventCount_ == kMaxEvents) {  // unreachable with ≤ 4 transitions; keep the newest
    eventHead_ = (eventHead_ + 1) % kMaxEvents;
    --eventCount_;
  }
  events_[(eventHead_ + eventCount_) % kMaxEvents] = DtlsStateChanged{next};
  ++eventCount_;
}

void DtlsTransport::fail(DtlsFailure reason) noexcept {
  if (state_ == DtlsState::Failed || state_ == DtlsState::Closed) return;
  failure_ = reason;
  // After a completed handshake (fingerprint/profile/export failures) tell the peer we are
  // done; during the handshake OpenSSL has already queued its fatal alert.
  if (ssl_ && SSL_is_init_finished(ssl_.get())) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());
    ERR_clear_error();
  }
  setState(DtlsState::Failed);
}

}  // namespace rtcgate::dtls
