#pragma once
// N-API face of rtcgate::engine::Engine: commands in (JS main thread), events out through a
// thread-safe function (from worker threads). Nothing here runs on the packet path.
#include <napi.h>

#include <memory>

#include "engine/Engine.hpp"

namespace rtcgate::bindings {

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit EngineWrap(const Napi::CallbackInfo& info);
  ~EngineWrap() override;

 private:
  Napi::Value fingerprint(const Napi::CallbackInfo& info);
  Napi::Value createWebRtcEndpoint(const Napi::CallbackInfo& info);
  Napi::Value createRtpEndpoint(const Napi::CallbackInfo& info);
  Napi::Value setRtpRemote(const Napi::CallbackInfo& info);
  Napi::Value updateRtpEndpoint(const Napi::CallbackInfo& info);
  Napi::Value createBridge(const Napi::CallbackInfo& info);
  Napi::Value destroyBridge(const Napi::CallbackInfo& info);
  Napi::Value requestBridgeStats(const Napi::CallbackInfo& info);
  Napi::Value sipPortsInUse(const Napi::CallbackInfo& info);
  Napi::Value sipPortsTotal(const Napi::CallbackInfo& info);
  Napi::Value connectWebRtcEndpoint(const Napi::CallbackInfo& info);
  Napi::Value requestStats(const Napi::CallbackInfo& info);
  Napi::Value closeEndpoint(const Napi::CallbackInfo& info);
  Napi::Value portsInUse(const Napi::CallbackInfo& info);
  Napi::Value portsTotal(const Napi::CallbackInfo& info);
  Napi::Value stop(const Napi::CallbackInfo& info);

  engine::Engine& engine(const Napi::Env& env);
  void stopEngine();

  std::unique_ptr<engine::Engine> engine_;
  Napi::ThreadSafeFunction events_;
  bool eventsReleased_ = false;
};

}  // namespace rtcgate::bindings
