#pragma once
// States and roles shared by the ICE objects, and the events the lite agent queues.
#include <cstdint>
#include <variant>

#include "common/SocketAddress.hpp"

namespace rtcgate::ice {

// The lite agent's view of its one component.
enum class IceState : uint8_t {
  New,           // no nominated address yet
  Connected,     // a peer nominated an address and consent is fresh
  Disconnected,  // consent expired (RFC 7675 §5.1); terminal until close()
  Closed,        // closed by the owner
};

// RFC 8445 §6.1.1 roles; the role-conflict rules of §7.3.1.1 may swap them.
enum class IceRole : uint8_t { Controlling, Controlled };

struct IceStateChanged {
  IceState state;
};

struct IceSelectedChanged {
  SocketAddress address;
};

using IceEvent = std::variant<IceStateChanged, IceSelectedChanged>;

}  // namespace rtcgate::ice
