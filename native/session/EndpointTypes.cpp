#include "session/EndpointTypes.hpp"

namespace rtcgate::session {

const char* toString(CloseReason r) noexcept {
  switch (r) {
    case CloseReason::Closed: return "closed";
    case CloseReason::ConsentTimeout: return "consent-timeout";
    case CloseReason::SetupTimeout: return "setup-timeout";
    case CloseReason::DtlsFailed: return "dtls-failed";
    case CloseReason::EngineStopped: return "engine-stopped";
    case CloseReason::MediaTimeout: return "media-timeout";
  }
  return "closed";
}

}  // namespace rtcgate::session
