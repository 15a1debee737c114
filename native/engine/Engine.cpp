#include "engine/Engine.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "engine/Worker.hpp"
#include "media/RelayBridge.hpp"
#include "media/TranscodingBridge.hpp"
#include "session/RtpEndpoint.hpp"
#include "session/WebRtcEndpoint.hpp"

namespace rtcgate::engine {

namespace {

// RFC 8445 §5.3: ufrag at least 4 and pwd at least 22 ice-chars ([A-Za-z0-9+/]).
std::string randomIceString(size_t length) {
  static constexpr char kIceChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<uint8_t> bytes(length);
  if (RAND_bytes(bytes.data(), static_cast<int>(length)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  std::string s(length, 'A');
  for (size_t i = 0; i < length; ++i) s[i] = kIceChars[bytes[i] % 64];
  return s;
}

uint64_t randomTieBreaker() {
  uint64_t v = 0;
  if (RAND_bytes(reinterpret_cast<uint8_t*>(&v), sizeof(v)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return v;
}

dtls::Certificate loadCertificate(const EngineConfig& c) {
  if (c.certificatePem.empty() != c.privateKeyPem.empty())
    throw std::invalid_argument("DTLS certificate and private key must be given together");
  if (c.certificatePem.empty()) return dtls::Certificate::generate();
  return dtls::Certificate::fromPem(c.certificatePem, c.privateKeyPem);
}

}  // namespace

Engine::Engine(const EngineConfig& config, EventSink sink)
    : config_(config),
      sink_(std::move(sink)),
      pool_(config.bindAddress, config.portMin, config.portMax),
      sipPool_(config.bindAddress, config.sipPortMin, config.sipPortMax),
      certificate_(loadCertificate(config)) {
  if (config.workers == 0 || config.workers > 256) throw std::invalid_argument("workers must be 1..256");
  dtlsContext_ = std::make_unique<dtls::DtlsContext>(certificate_);
  fingerprint_ = certificate_.fingerprint("sha-256");
  clockAnchor_ = session::WallClockAnchor{Clock::now(), std::chrono::system_clock::now()};
  for (unsigned i = 0; i < config.workers; ++i)
    workers_.push_back(std::make_unique<Worker>(i, sink_));
}

Engine::~Engine() { stop(); }

uint32_t Engine::allocateId(uint32_t affinity) noexcept {
  const size_t n = workers_.size();
  for (;;) {
    const uint32_t id = nextId_++;
    if (id == 0) continue;  // 0 means "no affinity"
    if (affinity == 0 || id % n == affinity % n) return id;
  }
}

CreatedEndpoint Engine::createWebRtcEndpoint(uint32_t affinity) {
  if (stopped_) throw std::runtime_error("engine stopped");
  auto bound = pool_.acquire();
  if (!bound)
    throw std::runtime_error("no free media port in " + std::to_string(config_.portMin) + "-" +
                             std::to_string(config_.portMax));
  CreatedEndpoint created{allocateId(affinity), bound->port, randomIceString(8), randomIceString(24)};
  auto endpoint = std::make_unique<session::WebRtcEndpoint>(
      created.id, bound->fd, ice::IceCredentials{created.iceUfrag, created.icePwd}, randomTieBreaker(),
      config_.consentTimeout, *dtlsContext_, clockAnchor_);
  // std::function needs a copyable callable: hand the unique_ptr over through a shared one.
  auto shared = std::make_shared<std::unique_ptr<session::WebRtcEndpoint>>(std::move(endpoint));
  EndpointSockets sockets{&pool_, *bound, io::BoundPort{-1, 0}};
  workerFor(created.id).post([shared, sockets](Worker& w) { w.addEndpoint(std::move(*shared), sockets); });
  return created;
}

CreatedRtpEndpoint Engine::createRtpEndpoint(RtpEndpointParams params) {
  if (stopped_) throw std::runtime_error("engine stopped");
  const std::string range = std::to_string(config_.sipPortMin) + "-" + std::to_string(config_.sipPortMax);
  EndpointSockets sockets{&sipPool_, {-1, 0}, {-1, 0}};
  if (params.rtcpMux) {
    auto bound = sipPool_.acquire();
    if (!bound) throw std::runtime_error("no free SIP media port in " + range);
    sockets.primary = *bound;
  } else {
    auto pair = sipPool_.acquirePair();
    if (!pair) throw std::runtime_error("no free SIP media port pair in " + range);
    sockets.primary = pair->rtp;
    sockets.rtcp = pair->rtcp;
  }
  const uint32_t id = allocateId(params.affinity);
  params.options.clock = clockAnchor_;
  auto endpoint = std::make_unique<session::RtpEndpoint>(id, sockets.primary.fd, sockets.rtcp.fd, params.options);
  auto shared = std::make_shared<std::unique_ptr<session::RtpEndpoint>>(std::move(endpoint));
  workerFor(id).post([shared, sockets](Worker& w) { w.addEndpoint(std::move(*shared), sockets); });
  return CreatedRtpEndpoint{id, sockets.primary.port, sockets.rtcp.fd >= 0 ? sockets.rtcp.port : sockets.primary.port};
}

void Engine::setRtpRemote(uint32_t id, SocketAddress rtp, SocketAddress rtcp) {
  workerFor(id).post([id, rtp, rtcp](Worker& w) {
    w.withEndpoint<session::RtpEndpoint>(id, "setRtpRemote", [&](session::RtpEndpoint& e) { e.setRemote(Clock::now(), rtp, rtcp); });
  });
}

void Engine::updateRtpEndpoint(uint32_t id, RtpUpdate update) {
  workerFor(id).post([id, update = std::move(update)](Worker& w) {
    w.withEndpoint<session::RtpEndpoint>(id, "updateRtpEndpoint", [&](session::RtpEndpoint& e) {
      if (update.clockRate) e.setClockRate(*update.clockRate);
      if (update.mediaTimeout) e.setMediaTimeout(*update.mediaTimeout);
      if (update.setSrtp) {
        try {
          e.setSdesSrtp(update.srtp);
        } catch (const std::exception& ex) {
          w.log("error", "srtp", std::string("SDES keys refused, previous keys kept: ") + ex.what(), id);
        }
      }
    });
  });
}

uint32_t Engine::createBridge(const BridgeParams& params) {
  if (stopped_) throw std::runtime_error("engine stopped");
  const size_t n = workers_.size();
  if (params.legA % n != params.legB % n)
    throw std::invalid_argument("legs " + std::to_string(params.legA) + " and " + std::to_string(params.legB) +
                                " live on different workers: create the second with affinity to the first");
  const uint32_t id = allocateId(params.legA);
  workerFor(id).post([id, params](Worker& w) {
    session::Endpoint* a = w.findEndpoint(params.legA);
    session::Endpoint* b = w.findEndpoint(params.legB);
    std::string failure;
    std::unique_ptr<media::Bridge> bridge;
    if (a == nullptr || b == nullptr) {
      failure = "no endpoint " + std::to_string(a == nullptr ? params.legA : params.legB);
    } else {
      try {
        if (params.transcode)
          bridge = std::make_unique<media::TranscodingBridge>(id, *a, params.formatA, *b, params.formatB, params.options);
        else
          bridge = std::make_unique<media::RelayBridge>(id, *a, params.formatA, *b, params.formatB);
      } catch (const std::exception& e) {
        failure = e.what();
      }
    }
    if (!bridge) {
      EngineEvent ev;
      ev.type = EngineEvent::Type::BridgeClosed;
      ev.endpointId = id;
      ev.reason = failure;
      w.log("error", "bridge", "bridge " + std::to_string(id) + " not created: " + failure);
      w.emitEvent(std::move(ev));
      return;
    }
    w.addBridge(std::move(bridge));
  });
  return id;
}

void Engine::destroyBridge(uint32_t bridgeId) {
  workerFor(bridgeId).post([bridgeId](Worker& w) { w.removeBridge(bridgeId, "destroyed"); });
}

void Engine::requestBridgeStats(uint32_t bridgeId) {
  workerFor(bridgeId).post([bridgeId](Worker& w) { w.reportBridgeStats(bridgeId); });
}

void Engine::connectWebRtcEndpoint(uint32_t id, session::ConnectParams params) {
  workerFor(id).post([id, params = std::move(params)](Worker& w) {
    w.withEndpoint<session::WebRtcEndpoint>(id, "connect", [&](session::WebRtcEndpoint& e) {
      e.connect(Clock::now(), params, w.tx());
    });
  });
}

void Engine::requestStats(uint32_t id) {
  workerFor(id).post([id](Worker& w) { w.reportStats(id); });
}

void Engine::closeEndpoint(uint32_t id) {
  workerFor(id).post([id](Worker& w) { w.closeEndpoint(id, session::CloseReason::Closed); });
}

void Engine::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& w : workers_) w->stop();
  workers_.clear();
}

}  // namespace rtcgate::engine
