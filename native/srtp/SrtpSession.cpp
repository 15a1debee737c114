#include "srtp/SrtpSession.hpp"

#include <srtp2/srtp.h>

#include <climits>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

namespace rtcgate::srtp {
namespace {

static_assert(SrtpSession::kMaxTrailer == SRTP_MAX_TRAILER_LEN,
              "kMaxTrailer must match libsrtp's SRTP_MAX_TRAILER_LEN");

constexpr size_t kRtpHeaderLength = 12;   // RFC 3550 §5.1 fixed header
constexpr size_t kRtcpHeaderLength = 8;   // RFC 3550 §6.4.1 header + sender SSRC

// libsrtp keeps process-wide state (crypto kernel); srtp_init must run once before any
// srtp_create, whichever worker thread gets there first.
void initLibsrtpOnce() {
  static std::once_flag once;
  static srtp_err_status_t status = srtp_err_status_ok;
  std::call_once(once, [] { status = srtp_init(); });
  if (status != srtp_err_status_ok) {
    throw std::runtime_error("srtp_init failed with libsrtp status " + std::to_string(status));
  }
}

void setCryptoPolicy(SrtpProfile profile, srtp_policy_t& policy) {
  switch (profile) {
    case SrtpProfile::AesCm128HmacSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
      return;
    case SrtpProfile::AeadAes128Gcm:
      // RFC 7714 §14.2: SRTP_AEAD_AES_128_GCM uses a 16-octet tag for SRTP and SRTCP.
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
      return;
  }
}

}  // namespace

void SrtpSession::Deleter::operator()(srtp_ctx_t_* ctx) const noexcept {
  if (ctx != nullptr) srtp_dealloc(ctx);
}

SrtpSession::SrtpSession(Direction dir, SrtpProfile profile,
                         std::span<const uint8_t> masterKeyAndSalt)
    : dir_(dir), profile_(profile) {
  if (masterKeyAndSalt.size() != masterKeySaltLength(profile)) {
    throw std::runtime_error("SRTP master key+salt for " + std::string(profileName(profile)) +
                             " must be " + std::to_string(masterKeySaltLength(profile)) +
                             " bytes, got " + std::to_string(masterKeyAndSalt.size()));
  }
  initLibsrtpOnce();

  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  setCryptoPolicy(profile, policy);
  // One policy for every SSRC of the BUNDLE group: libsrtp clones a stream per new SSRC.
  policy.ssrc.type = dir == Direction::Inbound ? ssrc_any_inbound : ssrc_any_outbound;
  // libsrtp reads the key through a non-const pointer but does not modify it; copy it
  // anyway so we never cast away const on the caller's data.
  uint8_t key[kMaxMasterKeySaltLength] = {};
  std::memcpy(key, masterKeyAndSalt.data(), masterKeyAndSalt.size());
  policy.key = key;
  policy.window_size = kReplayWindow;
  // Retransmissions (RFC 4588 RTX aside, e.g. a resent RTCP or a relay re-sending) reuse
  // sequence numbers; without this libsrtp refuses them as replays on the sending side.
  policy.allow_repeat_tx = dir == Direction::Outbound ? 1 : 0;
  policy.next = nullptr;

  srtp_t session = nullptr;
  srtp_err_status_t status = srtp_create(&session, &policy);
  std::memset(key, 0, sizeof(key));
  if (status != srtp_err_status_ok) {
    throw std::runtime_error("srtp_create failed with libsrtp status " + std::to_string(status));
  }
  ctx_.reset(session);
}

SrtpSession::~SrtpSession() = default;
SrtpSession::SrtpSession(SrtpSession&&) noexcept = default;
SrtpSession& SrtpSession::operator=(SrtpSession&&) noexcept = default;

bool SrtpSession::protectRtp(std::span<uint8_t> buffer, size_t& length) noexcept {
  return protect(buffer, length, false);
}
bool SrtpSession::protectRtcp(std::span<uint8_t> buffer, size_t& length) noexcept {
  return protect(buffer, length, true);
}
bool SrtpSession::unprotectRtp(std::span<uint8_t> buffer, size_t& length) noexcept {
  return unprotect(buffer, length, false);
}
bool SrtpSession::unprotectRtcp(std::span<uint8_t> buffer, size_t& length) noexcept {
  return unprotect(buffer, length, true);
}

bool SrtpSession::protect(std::span<uint8_t> buffer, size_t& length, bool rtcp) noexcept {
  const size_t minimum = rtcp ? kRtcpHeaderLength : kRtpHeaderLength;
  // libsrtp writes the tag (and for SRTCP the index) after the payload without knowing the
  // buffer's size, so the room is checked here.
  if (!ctx_ || dir_ != Direction::Outbound || length < minimum || length > buffer.size() ||
      buffer.size() - length < kMaxTrailer || length > static_cast<size_t>(INT_MAX) - kMaxTrailer) {
    ++counters_.protectFailures;
    return false;
  }
  int len = static_cast<int>(length);
  const srtp_err_status_t status =
      rtcp ? srtp_protect_rtcp(ctx_.get(), buffer.data(), &len)
           : srtp_protect(ctx_.get(), buffer.data(), &len);
  if (status != srtp_err_status_ok) {
    ++counters_.protectFailures;
    return false;
  }
  length = static_cast<size_t>(len);
  ++(rtcp ? counters_.protectedRtcp : counters_.protectedRtp);
  return true;
}

bool SrtpSession::unprotect(std::span<uint8_t> buffer, size_t& length, bool rtcp) noexcept {
  const size_t minimum = rtcp ? kRtcpHeaderLength : kRtpHeaderLength;
  if (!ctx_ || dir_ != Direction::Inbound || length < minimum || length > buffer.size() ||
      length > static_cast<size_t>(INT_MAX)) {
    ++counters_.unprotectOtherFailures;
    return false;
  }
  int len = static_cast<int>(length);
  const srtp_err_status_t status =
      rtcp ? srtp_unprotect_rtcp(ctx_.get(), buffer.data(), &len)
           : srtp_unprotect(ctx_.get(), buffer.data(), &len);
  switch (status) {
    case srtp_err_status_ok:
      length = static_cast<size_t>(len);
      ++(rtcp ? counters_.unprotectedRtcp : counters_.unprotectedRtp);
      return true;
    case srtp_err_status_auth_fail:
      ++counters_.unprotectAuthFailures;
      return false;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      ++counters_.unprotectReplayFailures;
      return false;
    default:
      ++counters_.unprotectOtherFailures;
      return false;
  }
}

}  // namespace rtcgate::srtp
