#include "EventToJs.hpp"

namespace rtcgate::bindings {

namespace {

Napi::Value stringOrNull(Napi::Env env, const std::string& s) {
  return s.empty() ? env.Null() : Napi::String::New(env, s);
}

Napi::Object statsToJs(Napi::Env env, const session::EndpointStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", s.id);
  o.Set("kind", s.kind);
  o.Set("iceState", stringOrNull(env, s.iceState));
  o.Set("dtlsState", stringOrNull(env, s.dtlsState));
  o.Set("selectedAddress", stringOrNull(env, s.selectedAddress));
  o.Set("srtpProfile", stringOrNull(env, s.srtpProfile));
  o.Set("rtcpAddress", stringOrNull(env, s.rtcpAddress));
  o.Set("latched", s.latched);
  Napi::Array streams = Napi::Array::New(env, s.streams.size());
  for (size_t i = 0; i < s.streams.size(); ++i) {
    const auto& st = s.streams[i];
    Napi::Object x = Napi::Object::New(env);
    x.Set("ssrc", st.ssrc);
    x.Set("kind", st.video ? "video" : "audio");
    x.Set("direction", st.inbound ? "inbound" : "outbound");
    x.Set("packets", static_cast<double>(st.packets));
    x.Set("bytes", static_cast<double>(st.bytes));
    x.Set("packetsLost", static_cast<double>(st.packetsLost));
    x.Set("jitter", st.jitterSeconds);
    x.Set("roundTripTime", st.roundTripSeconds ? Napi::Value(Napi::Number::New(env, *st.roundTripSeconds))
                                               : env.Null());
    streams.Set(i, x);
  }
  o.Set("streams", streams);
  const auto& c = s.counters;
  Napi::Object counters = Napi::Object::New(env);
  counters.Set("stunReceived", static_cast<double>(c.stunReceived));
  counters.Set("stunRejected", static_cast<double>(c.stunRejected));
  counters.Set("dtlsReceived", static_cast<double>(c.dtlsReceived));
  counters.Set("dtlsRejected", static_cast<double>(c.dtlsRejected));
  counters.Set("dtlsInvalid", static_cast<double>(c.dtlsInvalid));
  counters.Set("dtlsHandshakeResets", static_cast<double>(c.dtlsHandshakeResets));
  counters.Set("dtlsRetransmissions", static_cast<double>(c.dtlsRetransmissions));
  counters.Set("rtpReceived", static_cast<double>(c.rtpReceived));
  counters.Set("rtcpReceived", static_cast<double>(c.rtcpReceived));
  counters.Set("srtpRejected", static_cast<double>(c.srtpRejected));
  counters.Set("unknownRejected", static_cast<double>(c.unknownRejected));
  counters.Set("unvalidatedSourceRejected", static_cast<double>(c.unvalidatedSourceRejected));
  counters.Set("sendFailed", static_cast<double>(c.sendFailed));
  counters.Set("noSink", static_cast<double>(c.noSink));
  o.Set("counters", counters);
  return o;
}

Napi::Object bridgeStatsToJs(Napi::Env env, const media::BridgeStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", s.id);
  o.Set("mode", s.mode);
  Napi::Array dirs = Napi::Array::New(env, s.directions.size());
  for (size_t i = 0; i < s.directions.size(); ++i) {
    const media::DirectionStats& d = s.directions[i];
    Napi::Object x = Napi::Object::New(env);
    x.Set("fromLeg", d.fromLeg);
    x.Set("toLeg", d.toLeg);
    x.Set("packetsIn", static_cast<double>(d.packetsIn));
    x.Set("packetsOut", static_cast<double>(d.packetsOut));
    x.Set("dropped", static_cast<double>(d.dropped));
    x.Set("dtmfEventsIn", static_cast<double>(d.dtmfEventsIn));
    x.Set("comfortNoiseIn", static_cast<double>(d.comfortNoiseIn));
    x.Set("framesDecoded", static_cast<double>(d.framesDecoded));
    x.Set("framesEncoded", static_cast<double>(d.framesEncoded));
    x.Set("concealedSamples", static_cast<double>(d.concealedSamples));
    x.Set("fecRecovered", static_cast<double>(d.fecRecovered));
    x.Set("decodeErrors", static_cast<double>(d.decodeErrors));
    x.Set("jitterBufferDelayMs", d.jitterBufferDelayMs);
    x.Set("jitterMs", d.jitterMs);
    x.Set("jitterBufferLost", static_cast<double>(d.jitterBufferLost));
    x.Set("jitterBufferLate", static_cast<double>(d.jitterBufferLate));
    x.Set("jitterBufferDuplicates", static_cast<double>(d.jitterBufferDuplicates));
    x.Set("mos", d.mos);
    dirs.Set(i, x);
  }
  o.Set("directions", dirs);
  return o;
}

}  // namespace

Napi::Object eventToJs(Napi::Env env, const engine::EngineEvent& e) {
  using Type = engine::EngineEvent::Type;
  Napi::Object o = Napi::Object::New(env);
  if (e.type != Type::Log && e.type != Type::BridgeStats && e.type != Type::BridgeClosed) o.Set("endpointId", e.endpointId);
  switch (e.type) {
    case Type::IceState:
      o.Set("type", "ice-state");
      o.Set("state", e.state);
      o.Set("selectedAddress", stringOrNull(env, e.selectedAddress));
      break;
    case Type::SourceLatched:
      o.Set("type", "latched");
      o.Set("flow", e.state);
      o.Set("address", e.selectedAddress);
      break;
    case Type::DtlsState:
      o.Set("type", "dtls-state");
      o.Set("state", e.state);
      o.Set("srtpProfile", stringOrNull(env, e.srtpProfile));
      break;
    case Type::Stats:
      o.Set("type", "stats");
      o.Set("stats", e.stats ? Napi::Value(statsToJs(env, *e.stats)) : env.Null());
      break;
    case Type::Closed:
      o.Set("type", "closed");
      o.Set("reason", e.reason);
      break;
    case Type::BridgeStats:
      o.Set("type", "bridge-stats");
      o.Set("bridgeId", e.endpointId);
      o.Set("stats", e.bridgeStats ? Napi::Value(bridgeStatsToJs(env, *e.bridgeStats)) : env.Null());
      break;
    case Type::BridgeClosed:
      o.Set("type", "bridge-closed");
      o.Set("bridgeId", e.endpointId);
      o.Set("reason", e.reason);
      break;
    case Type::Log:
      o.Set("type", "log");
      o.Set("level", e.level);
      o.Set("tag", e.tag);
      o.Set("message", e.message);
      if (e.endpointId != 0) o.Set("endpointId", e.endpointId);
      break;
  }
  return o;
}

}  // namespace rtcgate::bindings
