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
#include "media/LegFormat.hpp"
#include "media/TranscoderOptions.hpp"
#include "session/EndpointTypes.hpp"
#include "session/RtpEndpoint.hpp"
#include "session/WallClock.hpp"

namespace rtcgate::engine {

class Worker;

struct CreatedEndpoint {
  uint32_t id;
  uint16_t port;
  std::string iceUfrag;
  std::string icePwd;
};

struct CreatedRtpEndpoint {
  uint32_t id;
  uint16_t port;
  uint16_t rtcpPort;  // == port with rtcp-mux
};

struct RtpEndpointParams {
  uint32_t affinity = 0;  // an existing endpoint id to share a worker with (0: any)
  bool rtcpMux = false;
  session::RtpEndpointOptions options;
};

struct BridgeParams {
  uint32_t legA = 0;
  uint32_t legB = 0;
  bool transcode = false;
  media::LegFormat formatA;
  media::LegFormat formatB;
  media::TranscoderOptions options;
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
  CreatedEndpoint createWebRtcEndpoint(uint32_t affinity = 0);
  // A plain RTP endpoint for the SIP side, on the SIP port range (an even RTP port and the
  // next odd one for RTCP unless rtcp-mux). Throws std::runtime_error when the range is full.
  CreatedRtpEndpoint createRtpEndpoint(RtpEndpointParams params);
  void setRtpRemote(uint32_t id, SocketAddress rtp, SocketAddress rtcp);
  // What a re-INVITE may change on a SIP-side leg: the codec's clock rate, the SDES keys
  // (`setSrtp` with nullopt keys = plain RTP from now on) and the media timeout.
  struct RtpUpdate {
    std::optional<uint32_t> clockRate;
    bool setSrtp = false;
    std::optional<session::SdesSrtpKeys> srtp;
    std::optional<Duration> mediaTimeout;
  };
  void updateRtpEndpoint(uint32_t id, RtpUpdate update);
  // Joins two legs (which must share a worker: create the second with affinity to the first).
  // Returns the bridge id; a failure on the worker is reported as a bridge-closed event.
  uint32_t createBridge(const BridgeParams& params);
  void destroyBridge(uint32_t bridgeId);
  void requestBridgeStats(uint32_t bridgeId);
  void connectWebRtcEndpoint(uint32_t id, session::ConnectParams params);
  void requestStats(uint32_t id);
  void closeEndpoint(uint32_t id);

  size_t portsInUse() const noexcept { return pool_.inUse(); }
  size_t portsTotal() const noexcept { return pool_.total(); }
  size_t sipPortsInUse() const noexcept { return sipPool_.inUse(); }
  size_t sipPortsTotal() const noexcept { return sipPool_.total(); }

  // Closes every endpoint and joins the workers. Idempotent.
  void stop();

 private:
  Worker& workerFor(uint32_t id) noexcept { return *workers_[id % workers_.size()]; }
  // A fresh id; with an affinity, one that maps to the same worker as that id.
  uint32_t allocateId(uint32_t affinity) noexcept;

  EngineConfig config_;
  EventSink sink_;
  io::PortPool pool_;     // browser side ([rsmp] web-rtp-min-port .. web-rtp-max-port)
  io::PortPool sipPool_;  // SIP side ([rsmp] sip-rtp-min-port .. sip-rtp-max-port)
  dtls::Certificate certificate_;
  std::unique_ptr<dtls::DtlsContext> dtlsContext_;
  std::string fingerprint_;
  session::WallClockAnchor clockAnchor_{};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<uint32_t> nextId_{1};
  bool stopped_ = false;
};

}  // namespace rtcgate::engine
