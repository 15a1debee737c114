// Call orchestration: the SignalingHandler behind /ws. It keeps who is signed in on which
// connection (and registers DNs at the SIP server), the calls each connection has, and turns
// protocol messages and incoming INVITEs into engine and SIP work.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';

import type { Config } from '../config/loadConfig.js';
import type { Engine } from '../engine/Engine.js';
import type { TranscoderOptions } from '../engine/types.js';
import { assertNever } from '../errors.js';
import { logEvent } from '../log/logger.js';
import { SdpError } from '../sdp/index.js';
import { parseUri, type SipHeader, type SipUri, type Uri } from '../sip/message/index.js';
import type { IncomingSession, Registration } from '../sip/ua/index.js';
import type { ClientMessage, ErrorCode, ServerMessage } from '../signaling/protocol.js';
import type { ClientSession, SignalingHandler } from '../signaling/SignalingServer.js';
import type { GatewayCall } from './GatewayCall.js';
import { InboundSipCall } from './InboundSipCall.js';
import { LoopbackCall, type LoopbackVariant } from './LoopbackCall.js';
import { OutboundSipCall } from './OutboundSipCall.js';
import type { SipSide } from './SipSide.js';
import { setupFailure } from './SipLeg.js';

/** Loop-back targets: "self" echoes the caller's media; "self-pcmu" sends it through PCMU and back. */
export const LOOPBACK_TARGETS: Readonly<Record<string, LoopbackVariant>> = { self: 'echo', 'self-pcmu': 'pcmu' };

interface UserState {
  userId: string | null;
  anonymous: boolean;
  calls: Map<string, GatewayCall>;
  registration: Registration | null;
}

export interface CallManagerOptions {
  engine: Engine;
  config: Config;
  logger: Logger;
  /** The SIP side; absent in embedders that run the browser side only. */
  sip?: SipSide;
}

type HandledMessage = Exclude<ClientMessage, { type: 'ping' }>;

export class CallManager implements SignalingHandler {
  readonly #users = new Map<ClientSession, UserState>();
  /** Signed-in id → its connection (one connection per id). */
  readonly #byId = new Map<string, ClientSession>();
  readonly #engine: Engine;
  readonly #config: Config;
  readonly #sip: SipSide | undefined;
  readonly #log: Logger;

  constructor(options: CallManagerOptions) {
    this.#engine = options.engine;
    this.#config = options.config;
    this.#sip = options.sip;
    this.#log = options.logger.child({ component: 'calls' });
    this.#sip?.stack.on('invite', (session) => this.#onInvite(session));
  }

  /** Calls in progress across all connections. */
  get activeCalls(): number {
    let n = 0;
    for (const u of this.#users.values()) n += u.calls.size;
    return n;
  }

  onConnect(session: ClientSession): void {
    this.#users.set(session, { userId: null, anonymous: true, calls: new Map(), registration: null });
  }

  onDisconnect(session: ClientSession): void {
    const user = this.#users.get(session);
    this.#users.delete(session);
    if (user) this.#signOut(user, 'signaling connection closed');
  }

  onMessage(session: ClientSession, msg: HandledMessage): void {
    const user = this.#users.get(session);
    if (!user) return;
    switch (msg.type) {
      case 'signIn':
        this.#signIn(session, user, msg);
        return;
      case 'signOut':
        this.#signOut(user, 'signed out');
        session.send({ v: 1, type: 'signedOut', ...reqIdOf(msg) });
        return;
      case 'call':
        this.#call(session, user, msg);
        return;
      case 'accept':
      case 'reject': {
        const call = user.calls.get(msg.callId);
        if (!(call instanceof InboundSipCall) || call.state !== 'ringing') {
          this.#error(session, msg, 'unknown-call', `no incoming call ${JSON.stringify(msg.callId)} is ringing`, msg.callId);
          return;
        }
        if (msg.type === 'reject') {
          call.reject();
          return;
        }
        try {
          call.accept(msg.sdp);
        } catch (error) {
          this.#error(session, msg, 'bad-sdp', setupFailure(error).reason, msg.callId);
        }
        return;
      }
      case 'hold':
      case 'resume':
      case 'data':
      case 'transfer': {
        const call = user.calls.get(msg.callId);
        const mid = call?.midCall;
        if (!call || !mid || call.state !== 'connected') {
          this.#error(session, msg, 'unknown-call', `no established SIP call ${JSON.stringify(msg.callId)} (hold, resume and data need one)`, msg.callId);
          return;
        }
        let op: Promise<void>;
        if (msg.type === 'transfer') {
          const target = this.#sipTarget(msg.target);
          if (typeof target === 'string') {
            this.#error(session, msg, 'unknown-target', target, msg.callId);
            return;
          }
          op = mid.transfer({ displayName: undefined, uri: target, params: new Map() });
        } else {
          op = msg.type === 'data' ? mid.sendData(msg.data) : mid.setHold(msg.type === 'hold');
        }
        op.then(
          () => this.#send(session, { v: 1, type: 'done', ...reqIdOf(msg), callId: msg.callId }),
          (error: unknown) => this.#error(session, msg, 'internal', error instanceof Error ? error.message : String(error), msg.callId),
        );
        return;
      }
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

  /** Ends every call and registration (the gateway is stopping). */
  async stop(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const user of this.#users.values()) {
      for (const call of user.calls.values()) all.push(call.hangup('gateway stopping'));
      user.registration?.stop();
    }
    await Promise.allSettled(all);
  }

  #signIn(session: ClientSession, user: UserState, msg: Extract<HandledMessage, { type: 'signIn' }>): void {
    if (user.userId !== null) {
      this.#error(session, msg, 'already-signed-in', `already signed in as ${JSON.stringify(user.userId)}`);
      return;
    }
    if (this.#byId.has(msg.id)) {
      this.#error(session, msg, 'already-signed-in', `${JSON.stringify(msg.id)} is signed in on another connection`);
      return;
    }
    const registered = this.#config.sipRegister.matches(msg.id);
    if (!registered && !this.#config.allowAnonymousUser) {
      this.#error(session, msg, 'forbidden', `${JSON.stringify(msg.id)} cannot sign in: it matches no [rsmp]:[sip-register] DN and anonymous users are not allowed ([rsmp]:[allow-anonymous-user] is false)`);
      return;
    }
    user.userId = msg.id;
    user.anonymous = !registered;
    this.#byId.set(msg.id, session);
    const proxy = this.#sip?.stack.activeProxy ?? this.#config.sipProxy[0];
    if (registered && proxy && this.#sip) {
      // The gateway registers the DN at the SIP server on the browser's behalf (sip-register).
      const aor: SipUri = { type: 'sip', secure: false, user: msg.id, password: undefined, host: proxy.host, port: undefined, params: new Map(), headers: [] };
      const registration = this.#sip.stack.register({ aor, expires: this.#config.sipRegisterExpires, contactUser: msg.id });
      const log = this.#log.child({ user: msg.id });
      registration.on('registered', (expires) => log.info({ expires }, 'registered at the SIP server'));
      registration.on('failed', (status, reason) => logEvent(log, 'warn', 'SipError', { status }, `REGISTER for ${msg.id} failed: ${status} ${reason}`));
      registration.start();
      user.registration = registration;
    }
    this.#log.info({ user: msg.id, registered, remote: session.remoteAddress }, 'signed in');
    session.send({ v: 1, type: 'signedIn', ...reqIdOf(msg), id: msg.id, anonymous: !registered });
  }

  #signOut(user: UserState, reason: string): void {
    for (const call of user.calls.values()) void call.hangup(reason);
    user.registration?.stop();
    user.registration = null;
    if (user.userId !== null) this.#byId.delete(user.userId);
    user.userId = null;
  }

  #transcoder(): TranscoderOptions {
    return {
      opusComplexity: this.#config.opusComplexity,
      opusBitrate: this.#config.opusBitrate,
      jitterMinDelayMs: this.#config.jitterMinDelay,
      jitterMaxDelayMs: this.#config.jitterMaxDelay,
    };
  }

  /** Where a browser's call goes on the SIP side, or why it cannot. */
  #sipTarget(target: string): Uri | string {
    if (/^sips?:/i.test(target)) {
      const parsed = parseUri(target);
      return parsed.ok ? parsed.uri : `target ${JSON.stringify(target)} is not a valid SIP URI`;
    }
    // The server in use now: after a failover, new calls name the surviving one.
    const proxy = this.#sip?.stack.activeProxy ?? this.#config.sipProxy[0];
    if (!proxy && this.#sip && this.#byId.has(target)) {
      // Standalone: a browser-to-browser call is still a SIP call, sent to our own SIP port, so
      // both legs go through the same path as calls with SIP peers.
      return { type: 'sip', secure: false, user: target, password: undefined, host: this.#sip.sipHost, port: this.#sip.transport.viaPort('udp'), params: new Map(), headers: [] };
    }
    if (!proxy) {
      return `target ${JSON.stringify(target)} is not reachable: nobody is signed in with that id and no [rsmp]:[sip-proxy] is configured; call a signed-in id, a full SIP URI (sip:user@host:port), "self" or "self-pcmu"`;
    }
    if (!/^[A-Za-z0-9+*#._~-]+$/.test(target)) return `target ${JSON.stringify(target)} is not a valid SIP user part`;
    return { type: 'sip', secure: false, user: target, password: undefined, host: proxy.host, port: proxy.port, params: new Map(), headers: [] };
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
    let call: GatewayCall;
    try {
      if (variant !== undefined) {
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
          transcoder: this.#transcoder(),
        });
        session.send({ v: 1, type: 'answer', ...reqIdOf(msg), callId: msg.callId, sdp: (call as LoopbackCall).answerSdp });
      } else {
        const sip = this.#sip;
        const target = sip ? this.#sipTarget(msg.target) : 'this gateway runs without a SIP side';
        if (typeof target === 'string' || !sip) {
          this.#error(session, msg, 'unknown-target', typeof target === 'string' ? target : 'no SIP side', msg.callId);
          return;
        }
        // User data travels as prefixed headers, which SIP Server maps to attached data.
        const prefix = this.#config.sipUserdataPrefix;
        const headers: SipHeader[] = [];
        if (this.#config.reportingServiceType !== null) {
          headers.push({ kind: 'raw', name: `${prefix}service_type`, value: this.#config.reportingServiceType });
        }
        for (const [key, value] of Object.entries(msg.data ?? {})) headers.push({ kind: 'raw', name: `${prefix}${key}`, value });
        call = new OutboundSipCall({
          engine: this.#engine,
          stack: sip.stack,
          callId: msg.callId,
          from: user.userId,
          fromHost: sip.sipHost,
          target,
          offerSdp: msg.sdp,
          iceAddresses: this.#config.webIceAddresses,
          mediaAddress: sip.mediaAddress,
          policy: this.#config.codecPolicy,
          transcoder: this.#transcoder(),
          headers,
          sendAnswer: (sdp) => this.#send(session, { v: 1, type: 'answer', ...reqIdOf(msg), callId: msg.callId, sdp }),
        });
      }
    } catch (error) {
      if (error instanceof SdpError || (error instanceof Error && error.name === 'SipSdpError')) {
        this.#error(session, msg, 'bad-sdp', error.message, msg.callId);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.#log.warn({ user: user.userId, callId: msg.callId, err: message }, 'call refused');
        this.#error(session, msg, /no free (SIP )?media port/.test(message) ? 'busy' : 'internal', message, msg.callId);
      }
      return;
    }
    this.#track(session, user, call, { target: msg.target });
    this.#send(session, { v: 1, type: 'callState', callId: msg.callId, state: call.state });
  }

  #onInvite(sip: IncomingSession): void {
    const uri = sip.request.uri;
    const id = uri.type === 'sip' ? uri.user : undefined;
    const session = id === undefined ? undefined : this.#byId.get(id);
    const user = session ? this.#users.get(session) : undefined;
    if (!session || !user || user.userId === null) {
      sip.reject(480, 'Temporarily Unavailable');
      this.#log.info({ to: id }, 'INVITE for an id that is not signed in: 480');
      return;
    }
    if (user.calls.size > 0) {
      sip.reject(486, 'Busy Here');
      return;
    }
    const fromUri = sip.request.from.uri;
    const from = fromUri.type === 'sip' ? (fromUri.user ?? fromUri.host) : fromUri.type === 'tel' ? fromUri.number : 'unknown';
    let call: InboundSipCall;
    try {
      call = new InboundSipCall({
        engine: this.#engine,
        session: sip,
        callId: randomUUID(),
        iceAddresses: this.#config.webIceAddresses,
        mediaAddress: this.#sip?.mediaAddress ?? '127.0.0.1',
        policy: this.#config.codecPolicy,
        transcoder: this.#transcoder(),
      });
    } catch (error) {
      const f = setupFailure(error);
      sip.reject(f.status, f.reason);
      logEvent(this.#log, 'warn', 'SipError', { status: f.status, to: id }, `incoming call refused: ${f.reason}`);
      return;
    }
    this.#track(session, user, call, { from });
    this.#send(session, { v: 1, type: 'incoming', callId: call.callId, from, sdp: call.browserOfferSdp });
  }

  #track(session: ClientSession, user: UserState, call: GatewayCall, fields: Record<string, string>): void {
    user.calls.set(call.callId, call);
    const log = this.#log.child({ user: user.userId, callId: call.callId, ...fields });
    call.on('state', (state, reason) => {
      if (state === 'connected') log.info({ setupMs: Math.round(call.setupMs ?? 0), endpoint: call.endpoint?.id }, 'call connected');
      if (state === 'ended') {
        user.calls.delete(call.callId);
        log.info({ reason, stats: call.endpoint?.lastStats }, 'call ended');
        if (call.endpoint?.closeReason === 'consent-timeout') logEvent(log, 'warn', 'IceError', { endpoint: call.endpoint.id }, reason);
      }
      this.#send(session, { v: 1, type: 'callState', callId: call.callId, state, ...(reason === undefined ? {} : { reason }) });
    });
    call.on('remoteHold', (held) => this.#send(session, { v: 1, type: 'remoteHold', callId: call.callId, held }));
    call.on('data', (data) => this.#send(session, { v: 1, type: 'data', callId: call.callId, data }));
    log.info('call started');
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
