#pragma once
#include <napi.h>

#include "engine/EngineEvent.hpp"

namespace rtcgate::bindings {

// Builds the JS object for one engine event (shapes in ts/engine/types.ts, EngineEvent).
Napi::Object eventToJs(Napi::Env env, const engine::EngineEvent& event);

}  // namespace rtcgate::bindings
