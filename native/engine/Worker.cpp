#include "engine/Worker.hpp"

#include <pthread.h>

namespace rtcgate::engine {

namespace {

EngineEvent fromEndpointEvent(uint32_t id, const session::EndpointEvent& e) {
  EngineEvent ev;
  switch (e.type) {
    case session::EndpointEvent::Type::IceState: ev.type = EngineEvent::Type::IceState; break;
    case session::EndpointEvent::Type::DtlsState: ev.type = EngineEvent::Type::DtlsState; break;
    case session::EndpointEvent::Type::SourceLatched: ev.type = EngineEvent::Type::SourceLatched; break;
    case session::EndpointEvent::Type::Log: ev.type = EngineEvent::Type::Log; break;
  }
  ev.endpointId = id;
  ev.state = e.state;
  ev.selectedAddress = e.selectedAddress;
  ev.srtpProfile = e.srtpProfile;
  return ev;
}

}  // namespace

Worker::Worker(unsigned index, const EventSink& sink)
    : index_(index), sink_(sink), recvSlots_(std::make_unique<std::array<uint8_t, kRecvSlotSize>[]>(kRecvBatch)) {
  for (size_t i = 0; i < kRecvBatch; ++i) received_[i].buffer = {recvSlots_[i].data(), kRecvSlotSize};
  thread_ = std::thread([this] { run(); });
}

Worker::~Worker() { stop(); }

void Worker::post(Command command) {
  {
    std::lock_guard lock(commandsMutex_);
    commands_.push_back(std::move(command));
  }
  loop_.wake();
}

void Worker::stop() {
  if (!thread_.joinable()) return;
  post([](Worker& w) {
    std::vector<uint32_t> ids;
    for (auto& [id, entry] : w.endpoints_) ids.push_back(id);
    for (uint32_t id : ids) w.closeEndpoint(id, session::CloseReason::EngineStopped);
    w.stopping_ = true;
  });
  thread_.join();
}

void Worker::run() {
  const std::string name = "rtcgate-w" + std::to_string(index_);
  pthread_setname_np(pthread_self(), name.c_str());
  while (!stopping_) {
    loop_.runOnce(nextDeadline());
    runCommands();
    runTimers(Clock::now());
  }
}

void Worker::runCommands() {
  {
    std::lock_guard lock(commandsMutex_);
    running_.swap(commands_);
  }
  for (auto& command : running_) command(*this);
  running_.clear();
}

session::Endpoint* Worker::findEndpoint(uint32_t id) noexcept {
  auto it = endpoints_.find(id);
  return it == endpoints_.end() ? nullptr : it->second.endpoint.get();
}

void Worker::addEndpoint(std::unique_ptr<session::Endpoint> endpoint, EndpointSockets sockets) {
  const uint32_t id = endpoint->legId();
  const int primary = sockets.primary.fd;
  const int rtcp = sockets.rtcp.fd;
  loop_.add(primary, [this, id, primary](uint32_t) { onReadable(id, primary, session::Endpoint::Socket::Primary); });
  if (rtcp >= 0) loop_.add(rtcp, [this, id, rtcp](uint32_t) { onReadable(id, rtcp, session::Endpoint::Socket::Rtcp); });
  endpoints_.emplace(id, Entry{std::move(endpoint), sockets, kNever});
  afterInput(id);
}

void Worker::reportStats(uint32_t id) {
  session::Endpoint* endpoint = findEndpoint(id);
  if (endpoint == nullptr) return;
  EngineEvent ev;
  ev.type = EngineEvent::Type::Stats;
  ev.endpointId = id;
  ev.stats = endpoint->stats(Clock::now());
  emit(std::move(ev));
}

void Worker::closeEndpoint(uint32_t id, session::CloseReason reason) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return;
  // Bridges go first: they borrow the leg that is about to disappear.
  if (auto b = bridgeByLeg_.find(id); b != bridgeByLeg_.end()) removeBridge(b->second, "leg closed");

  Entry entry = std::move(it->second);
  endpoints_.erase(it);
  entry.endpoint->close(Clock::now(), tx_);
  tx_.flush();
  // Last states and stats go out before `closed`, so the control path sees the final figures.
  while (auto e = entry.endpoint->pollEvent())
    if (e->type != session::EndpointEvent::Type::Log) emit(fromEndpointEvent(id, *e));
  EngineEvent stats;
  stats.type = EngineEvent::Type::Stats;
  stats.endpointId = id;
  stats.stats = entry.endpoint->stats(Clock::now());
  emit(std::move(stats));

  for (const io::BoundPort& p : {entry.sockets.primary, entry.sockets.rtcp}) {
    if (p.fd < 0) continue;
    loop_.remove(p.fd);
    io::closeSocket(p.fd);
    if (entry.sockets.pool != nullptr) entry.sockets.pool->release(p.port);
  }
  EngineEvent closed;
  closed.type = EngineEvent::Type::Closed;
  closed.endpointId = id;
  closed.reason = session::toString(reason);
  emit(std::move(closed));
}

void Worker::addBridge(std::unique_ptr<media::Bridge> bridge) {
  const uint32_t id = bridge->id();
  for (uint32_t leg : {bridge->legA(), bridge->legB()}) {
    if (auto other = bridgeByLeg_.find(leg); other != bridgeByLeg_.end()) {
      // A leg has one sink: joining it twice would silently steal it from the first bridge.
      EngineEvent ev;
      ev.type = EngineEvent::Type::BridgeClosed;
      ev.endpointId = id;
      ev.reason = "leg " + std::to_string(leg) + " is already bridged (bridge " + std::to_string(other->second) + ")";
      emit(std::move(ev));
      return;
    }
  }
  bridgeByLeg_[bridge->legA()] = id;
  bridgeByLeg_[bridge->legB()] = id;
  bridge->attach();
  auto [it, inserted] = bridges_.emplace(id, BridgeEntry{std::move(bridge), kNever});
  rearmBridge(it->second);
}

void Worker::removeBridge(uint32_t bridgeId, const char* reason) {
  auto it = bridges_.find(bridgeId);
  if (it == bridges_.end()) return;
  it->second.bridge->detach();
  bridgeByLeg_.erase(it->second.bridge->legA());
  bridgeByLeg_.erase(it->second.bridge->legB());
  EngineEvent stats;
  stats.type = EngineEvent::Type::BridgeStats;
  stats.endpointId = bridgeId;
  stats.bridgeStats = it->second.bridge->stats();
  emit(std::move(stats));
  bridges_.erase(it);
  EngineEvent ev;
  ev.type = EngineEvent::Type::BridgeClosed;
  ev.endpointId = bridgeId;
  ev.reason = reason;
  emit(std::move(ev));
}

void Worker::reportBridgeStats(uint32_t bridgeId) {
  auto it = bridges_.find(bridgeId);
  if (it == bridges_.end()) return;
  EngineEvent ev;
  ev.type = EngineEvent::Type::BridgeStats;
  ev.endpointId = bridgeId;
  ev.bridgeStats = it->second.bridge->stats();
  emit(std::move(ev));
}

void Worker::onReadable(uint32_t id, int fd, session::Endpoint::Socket socket) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return;
  session::Endpoint& endpoint = *it->second.endpoint;
  // Read what the socket holds in batches; bound the rounds so one busy socket cannot starve
  // the others on this worker.
  for (int round = 0; round < 4; ++round) {
    const size_t n = io::receiveBatch(fd, received_);
    const TimePoint now = Clock::now();
    for (size_t i = 0; i < n; ++i) {
      io::ReceivedDatagram& d = received_[i];
      endpoint.handleDatagram(now, socket, d.buffer, d.size, d.from, tx_);
    }
    tx_.flush();
    if (n < kRecvBatch) break;
  }
  afterInput(id);
  // Media into a bridge may have changed its deadline (the first packet starts its playout).
  if (auto b = bridgeByLeg_.find(id); b != bridgeByLeg_.end())
    if (auto entry = bridges_.find(b->second); entry != bridges_.end()) rearmBridge(entry->second);
}

void Worker::afterInput(uint32_t id) {
  tx_.flush();
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return;
  Entry& entry = it->second;
  while (auto e = entry.endpoint->pollEvent()) {
    if (e->type == session::EndpointEvent::Type::Log) {
      log(e->level.c_str(), e->tag.c_str(), e->message, id);
      continue;
    }
    emit(fromEndpointEvent(id, *e));
  }
  if (auto reason = entry.endpoint->finished()) {
    closeEndpoint(id, *reason);
    return;
  }
  const TimePoint next = entry.endpoint->nextTimeout();
  if (next != entry.armed) {
    entry.armed = next;
    // Stale heap entries are skipped when popped (their time no longer matches `armed`).
    if (next != kNever) timers_.push(Timer{next, id, false});
  }
}

void Worker::rearmBridge(BridgeEntry& entry) {
  const TimePoint next = entry.bridge->nextTimeout();
  if (next != entry.armed) {
    entry.armed = next;
    if (next != kNever) timers_.push(Timer{next, entry.bridge->id(), true});
  }
}

void Worker::runTimers(TimePoint now) {
  while (!timers_.empty() && timers_.top().at <= now) {
    const Timer t = timers_.top();
    timers_.pop();
    if (t.bridge) {
      auto it = bridges_.find(t.id);
      if (it == bridges_.end() || it->second.armed != t.at) continue;
      it->second.armed = kNever;
      it->second.bridge->handleTimeout(now, tx_);
      tx_.flush();
      rearmBridge(it->second);
      continue;
    }
    auto it = endpoints_.find(t.id);
    if (it == endpoints_.end() || it->second.armed != t.at) continue;
    it->second.armed = kNever;
    it->second.endpoint->handleTimeout(now, tx_);
    afterInput(t.id);
  }
}

TimePoint Worker::nextDeadline() const noexcept { return timers_.empty() ? kNever : timers_.top().at; }

void Worker::log(const char* level, const char* tag, std::string message, uint32_t endpointId) const {
  EngineEvent ev;
  ev.type = EngineEvent::Type::Log;
  ev.endpointId = endpointId;
  ev.level = level;
  ev.tag = tag;
  ev.message = std::move(message);
  sink_(std::move(ev));
}

}  // namespace rtcgate::engine
