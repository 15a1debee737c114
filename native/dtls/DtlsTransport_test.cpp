// Two transports handshake in-process: datagrams are shuttled between pollTransmit() and
// handleDatagram(), no sockets. Retransmission tests run on the real clock because OpenSSL
// times its DTLS retransmissions itself; the contexts use a 50 ms first timeout to keep it
// short.
#include "dtls/DtlsTransport.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "srtp/SrtpSession.hpp"

namespace rtcgate::dtls {
namespace {

using srtp::SrtpProfile;

DtlsContextOptions fastOptions(std::vector<SrtpProfile> profiles = {SrtpProfile::AeadAes128Gcm,
                                                                    SrtpProfile::AesCm128HmacSha1_80}) {
  DtlsContextOptions o;
  o.srtpProfiles = std::move(profiles);
  o.initialRetransmitTimeout = std::chrono::milliseconds(50);
  return o;
}

// Drops datagram number `index` (0-based, per direction) when it returns true.
using DropFn = std::function<bool(bool fromClient, size_t index)>;

struct Pair {
  DtlsContext clientCtx;
  DtlsContext serverCtx;
  DtlsTransport client{clientCtx, DtlsRole::Client};
  DtlsTransport server{serverCtx, DtlsRole::Server};
  size_t sentByClient = 0;
  size_t sentByServer = 0;
  std::vector<DtlsState> clientStates, serverStates;

  explicit Pair(DtlsContextOptions c = fastOptions(), DtlsContextOptions s = fastOptions())
      : clientCtx(Certificate::generate(), std::move(c)),
        serverCtx(Certificate::generate(), std::move(s)) {
    client.setRemoteFingerprint("sha-256", serverCtx.certificate().fingerprint());
    server.setRemoteFingerprint("sha-256", clientCtx.certificate().fingerprint());
  }

  // Moves every queued datagram across once in each direction; returns how many moved.
  size_t shuttle(const DropFn& drop = nullptr) {
    uint8_t buf[DtlsTransport::kMaxDatagram];
    size_t moved = 0;
    const TimePoint now = Clock::now();
    while (size_t n = client.pollTransmit(buf)) {
      EXPECT_LE(n, kDtlsMtu);
      ++moved;
      if (!(drop && drop(true, sentByClient++))) server.handleDatagram(now, {buf, n});
    }
    while (size_t n = server.pollTransmit(buf)) {
      EXPECT_LE(n, kDtlsMtu);
      ++moved;
      if (!(drop && drop(false, sentByServer++))) client.handleDatagram(now, {buf, n});
    }
    collectEvents();
    return moved;
  }

  void collectEvents() {
    while (auto ev = client.pollEvent()) clientStates.push_back(std::get<DtlsStateChanged>(*ev).state);
    while (auto ev = server.pollEvent()) serverStates.push_back(std::get<DtlsStateChanged>(*ev).state);
  }

  // Runs until neither side has anything to send, firing timeouts on the real clock.
  void run(const DropFn& drop = nullptr, std::chrono::milliseconds budget = std::chrono::milliseconds(3000)) {
    const TimePoint deadline = Clock::now() + budget;
    while (Clock::now() < deadline) {
      if (shuttle(drop) > 0) continue;
      const TimePoint now = Clock::now();
      const TimePoint next = std::min(client.nextTimeout(now), server.nextTimeout(now));
      if (next == kNever) return;
      std::this_thread::sleep_until(std::min(next, deadline));
      client.handleTimeout(Clock::now());
      server.handleTimeout(Clock::now());
    }
  }
};

void expectKeysWork(const SrtpKeys& sender, const SrtpKeys& receiver) {
  srtp::SrtpSession out(srtp::SrtpSession::Direction::Outbound, sender.profile, sender.local());
  srtp::SrtpSession in(srtp::SrtpSession::Direction::Inbound, receiver.profile, receiver.remote());
  std::vector<uint8_t> buf(12 + 20 + srtp::SrtpSession::kMaxTrailer, 0x42);
  buf[0] = 0x80; buf[1] = 0x00; buf[3] = 0x01; buf[11] = 0x07;  // V=2, seq 1, SSRC 7
  const std::vector<uint8_t> plain(buf.begin(), buf.begin() + 32);
  size_t len = 32;
  ASSERT_TRUE(out.protectRtp(buf, len));
  ASSERT_TRUE(in.unprotectRtp(buf, len));
  EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + len), plain);
}

TEST(DtlsTransport, HandshakeConnectsAndExportsMatchingWorkingKeys) {
  Pair p;
  EXPECT_EQ(p.client.state(), DtlsState::New);
  p.client.start(Clock::now());
  p.server.start(Clock::now());
  p.run();
  ASSERT_EQ(p.client.state(), DtlsState::Connected) << toString(p.client.failure());
  ASSERT_EQ(p.server.state(), DtlsState::Connected) << toString(p.server.failure());
  EXPECT_EQ(p.clientStates, (std::vector{DtlsState::Connecting, DtlsState::Connected}));
  EXPECT_EQ(p.serverStates, (std::vector{DtlsState::Connecting, DtlsState::Connected}));

  const SrtpKeys& c = *p.client.srtpKeys();
  const SrtpKeys& s = *p.server.srtpKeys();
  EXPECT_EQ(c.profile, SrtpProfile::AeadAes128Gcm);  // first preference on both sides
  EXPECT_EQ(s.profile, c.profile);
  EXPECT_EQ(c.length, 28u);
  EXPECT_EQ(c.localMasterKeySalt, s.remoteMasterKeySalt);
  EXPECT_EQ(c.remoteMasterKeySalt, s.localMasterKeySalt);
  EXPECT_NE(c.localMasterKeySalt, c.remoteMasterKeySalt);
  expectKeysWork(c, s);
  expectKeysWork(s, c);
  EXPECT_EQ(p.client.nextTimeout(Clock::now()), kNever);
  EXPECT_EQ(p.server.counters().invalidDatagrams, 0u);
}

TEST(DtlsTransport, NegotiatesAesCmWhenThatIsAllTheClientOffers) {
  Pair p(fastOptions({SrtpProfile::AesCm128HmacSha1_80}));
  p.client.start(Clock::now());
  p.run();
  ASSERT_EQ(p.client.state(), DtlsState::Connected);
  ASSERT_EQ(p.server.state(), DtlsState::Connected);
  EXPECT_EQ(p.client.srtpKeys()->profile, SrtpProfile::AesCm128HmacSha1_80);
  EXPECT_EQ(p.client.srtpKeys()->length, 30u);
  expectKeysWork(*p.client.srtpKeys(), *p.server.srtpKeys());
  expectKeysWork(*p.server.srtpKeys(), *p.client.srtpKeys());
}

TEST(DtlsTransport, NoCommonSrtpProfileFailsBothSides) {
  Pair p(fastOptions({SrtpProfile::AeadAes128Gcm}), fastOptions({SrtpProfile::AesCm128HmacSha1_80}));
  p.client.start(Clock::now());
  p.run();
  EXPECT_EQ(p.client.state(), DtlsState::Failed);
  EXPECT_EQ(p.client.failure(), DtlsFailure::NoSrtpProfile);
  EXPECT_EQ(p.server.state(), DtlsState::Failed);
  EXPECT_EQ(p.server.failure(), DtlsFailure::NoSrtpProfile);
  EXPECT_FALSE(p.client.srtpKeys().has_value());
  EXPECT_FALSE(p.server.srtpKeys().has_value());
}

TEST(DtlsTransport, WrongFingerprintFailsAndThePeerSeesClose) {
  for (bool clientChecksWrong : {true, false}) {
    SCOPED_TRACE(clientChecksWrong ? "client has wrong fingerprint" : "server has wrong fingerprint");
    Pair p;
    const std::string wrong = Certificate::generate().fingerprint();
    (clientChecksWrong ? p.client : p.server).setRemoteFingerprint("sha-256", wrong);
    p.client.start(Clock::now());
    p.run();
    DtlsTransport& checker = clientChecksWrong ? p.client : p.server;
    DtlsTransport& other = clientChecksWrong ? p.server : p.client;
    EXPECT_EQ(checker.state(), DtlsState::Failed);
    EXPECT_EQ(checker.failure(), DtlsFailure::FingerprintMismatch);
    EXPECT_FALSE(checker.srtpKeys().has_value());
    EXPECT_EQ(other.state(), DtlsState::Closed);  // our close_notify reached it
  }
}

TEST(DtlsTransport, FingerprintComparisonIgnoresCase) {
  Pair p;
  std::string lower = p.serverCtx.certificate().fingerprint();
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  p.client.setRemoteFingerprint("SHA-256", lower);
  p.client.start(Clock::now());
  p.run();
  EXPECT_EQ(p.client.state(), DtlsState::Connected);
}

TEST(DtlsTransport, MissingRemoteFingerprintFails) {
  Pair p;
  p.server.setRemoteFingerprint("", "");
  p.client.start(Clock::now());
  p.run();
  EXPECT_EQ(p.server.state(), DtlsState::Failed);
  EXPECT_EQ(p.server.failure(), DtlsFailure::NoRemoteFingerprint);
}

TEST(DtlsTransport, LostFirstFlightIsRetransmittedOnTimeout) {
  Pair p;
  p.client.start(Clock::now());
  const TimePoint t0 = Clock::now();
  EXPECT_NE(p.client.nextTimeout(t0), kNever);
  EXPECT_LE(p.client.nextTimeout(t0) - t0, std::chrono::milliseconds(60));
  p.run([](bool fromClient, size_t index) { return fromClient && index == 0; });  // lose ClientHello
  EXPECT_EQ(p.client.state(), DtlsState::Connected);
  EXPECT_EQ(p.server.state(), DtlsState::Connected);
  EXPECT_GE(p.client.counters().retransmissions, 1u);
}

TEST(DtlsTransport, LostServerFlightIsRetransmitted) {
  Pair p;
  p.client.start(Clock::now());
  p.run([](bool fromClient, size_t index) { return !fromClient && index < 2; });
  EXPECT_EQ(p.client.state(), DtlsState::Connected);
  EXPECT_EQ(p.server.state(), DtlsState::Connected);
}

TEST(DtlsTransport, LostFinalFlightRecoversThroughPeerRetransmission) {
  Pair p;
  p.client.start(Clock::now());
  // The first flight from the server after the client's Finished carries its own Finished:
  // drop everything the server sends at that point once; the client retransmits flight 5
  // and the connected server answers with its last flight again (RFC 6347 §4.2.4).
  bool dropped = false;
  p.run([&](bool fromClient, size_t) {
    if (!fromClient && p.server.state() == DtlsState::Connected && !dropped) {
      dropped = true;
      return true;
    }
    return false;
  });
  EXPECT_TRUE(dropped);
  EXPECT_EQ(p.client.state(), DtlsState::Connected);
  EXPECT_EQ(p.server.state(), DtlsState::Connected);
}

TEST(DtlsTransport, GarbageIsCountedAndHarmlessBeforeDuringAndAfter) {
  Pair p;
  std::mt19937 rng(7);
  auto garbage = [&](DtlsTransport& t, int count) {
    for (int i = 0; i < count; ++i) {
      std::vector<uint8_t> junk(1 + rng() % 300);
      for (auto& b : junk) b = static_cast<uint8_t>(rng());
      if (i % 3 == 0) junk[0] = 22;  // looks like DTLS handshake at first glance
      t.handleDatagram(Clock::now(), junk);
    }
  };
  // Well framed, plausible records with nonsense inside: OpenSSL sees these.
  const std::vector<uint8_t> framedHandshake = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4,
                                                 1, 0xff, 0xff, 0xff};
  const std::vector<uint8_t> framedAppData = {23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 8,
                                              1, 2, 3, 4, 5, 6, 7, 8};
  p.server.handleDatagram(Clock::now(), framedHandshake);  // before any ClientHello
  garbage(p.server, 30);
  EXPECT_NE(p.server.state(), DtlsState::Failed);
  EXPECT_EQ(p.server.counters().handshakeResets, 1u);  // the framed nonsense broke OpenSSL once

  p.client.start(Clock::now());
  for (int round = 0; round < 6; ++round) {
    garbage(p.client, 5);
    garbage(p.server, 5);
    p.client.handleDatagram(Clock::now(), framedAppData);
    p.shuttle();
  }
  p.run();
  ASSERT_EQ(p.client.state(), DtlsState::Connected) << toString(p.client.failure());
  ASSERT_EQ(p.server.state(), DtlsState::Connected) << toString(p.server.failure());

  garbage(p.client, 50);
  garbage(p.server, 50);
  p.server.handleDatagram(Clock::now(), framedAppData);  // epoch 1, fails its AEAD check
  p.client.handleDatagram(Clock::now(), framedAppData);
  p.shuttle();
  EXPECT_EQ(p.client.state(), DtlsState::Connected);
  EXPECT_EQ(p.server.state(), DtlsState::Connected);
  EXPECT_GT(p.client.counters().invalidDatagrams, 60u);
  EXPECT_GT(p.server.counters().invalidDatagrams, 60u);
  expectKeysWork(*p.client.srtpKeys(), *p.server.srtpKeys());
}

TEST(DtlsTransport, CloseSendsCloseNotifyAndPeerCloses) {
  Pair p;
  p.client.start(Clock::now());
  p.run();
  ASSERT_EQ(p.server.state(), DtlsState::Connected);
  p.client.close();
  EXPECT_EQ(p.client.state(), DtlsState::Closed);
  p.shuttle();
  EXPECT_EQ(p.server.state(), DtlsState::Closed);
  EXPECT_EQ(p.serverStates.back(), DtlsState::Closed);
  EXPECT_TRUE(p.client.srtpKeys().has_value());  // still readable after close
  // Anything after close is ignored, not processed.
  const uint8_t record[] = {23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 0};
  p.server.handleDatagram(Clock::now(), record);
  EXPECT_EQ(p.server.counters().ignoredDatagrams, 1u);
}

TEST(DtlsTransport, ClientIgnoresDatagramsBeforeStartAndDatagramsKeepBoundaries) {
  Pair p;
  const uint8_t record[] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  p.client.handleDatagram(Clock::now(), record);
  EXPECT_EQ(p.client.state(), DtlsState::New);
  EXPECT_EQ(p.client.counters().ignoredDatagrams, 1u);

  p.client.start(Clock::now());
  uint8_t buf[DtlsTransport::kMaxDatagram];
  const size_t n = p.client.pollTransmit(buf);
  ASSERT_GT(n, 13u);  // at least one record header
  EXPECT_EQ(buf[0], 22);  // handshake record
  EXPECT_LE(n, kDtlsMtu);
  EXPECT_EQ(p.client.pollTransmit(buf), 0u);  // one ClientHello, one datagram
  // A too-small output buffer drops the datagram (counted) instead of cutting it.
  p.server.handleDatagram(Clock::now(), {buf, n});
  uint8_t tiny[16];
  while (p.server.pollTransmit(tiny) != 0) {
  }
  EXPECT_GT(p.server.counters().transmitOversizeDrops, 0u);
}

}  // namespace
}  // namespace rtcgate::dtls
