// Catalogue of operator-facing log events. The ids follow the vendor gateway rtcgate replaces, so
// existing monitoring (alarms keyed on event ids) keeps working; the texts are our own. Every log
// line that reports one of these carries `event: <id>`.

export interface LogEventSpec {
  readonly id: number;
  readonly text: string;
  /** What the operator should do about it. */
  readonly action: string;
}

export const LogEvents = {
  /** Startup finished: signaling is listening and the media engine runs. */
  GatewayStarted: { id: 5060, text: 'WebRTC Gateway started', action: 'none' },
  /** An option is unknown, missing or out of range. Text continues with `: [section]:[option]`. */
  InvalidOption: { id: 20006, text: 'Invalid or missing value for the option', action: 'fix the configuration' },
  /** SIP side: the local SIP address could not be set (future SIP module). */
  SipAddressFailed: { id: 20007, text: 'Cannot use the SIP address', action: 'check network interfaces and [rsmp]:[sip-address]' },
  /** Media: sockets could not bind the RTP address. */
  RtpAddressFailed: { id: 20008, text: 'Cannot use the RTP address', action: 'check network interfaces and [rsmp]:[rtp-bind-address]' },
  /** libsrtp2 initialisation failed in the native engine. */
  SrtpInitFailed: { id: 20009, text: 'SRTP library initialisation failed', action: 'restart the gateway' },
  /** SIP side: the SIP transport could not start (port in use). */
  SipStackFailed: { id: 20010, text: 'Cannot start the SIP transport', action: 'check whether [rsmp]:[sip-port] is used by another process' },
  /** The HTTP/WebSocket signaling server could not listen. */
  SignalingServerFailed: { id: 20011, text: 'Cannot start the signaling server', action: 'check whether [rsmp]:[http-port] is used by another process' },
  /** Codec/transcoder setup failed (Opus, G.711 resamplers). */
  TranscoderFailed: { id: 20012, text: 'Transcoder setup failed', action: 'restart the gateway' },
  /** A signaling (browser-side) operation failed; the message varies. */
  SignalingError: { id: 20013, text: 'Signaling operation failed', action: 'read the message' },
  /** A SIP operation failed; the message varies. */
  SipError: { id: 20014, text: 'SIP operation failed', action: 'read the message' },
  /** An ICE operation failed (e.g. consent lost); the message varies. */
  IceError: { id: 20015, text: 'ICE operation failed', action: 'read the message' },
} as const satisfies Record<string, LogEventSpec>;

export type LogEventName = keyof typeof LogEvents;
export type LogEventId = (typeof LogEvents)[LogEventName]['id'];
