// Feeds arbitrary bytes to SRTP and SRTCP unprotect on both profiles. The first input byte
// picks profile and RTP/RTCP; the sessions persist so replay state builds up across inputs.
#include <cstdint>
#include <cstring>
#include <vector>

#include "srtp/SrtpSession.hpp"

using rtcgate::srtp::SrtpProfile;
using rtcgate::srtp::SrtpSession;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const uint8_t kKey[30] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                   16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
  static SrtpSession cm(SrtpSession::Direction::Inbound, SrtpProfile::AesCm128HmacSha1_80,
                        std::span<const uint8_t>(kKey, 30));
  static SrtpSession gcm(SrtpSession::Direction::Inbound, SrtpProfile::AeadAes128Gcm,
                         std::span<const uint8_t>(kKey, 28));
  if (size < 1 || size > 4096) return 0;
  const uint8_t selector = data[0];
  // Exact-size heap copy so ASan catches any read or write past the packet.
  std::vector<uint8_t> buf(data + 1, data + size);
  size_t len = buf.size();
  SrtpSession& s = (selector & 1) ? gcm : cm;
  if (selector & 2) {
    s.unprotectRtcp(buf, len);
  } else {
    s.unprotectRtp(buf, len);
  }
  if (len > buf.size()) __builtin_trap();
  return 0;
}
