#pragma once
// Value types DtlsTransport takes and returns: roles, states, events, keys, counters.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

#include "srtp/SrtpProfile.hpp"

namespace rtcgate::dtls {

// RFC 5763 §5 / RFC 4145: a=setup:active is the DTLS client, a=setup:passive the server.
enum class DtlsRole : uint8_t { Client, Server };

enum class DtlsState : uint8_t {
  New,         // constructed, start() not called and nothing received
  Connecting,  // handshake in progress (a server waits here for the ClientHello)
  Connected,   // handshake done, fingerprint verified, SRTP keys available
  Failed,      // see DtlsTransport::failure()
  Closed,      // close() called or close_notify received
};

enum class DtlsFailure : uint8_t {
  None,
  HandshakeError,       // OpenSSL aborted the handshake (it sent a fatal alert) or got one
  RetransmitLimit,      // the peer never answered our flight (RFC 6347 §4.2.4 timer gave up)
  NoRemoteFingerprint,  // handshake finished before setRemoteFingerprint(): cannot verify
  FingerprintMismatch,  // RFC 5763 §5: peer certificate is not the one signalled in SDP
  NoSrtpProfile,        // RFC 5764 §4.1.1: no use_srtp profile in common
  KeyExportFailed,      // RFC 5764 §4.2 exporter failed
  ConnectionError,      // fatal error or fatal alert after the handshake
};

std::string_view toString(DtlsState state) noexcept;
std::string_view toString(DtlsFailure failure) noexcept;

struct DtlsStateChanged {
  DtlsState state;
};
// A sum type so later events (e.g. a data-channel payload) extend it without a new poll.
using DtlsEvent = std::variant<DtlsStateChanged>;

// SRTP master keys from the RFC 5764 §4.2 exporter, already split per direction.
struct SrtpKeys {
  srtp::SrtpProfile profile;
  std::array<uint8_t, srtp::kMaxMasterKeySaltLength> localMasterKeySalt{};   // we protect
  std::array<uint8_t, srtp::kMaxMasterKeySaltLength> remoteMasterKeySalt{};  // we unprotect
  size_t length = 0;  // valid bytes in each array: masterKeySaltLength(profile)

  std::span<const uint8_t> local() const noexcept { return {localMasterKeySalt.data(), length}; }
  std::span<const uint8_t> remote() const noexcept { return {remoteMasterKeySalt.data(), length}; }
};

struct DtlsCounters {
  uint64_t datagramsReceived = 0;
  uint64_t datagramsSent = 0;          // returned by pollTransmit
  uint64_t invalidDatagrams = 0;       // not a sequence of well-framed DTLS records: dropped
  uint64_t ignoredDatagrams = 0;       // arrived before start (client) or after Failed/Closed
  uint64_t handshakeResets = 0;        // server discarded garbage before any ClientHello
  uint64_t retransmissions = 0;        // handleTimeout resent a flight
  uint64_t applicationDataDropped = 0; // DTLS application data: we carry no data channel
  uint64_t transmitOverflowDrops = 0;  // outgoing ring full (owner did not drain)
  uint64_t transmitOversizeDrops = 0;  // outgoing datagram larger than slot or out buffer
};

// UDP payload budget for DTLS datagrams: leaves room for IPv6 and TURN ChannelData/Send
// headers on a 1280-byte path (RFC 8200 §5 minimum IPv6 MTU).
inline constexpr size_t kDtlsMtu = 1200;

}  // namespace rtcgate::dtls
