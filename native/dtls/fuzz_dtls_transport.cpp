// A server-role DtlsTransport fed arbitrary datagrams, the way a hostile or broken peer on an
// ICE-validated address could. Input: a sequence of [len_hi len_lo bytes...] datagrams.
// Every step drains transmits and events, and fires the timeout, like the worker would.
#include <cstdint>
#include <cstring>
#include <vector>

#include "dtls/DtlsTransport.hpp"

using namespace rtcgate;
using namespace rtcgate::dtls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static DtlsContext context(Certificate::generate());
  DtlsTransport transport(context, DtlsRole::Server);
  transport.setRemoteFingerprint("sha-256", context.certificate().fingerprint());
  uint8_t out[DtlsTransport::kMaxDatagram];
  const TimePoint now = Clock::now();
  size_t off = 0;
  while (off + 2 <= size) {
    const size_t len = static_cast<size_t>(data[off] << 8 | data[off + 1]) % 2048;
    off += 2;
    const size_t take = len < size - off ? len : size - off;
    // Exact-size heap copy so ASan sees any overread.
    std::vector<uint8_t> datagram(data + off, data + off + take);
    off += take;
    transport.handleDatagram(now, datagram);
    while (transport.pollTransmit(out) > 0) {
    }
    while (transport.pollEvent()) {
    }
    transport.handleTimeout(now);
    (void)transport.nextTimeout(now);
  }
  transport.close();
  while (transport.pollTransmit(out) > 0) {
  }
  return 0;
}
