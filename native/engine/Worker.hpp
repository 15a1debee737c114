#pragma once
// A worker thread: one epoll loop that owns a set of endpoints, their sockets and their
// timers. An endpoint never changes worker, so nothing on the packet path takes a lock; the
// only lock guards this worker's command queue, shared with the control thread alone.
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
#include "session/WebRtcEndpoint.hpp"

namespace rtcgate::engine {

class Worker {
 public:
  using Command = std::function<void(Worker&)>;

  Worker(unsigned index, io::PortPool& pool, const EventSink& sink);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Any thread: runs `command` on the worker's thread, in order.
  void post(Command command);
  // Closes every endpoint (reason EngineStopped) and joins the thread.
  void stop();

  // Worker thread only (called from commands).
  void addEndpoint(std::unique_ptr<session::WebRtcEndpoint> endpoint, io::BoundPort port);
  void connectEndpoint(uint32_t id, const session::ConnectParams& params);
  void closeEndpoint(uint32_t id, session::CloseReason reason);
  void reportStats(uint32_t id);

 private:
  struct Entry {
    std::unique_ptr<session::WebRtcEndpoint> endpoint;
    io::BoundPort port;
    TimePoint armed = kNever;  // the deadline last pushed on the timer heap
  };
  struct Timer {
    TimePoint at;
    uint32_t id;
    bool operator>(const Timer& o) const noexcept { return at > o.at; }
  };
  static constexpr size_t kRecvBatch = 32;
  static constexpr size_t kRecvSlotSize = 2048;

  void run();
  void runCommands();
  void onReadable(uint32_t id);
  void runTimers(TimePoint now);
  // After any input to an endpoint: flush its output, forward its events, re-arm its timer,
  // and close it if it has finished.
  void afterInput(uint32_t id);
  TimePoint nextDeadline() const noexcept;
  void emit(EngineEvent&& event) const { sink_(std::move(event)); }
  void log(const char* level, const char* tag, std::string message, uint32_t endpointId = 0) const;

  unsigned index_;
  io::PortPool& pool_;
  const EventSink& sink_;
  io::EventLoop loop_;
  io::TxQueue tx_;
  std::unordered_map<uint32_t, Entry> endpoints_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::unique_ptr<std::array<uint8_t, kRecvSlotSize>[]> recvSlots_;
  std::array<io::ReceivedDatagram, kRecvBatch> received_;

  std::mutex commandsMutex_;
  std::vector<Command> commands_;
  std::vector<Command> running_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace rtcgate::engine
