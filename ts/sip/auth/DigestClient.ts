// Digest state of one SIP identity as a UAC (RFC 3261 §22.2–§22.3, RFC 7616 §3.4). Sans-IO: the
// caller sends requests and hands over the 401/407 responses; this object only says which
// Authorization / Proxy-Authorization headers to put on the next send.
//
// State kept per realm: the last challenge, its nonce count and the credentials that answered it,
// so the next request to the same server is authorized up front with the same nonce and nc+1
// (RFC 7616 §3.4: nc counts requests sent with one nonce). Per request (DigestAttempt):
//   - a realm is answered once with looked-up credentials;
//   - challenged again with stale=true, it is answered once more with the same credentials and no
//     new lookup (RFC 7616 §3.3 `stale`);
//   - challenged again otherwise, the credentials were refused: 'rejected', never a loop.

import { randomBytes } from 'node:crypto';
import { selectChallenges, type DigestChallenge } from './challenge.js';
import { buildAuthorization, MAX_NONCE_COUNT, type DigestCredentials, type DigestRequest } from './digest.js';
import { DigestChallengeError } from './errors.js';

export type AuthHeaderName = 'Authorization' | 'Proxy-Authorization';

export interface AuthHeader {
  readonly name: AuthHeaderName;
  readonly value: string;
}

export interface CredentialQuery {
  readonly realm: string;
  /** The identity the request is sent for (the DN); the answer's username may differ. */
  readonly user: string;
}

/** Config lookup; undefined when no credentials are configured for that user and realm. */
export type CredentialLookup = (q: CredentialQuery) => DigestCredentials | undefined;

export interface DigestClientOptions {
  readonly user: string;
  readonly lookup: CredentialLookup;
  /** cnonce source; the default is 16 random hex digits. Inject a fixed one in tests. */
  readonly cnonce?: () => string;
  /** Authorize new requests up front from the cached nonces (default true). */
  readonly preemptive?: boolean;
  /** 401/407 responses one request may go through before giving up (default 4). */
  readonly maxChallenges?: number;
}

export type ChallengeStatus = 401 | 407;

export type ChallengeOutcome =
  | { readonly kind: 'retry'; readonly headers: readonly AuthHeader[] }
  | { readonly kind: 'fail'; readonly reason: 'bad-challenge'; readonly error: DigestChallengeError }
  | { readonly kind: 'fail'; readonly reason: 'no-credentials'; readonly realm: string }
  | { readonly kind: 'fail'; readonly reason: 'rejected'; readonly realm: string }
  | { readonly kind: 'fail'; readonly reason: 'too-many-challenges' };

interface RealmState {
  readonly header: AuthHeaderName;
  readonly challenge: DigestChallenge;
  readonly credentials: DigestCredentials;
  /** Last nonce count sent with challenge.nonce. */
  nc: number;
}

type AttemptRealmState = 'preemptive' | 'answered' | 'stale-retried';

export function randomCnonce(): string {
  return randomBytes(8).toString('hex');
}

/** One request's authentication: headers for the first send, then one call per 401/407. */
export interface DigestAttempt {
  /** Headers for the first send: cached nonces with nc+1 when preemptive. Idempotent. */
  headers(): readonly AuthHeader[];
  /**
   * A 401 (WWW-Authenticate values) or 407 (Proxy-Authenticate values) answered the last send.
   * Returns every authorization header the retry must carry (RFC 3261 §22.3), or why not to retry.
   */
  onChallenge(status: ChallengeStatus, values: readonly string[]): ChallengeOutcome;
}

/** What a client shares with its attempts. */
class Core {
  readonly realms = new Map<string, RealmState>();
  constructor(
    readonly user: string,
    readonly lookup: CredentialLookup,
    readonly cnonce: () => string,
    readonly preemptive: boolean,
    readonly maxChallenges: number,
  ) {}

  /** The header for `realm` with the next nonce count; undefined when unknown or nc is spent. */
  answer(realm: string, req: DigestRequest): AuthHeader | undefined {
    const s = this.realms.get(realm);
    if (s === undefined || s.nc >= MAX_NONCE_COUNT) return undefined;
    s.nc++;
    const a = buildAuthorization(s.challenge, s.credentials, req, { cnonce: this.cnonce(), nc: s.nc });
    return { name: s.header, value: a.value };
  }
}

export class DigestClient {
  readonly #core: Core;

  constructor(opts: DigestClientOptions) {
    this.#core = new Core(opts.user, opts.lookup, opts.cnonce ?? randomCnonce, opts.preemptive ?? true, opts.maxChallenges ?? 4);
  }

  get user(): string {
    return this.#core.user;
  }

  /** Begins one request (a new CSeq and its authenticated retries). */
  start(req: DigestRequest): DigestAttempt {
    return new Attempt(this.#core, req);
  }

  /** Realms with a cached nonce. */
  get realms(): string[] {
    return [...this.#core.realms.keys()];
  }

  /** Drops cached nonces and credentials (one realm or all), e.g. after a config reload. */
  forget(realm?: string): void {
    if (realm === undefined) this.#core.realms.clear();
    else this.#core.realms.delete(realm);
  }
}

class Attempt implements DigestAttempt {
  readonly #state = new Map<string, AttemptRealmState>();
  #challenges = 0;
  #firstHeaders: AuthHeader[] | undefined;

  constructor(
    readonly core: Core,
    readonly req: DigestRequest,
  ) {}

  headers(): readonly AuthHeader[] {
    if (this.#firstHeaders !== undefined) return this.#firstHeaders;
    const out: AuthHeader[] = [];
    if (this.core.preemptive) {
      for (const realm of this.core.realms.keys()) {
        const h = this.core.answer(realm, this.req);
        if (h === undefined) continue;
        this.#state.set(realm, 'preemptive');
        out.push(h);
      }
    }
    this.#firstHeaders = out;
    return out;
  }

  onChallenge(status: ChallengeStatus, values: readonly string[]): ChallengeOutcome {
    if (++this.#challenges > this.core.maxChallenges) return { kind: 'fail', reason: 'too-many-challenges' };
    let selected: DigestChallenge[];
    try {
      selected = selectChallenges(values);
    } catch (err) {
      if (err instanceof DigestChallengeError) return { kind: 'fail', reason: 'bad-challenge', error: err };
      throw err;
    }
    const header: AuthHeaderName = status === 401 ? 'Authorization' : 'Proxy-Authorization';
    for (const ch of selected) {
      const prev = this.core.realms.get(ch.realm);
      const mine = this.#state.get(ch.realm);
      let credentials: DigestCredentials | undefined;
      if (mine === 'answered' || mine === 'stale-retried') {
        if (!(ch.stale && mine === 'answered' && prev !== undefined)) {
          this.core.realms.delete(ch.realm);
          return { kind: 'fail', reason: 'rejected', realm: ch.realm };
        }
        credentials = prev.credentials;
        this.#state.set(ch.realm, 'stale-retried');
      } else {
        // First challenge for this realm in this request (perhaps after a preemptive answer):
        // a stale nonce keeps the credentials, anything else asks the config again.
        credentials = ch.stale && prev !== undefined ? prev.credentials : this.core.lookup({ realm: ch.realm, user: this.core.user });
        if (credentials === undefined) return { kind: 'fail', reason: 'no-credentials', realm: ch.realm };
        this.#state.set(ch.realm, 'answered');
      }
      const sameNonce = prev !== undefined && prev.challenge.nonce === ch.nonce && prev.challenge.algorithm === ch.algorithm;
      this.core.realms.set(ch.realm, { header, challenge: ch, credentials, nc: sameNonce ? prev.nc : 0 });
    }
    const headers: AuthHeader[] = [];
    for (const realm of this.#state.keys()) {
      const h = this.core.answer(realm, this.req);
      if (h !== undefined) headers.push(h);
    }
    return { kind: 'retry', headers };
  }
}
