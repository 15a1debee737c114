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
  /** SIP-side RTP ports ([rsmp] sip-rtp-min-port .. sip-rtp-max-port), taken as even/odd pairs. */
  sipPortMin: number;
  sipPortMax: number;
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
  kind: 'webrtc' | 'rtp';
  /** null for RTP legs, which have neither ICE nor DTLS. */
  iceState: IceState | null;
  dtlsState: DtlsState | null;
  selectedAddress: string | null;
  srtpProfile: SrtpProfileName | null;
  /** RTP legs: where RTCP goes now (the RTP address with rtcp-mux). */
  rtcpAddress: string | null;
  /** RTP legs: the destination was learnt from received media (symmetric RTP). */
  latched: boolean;
  streams: StreamStats[];
  counters: EndpointCounters;
}

export type CloseReason =
  | 'closed'
  | 'consent-timeout'
  | 'setup-timeout'
  | 'media-timeout'
  | 'dtls-failed'
  | 'engine-stopped';

/** A plain RTP leg for the SIP side (RFC 3550; SDES-SRTP optional). */
export interface RtpEndpointOptions {
  /** Put it on the same worker as this endpoint (required to bridge the two). */
  affinity?: number;
  /** RTCP on the RTP port (RFC 5761); otherwise the next odd port carries RTCP. */
  rtcpMux?: boolean;
  /** Accept media only from the SDP address and never latch (no symmetric RTP). */
  strictSource?: boolean;
  /** Close with 'media-timeout' after this many seconds without RTP/RTCP; 0 or absent: never. */
  mediaTimeoutSeconds?: number;
  /** The SSRC the gateway sends with on this leg. */
  ssrc: number;
  /** RTP clock rate of the negotiated audio codec (8000 for G.711/G.722/G.729, 48000 Opus). */
  clockRate: number;
  /** RFC 4568 SDES keys (master key ‖ salt): ours protect what we send, theirs what we receive. */
  srtp?: { profile: SrtpProfileName; localKeySalt: Uint8Array; remoteKeySalt: Uint8Array };
}

/** What a re-INVITE may change on a SIP-side leg. `srtp: null` switches to plain RTP. */
export interface RtpEndpointUpdate {
  clockRate?: number;
  srtp?: RtpEndpointOptions['srtp'] | null;
  mediaTimeoutSeconds?: number;
}

export interface RtpEndpointInfo {
  id: number;
  port: number;
  /** Equal to port with rtcp-mux. */
  rtcpPort: number;
}

export type AudioCodecName = 'PCMU' | 'PCMA' | 'G722' | 'opus' | 'G729';

/** How one leg of a bridge carries audio (from its negotiated SDP). */
export interface LegFormat {
  codec: AudioCodecName;
  payloadType: number;
  clockRate: number;
  /** Packet duration the gateway sends on this leg (default 20). */
  ptimeMs?: number;
  telephoneEventPt?: number;
  telephoneEventClockRate?: number;
  comfortNoisePt?: number;
  /** The SSRC the gateway sends with on this leg (the one announced in its SDP). */
  ssrc: number;
}

export interface TranscoderOptions {
  opusComplexity?: number;
  opusBitrate?: number;
  opusFec?: boolean;
  opusDtx?: boolean;
  jitterMinDelayMs?: number;
  jitterMaxDelayMs?: number;
  jitterInitialDelayMs?: number;
}

export interface BridgeParams {
  legA: number;
  legB: number;
  /** relay: same codec on both legs, packets forwarded; transcode: decode and encode. */
  mode: 'relay' | 'transcode';
  formatA: LegFormat;
  formatB: LegFormat;
  options?: TranscoderOptions;
}

export interface BridgeDirectionStats {
  fromLeg: number;
  toLeg: number;
  packetsIn: number;
  packetsOut: number;
  dropped: number;
  dtmfEventsIn: number;
  comfortNoiseIn: number;
  framesDecoded: number;
  framesEncoded: number;
  concealedSamples: number;
  fecRecovered: number;
  decodeErrors: number;
  jitterBufferDelayMs: number;
  jitterMs: number;
  jitterBufferLost: number;
  jitterBufferLate: number;
  jitterBufferDuplicates: number;
  /** ITU-T G.107 E-model estimate, 0 until frames were played (transcode only). */
  mos: number;
}

export interface BridgeStats {
  id: number;
  mode: 'relay' | 'transcode';
  directions: [BridgeDirectionStats, BridgeDirectionStats];
}

export type EngineEvent =
  | { type: 'ice-state'; endpointId: number; state: IceState; selectedAddress: string | null }
  | { type: 'dtls-state'; endpointId: number; state: DtlsState; srtpProfile: SrtpProfileName | null }
  | { type: 'stats'; endpointId: number; stats: EndpointStats }
  | { type: 'closed'; endpointId: number; reason: CloseReason }
  | { type: 'latched'; endpointId: number; flow: 'rtp' | 'rtcp'; address: string }
  | { type: 'bridge-stats'; bridgeId: number; stats: BridgeStats }
  | { type: 'bridge-closed'; bridgeId: number; reason: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; tag: string; message: string; endpointId?: number };

/** The object the addon exports as `Engine` (bindings/). */
export interface NativeEngine {
  fingerprint(): RemoteFingerprint;
  createWebRtcEndpoint(affinity?: number): WebRtcEndpointInfo;
  createRtpEndpoint(options: RtpEndpointOptions): RtpEndpointInfo;
  setRtpRemote(id: number, remote: { ip: string; port: number; rtcpPort?: number }): void;
  updateRtpEndpoint(id: number, update: RtpEndpointUpdate): void;
  createBridge(params: BridgeParams): number;
  destroyBridge(id: number): void;
  requestBridgeStats(id: number): void;
  sipPortsInUse(): number;
  sipPortsTotal(): number;
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
