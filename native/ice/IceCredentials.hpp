#pragma once
// ICE username fragment and password (RFC 8445 §5.3), exchanged in SDP (a=ice-ufrag/ice-pwd).
#include <string>

namespace rtcgate::ice {

struct IceCredentials {
  std::string ufrag;
  std::string pwd;
};

}  // namespace rtcgate::ice
