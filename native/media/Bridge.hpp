#pragma once
// A bridge joins two legs on one worker: it is the RtpSink of both and sends on the other.
// Relay (same codec) and transcoding bridges implement it. Owned by the worker; the legs are
// borrowed and outlive it (the worker destroys a leg's bridge before the leg).
#include <cstdint>
#include <string>

#include "common/Time.hpp"
#include "io/TxQueue.hpp"
#include "media/BridgeStats.hpp"
#include "media/MediaLeg.hpp"

namespace rtcgate::media {

class Bridge : public RtpSink {
 public:
  Bridge(uint32_t id, MediaLeg& a, MediaLeg& b) noexcept : id_(id), a_(a), b_(b) {}
  ~Bridge() override = default;
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  uint32_t id() const noexcept { return id_; }
  uint32_t legA() const noexcept { return a_.legId(); }
  uint32_t legB() const noexcept { return b_.legId(); }
  bool joins(uint32_t legId) const noexcept { return legA() == legId || legB() == legId; }

  // Makes the bridge the sink of both legs; detach() undoes it before destruction.
  void attach() noexcept {
    a_.setSink(this);
    b_.setSink(this);
  }
  void detach() noexcept {
    a_.setSink(nullptr);
    b_.setSink(nullptr);
  }

  virtual TimePoint nextTimeout() const noexcept { return kNever; }
  virtual void handleTimeout(TimePoint now, io::TxQueue& tx) noexcept {
    (void)now;
    (void)tx;
  }
  virtual BridgeStats stats() const = 0;

 protected:
  // The leg a packet from `fromLeg` goes out on (the same leg when a bridge reflects a leg
  // onto itself, as the self-pcmu loop does at its far end).
  MediaLeg& otherLeg(uint32_t fromLeg) noexcept { return fromLeg == a_.legId() ? b_ : a_; }

  uint32_t id_;
  MediaLeg& a_;  // borrowed
  MediaLeg& b_;  // borrowed
};

}  // namespace rtcgate::media
