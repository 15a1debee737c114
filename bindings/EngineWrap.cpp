#include "EngineWrap.hpp"

#include "EventToJs.hpp"
#include "codec/AudioCodec.hpp"
#include "srtp/SrtpProfile.hpp"

namespace rtcgate::bindings {

namespace {

uint32_t requireUint(const Napi::Object& o, const char* key, uint32_t min, uint32_t max) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("option ") + key + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (d < min || d > max || d != static_cast<double>(static_cast<uint32_t>(d)))
    throw Napi::RangeError::New(o.Env(), std::string("option ") + key + " out of range");
  return static_cast<uint32_t>(d);
}

std::string requireString(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

std::string optionalString(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

uint32_t optionalUint(const Napi::Object& o, const char* key, uint32_t fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return requireUint(o, key, 0, UINT32_MAX);
}

bool optionalBool(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsBoolean()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

Napi::Object requireObject(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsObject()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be an object");
  return v.As<Napi::Object>();
}

std::vector<uint8_t> requireBytes(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a Uint8Array");
  Napi::Uint8Array a = v.As<Napi::Uint8Array>();
  return std::vector<uint8_t>(a.Data(), a.Data() + a.ByteLength());
}

session::SdesSrtpKeys sdesKeys(const Napi::Object& s) {
  auto profile = srtp::profileFromName(requireString(s, "profile"));
  if (!profile) throw Napi::TypeError::New(s.Env(), "srtp.profile must be AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM");
  session::SdesSrtpKeys keys;
  keys.profile = *profile;
  keys.localKeySalt = requireBytes(s, "localKeySalt");
  keys.remoteKeySalt = requireBytes(s, "remoteKeySalt");
  const size_t want = srtp::masterKeySaltLength(*profile);
  if (keys.localKeySalt.size() != want || keys.remoteKeySalt.size() != want)
    throw Napi::RangeError::New(s.Env(), "srtp keys must be " + std::to_string(want) + " bytes (master key and salt)");
  return keys;
}

media::LegFormat legFormat(const Napi::Object& o) {
  media::LegFormat f;
  const std::string name = requireString(o, "codec");
  auto id = codec::codecFromName(name);
  if (!id) throw Napi::TypeError::New(o.Env(), "unsupported codec " + name);
  f.codec = *id;
  f.payloadType = static_cast<uint8_t>(requireUint(o, "payloadType", 0, 127));
  f.clockRate = requireUint(o, "clockRate", 1, 1000000);
  f.ptimeMs = optionalUint(o, "ptimeMs", 20);
  if (f.ptimeMs < 10 || f.ptimeMs > 120) throw Napi::RangeError::New(o.Env(), "ptimeMs must be 10..120");
  const uint32_t te = optionalUint(o, "telephoneEventPt", 1000);
  if (te != 1000 && te > 127) throw Napi::RangeError::New(o.Env(), "telephoneEventPt must be 0..127");
  f.telephoneEventPt = te == 1000 ? -1 : static_cast<int>(te);
  f.telephoneEventClockRate = optionalUint(o, "telephoneEventClockRate", f.clockRate);
  const uint32_t cn = optionalUint(o, "comfortNoisePt", 1000);
  if (cn != 1000 && cn > 127) throw Napi::RangeError::New(o.Env(), "comfortNoisePt must be 0..127");
  f.comfortNoisePt = cn == 1000 ? -1 : static_cast<int>(cn);
  f.ssrc = requireUint(o, "ssrc", 0, UINT32_MAX);
  return f;
}

std::vector<uint8_t> payloadTypes(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be an array");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<uint8_t> out;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value x = a.Get(i);
    if (!x.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must hold numbers");
    const uint32_t pt = x.As<Napi::Number>().Uint32Value();
    if (pt > 127) throw Napi::RangeError::New(o.Env(), std::string(key) + ": payload type > 127");
    out.push_back(static_cast<uint8_t>(pt));
  }
  return out;
}

}  // namespace

Napi::Function EngineWrap::define(Napi::Env env) {
  return DefineClass(env, "Engine",
                     {
                         InstanceMethod("fingerprint", &EngineWrap::fingerprint),
                         InstanceMethod("createWebRtcEndpoint", &EngineWrap::createWebRtcEndpoint),
                         InstanceMethod("createRtpEndpoint", &EngineWrap::createRtpEndpoint),
                         InstanceMethod("setRtpRemote", &EngineWrap::setRtpRemote),
                         InstanceMethod("updateRtpEndpoint", &EngineWrap::updateRtpEndpoint),
                         InstanceMethod("createBridge", &EngineWrap::createBridge),
                         InstanceMethod("destroyBridge", &EngineWrap::destroyBridge),
                         InstanceMethod("requestBridgeStats", &EngineWrap::requestBridgeStats),
                         InstanceMethod("sipPortsInUse", &EngineWrap::sipPortsInUse),
                         InstanceMethod("sipPortsTotal", &EngineWrap::sipPortsTotal),
                         InstanceMethod("connectWebRtcEndpoint", &EngineWrap::connectWebRtcEndpoint),
                         InstanceMethod("requestStats", &EngineWrap::requestStats),
                         InstanceMethod("closeEndpoint", &EngineWrap::closeEndpoint),
                         InstanceMethod("portsInUse", &EngineWrap::portsInUse),
                         InstanceMethod("portsTotal", &EngineWrap::portsTotal),
                         InstanceMethod("stop", &EngineWrap::stop),
                     });
}

EngineWrap::EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
    throw Napi::TypeError::New(env, "new Engine(options, onEvent)");
  Napi::Object o = info[0].As<Napi::Object>();
  engine::EngineConfig config;
  config.workers = requireUint(o, "workers", 1, 256);
  config.portMin = static_cast<uint16_t>(requireUint(o, "portMin", 1, 65535));
  config.portMax = static_cast<uint16_t>(requireUint(o, "portMax", 1, 65535));
  config.sipPortMin = static_cast<uint16_t>(requireUint(o, "sipPortMin", 1, 65535));
  config.sipPortMax = static_cast<uint16_t>(requireUint(o, "sipPortMax", 1, 65535));
  config.bindAddress = requireString(o, "bindAddress");
  config.certificatePem = optionalString(o, "certificatePem");
  config.privateKeyPem = optionalString(o, "privateKeyPem");
  config.consentTimeout = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(requireUint(o, "consentTimeoutSeconds", 1, 3600)));

  events_ = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "rtcgate-events", 0, 1);
  // Like a listening socket, a running engine keeps the process alive until stop(): its
  // workers own sockets and will report events.
  Napi::ThreadSafeFunction tsfn = events_;
  try {
    engine_ = std::make_unique<engine::Engine>(config, [tsfn](engine::EngineEvent&& ev) mutable {
      auto* heap = new engine::EngineEvent(std::move(ev));
      const napi_status status = tsfn.NonBlockingCall(heap, [](Napi::Env env, Napi::Function cb, engine::EngineEvent* e) {
        std::unique_ptr<engine::EngineEvent> owned(e);
        if (env != nullptr && cb != nullptr) cb.Call({eventToJs(env, *owned)});
      });
      if (status != napi_ok) delete heap;
    });
  } catch (const std::exception& e) {
    events_.Release();
    eventsReleased_ = true;
    throw Napi::Error::New(env, std::string("rtcgate engine: ") + e.what());
  }
}

EngineWrap::~EngineWrap() { stopEngine(); }

void EngineWrap::stopEngine() {
  if (engine_) engine_->stop();
  if (!eventsReleased_) {
    events_.Release();
    eventsReleased_ = true;
  }
}

engine::Engine& EngineWrap::engine(const Napi::Env& env) {
  if (!engine_ || eventsReleased_) throw Napi::Error::New(env, "rtcgate engine is stopped");
  return *engine_;
}

Napi::Value EngineWrap::fingerprint(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("algorithm", "sha-256");
  o.Set("value", engine(info.Env()).fingerprint());
  return o;
}

Napi::Value EngineWrap::createWebRtcEndpoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  engine::CreatedEndpoint c;
  const uint32_t affinity = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 0;
  try {
    c = engine(env).createWebRtcEndpoint(affinity);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", c.id);
  o.Set("port", c.port);
  o.Set("iceUfrag", c.iceUfrag);
  o.Set("icePwd", c.icePwd);
  return o;
}

Napi::Value EngineWrap::connectWebRtcEndpoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsObject())
    throw Napi::TypeError::New(env, "connectWebRtcEndpoint(id, params)");
  const uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  Napi::Object p = info[1].As<Napi::Object>();
  session::ConnectParams params;
  params.iceUfrag = requireString(p, "iceUfrag");
  params.icePwd = requireString(p, "icePwd");
  Napi::Value fp = p.Get("fingerprint");
  if (!fp.IsObject()) throw Napi::TypeError::New(env, "fingerprint must be an object");
  params.fingerprintAlgorithm = requireString(fp.As<Napi::Object>(), "algorithm");
  params.fingerprintValue = requireString(fp.As<Napi::Object>(), "value");
  const std::string role = requireString(p, "dtlsRole");
  if (role != "client" && role != "server") throw Napi::TypeError::New(env, "dtlsRole must be client or server");
  params.dtlsClient = role == "client";
  Napi::Value rv = p.Get("route");
  if (!rv.IsObject()) throw Napi::TypeError::New(env, "route must be an object");
  Napi::Object r = rv.As<Napi::Object>();
  const std::string kind = requireString(r, "kind");
  if (kind != "echo" && kind != "bridge") throw Napi::TypeError::New(env, "route.kind must be echo or bridge");
  params.route.echo = kind == "echo";
  params.route.audioPayloadTypes = payloadTypes(r, "audioPayloadTypes");
  params.route.videoPayloadTypes = payloadTypes(r, "videoPayloadTypes");
  params.route.audioSsrc = requireUint(r, "audioSsrc", 0, UINT32_MAX);
  params.route.videoSsrc = requireUint(r, "videoSsrc", 0, UINT32_MAX);
  params.route.audioClockRate = requireUint(r, "audioClockRate", 1, 1000000);
  params.route.videoClockRate = requireUint(r, "videoClockRate", 1, 1000000);
  engine(env).connectWebRtcEndpoint(id, std::move(params));
  return env.Undefined();
}

Napi::Value EngineWrap::createRtpEndpoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "createRtpEndpoint(options)");
  Napi::Object o = info[0].As<Napi::Object>();
  engine::RtpEndpointParams p;
  p.affinity = optionalUint(o, "affinity", 0);
  p.rtcpMux = optionalBool(o, "rtcpMux", false);
  p.options.strictSource = optionalBool(o, "strictSource", false);
  p.options.mediaTimeout = std::chrono::duration_cast<Duration>(seconds(optionalUint(o, "mediaTimeoutSeconds", 0)));
  p.options.localSsrc = requireUint(o, "ssrc", 0, UINT32_MAX);
  p.options.clockRate = requireUint(o, "clockRate", 1, 1000000);
  if (o.Has("srtp") && o.Get("srtp").IsObject()) p.options.sdesSrtp = sdesKeys(o.Get("srtp").As<Napi::Object>());
  engine::CreatedRtpEndpoint c;
  try {
    c = engine(env).createRtpEndpoint(std::move(p));
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("id", c.id);
  r.Set("port", c.port);
  r.Set("rtcpPort", c.rtcpPort);
  return r;
}

Napi::Value EngineWrap::updateRtpEndpoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsObject())
    throw Napi::TypeError::New(env, "updateRtpEndpoint(id, { clockRate?, srtp?, mediaTimeoutSeconds? })");
  Napi::Object o = info[1].As<Napi::Object>();
  engine::Engine::RtpUpdate u;
  if (!o.Get("clockRate").IsUndefined()) u.clockRate = requireUint(o, "clockRate", 1, 1000000);
  if (!o.Get("mediaTimeoutSeconds").IsUndefined())
    u.mediaTimeout = std::chrono::duration_cast<Duration>(seconds(requireUint(o, "mediaTimeoutSeconds", 0, 86400)));
  if (o.Has("srtp")) {
    u.setSrtp = true;
    Napi::Value s = o.Get("srtp");
    if (s.IsObject()) u.srtp = sdesKeys(s.As<Napi::Object>());
    else if (!s.IsNull()) throw Napi::TypeError::New(env, "srtp must be an object or null");
  }
  engine(env).updateRtpEndpoint(info[0].As<Napi::Number>().Uint32Value(), std::move(u));
  return env.Undefined();
}

Napi::Value EngineWrap::setRtpRemote(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsObject())
    throw Napi::TypeError::New(env, "setRtpRemote(id, { ip, port, rtcpPort? })");
  Napi::Object o = info[1].As<Napi::Object>();
  const std::string ip = requireString(o, "ip");
  const uint16_t port = static_cast<uint16_t>(requireUint(o, "port", 1, 65535));
  const uint16_t rtcpPort = static_cast<uint16_t>(optionalUint(o, "rtcpPort", 0));
  SocketAddress rtp = SocketAddress::fromIp(ip, port);
  if (!rtp.isSet()) throw Napi::TypeError::New(env, "setRtpRemote: ip must be a numeric IPv4 or IPv6 address");
  SocketAddress rtcp = rtcpPort != 0 ? SocketAddress::fromIp(ip, rtcpPort) : SocketAddress();
  engine(env).setRtpRemote(info[0].As<Napi::Number>().Uint32Value(), rtp, rtcp);
  return env.Undefined();
}

Napi::Value EngineWrap::createBridge(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "createBridge(params)");
  Napi::Object o = info[0].As<Napi::Object>();
  engine::BridgeParams p;
  p.legA = requireUint(o, "legA", 1, UINT32_MAX);
  p.legB = requireUint(o, "legB", 1, UINT32_MAX);
  const std::string mode = requireString(o, "mode");
  if (mode != "relay" && mode != "transcode") throw Napi::TypeError::New(env, "mode must be relay or transcode");
  p.transcode = mode == "transcode";
  p.formatA = legFormat(requireObject(o, "formatA"));
  p.formatB = legFormat(requireObject(o, "formatB"));
  if (o.Has("options") && o.Get("options").IsObject()) {
    Napi::Object t = o.Get("options").As<Napi::Object>();
    p.options.opusComplexity = static_cast<int>(optionalUint(t, "opusComplexity", 5));
    if (p.options.opusComplexity > 10) throw Napi::RangeError::New(env, "opusComplexity must be 0..10");
    p.options.opusBitrate = static_cast<int>(optionalUint(t, "opusBitrate", 0));
    p.options.opusFec = optionalBool(t, "opusFec", true);
    p.options.opusDtx = optionalBool(t, "opusDtx", false);
    p.options.jitterMinDelay = milliseconds(optionalUint(t, "jitterMinDelayMs", 20));
    p.options.jitterMaxDelay = milliseconds(optionalUint(t, "jitterMaxDelayMs", 300));
    p.options.jitterInitialDelay = milliseconds(optionalUint(t, "jitterInitialDelayMs", 60));
  }
  uint32_t id = 0;
  try {
    id = engine(env).createBridge(p);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  return Napi::Number::New(env, id);
}

Napi::Value EngineWrap::destroyBridge(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "destroyBridge(id)");
  engine(info.Env()).destroyBridge(info[0].As<Napi::Number>().Uint32Value());
  return info.Env().Undefined();
}

Napi::Value EngineWrap::requestBridgeStats(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "requestBridgeStats(id)");
  engine(info.Env()).requestBridgeStats(info[0].As<Napi::Number>().Uint32Value());
  return info.Env().Undefined();
}

Napi::Value EngineWrap::sipPortsInUse(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(engine(info.Env()).sipPortsInUse()));
}

Napi::Value EngineWrap::sipPortsTotal(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(engine(info.Env()).sipPortsTotal()));
}

Napi::Value EngineWrap::requestStats(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "requestStats(id)");
  engine(info.Env()).requestStats(info[0].As<Napi::Number>().Uint32Value());
  return info.Env().Undefined();
}

Napi::Value EngineWrap::closeEndpoint(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "closeEndpoint(id)");
  engine(info.Env()).closeEndpoint(info[0].As<Napi::Number>().Uint32Value());
  return info.Env().Undefined();
}

Napi::Value EngineWrap::portsInUse(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(engine(info.Env()).portsInUse()));
}

Napi::Value EngineWrap::portsTotal(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(engine(info.Env()).portsTotal()));
}

Napi::Value EngineWrap::stop(const Napi::CallbackInfo& info) {
  stopEngine();
  return info.Env().Undefined();
}

}  // namespace rtcgate::bindings
