// The signaling protocol spoken on the WebSocket endpoint /ws: JSON text frames, each a typed
// message with a protocol version `v`. Shared by the server (ts/signaling) and the browser SDK
// (ts/sdk), so both sides compile against one definition.

export const PROTOCOL_VERSION = 1;

export type CallState = 'connecting' | 'ringing' | 'connected' | 'ended';

/**
 * Key/value user data: context data given at call start (sent to the SIP side as headers with
 * the [rsmp] sip-userdata-prefix) and mid-call data (SIP INFO, application/x-www-form-urlencoded).
 */
export type UserData = Record<string, string>;

/** Messages a client (browser SDK) sends. `reqId` is echoed in the reply or error. */
export type ClientMessage =
  | { v: 1; type: 'signIn'; reqId?: string; id: string }
  | { v: 1; type: 'signOut'; reqId?: string }
  | { v: 1; type: 'call'; reqId?: string; callId: string; target: string; sdp: string; data?: UserData }
  | { v: 1; type: 'hold'; reqId?: string; callId: string }
  | { v: 1; type: 'resume'; reqId?: string; callId: string }
  | { v: 1; type: 'data'; reqId?: string; callId: string; data: UserData }
  /** Blind transfer of the far end to `target` (SIP REFER). */
  | { v: 1; type: 'transfer'; reqId?: string; callId: string; target: string }
  | { v: 1; type: 'accept'; reqId?: string; callId: string; sdp: string }
  | { v: 1; type: 'reject'; reqId?: string; callId: string }
  | { v: 1; type: 'hangup'; reqId?: string; callId: string }
  | { v: 1; type: 'ping'; reqId?: string };

/** Messages the gateway sends. */
export type ServerMessage =
  | { v: 1; type: 'hello'; protocol: number; server: string }
  | { v: 1; type: 'signedIn'; reqId?: string; id: string; anonymous: boolean }
  | { v: 1; type: 'signedOut'; reqId?: string }
  | { v: 1; type: 'answer'; reqId?: string; callId: string; sdp: string }
  | { v: 1; type: 'incoming'; callId: string; from: string; sdp: string }
  | { v: 1; type: 'callState'; callId: string; state: CallState; reason?: string }
  /** The peer put the call on hold (true) or resumed it (false). */
  | { v: 1; type: 'remoteHold'; callId: string; held: boolean }
  /** Mid-call data from the peer (SIP INFO). */
  | { v: 1; type: 'data'; callId: string; data: UserData }
  /** A request (hold, resume, data, transfer) was carried out. */
  | { v: 1; type: 'done'; reqId?: string; callId: string }
  | { v: 1; type: 'pong'; reqId?: string }
  | { v: 1; type: 'error'; reqId?: string; callId?: string; code: ErrorCode; message: string };

export type ErrorCode =
  | 'malformed' // not JSON, not an object, or a field of the wrong type
  | 'unsupported-version'
  | 'unknown-type'
  | 'not-signed-in'
  | 'already-signed-in'
  | 'forbidden' // e.g. anonymous sign-in when allow-anonymous-user is false
  | 'unknown-target'
  | 'unknown-call'
  | 'bad-sdp'
  | 'busy'
  | 'internal'
  | 'too-large' // frame above the per-message size limit (added by the signaling server)
  | 'rate-limited'; // too many frames per second on one connection (added by the signaling server)
