#include "dtls/DtlsTypes.hpp"

namespace rtcgate::dtls {

// Lowercase names match the TypeScript DtlsState union.
std::string_view toString(DtlsState state) noexcept {
  switch (state) {
    case DtlsState::New: return "new";
    case DtlsState::Connecting: return "connecting";
    case DtlsState::Connected: return "connected";
    case DtlsState::Failed: return "failed";
    case DtlsState::Closed: return "closed";
  }
  return "unknown";
}

std::string_view toString(DtlsFailure failure) noexcept {
  switch (failure) {
    case DtlsFailure::None: return "none";
    case DtlsFailure::HandshakeError: return "handshake-error";
    case DtlsFailure::RetransmitLimit: return "retransmit-limit";
    case DtlsFailure::NoRemoteFingerprint: return "no-remote-fingerprint";
    case DtlsFailure::FingerprintMismatch: return "fingerprint-mismatch";
    case DtlsFailure::NoSrtpProfile: return "no-srtp-profile";
    case DtlsFailure::KeyExportFailed: return "key-export-failed";
    case DtlsFailure::ConnectionError: return "connection-error";
  }
  return "unknown";
}

}  // namespace rtcgate::dtls
