// libFuzzer target: StunMessage::parse and every accessor on arbitrary bytes; a parsed message
// is rewritten with StunWriter and must parse again.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "stun/StunMessage.hpp"
#include "stun/StunWriter.hpp"

using namespace rtcgate::stun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = StunMessage::parse(std::span<const uint8_t>(data, size));
  if (!m) return 0;
  static const HmacSha1Key kKey(std::string_view("VOkJxbRl1RmTxUk/WvJxBt"));
  (void)m->verifyMessageIntegrity(kKey);
  (void)m->verifyFingerprint();
  (void)m->priority();
  (void)m->iceControlling();
  (void)m->iceControlled();
  (void)m->attribute(StunAttribute::Software);
  auto error = m->errorCode();
  auto mapped = m->xorMappedAddress();
  auto username = m->username();

  std::array<uint8_t, 1500> out;
  StunWriter w(out);
  w.start(m->method(), m->messageClass(), m->transactionId());
  if (username) w.addUsername(*username);
  if (mapped) w.addXorMappedAddress(*mapped);
  if (error) w.addErrorCode(error->code, error->reason);
  if (m->useCandidate()) w.addUseCandidate();
  w.addMessageIntegrity(kKey);
  w.addFingerprint();
  const size_t n = w.finish();
  if (n == 0) return 0;
  auto again = StunMessage::parse(std::span<const uint8_t>(out.data(), n));
  if (!again || !again->verifyMessageIntegrity(kKey) || !again->verifyFingerprint()) __builtin_trap();
  if (username && again->username() != username) __builtin_trap();
  if (mapped && !(again->xorMappedAddress() == mapped)) __builtin_trap();
  return 0;
}
