#include "engine/Worker.hpp"

#include <pthread.h>

namespace rtcgate::engine {

Worker::Worker(unsigned index, io::PortPool& pool, const EventSink& sink)
    : index_(index),
      pool_(pool),
      sink_(sink),
      recvSlots_(std::make_unique<std::array<uint8_t, kRecvSlotSize>[]>(kRecvBatch)) {
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

void Worker::addEndpoint(std::unique_ptr<session::WebRtcEndpoint> endpoint, io::BoundPort port) {
  const uint32_t id = endpoint->id();
  loop_.add(port.fd, [this, id](uint32_t) { onReadable(id); });
  endpoints_.emplace(id, Entry{std::move(endpoint), port, kNever});
  afterInput(id);
}

void Worker::connectEndpoint(uint32_t id, const session::ConnectParams& params) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) {
    log("warn", "engine", "connect: no endpoint " + std::to_string(id));
    return;
  }
  it->second.endpoint->connect(Clock::now(), params, tx_);
  afterInput(id);
}

void Worker::reportStats(uint32_t id) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return;
  EngineEvent ev;
  ev.type = EngineEvent::Type::Stats;
  ev.endpointId = id;
  ev.stats = it->second.endpoint->stats(Clock::now());
  emit(std::move(ev));
}

void Worker::closeEndpoint(uint32_t id, session::CloseReason reason) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return;
  Entry entry = std::move(it->second);
  endpoints_.erase(it);
  entry.endpoint->close(Clock::now(), tx_);
  tx_.flush();
  // Last states and stats go out before `closed`, so the control path sees the final figures.
  while (auto e = entry.endpoint->pollEvent()) {
    EngineEvent ev;
    ev.type = e->type == session::EndpointEvent::Type::IceState ? EngineEvent::Type::IceState
                                                                : EngineEvent::Type::DtlsState;
    ev.endpointId = id;
    ev.state = e->state;
    ev.selectedAddress = e->selectedAddress;
    ev.srtpProfile = e->srtpProfile;
    emit(std::move(ev));
  }
  EngineEvent stats;
  stats.type = EngineEvent::Type::Stats;
  stats.endpointId = id;
  stats.stats = entry.endpoint->stats(Clock::now());
  emit(std::move(stats));

  loop_.remove(entry.port.fd);
  io::closeSocket(entry.port.fd);
  pool_.release(entry.port.port);
  EngineEvent closed;
  closed.type = EngineEvent::Type::Closed;
  closed.endpointId = id;
  closed.reason = session::toString(reason);
  emit(std::move(closed));
}

void Worker::onReadable(uint32_t id) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return;
  const int fd = it->second.port.fd;
  session::WebRtcEndpoint& endpoint = *it->second.endpoint;
  // Read what the socket holds in batches; bound the rounds so one busy socket cannot starve
  // the others on this worker.
  for (int round = 0; round < 4; ++round) {
    const size_t n = io::receiveBatch(fd, received_);
    const TimePoint now = Clock::now();
    for (size_t i = 0; i < n; ++i) {
      io::ReceivedDatagram& d = received_[i];
      endpoint.handleDatagram(now, d.buffer, d.size, d.from, tx_);
    }
    tx_.flush();
    if (n < kRecvBatch) break;
  }
  afterInput(id);
}

void Worker::afterInput(uint32_t id) {
  tx_.flush();
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return;
  Entry& entry = it->second;
  while (auto e = entry.endpoint->pollEvent()) {
    EngineEvent ev;
    switch (e->type) {
      case session::EndpointEvent::Type::IceState: ev.type = EngineEvent::Type::IceState; break;
      case session::EndpointEvent::Type::DtlsState: ev.type = EngineEvent::Type::DtlsState; break;
      case session::EndpointEvent::Type::Log:
        log(e->level.c_str(), e->tag.c_str(), e->message, id);
        continue;
    }
    ev.endpointId = id;
    ev.state = e->state;
    ev.selectedAddress = e->selectedAddress;
    ev.srtpProfile = e->srtpProfile;
    emit(std::move(ev));
  }
  if (auto reason = entry.endpoint->finished()) {
    closeEndpoint(id, *reason);
    return;
  }
  const TimePoint next = entry.endpoint->nextTimeout();
  if (next != entry.armed) {
    entry.armed = next;
    // Stale heap entries are skipped when popped (their time no longer matches `armed`).
    if (next != kNever) timers_.push(Timer{next, id});
  }
}

void Worker::runTimers(TimePoint now) {
  while (!timers_.empty() && timers_.top().at <= now) {
    const Timer t = timers_.top();
    timers_.pop();
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
