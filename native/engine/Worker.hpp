#pragma once
// A worker thread: one epoll loop that owns a set of endpoints, their sockets and timers, and
// the bridges between them. An endpoint never changes worker and both legs of a bridge live on
// the same one, so nothing on the packet path takes a lock; the only lock guards this worker's
// command queue, shared with the control thread alone.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/EngineEvent.hpp"
#include "io/EventLoop.hpp"
#include "io/PortPool.hpp"
#include "io/TxQueue.hpp"
#include "io/UdpSocket.hpp"
#include "media/Bridge.hpp"
#include "session/Endpoint.hpp"

namespace rtcgate::engine {

// The sockets an endpoint owns and the pool their ports go back to.
struct EndpointSockets {
  io::PortPool* pool = nullptr;
  io::BoundPort primary{-1, 0};
  io::BoundPort rtcp{-1, 0};  // fd -1: RTCP shares the primary socket
};

class Worker {
 public:
  using Command = std::function<void(Worker&)>;

  Worker(unsigned index, const EventSink& sink);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Any thread: runs `command` on the worker's thread, in order.
  void post(Command command);
  // Closes every endpoint (reason EngineStopped) and joins the thread.
  void stop();

  // Worker thread only (called from commands).
  void addEndpoint(std::unique_ptr<session::Endpoint> endpoint, EndpointSockets sockets);
  // Runs `fn` on the endpoint if it exists here and is of type T; logs otherwise.
  template <typename T, typename Fn>
  void withEndpoint(uint32_t id, const char* what, Fn&& fn);
  void closeEndpoint(uint32_t id, session::CloseReason reason);
  void reportStats(uint32_t id);
  void addBridge(std::unique_ptr<media::Bridge> bridge);
  void removeBridge(uint32_t bridgeId, const char* reason);
  void reportBridgeStats(uint32_t bridgeId);
  session::Endpoint* findEndpoint(uint32_t id) noexcept;
  // Input to an endpoint happened outside onReadable (a command): flush and re-arm.
  void afterInput(uint32_t id);
  io::TxQueue& tx() noexcept { return tx_; }
  void emitEvent(EngineEvent&& event) const { sink_(std::move(event)); }
  void log(const char* level, const char* tag, std::string message, uint32_t endpointId = 0) const;

 private:
  struct Entry {
    std::unique_ptr<session::Endpoint> endpoint;
    EndpointSockets sockets;
    TimePoint armed = kNever;  // the deadline last pushed on the timer heap
  };
  struct BridgeEntry {
    std::unique_ptr<media::Bridge> bridge;
    TimePoint armed = kNever;
  };
  struct Timer {
    TimePoint at;
    uint32_t id;
    bool bridge;
    bool operator>(const Timer& o) const noexcept { return at > o.at; }
  };
  static constexpr size_t kRecvBatch = 32;
  static constexpr size_t kRecvSlotSize = 2048;

  void run();
  void runCommands();
  void onReadable(uint32_t id, int fd, session::Endpoint::Socket socket);
  void runTimers(TimePoint now);
  void rearmBridge(BridgeEntry& entry);
  TimePoint nextDeadline() const noexcept;
  void emit(EngineEvent&& event) const { sink_(std::move(event)); }

  unsigned index_;
  const EventSink& sink_;
  io::EventLoop loop_;
  io::TxQueue tx_;
  std::unordered_map<uint32_t, Entry> endpoints_;
  std::unordered_map<uint32_t, BridgeEntry> bridges_;
  std::unordered_map<uint32_t, uint32_t> bridgeByLeg_;  // leg id → the bridge it is joined to
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::unique_ptr<std::array<uint8_t, kRecvSlotSize>[]> recvSlots_;
  std::array<io::ReceivedDatagram, kRecvBatch> received_;

  std::mutex commandsMutex_;
  std::vector<Command> commands_;
  std::vector<Command> running_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

template <typename T, typename Fn>
void Worker::withEndpoint(uint32_t id, const char* what, Fn&& fn) {
  auto* endpoint = dynamic_cast<T*>(findEndpoint(id));
  if (endpoint == nullptr) {
    log("warn", "engine", std::string(what) + ": no such endpoint " + std::to_string(id) + " on this worker");
    return;
  }
  fn(*endpoint);
  afterInput(id);
}

}  // namespace rtcgate::engine
