#include "EventToJs.hpp"

namespace rtcgate::bindings {

namespace {

Napi::Value stringOrNull(Napi::Env env, const std::string& s) {
  return s.empty() ? env.Null() : Napi::String::New(env, s);
}

Napi::Object statsToJs(Napi::Env env, const session::EndpointStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", s.id);
  o.Set("iceState", s.iceState);
  o.Set("dtlsState", s.dtlsState);
  o.Set("selectedAddress", stringOrNull(env, s.selectedAddress));
  o.Set("srtpProfile", stringOrNull(env, s.srtpProfile));
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

}  // namespace

Napi::Object eventToJs(Napi::Env env, const engine::EngineEvent& e) {
  using Type = engine::EngineEvent::Type;
  Napi::Object o = Napi::Object::New(env);
  if (e.type != Type::Log) o.Set("endpointId", e.endpointId);
  switch (e.type) {
    case Type::IceState:
      o.Set("type", "ice-state");
      o.Set("state", e.state);
      o.Set("selectedAddress", stringOrNull(env, e.selectedAddress));
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
