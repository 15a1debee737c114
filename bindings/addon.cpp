// Entry point of rtcgate.node: exports the Engine class (see ts/engine/types.ts, NativeAddon).
#include <napi.h>

#include "EngineWrap.hpp"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("Engine", rtcgate::bindings::EngineWrap::define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(rtcgate, init)
