#pragma once
#include <string>

namespace rtcgate::session {

// What an endpoint reports to its worker after an input: state changes and rate-limited log
// lines about rejected input. Rare, so strings are fine.
//
// SourceLatched (plain RTP legs, symmetric RTP): `state` is "rtp" or "rtcp", `selectedAddress`
// the source the leg now sends that flow to.
struct EndpointEvent {
  enum class Type { IceState, DtlsState, Log, SourceLatched };
  Type type;
  std::string state;
  std::string selectedAddress;
  std::string srtpProfile;
  std::string level, tag, message;
};

}  // namespace rtcgate::session
