#include "engine/Engine.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "engine/Worker.hpp"
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
      certificate_(loadCertificate(config)) {
  if (config.workers == 0 || config.workers > 256) throw std::invalid_argument("workers must be 1..256");
  dtlsContext_ = std::make_unique<dtls::DtlsContext>(certificate_);
  fingerprint_ = certificate_.fingerprint("sha-256");
  clockAnchor_ = session::WallClockAnchor{Clock::now(), std::chrono::system_clock::now()};
  for (unsigned i = 0; i < config.workers; ++i)
    workers_.push_back(std::make_unique<Worker>(i, pool_, sink_));
}

Engine::~Engine() { stop(); }

CreatedEndpoint Engine::createWebRtcEndpoint() {
  if (stopped_) throw std::runtime_error("engine stopped");
  auto bound = pool_.acquire();
  if (!bound)
    throw std::runtime_error("no free media port in " + std::to_string(config_.portMin) + "-" +
                             std::to_string(config_.portMax));
  CreatedEndpoint created{nextId_++, bound->port, randomIceString(8), randomIceString(24)};
  auto endpoint = std::make_unique<session::WebRtcEndpoint>(
      created.id, bound->fd, ice::IceCredentials{created.iceUfrag, created.icePwd}, randomTieBreaker(),
      config_.consentTimeout, *dtlsContext_, clockAnchor_);
  // std::function needs a copyable callable: hand the unique_ptr over through a shared one.
  auto shared = std::make_shared<std::unique_ptr<session::WebRtcEndpoint>>(std::move(endpoint));
  const io::BoundPort port = *bound;
  workerFor(created.id).post([shared, port](Worker& w) { w.addEndpoint(std::move(*shared), port); });
  return created;
}

void Engine::connectWebRtcEndpoint(uint32_t id, session::ConnectParams params) {
  workerFor(id).post([id, params = std::move(params)](Worker& w) { w.connectEndpoint(id, params); });
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
