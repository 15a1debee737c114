#pragma once
// Events a worker reports to the control path. Rare (state changes, stats on request, logs),
// so they may own strings; the packet path never produces one per packet.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "session/EndpointTypes.hpp"

namespace rtcgate::engine {

struct EngineEvent {
  enum class Type { IceState, DtlsState, Stats, Closed, Log };
  Type type = Type::Log;
  uint32_t endpointId = 0;
  std::string state;            // IceState / DtlsState
  std::string selectedAddress;  // IceState
  std::string srtpProfile;      // DtlsState
  std::string reason;           // Closed
  std::optional<session::EndpointStats> stats;
  std::string level, tag, message;  // Log
};

// Called from worker threads; the bindings forward it to JS through a thread-safe function.
using EventSink = std::function<void(EngineEvent&&)>;

}  // namespace rtcgate::engine
