#pragma once
// The native media engine: a fixed set of worker threads, the media port pool and the DTLS
// identity. Its methods are the control path (called from the Node main thread through the
// bindings); every packet is handled on a worker.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dtls/Certificate.hpp"
#include "dtls/DtlsContext.hpp"
#include "engine/EngineConfig.hpp"
#include "engine/EngineEvent.hpp"
#include "io/PortPool.hpp"
#include "session/EndpointTypes.hpp"
#include "session/WallClock.hpp"

namespace rtcgate::engine {

class Worker;

struct CreatedEndpoint {
  uint32_t id;
  uint16_t port;
  std::string iceUfrag;
  std::string icePwd;
};

class Engine {
 public:
  Engine(const EngineConfig& config, EventSink sink);  // throws on bad configuration
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // a=fingerprint value of the engine's certificate (sha-256, "AB:CD:...").
  const std::string& fingerprint() const noexcept { return fingerprint_; }

  // Takes a port from the pool and starts an ICE-lite/DTLS endpoint on a worker. Throws
  // std::runtime_error when the port range is exhausted.
  CreatedEndpoint createWebRtcEndpoint();
  void connectWebRtcEndpoint(uint32_t id, session::ConnectParams params);
  void requestStats(uint32_t id);
  void closeEndpoint(uint32_t id);

  size_t portsInUse() const noexcept { return pool_.inUse(); }
  size_t portsTotal() const noexcept { return pool_.total(); }

  // Closes every endpoint and joins the workers. Idempotent.
  void stop();

 private:
  Worker& workerFor(uint32_t id) noexcept { return *workers_[id % workers_.size()]; }

  EngineConfig config_;
  EventSink sink_;
  io::PortPool pool_;
  dtls::Certificate certificate_;
  std::unique_ptr<dtls::DtlsContext> dtlsContext_;
  std::string fingerprint_;
  session::WallClockAnchor clockAnchor_{};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<uint32_t> nextId_{1};
  bool stopped_ = false;
};

}  // namespace rtcgate::engine
