// What CallManager needs from any call it tracks: the browser's view (state, end reason) and a
// way to end it. Loop-back calls and SIP calls implement it.
import type { TypedEmitter } from '../common/TypedEmitter.js';
import type { WebRtcEndpoint } from '../engine/Engine.js';
import type { CallState, UserData } from '../signaling/protocol.js';
import type { SipMidCall } from './SipMidCall.js';

export type GatewayCallEvents = {
  state: [state: CallState, reason?: string];
  /** SIP calls: the peer put the call on hold or resumed it. */
  remoteHold: [held: boolean];
  /** SIP calls: mid-call data from the peer. */
  data: [data: UserData];
  listenerError: [error: unknown, event: string];
};

export interface GatewayCall extends TypedEmitter<GatewayCallEvents> {
  readonly callId: string;
  readonly state: CallState;
  /** The browser-facing endpoint, once it exists. */
  readonly endpoint: WebRtcEndpoint | undefined;
  /** Milliseconds from the start to media connected, once connected. */
  readonly setupMs: number | null;
  hangup(reason?: string): Promise<void>;
  /** SIP calls, once established: hold/resume and mid-call data. */
  readonly midCall?: SipMidCall | undefined;
}
