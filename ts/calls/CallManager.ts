// Call orchestration: the SignalingHandler behind /ws. It keeps who is signed in on which
// connection and the calls each connection has, and turns protocol messages into engine work.
import type { Logger } from 'pino';

import type { Config } from '../config/loadConfig.js';
import type { Engine } from '../engine/Engine.js';
import { assertNever } from '../errors.js';
import { logEvent } from '../log/logger.js';
import { SdpError } from '../sdp/index.js';
import type { ClientMessage, ErrorCode, ServerMessage } from '../signaling/protocol.js';
import type { ClientSession, SignalingHandler } from '../signaling/SignalingServer.js';
import { LoopbackCall, type LoopbackVariant } from './LoopbackCall.js';

/** Loop-back targets: "self" echoes the caller's media; "self-pcmu" sends it through PCMU and back. */
export const LOOPBACK_TARGETS: Readonly<Record<string, LoopbackVariant>> = { self: 'echo', 'self-pcmu': 'pcmu' };

interface UserState {
  userId: string | null;
  anonymous: boolean;
  calls: Map<string, LoopbackCall>;
}

export interface CallManagerOptions {
  engine: Engine;
  config: Config;
  logger: Logger;
}

type HandledMessage = Exclude<ClientMessage, { type: 'ping' }>;

export class CallManager implements SignalingHandler {
  readonly #users = new Map<ClientSession, UserState>();
  readonly #engine: Engine;
  readonly #config: Config;
  readonly #log: Logger;

  constructor(options: CallManagerOptions) {
    this.#engine = options.engine;
    this.#config = options.config;
    this.#log = options.logger.child({ component: 'calls' });
  }

  /** Calls in progress across all connections. */
  get activeCalls(): number {
    let n = 0;
    for (const u of this.#users.values()) n += u.calls.size;
    return n;
  }

  onConnect(session: ClientSession): void {
    this.#users.set(session, { userId: null, anonymous: true, calls: new Map() });
  }

  onDisconnect(session: ClientSession): void {
    const user = this.#users.get(session);
    this.#users.delete(session);
    if (user) this.#endAll(user, 'signaling connection closed');
  }

  onMessage(session: ClientSession, msg: HandledMessage): void {
    const user = this.#users.get(session);
    if (!user) return;
    switch (msg.type) {
      case 'signIn':
        this.#signIn(session, user, msg);
        return;
      case 'signOut':
        this.#endAll(user, 'signed out');
        user.userId = null;
        session.send({ v: 1, type: 'signedOut', ...reqIdOf(msg) });
        return;
      case 'call':
        this.#call(session, user, msg);
        return;
      case 'accept':
      case 'reject':
        // No incoming calls exist before the SIP side: nothing can be accepted or rejected yet.
        this.#error(session, msg, 'unknown-call', `no incoming call ${JSON.stringify(msg.callId)}`, msg.callId);
        return;
      case 'hangup': {
        const call = user.calls.get(msg.callId);
        if (!call) {
          this.#error(session, msg, 'unknown-call', `no call ${JSON.stringify(msg.callId)}`, msg.callId);
          return;
        }
        void call.hangup('hangup');
        return;
      }
      default:
        assertNever(msg);
    }
  }

  /** Ends every call (the gateway is stopping). */
  async stop(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const user of this.#users.values()) for (const call of user.calls.values()) all.push(call.hangup('gateway stopping'));
    await Promise.allSettled(all);
  }

  #signIn(session: ClientSession, user: UserState, msg: Extract<HandledMessage, { type: 'signIn' }>): void {
    if (user.userId !== null) {
      this.#error(session, msg, 'already-signed-in', `already signed in as ${JSON.stringify(user.userId)}`);
      return;
    }
    // Until SIP registration exists every id is anonymous; [rsmp]:[allow-anonymous-user] decides.
    if (!this.#config.allowAnonymousUser) {
      this.#error(session, msg, 'forbidden', `${JSON.stringify(msg.id)} cannot sign in: anonymous users are not allowed ([rsmp]:[allow-anonymous-user] is false)`);
      return;
    }
    user.userId = msg.id;
    user.anonymous = true;
    this.#log.info({ user: msg.id, remote: session.remoteAddress }, 'signed in');
    session.send({ v: 1, type: 'signedIn', ...reqIdOf(msg), id: msg.id, anonymous: true });
  }

  #call(session: ClientSession, user: UserState, msg: Extract<HandledMessage, { type: 'call' }>): void {
    if (user.userId === null) {
      this.#error(session, msg, 'not-signed-in', 'sign in before calling', msg.callId);
      return;
    }
    if (user.calls.has(msg.callId)) {
      this.#error(session, msg, 'malformed', `call id ${JSON.stringify(msg.callId)} is already in use on this connection`, msg.callId);
      return;
    }
    const variant = Object.hasOwn(LOOPBACK_TARGETS, msg.target) ? LOOPBACK_TARGETS[msg.target] : undefined;
    if (variant === undefined) {
      this.#error(session, msg, 'unknown-target', `target ${JSON.stringify(msg.target)} is not reachable: this gateway has no SIP side yet; call "self" or "self-pcmu" for a loop-back call`, msg.callId);
      return;
    }
    let call: LoopbackCall;
    try {
      if (variant === 'pcmu' && !this.#config.enableTranscoding) {
        this.#error(session, msg, 'unknown-target', 'self-pcmu needs transcoding, which [rsmp]:[enable-transcoding] disables', msg.callId);
        return;
      }
      call = new LoopbackCall({
        engine: this.#engine,
        callId: msg.callId,
        offerSdp: msg.sdp,
        iceAddresses: this.#config.webIceAddresses,
        variant,
        transcoder: {
          opusComplexity: this.#config.opusComplexity,
          opusBitrate: this.#config.opusBitrate,
          jitterMinDelayMs: this.#config.jitterMinDelay,
          jitterMaxDelayMs: this.#config.jitterMaxDelay,
        },
      });
    } catch (error) {
      if (error instanceof SdpError) {
        this.#error(session, msg, 'bad-sdp', error.message, msg.callId);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.#log.warn({ user: user.userId, callId: msg.callId, err: message }, 'call refused');
        this.#error(session, msg, /no free media port/.test(message) ? 'busy' : 'internal', message, msg.callId);
      }
      return;
    }
    user.calls.set(msg.callId, call);
    const log = this.#log.child({ user: user.userId, callId: msg.callId, endpoint: call.endpoint.id, port: call.endpoint.port });
    call.on('state', (state, reason) => {
      if (state === 'connected') log.info({ setupMs: Math.round(call.setupMs ?? 0) }, 'call connected');
      if (state === 'ended') {
        user.calls.delete(msg.callId);
        log.info({ reason, stats: call.endpoint.lastStats }, 'call ended');
        if (call.endpoint.closeReason === 'consent-timeout') logEvent(log, 'warn', 'IceError', { endpoint: call.endpoint.id }, reason);
      }
      this.#send(session, { v: 1, type: 'callState', callId: msg.callId, state, ...(reason === undefined ? {} : { reason }) });
    });
    log.info({ target: msg.target }, 'call started');
    session.send({ v: 1, type: 'answer', ...reqIdOf(msg), callId: msg.callId, sdp: call.answerSdp });
    session.send({ v: 1, type: 'callState', callId: msg.callId, state: 'connecting' });
  }

  #endAll(user: UserState, reason: string): void {
    for (const call of user.calls.values()) void call.hangup(reason);
  }

  #send(session: ClientSession, msg: ServerMessage): void {
    if (this.#users.has(session)) session.send(msg);
  }

  #error(session: ClientSession, msg: HandledMessage, code: ErrorCode, message: string, callId?: string): void {
    session.send({ v: 1, type: 'error', ...reqIdOf(msg), ...(callId === undefined ? {} : { callId }), code, message });
  }
}

function reqIdOf(msg: { reqId?: string }): { reqId?: string } {
  return msg.reqId === undefined ? {} : { reqId: msg.reqId };
}
