// The engine API as TypeScript sees it. The native addon (bindings/) implements NativeEngine;
// ts/engine/Engine.ts wraps it with typed events. Names and states mirror native/ (C++ enums).

export type IceState = 'new' | 'connected' | 'disconnected' | 'closed';
export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';
export type DtlsRole = 'client' | 'server';
export type SrtpProfileName = 'AES_CM_128_HMAC_SHA1_80' | 'AEAD_AES_128_GCM';

export interface EngineOptions {
  /** Worker threads, each an epoll loop owning its sockets (default: one per core). */
  workers: number;
  /** Media ports are taken from [portMin, portMax] and returned on close. */
  portMin: number;
  portMax: number;
  /** Local IP the media sockets bind to (e.g. "0.0.0.0" or "127.0.0.1"). */
  bindAddress: string;
  /** PEM certificate and key for DTLS; when absent an ECDSA P-256 one is generated at start. */
  certificatePem?: string;
  privateKeyPem?: string;
  /** Seconds without ICE consent before an endpoint is declared dead (RFC 7675: 30). */
  consentTimeoutSeconds: number;
}

export interface RemoteFingerprint {
  algorithm: string; // "sha-256"
  value: string; // "AB:CD:..."
}

/**
 * The media an endpoint carries. `echo`: what the browser sends comes back under the gateway's
 * SSRCs (the loop-back call "self"). `bridge`: media goes to the bridge the endpoint is joined
 * to (see Engine.createBridge), and is dropped (counted as noSink) until it is bridged.
 */
export interface MediaRoute {
  kind: 'echo' | 'bridge';
  /** Payload types the browser sends for audio and for video (from the negotiated SDP). */
  audioPayloadTypes: number[];
  videoPayloadTypes: number[];
  /** SSRCs the gateway announces in its answer and sends with. */
  audioSsrc: number;
  videoSsrc: number;
  /** RTP clock rates of the echoed streams, for RTCP sender reports. */
  audioClockRate: number;
  videoClockRate: number;
}

export interface WebRtcEndpointInfo {
  id: number;
  /** Local UDP port (one port per endpoint: rtcp-mux and BUNDLE). */
  port: number;
  iceUfrag: string;
  icePwd: string;
}

export interface ConnectParams {
  iceUfrag: string;
  icePwd: string;
  fingerprint: RemoteFingerprint;
  /** Our DTLS role: 'server' when we answer a:setup:actpass with passive. */
  dtlsRole: DtlsRole;
  route: MediaRoute;
}

export interface StreamStats {
  ssrc: number;
  kind: 'audio' | 'video';
  direction: 'inbound' | 'outbound';
  packets: number;
  bytes: number;
  /** Inbound: packets lost (RFC 3550 cumulative). Outbound: as reported by the peer. */
  packetsLost: number;
  /** Interarrival jitter in seconds. */
  jitter: number;
  /** Round-trip time in seconds from SR/RR (RFC 3550 §6.4.1), null until measured. */
  roundTripTime: number | null;
}

export interface EndpointCounters {
  stunReceived: number;
  stunRejected: number;
  dtlsReceived: number;
  /** DTLS before the remote description was set. */
  dtlsRejected: number;
  /** Dropped by the DTLS transport: not well-framed records, or after the session ended. */
  dtlsInvalid: number;
  /** Garbage before any ClientHello made the DTLS server start over. */
  dtlsHandshakeResets: number;
  dtlsRetransmissions: number;
  rtpReceived: number;
  rtcpReceived: number;
  srtpRejected: number;
  unknownRejected: number;
  unvalidatedSourceRejected: number;
  /** Outgoing packets dropped: SRTP protect failed or the packet did not fit a send slot. */
  sendFailed: number;
  /** Media received while the endpoint is neither echoing nor bridged. */
  noSink: number;
}

export interface EndpointStats {
  id: number;
  iceState: IceState;
  dtlsState: DtlsState;
  selectedAddress: string | null;
  srtpProfile: SrtpProfileName | null;
  streams: StreamStats[];
  counters: EndpointCounters;
}

export type CloseReason = 'closed' | 'consent-timeout' | 'setup-timeout' | 'dtls-failed' | 'engine-stopped';

export type EngineEvent =
  | { type: 'ice-state'; endpointId: number; state: IceState; selectedAddress: string | null }
  | { type: 'dtls-state'; endpointId: number; state: DtlsState; srtpProfile: SrtpProfileName | null }
  | { type: 'stats'; endpointId: number; stats: EndpointStats }
  | { type: 'closed'; endpointId: number; reason: CloseReason }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; tag: string; message: string; endpointId?: number };

/** The object the addon exports as `Engine` (bindings/). */
export interface NativeEngine {
  fingerprint(): RemoteFingerprint;
  createWebRtcEndpoint(): WebRtcEndpointInfo;
  connectWebRtcEndpoint(id: number, params: ConnectParams): void;
  requestStats(id: number): void;
  closeEndpoint(id: number): void;
  portsInUse(): number;
  portsTotal(): number;
  stop(): void;
}

export interface NativeAddon {
  Engine: new (options: EngineOptions, onEvent: (event: EngineEvent) => void) => NativeEngine;
}
