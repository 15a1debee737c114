// libFuzzer target: a sequence of datagrams fed to one IceLiteAgent. Each chunk is
//   [flags:1][length:2][bytes...]
// flags bit 0: "sign" — force the STUN header and append a valid MESSAGE-INTEGRITY (gateway pwd)
// and FINGERPRINT, so the fuzzer reaches role conflict, nomination and consent paths;
// bits 1-3: which of 8 source addresses sends it; bit 4: advance the clock 10 s first;
// bit 5: set the remote credentials first.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <variant>

#include "common/ByteOrder.hpp"
#include "ice/IceLiteAgent.hpp"
#include "stun/Crc32.hpp"
#include "stun/StunMessage.hpp"

using namespace rtcgate;
using namespace rtcgate::ice;

namespace {

const IceCredentials kLocal{"gwUf", "gateway-password-0123456789"};

// Turns arbitrary bytes into a STUN message that authenticates with the local pwd.
size_t sign(std::span<const uint8_t> in, std::span<uint8_t> out) {
  if (in.size() < stun::kHeaderSize) return 0;
  const size_t body = (in.size() - stun::kHeaderSize) & ~size_t(3);
  const size_t total = stun::kHeaderSize + body + stun::kMessageIntegritySize + stun::kFingerprintSize;
  if (total > out.size() || total - stun::kHeaderSize > 0xFFFF) return 0;
  std::memcpy(out.data(), in.data(), stun::kHeaderSize + body);
  out[0] &= 0x3f;
  store32(out.data() + 4, stun::kMagicCookie);
  size_t pos = stun::kHeaderSize + body;
  store16(out.data() + 2, uint16_t(pos + stun::kMessageIntegritySize - stun::kHeaderSize));
  store16(out.data() + pos, uint16_t(stun::StunAttribute::MessageIntegrity));
  store16(out.data() + pos + 2, stun::kHmacSha1Size);
  static const stun::HmacSha1Key kKey(std::string_view(kLocal.pwd));
  kKey.compute(out.first(pos), std::span<uint8_t, stun::kSha1Size>(out.data() + pos + 4, stun::kSha1Size));
  pos += stun::kMessageIntegritySize;
  store16(out.data() + 2, uint16_t(pos + stun::kFingerprintSize - stun::kHeaderSize));
  store16(out.data() + pos, uint16_t(stun::StunAttribute::Fingerprint));
  store16(out.data() + pos + 2, 4);
  store32(out.data() + pos + 4, stun::crc32(out.first(pos)) ^ stun::kFingerprintXor);
  return pos + stun::kFingerprintSize;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::array<SocketAddress, 8> kSources = [] {
    std::array<SocketAddress, 8> a;
    for (uint16_t i = 0; i < 4; ++i) a[i] = SocketAddress::fromIp("192.0.2.1", uint16_t(1000 + i));
    for (uint16_t i = 4; i < 8; ++i) a[i] = SocketAddress::fromIp("2001:db8::1", uint16_t(1000 + i));
    return a;
  }();
  IceLiteAgent agent(kLocal, 0x8000000000000000ull);
  TimePoint now{};
  std::array<uint8_t, 2048> signedBuf;
  std::array<uint8_t, 1500> out;
  size_t pos = 0;
  while (size - pos >= 3) {
    const uint8_t flags = data[pos];
    const size_t len = std::min<size_t>(load16(data + pos + 1), size - pos - 3);
    std::span<const uint8_t> chunk(data + pos + 3, len);
    pos += 3 + len;
    if (flags & 0x10) {
      now += seconds(10);
      agent.handleTimeout(now);
      if (agent.nextTimeout() <= now && agent.state() == IceState::Connected) __builtin_trap();
    }
    if (flags & 0x20) agent.setRemoteCredentials(IceCredentials{"brWs", "browser-password-0123456789"});
    if (flags & 0x01) {
      const size_t n = sign(chunk, signedBuf);
      if (n == 0) continue;
      chunk = std::span<const uint8_t>(signedBuf.data(), n);
    }
    const SocketAddress& from = kSources[(flags >> 1) & 7];
    const IceResult r = agent.handleStun(now, chunk, from, out);
    if (r.responseSize > out.size()) __builtin_trap();
    if (r.responseSize > 0) {
      auto resp = stun::StunMessage::parse(std::span<const uint8_t>(out.data(), r.responseSize));
      if (!resp || !resp->verifyFingerprint()) __builtin_trap();
    }
    if (r.kind == IceResultKind::Accepted && !agent.isValidatedSource(from)) __builtin_trap();
    if (agent.selected() != nullptr && !agent.isValidatedSource(*agent.selected())) __builtin_trap();
    while (auto e = agent.pollEvent()) (void)e;
  }
  return 0;
}
