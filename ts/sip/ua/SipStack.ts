// The UA core (RFC 3261 §8, §12–§13 on top of §17): owns the transaction layer, drives its timers
// on the injected Clock, carries messages between it and the transport, dispatches requests to
// dialogs and sessions, and answers what no session takes (OPTIONS 200, 481, 405, 501, 420).
//
// Outputs of the layer go into one queue drained in order; a TU callback that sends something
// while the queue drains only appends to it (no re-entrant I/O, STYLE §6.1).

import { TypedEmitter } from '../../common/TypedEmitter.js';
import { DigestClient, type CredentialLookup } from '../auth/index.js';
import {
  createResponse,
  newBranch,
  newTag,
  sipUri,
  tagOf,
  type NameAddr,
  type SipHeader,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type SipUri,
  type Via,
} from '../message/index.js';
import {
  TransactionLayer,
  TransactionUsageError,
  type TransactionConfig,
  type TransactionId,
  type TransactionInput,
  type TransactionOutput,
  type TransactionStep,
  type TuEvent,
} from '../transaction/index.js';
import { assertNever } from '../../errors.js';
import { systemClock } from './clock.js';
import { dialogKey } from './Dialog.js';
import { ALLOWED_METHODS, SUPPORTED_OPTIONS, raw, tokens, tokenValues } from './headers.js';
import { IncomingSession } from './IncomingSession.js';
import { OutgoingSession, type InviteOptions } from './OutgoingSession.js';
import { Registration, type RegistrationOptions } from './Registration.js';
import { DEFAULT_SESSION_TIMER, uasNegotiate, minSeHeader, type SessionTimerConfig } from './sessionTimer.js';
import { dnsResolver, hopTargetOf, toPeer, ProxySelector, type HopTarget, type HostResolver, type ProxyAddress } from './nextHop.js';
import { isReliable, type Clock, type SipPeer, type SipTransportKind, type SipTransportLike } from './types.js';
import { TxRequest, TxResponse, uaBuilders, type UaTypes } from './wire.js';

export const RTCGATE_VERSION = '0.1.0';

export interface SipStackOptions {
  readonly transport: SipTransportLike;
  readonly clock?: Clock;
  /** User-Agent / Server value; default "rtcgate/<version>". */
  readonly userAgent?: string;
  /** Outbound proxy (`sip-proxy`): out-of-dialog requests go there. */
  readonly proxy?: readonly ProxyAddress[];
  readonly resolve?: HostResolver;
  readonly transaction?: Partial<TransactionConfig>;
  /** Digest credentials for 401/407 challenges (per user and realm). */
  readonly credentials?: CredentialLookup;
  /** RFC 4028 defaults; false turns session timers off. */
  readonly sessionTimer?: SessionTimerConfig | false;
  /** Transport for a target URI without a transport parameter (default udp). */
  readonly defaultTransport?: SipTransportKind;
  /** cnonce source for digest (tests inject a fixed one). */
  readonly cnonce?: () => string;
}

/** How a client request ended when no response did it: Timer B/F, transport failure, no address. */
export type ClientFailure = { readonly status: 408; readonly reason: 'timeout' } | { readonly status: 503; readonly reason: 'transport-error' | 'unresolvable' };

export type ClientOutcome = { readonly type: 'response'; readonly response: SipResponse } | ({ readonly type: 'failure' } & ClientFailure);

export type ClientListener = (outcome: ClientOutcome) => void;

/** A request the stack is sending; `cancel()` sends CANCEL for an INVITE (RFC 3261 §9.1). */
export class OutgoingRequest {
  transaction: TransactionId | undefined;
  #cancelWanted = false;
  #done = false;
  constructor(
    private readonly stack: SipStack,
    readonly request: SipRequest,
    readonly listener: ClientListener,
  ) {}

  cancel(): void {
    if (this.request.method !== 'INVITE' || this.#done || this.#cancelWanted) return;
    this.#cancelWanted = true;
    if (this.transaction !== undefined) this.stack.cancelTransaction(this.transaction);
  }

  /** @internal the transaction is known now. */
  started(tx: TransactionId): void {
    this.transaction = tx;
    if (this.#cancelWanted) this.stack.cancelTransaction(tx);
  }

  /** @internal */
  deliver(outcome: ClientOutcome): void {
    if (outcome.type === 'failure' || outcome.response.status >= 200) this.#done = true;
    this.listener(outcome);
  }
}

/** What a dialog's owner (a session) gets from the stack. */
export interface DialogUser {
  onRequest(tx: TransactionId, req: SipRequest): void;
  onAck(req: SipRequest): void;
  /** A 2xx to INVITE after its transaction ended (re-ACK it, RFC 3261 §13.2.2.4). */
  onStray2xx(res: SipResponse): void;
}

export interface SipStackEvents {
  [event: string]: unknown[];
  invite: [session: IncomingSession];
  /** Something dropped or refused, for counters. */
  dropped: [what: string];
  /** A bug in the stack surfaced while handling input; the stack goes on. */
  internalError: [error: unknown];
  listenerError: [error: unknown, event: string];
}

interface ServerEntry {
  readonly request: SipRequest;
  readonly source: SipPeer;
}

export class SipStack extends TypedEmitter<SipStackEvents> {
  readonly clock: Clock;
  readonly layer: TransactionLayer<UaTypes>;
  readonly userAgent: string;
  readonly sessionTimer: SessionTimerConfig | undefined;
  readonly #transport: SipTransportLike;
  readonly #resolve: HostResolver;
  readonly #proxy: ProxySelector;
  readonly #defaultTransport: SipTransportKind;
  readonly #credentials: CredentialLookup | undefined;
  readonly #cnonce: (() => string) | undefined;
  readonly #digest = new Map<string, DigestClient>();
  readonly #clients = new Map<TransactionId, OutgoingRequest>();
  readonly #servers = new Map<TransactionId, ServerEntry>();
  readonly #inviteServers = new Map<TransactionId, IncomingSession>();
  readonly #dialogs = new Map<string, DialogUser>();
  readonly #timers = new Map<number, unknown>();
  #queue: TransactionOutput<UaTypes>[] = [];
  #draining = false;
  #closed = false;

  constructor(opts: SipStackOptions) {
    super();
    this.#transport = opts.transport;
    this.clock = opts.clock ?? systemClock;
    this.userAgent = opts.userAgent ?? `rtcgate/${RTCGATE_VERSION}`;
    this.sessionTimer = opts.sessionTimer === false ? undefined : (opts.sessionTimer ?? DEFAULT_SESSION_TIMER);
    this.#resolve = opts.resolve ?? dnsResolver;
    this.#proxy = new ProxySelector(opts.proxy ?? []);
    this.#defaultTransport = opts.defaultTransport ?? 'udp';
    this.#credentials = opts.credentials;
    this.#cnonce = opts.cnonce;
    this.layer = new TransactionLayer<UaTypes>(uaBuilders, opts.transaction);
    this.#transport.on('message', (msg, source) => this.receive(msg, source));
  }

  // --- public API -----------------------------------------------------------------------------

  /** Starts an outgoing call. */
  invite(opts: InviteOptions): OutgoingSession {
    return new OutgoingSession(this, opts);
  }

  /** Creates a registration binding (call start()). */
  register(opts: RegistrationOptions): Registration {
    return new Registration(this, opts);
  }

  /** The SIP server requests go to now ([rsmp] sip-proxy; moves to the other one on failover). */
  get activeProxy(): ProxyAddress | undefined {
    return this.#proxy.current();
  }

  /** The digest state of one identity, or undefined when no credentials are configured. */
  digestFor(user: string): DigestClient | undefined {
    if (this.#credentials === undefined) return undefined;
    let c = this.#digest.get(user);
    if (c === undefined) {
      c = new DigestClient({ user, lookup: this.#credentials, ...(this.#cnonce !== undefined ? { cnonce: this.#cnonce } : {}) });
      this.#digest.set(user, c);
    }
    return c;
  }

  get host(): string {
    return this.#transport.viaHost();
  }

  /** Where a request will go: the active proxy for out-of-dialog requests, else Route / Request-URI. */
  hopOf(req: SipRequest): { target: HopTarget; proxy: ProxyAddress | undefined } | undefined {
    const proxy = this.#proxy.current();
    if (proxy !== undefined && tagOf(req.to) === undefined) return { target: proxy, proxy };
    const t = hopTargetOf(req);
    if (t === undefined) return undefined;
    const hasTransport = req.uri.type === 'sip' && (req.uri.secure || req.uri.params.has('transport'));
    return { target: hasTransport ? t : { ...t, transport: t.transport === 'udp' ? this.#defaultTransport : t.transport }, proxy: undefined };
  }

  transportFor(req: SipRequest): SipTransportKind {
    return this.hopOf(req)?.target.transport ?? this.#defaultTransport;
  }

  /** Our Contact URI for a transport (sip:user@advertised-host:port;transport=...). */
  contactUri(user: string | undefined, kind: SipTransportKind): SipUri {
    return sipUri({
      host: this.#transport.viaHost(),
      port: this.#transport.viaPort(kind),
      ...(user !== undefined ? { user } : {}),
      params: kind === 'udp' ? {} : { transport: kind },
    });
  }

  contactHeader(user: string | undefined, kind: SipTransportKind, params: Map<string, string | null> = new Map()): SipHeader {
    const value: NameAddr = { displayName: undefined, uri: this.contactUri(user, kind), params };
    return { kind: 'contact', name: 'Contact', value };
  }

  newVia(kind: SipTransportKind): Via {
    return {
      protocol: 'SIP/2.0',
      transport: kind.toUpperCase(),
      host: this.#transport.viaHost(),
      port: this.#transport.viaPort(kind),
      params: new Map<string, string | null>([['branch', newBranch()], ['rport', null]]),
    };
  }

  /**
   * Sends a request in a new client transaction: adds our Via (new branch, rport) and User-Agent,
   * resolves the next hop, and reports the responses (or a failure) to `listener`.
   */
  send(req: SipRequest, listener: ClientListener): OutgoingRequest {
    const out = new OutgoingRequest(this, req, listener);
    const hop = this.hopOf(req);
    if (hop === undefined || this.#closed) {
      this.defer(() => out.deliver({ type: 'failure', status: 503, reason: 'unresolvable' }));
      return out;
    }
    req.via = [this.newVia(hop.target.transport)];
    this.addUserAgent(req);
    const start = (peer: SipPeer): void => {
      if (this.#closed) return;
      this.feed({ type: 'sendRequest', request: new TxRequest(req), transport: isReliable(peer.transport) ? 'reliable' : 'unreliable', destination: peer }, (step) => {
        if (step.transaction === undefined) return;
        this.#clients.set(step.transaction, out);
        if (hop.proxy !== undefined) this.#proxyOf.set(step.transaction, hop.proxy);
        out.started(step.transaction);
      });
    };
    this.withPeer(hop.target, start, () => out.deliver({ type: 'failure', status: 503, reason: 'unresolvable' }));
    return out;
  }

  readonly #proxyOf = new Map<TransactionId, ProxyAddress>();

  /** Sends an ACK for a 2xx straight to the transport (RFC 3261 §13.2.2.4, §17.1.1.3). */
  sendAck(ack: SipRequest, fresh: boolean): void {
    const hop = this.hopOf(ack);
    if (hop === undefined || this.#closed) return;
    if (fresh) {
      ack.via = [this.newVia(hop.target.transport)];
      this.addUserAgent(ack);
    }
    this.withPeer(hop.target, (peer) => this.transmit(ack, peer), () => this.emit('dropped', 'ack-unresolvable'));
  }

  /** Answers on a server transaction; false when the transaction is gone. */
  respond(tx: TransactionId, res: SipResponse): boolean {
    if (!this.layer.has(tx)) return false;
    if (!res.headers.some((h) => h.kind === 'raw' && h.name === 'Server')) res.headers.push(raw('Server', this.userAgent));
    try {
      this.feed({ type: 'sendResponse', transaction: tx, response: new TxResponse(res) });
      return true;
    } catch (err) {
      if (err instanceof TransactionUsageError) return false;
      throw err;
    }
  }

  /** Builds and sends a response to the request of server transaction `tx`. */
  reply(tx: TransactionId, status: number, opts: { reason?: string; toTag?: string; headers?: SipHeader[]; body?: Uint8Array } = {}): boolean {
    const entry = this.#servers.get(tx);
    if (entry === undefined) return false;
    // RFC 3261 §8.2.6.2: a response (but 100) to a request without a To tag gets one; createResponse keeps a tag already there.
    const toTag = opts.toTag ?? (status === 100 ? undefined : newTag());
    const res = createResponse(entry.request, status, opts.reason, {
      ...(toTag !== undefined ? { toTag } : {}),
      ...(opts.headers !== undefined ? { headers: opts.headers } : {}),
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    });
    return this.respond(tx, res);
  }

  cancelTransaction(tx: TransactionId): void {
    if (!this.layer.has(tx)) return;
    this.feed({ type: 'cancel', transaction: tx });
  }

  addDialog(key: string, user: DialogUser): void {
    this.#dialogs.set(key, user);
  }

  removeDialog(key: string, user: DialogUser): void {
    if (this.#dialogs.get(key) === user) this.#dialogs.delete(key);
  }

  get dialogCount(): number {
    return this.#dialogs.size;
  }

  /** Runs `fn` on the clock after `ms` (sessions' and registrations' timers go through here too). */
  defer(fn: () => void, ms = 0): unknown {
    return this.clock.setTimer(ms, () => this.guard(fn));
  }

  /** Stops every timer the stack armed for the transaction layer. Sessions stop their own. */
  close(): void {
    this.#closed = true;
    for (const h of this.#timers.values()) this.clock.clearTimer(h);
    this.#timers.clear();
  }

  // --- transport side -------------------------------------------------------------------------

  /** A parsed message from the transport. */
  receive(msg: SipMessage, source: SipPeer): void {
    if (this.#closed) return;
    const transport = isReliable(source.transport) ? 'reliable' : 'unreliable';
    this.guard(() => {
      if (msg.type === 'request') {
        this.feed({ type: 'receiveRequest', request: new TxRequest(msg), transport, source }, (step) => {
          if (step.transaction !== undefined && !this.#servers.has(step.transaction)) this.#servers.set(step.transaction, { request: msg, source });
        });
      } else {
        this.feed({ type: 'receiveResponse', response: new TxResponse(msg), transport, source });
      }
    });
  }

  private withPeer(target: HopTarget, ok: (peer: SipPeer) => void, fail: () => void): void {
    let peer: SipPeer | Promise<SipPeer>;
    try {
      peer = toPeer(target, this.#resolve);
    } catch {
      this.defer(fail);
      return;
    }
    if (peer instanceof Promise) peer.then((p) => this.guard(() => ok(p)), () => this.guard(fail));
    else ok(peer);
  }

  private transmit(msg: SipMessage, peer: SipPeer, tx?: TransactionId): void {
    this.#transport.send(msg, peer).catch((error: unknown) => {
      if (tx !== undefined) this.guard(() => this.feed({ type: 'transportError', transaction: tx, error }));
      else this.emit('dropped', 'send-failed');
    });
  }

  private addUserAgent(req: SipRequest): void {
    if (!req.headers.some((h) => h.kind === 'raw' && h.name === 'User-Agent')) req.headers.push(raw('User-Agent', this.userAgent));
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.emit('internalError', err);
    }
  }

  // --- the layer and its outputs --------------------------------------------------------------

  private feed(input: TransactionInput<UaTypes>, before?: (step: TransactionStep<UaTypes>) => void): TransactionStep<UaTypes> {
    const step = this.layer.handle(this.clock.now(), input);
    before?.(step);
    this.#queue.push(...step.outputs);
    this.drain();
    return step;
  }

  private drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let i = 0; i < this.#queue.length; i++) {
        const o = this.#queue[i] as TransactionOutput<UaTypes>;
        this.guard(() => this.process(o));
      }
    } finally {
      this.#queue = [];
      this.#draining = false;
    }
  }

  private process(o: TransactionOutput<UaTypes>): void {
    switch (o.type) {
      case 'transmitRequest':
        this.transmit(o.request.msg, o.destination, o.transaction);
        return;
      case 'transmitResponse': {
        const entry = this.#servers.get(o.transaction);
        const req = entry?.request;
        if (req === undefined) return;
        this.#transport.sendResponse(o.response.msg, req, o.destination).catch((error: unknown) => {
          this.guard(() => this.feed({ type: 'transportError', transaction: o.transaction, error }));
        });
        return;
      }
      case 'setTimer': {
        const id = o.timer;
        const h = this.clock.setTimer(o.deadline - this.clock.now(), () => {
          this.#timers.delete(id);
          this.guard(() => this.feed({ type: 'timer', timer: id }));
        });
        this.#timers.set(id, h);
        return;
      }
      case 'clearTimer': {
        const h = this.#timers.get(o.timer);
        if (h !== undefined) this.clock.clearTimer(h);
        this.#timers.delete(o.timer);
        return;
      }
      case 'tu':
        this.onTu(o.event);
        return;
      default:
        assertNever(o, 'transaction output');
    }
  }

  private onTu(ev: TuEvent<UaTypes>): void {
    switch (ev.type) {
      case 'request':
        this.onRequest(ev.transaction, ev.request.msg);
        return;
      case 'cancel':
        this.onCancel(ev.transaction, ev.invite, ev.inviteAnswered);
        return;
      case 'ack': {
        const req = ev.request.msg;
        const d = this.dialogOf(req);
        if (d !== undefined) d.onAck(req);
        else this.emit('dropped', 'ack-no-dialog');
        return;
      }
      case 'response':
        this.#clients.get(ev.transaction)?.deliver({ type: 'response', response: ev.response.msg });
        return;
      case 'timeout': {
        const proxy = this.#proxyOf.get(ev.transaction);
        if (proxy !== undefined) this.#proxy.failed(proxy);
        this.#clients.get(ev.transaction)?.deliver({ type: 'failure', status: 408, reason: 'timeout' });
        return;
      }
      case 'transportError':
        this.#clients.get(ev.transaction)?.deliver({ type: 'failure', status: 503, reason: 'transport-error' });
        return;
      case 'ackTimeout':
        return;
      case 'terminated':
        this.#clients.delete(ev.transaction);
        this.#proxyOf.delete(ev.transaction);
        this.#servers.delete(ev.transaction);
        this.#inviteServers.delete(ev.transaction);
        return;
      case 'strayResponse': {
        const res = ev.response.msg;
        if (res.cseq.method === 'INVITE' && res.status >= 200 && res.status < 300) {
          const remoteTag = tagOf(res.to);
          const localTag = tagOf(res.from);
          const d = remoteTag !== undefined && localTag !== undefined ? this.#dialogs.get(dialogKey(res.callId, localTag, remoteTag)) : undefined;
          if (d !== undefined) {
            d.onStray2xx(res);
            return;
          }
        }
        this.emit('dropped', `stray-response-${ev.reason}`);
        return;
      }
      case 'rejected': {
        const req = ev.request.msg;
        this.emit('dropped', `rejected-${ev.reason}`);
        if (req.method === 'ACK') return;
        const status = ev.reason === 'overload' ? 503 : 400;
        const reason = ev.reason === 'rfc2543' ? 'Bad Request (RFC 2543 branch not supported)' : undefined;
        this.#transport.sendResponse(createResponse(req, status, reason, { toTag: newTag() }), req, ev.source).catch(() => this.emit('dropped', 'send-failed'));
        return;
      }
      case 'cancelSent':
      case 'cancelDropped':
      case 'responseDiscarded':
        return;
      default:
        assertNever(ev, 'TU event');
    }
  }

  private dialogOf(req: SipRequest): DialogUser | undefined {
    const local = tagOf(req.to);
    const remote = tagOf(req.from);
    if (local === undefined || remote === undefined) return undefined;
    return this.#dialogs.get(dialogKey(req.callId, local, remote));
  }

  private onRequest(tx: TransactionId, req: SipRequest): void {
    const unsupported = tokenValues(req, 'Require').filter((t) => !SUPPORTED_OPTIONS.includes(t));
    if (unsupported.length > 0 && req.method !== 'CANCEL') {
      this.reply(tx, 420, { headers: [tokens('Unsupported', unsupported)] });
      return;
    }
    if (tagOf(req.to) !== undefined) {
      const d = this.dialogOf(req);
      if (d !== undefined) d.onRequest(tx, req);
      else this.reply(tx, 481);
      return;
    }
    switch (req.method) {
      case 'INVITE':
        this.onInvite(tx, req);
        return;
      case 'OPTIONS':
        this.reply(tx, 200, {
          headers: [tokens('Allow', ALLOWED_METHODS), raw('Accept', 'application/sdp'), tokens('Supported', SUPPORTED_OPTIONS)],
        });
        return;
      case 'BYE':
      case 'INFO':
      case 'UPDATE':
      case 'PRACK':
      case 'REFER':
      case 'NOTIFY':
        this.reply(tx, 481);
        return;
      case 'REGISTER':
      case 'SUBSCRIBE':
      case 'PUBLISH':
      case 'MESSAGE':
        this.reply(tx, 405, { headers: [tokens('Allow', ALLOWED_METHODS)] });
        return;
      default:
        this.reply(tx, 501);
    }
  }

  private onInvite(tx: TransactionId, req: SipRequest): void {
    if (this.listenerCount('invite') === 0) {
      this.reply(tx, 480);
      return;
    }
    if (req.headers.every((h) => h.kind !== 'contact')) {
      this.reply(tx, 400, { reason: 'Bad Request (Contact missing)' });
      return;
    }
    const neg = uasNegotiate(req, this.sessionTimer);
    if (neg.kind === 'too-small') {
      this.reply(tx, 422, { headers: [minSeHeader(neg.minSe)] });
      return;
    }
    const entry = this.#servers.get(tx);
    if (entry === undefined) return;
    const session = new IncomingSession(this, tx, req, entry.source, neg.timer, neg.headers);
    this.#inviteServers.set(tx, session);
    this.emit('invite', session);
  }

  private onCancel(tx: TransactionId, invite: TransactionId | undefined, answered: boolean): void {
    const session = invite === undefined ? undefined : this.#inviteServers.get(invite);
    if (invite === undefined) {
      this.reply(tx, 481);
      return;
    }
    this.reply(tx, 200);
    if (!answered) {
      if (session !== undefined) session.onCancel();
      else this.reply(invite, 487);
    }
  }
}

