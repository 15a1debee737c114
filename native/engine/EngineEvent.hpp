#pragma once
// Events a worker reports to the control path. Rare (state changes, stats on request, logs),
// so they may own strings; the packet path never produces one per packet.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "media/BridgeStats.hpp"
#include "session/EndpointTypes.hpp"

namespace rtcgate::engine {

struct EngineEvent {
  enum class Type { IceState, DtlsState, SourceLatched, Stats, Closed, BridgeStats, BridgeClosed, Log };
  Type type = Type::Log;
  uint32_t endpointId = 0;  // the bridge id for BridgeStats / BridgeClosed
  std::string state;            // IceState / DtlsState; SourceLatched: "rtp" | "rtcp"
  std::string selectedAddress;  // IceState; SourceLatched: the address media now goes to
  std::string srtpProfile;      // DtlsState
  std::string reason;           // Closed
  std::optional<session::EndpointStats> stats;
  std::optional<media::BridgeStats> bridgeStats;
  std::string level, tag, message;  // Log
};

// Called from worker threads; the bindings forward it to JS through a thread-safe function.
using EventSink = std::function<void(EngineEvent&&)>;

}  // namespace rtcgate::engine
