#pragma once
// Test helper (header-only, used by the ice *_test.cpp files): an IceLiteAgent and an
// IceControllingChecker wired back to back on a fake clock, no sockets.
#include <array>
#include <vector>

#include "ice/IceControllingChecker.hpp"
#include "ice/IceLiteAgent.hpp"

namespace rtcgate::ice::testing {

inline const IceCredentials kGateway{"gwUf", "gateway-password-0123456789"};
inline const IceCredentials kBrowser{"brWs", "browser-password-0123456789"};

struct IcePeers {
  TimePoint now = TimePoint{} + seconds(1000);
  SocketAddress browser = SocketAddress::fromIp("192.0.2.10", 50000);
  SocketAddress gateway = SocketAddress::fromIp("198.51.100.1", 40000);
  IceLiteAgent agent;
  IceControllingChecker checker;
  std::array<uint8_t, 1500> request{};
  std::array<uint8_t, 1500> response{};
  IceResult lastResult;
  bool dropResponses = false;

  explicit IcePeers(IceCredentials checkerRemote = kGateway, uint64_t agentTie = 100, uint64_t checkerTie = 200)
      : agent(kGateway, agentTie), checker(kBrowser, std::move(checkerRemote), checkerTie, 0x6e0001ff) {
    agent.setRemoteCredentials(kBrowser);
  }

  // Delivers whatever the checker wants to send now; returns false if it sent nothing.
  bool deliverOne() {
    const size_t n = checker.pollTransmit(now, request);
    if (n == 0) return false;
    lastResult = agent.handleStun(now, std::span<const uint8_t>(request.data(), n), browser, response);
    if (lastResult.responseSize > 0 && !dropResponses)
      checker.handleStun(now, std::span<const uint8_t>(response.data(), lastResult.responseSize), gateway);
    return true;
  }

  // Advances the fake clock to the earliest deadline (capped at `until`) and acts on it.
  void runUntil(TimePoint until) {
    for (int guard = 0; now < until && guard < 1000000; ++guard) {
      while (deliverOne()) {
      }
      const TimePoint next = std::min({agent.nextTimeout(), checker.nextTimeout(), until});
      now = std::max(now, next);
      agent.handleTimeout(now);
      checker.handleTimeout(now);
    }
    while (deliverOne()) {
    }
  }

  std::vector<IceEvent> drainEvents() {
    std::vector<IceEvent> events;
    while (auto e = agent.pollEvent()) events.push_back(*e);
    return events;
  }
};

}  // namespace rtcgate::ice::testing
