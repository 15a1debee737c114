// REGISTER bindings (RFC 3261 §10): one Call-ID for the binding's life and increasing CSeq
// (§10.2.4), digest retry on 401/407, 423 retry with Min-Expires, refresh at half the granted
// expiry, exponential backoff after failures, Expires: 0 on stop.

import { TypedEmitter } from '../../common/TypedEmitter.js';
import type { DigestAttempt } from '../auth/index.js';
import { formatAuth } from '../message/headers.js';
import { contacts, formatUri, newCallId, newTag, sipUri, type SipHeader, type SipRequest, type SipResponse, type SipUri } from '../message/index.js';
import type { SipStack } from './SipStack.js';
import type { TimerHandle } from './types.js';

export interface RegistrationOptions {
  /** Address of record, e.g. sip:8100@sip.example.com. */
  readonly aor: SipUri;
  /** Request-URI; default the AOR's domain (sip:host[:port]). */
  readonly registrar?: SipUri;
  /** Requested expiry, seconds (default 3600). */
  readonly expires?: number;
  /** User part of our Contact; default the AOR user. */
  readonly contactUser?: string;
  /** First retry delay after a failure, seconds (default 30); doubles up to `retryMax`. */
  readonly retryBase?: number;
  readonly retryMax?: number;
}

export type RegistrationEvents = {
  registered: [expires: number];
  failed: [status: number, reason: string];
  unregistered: [];
};

export type RegistrationState = 'idle' | 'registering' | 'registered' | 'unregistering' | 'stopped';

export const DEFAULT_REGISTER_EXPIRES = 3600;

export class Registration extends TypedEmitter<RegistrationEvents> {
  state: RegistrationState = 'idle';
  readonly callId = newCallId();
  readonly tag = newTag();
  /** Last granted expiry, seconds. */
  granted = 0;
  #cseq = 0;
  #expires: number;
  #timer: TimerHandle | undefined;
  #failures = 0;
  #generation = 0;

  constructor(
    private readonly stack: SipStack,
    readonly options: RegistrationOptions,
  ) {
    super();
    this.#expires = options.expires ?? DEFAULT_REGISTER_EXPIRES;
  }

  start(): void {
    if (this.state !== 'idle' && this.state !== 'stopped') return;
    this.#failures = 0;
    this.send(this.#expires);
  }

  /** Unregisters (Expires: 0) when registered; 'unregistered' follows the response. */
  stop(): void {
    this.clearTimer();
    const was = this.state;
    if (was === 'idle' || was === 'stopped' || was === 'unregistering') return;
    this.send(0);
  }

  private clearTimer(): void {
    if (this.#timer !== undefined) this.stack.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  private arm(seconds: number, fn: () => void): void {
    this.clearTimer();
    this.#timer = this.stack.clock.setTimer(seconds * 1000, () => {
      this.#timer = undefined;
      fn();
    });
  }

  private contactUri(kind: 'udp' | 'tcp' | 'tls'): SipUri {
    return this.stack.contactUri(this.options.contactUser ?? this.options.aor.user, kind);
  }

  private build(expires: number, auth: readonly SipHeader[]): SipRequest {
    const aor = this.options.aor;
    const registrar = this.options.registrar ?? sipUri({ host: aor.host, ...(aor.port !== undefined ? { port: aor.port } : {}), secure: aor.secure, params: aor.params });
    const req: SipRequest = {
      type: 'request',
      method: 'REGISTER',
      uri: registrar,
      via: [],
      from: { displayName: undefined, uri: structuredClone(aor), params: new Map([['tag', this.tag]]) },
      to: { displayName: undefined, uri: structuredClone(aor), params: new Map() },
      callId: this.callId,
      cseq: { seq: ++this.#cseq, method: 'REGISTER' },
      maxForwards: 70,
      headers: [],
      body: new Uint8Array(0),
    };
    const kind = this.stack.transportFor(req);
    req.headers.push(
      { kind: 'contact', name: 'Contact', value: { displayName: undefined, uri: this.contactUri(kind), params: new Map() } },
      { kind: 'expires', name: 'Expires', value: expires },
      ...auth,
    );
    return req;
  }

  private send(expires: number, attempt?: DigestAttempt, auth: readonly SipHeader[] = []): void {
    const gen = ++this.#generation;
    this.state = expires === 0 ? 'unregistering' : 'registering';
    const req = this.build(expires, auth);
    let digest = attempt;
    if (digest === undefined && this.options.aor.user !== undefined) {
      digest = this.stack.digestFor(this.options.aor.user)?.start({ method: 'REGISTER', uri: formatUri(req.uri) });
      // Cached nonces authorize a refresh up front (RFC 7616 §3.4 nonce count).
      for (const a of digest?.headers() ?? []) req.headers.push({ kind: 'raw', name: a.name, value: a.value });
    }
    this.stack.send(req, (o) => {
      if (gen !== this.#generation) return; // superseded (stop() during a refresh)
      if (o.type === 'failure') return this.onFailure(expires, o.status, o.reason);
      this.onResponse(expires, req, o.response, digest);
    });
  }

  private onResponse(expires: number, req: SipRequest, res: SipResponse, digest: DigestAttempt | undefined): void {
    if (res.status < 200) return;
    if (res.status >= 200 && res.status < 300) {
      this.#failures = 0;
      if (expires === 0) {
        this.state = 'stopped';
        this.emit('unregistered');
        return;
      }
      this.granted = this.grantedExpiry(res, req, expires);
      this.state = 'registered';
      this.arm(Math.max(1, this.granted / 2), () => this.send(this.#expires));
      this.emit('registered', this.granted);
      return;
    }
    if ((res.status === 401 || res.status === 407) && digest !== undefined) {
      const name = res.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
      const values: string[] = [];
      for (const h of res.headers) if (h.kind === 'auth' && h.name === name) values.push(formatAuth(h.value));
      const outcome = digest.onChallenge(res.status, values);
      if (outcome.kind === 'retry') {
        this.send(expires, digest, outcome.headers.map((a): SipHeader => ({ kind: 'raw', name: a.name, value: a.value })));
        return;
      }
    }
    if (res.status === 423 && expires !== 0) {
      const min = res.headers.find((h) => h.kind === 'expires' && h.name === 'Min-Expires');
      if (min !== undefined && min.kind === 'expires' && min.value > this.#expires && min.value <= 86_400) {
        this.#expires = min.value;
        this.send(this.#expires);
        return;
      }
    }
    this.onFailure(expires, res.status, res.reason);
  }

  private onFailure(expires: number, status: number, reason: string): void {
    if (expires === 0) {
      this.state = 'stopped';
      this.emit('unregistered');
      return;
    }
    this.state = 'registering';
    this.#failures++;
    const base = this.options.retryBase ?? 30;
    const max = this.options.retryMax ?? 600;
    this.arm(Math.min(max, base * 2 ** (this.#failures - 1)), () => this.send(this.#expires));
    this.emit('failed', status, reason);
  }

  /** The expiry the registrar granted our binding (Contact expires, else Expires, else asked). */
  private grantedExpiry(res: SipResponse, req: SipRequest, asked: number): number {
    const mine = req.headers.find((h) => h.kind === 'contact');
    const mineUri = mine !== undefined && mine.kind === 'contact' && mine.value !== '*' ? mine.value.uri : undefined;
    for (const c of contacts(res)) {
      if (c === '*' || mineUri === undefined || c.uri.type !== 'sip' || mineUri.type !== 'sip') continue;
      if (c.uri.host.toLowerCase() !== mineUri.host.toLowerCase() || c.uri.port !== mineUri.port || c.uri.user !== mineUri.user) continue;
      const e = c.params.get('expires');
      if (typeof e === 'string' && /^\d{1,10}$/.test(e)) return Number(e);
    }
    const h = res.headers.find((x) => x.kind === 'expires' && x.name === 'Expires');
    if (h !== undefined && h.kind === 'expires') return h.value;
    return asked;
  }
}
