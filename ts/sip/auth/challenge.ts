// WWW-Authenticate / Proxy-Authenticate parsing for SIP digest (RFC 3261 §22.4, §25.1 `challenge`;
// RFC 7616 §3.3 directives; RFC 8760 adds the SHA-256 algorithms to SIP). The value is network
// input: anything that does not fit the grammar is a DigestChallengeError, never another throw.
//
// Leniency, on purpose (deployed servers send these): every directive value may be a token or a
// quoted-string (`algorithm="MD5"`, `qop=auth`, `stale="TRUE"`); unquoted values may also hold
// `/ : @ =` (base64 nonces); empty list elements are skipped (RFC 7230 §7). Strictness, on purpose:
// a directive given twice is rejected (RFC 7235 §2.2), as are control characters and bare CR/LF.

import { DigestChallengeError } from './errors.js';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';
export type DigestQop = 'auth' | 'auth-int';

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'];

/** A Digest challenge we can answer. */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly algorithm: DigestAlgorithm;
  /** The challenge named its algorithm; the answer then names it too (RFC 7616 §3.4). */
  readonly algorithmGiven: boolean;
  /** Supported qop values offered, in the server's order; empty = RFC 2069 legacy digest (no qop). */
  readonly qop: readonly DigestQop[];
  readonly stale: boolean;
}

/** A challenge of any scheme, as the list grammar sees it; names are lower-cased. */
export interface RawChallenge {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
}

/** Longer values are refused before any parsing (real ones are a few hundred bytes). */
export const MAX_CHALLENGE_LENGTH = 8192;
const MAX_PARAMS = 64;

// RFC 3261 §25.1 token characters besides alphanumerics.
const TOKEN_EXTRA = new Set('-.!%*_+`\'~');
// Extra characters tolerated in an unquoted directive value (base64 nonces, URIs).
const VALUE_EXTRA = new Set('/:@=');

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isTokenChar(ch: string): boolean {
  return isAlnum(ch.charCodeAt(0)) || TOKEN_EXTRA.has(ch);
}
function isValueChar(ch: string): boolean {
  return isTokenChar(ch) || VALUE_EXTRA.has(ch);
}

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  fail(what: string): never {
    throw new DigestChallengeError('syntax', `${what} at offset ${this.pos}`);
  }
  /** LWS = [*WSP CRLF] 1*WSP (RFC 3261 §25.1); returns whether any was skipped. */
  skipLws(): boolean {
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\r' && this.s[this.pos + 1] === '\n' && (this.s[this.pos + 2] === ' ' || this.s[this.pos + 2] === '\t')) this.pos += 3;
      else return this.pos > start;
    }
  }
  token(): string {
    const start = this.pos;
    while (!this.done && isTokenChar(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }
  value(): string {
    if (this.peek() === '"') return this.quoted();
    const start = this.pos;
    while (!this.done && isValueChar(this.peek())) this.pos++;
    if (this.pos === start) this.fail('expected a token or quoted-string');
    return this.s.slice(start, this.pos);
  }
  /** quoted-string with quoted-pair escapes (RFC 3261 §25.1); folding becomes one space. */
  quoted(): string {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      if (this.done) this.fail('unterminated quoted-string');
      const ch = this.peek();
      const c = ch.charCodeAt(0);
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch === '\\') {
        const next = this.s.charCodeAt(this.pos + 1);
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
        if (Number.isNaN(next) || next > 0x7f || next === 0x0a || next === 0x0d) this.fail('bad quoted-pair');
        out += this.s[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (ch === '\r') {
        if (this.skipLws()) {
          out += ' ';
          continue;
        }
        this.fail('bare CR in quoted-string');
      }
      if ((c < 0x20 && ch !== '\t') || c === 0x7f) this.fail('control character in quoted-string');
      out += ch;
      this.pos++;
    }
  }
}

/**
 * Parses one header value into its challenges. SIP sends one challenge per header (RFC 3261 §7.3.1
 * forbids comma-joining these headers), but the HTTP list form `Digest a=1, Other b=2` is accepted.
 */
export function parseChallengeList(value: string): RawChallenge[] {
  if (value.length > MAX_CHALLENGE_LENGTH) {
    throw new DigestChallengeError('too-long', `${value.length} characters (limit ${MAX_CHALLENGE_LENGTH})`);
  }
  const sc = new Scanner(value);
  const out: RawChallenge[] = [];
  let paramCount = 0;
  sc.skipLws();
  let scheme = sc.token();
  if (scheme === '') sc.fail('expected an auth scheme');
  let params = new Map<string, string>();
  let first = true; // first element after the scheme
  for (;;) {
    if (first) {
      if (sc.done) break;
      if (!sc.skipLws()) sc.fail('expected whitespace after the scheme');
      if (sc.done) break;
    }
    // One list element: empty, `name = value`, or the scheme of the next challenge.
    if (sc.peek() !== ',') {
      const nameAt = sc.pos;
      const name = sc.token();
      if (name === '') sc.fail('expected a directive name');
      const spaced = sc.skipLws();
      if (sc.peek() === '=') {
        sc.pos++;
        sc.skipLws();
        const v = sc.value();
        const key = name.toLowerCase();
        if (params.has(key)) throw new DigestChallengeError('duplicate-param', `directive "${key}" given twice`);
        if (++paramCount > MAX_PARAMS) sc.fail(`more than ${MAX_PARAMS} directives`);
        params.set(key, v);
        sc.skipLws();
      } else if (!first && (sc.done || sc.peek() === ',' || (spaced && isTokenChar(sc.peek())))) {
        // `, Scheme name=value` or a bare `, Scheme`: a new challenge starts (RFC 7235 §4.1).
        out.push({ scheme, params });
        scheme = name;
        params = new Map();
        sc.pos = nameAt + name.length;
        first = true;
        continue;
      } else {
        sc.fail(`expected "=" after "${name}"`);
      }
    }
    first = false;
    if (sc.done) break;
    if (sc.peek() !== ',') sc.fail('expected "," between directives');
    sc.pos++;
    sc.skipLws();
    if (sc.done) break; // trailing comma: an empty element
  }
  out.push({ scheme, params });
  return out;
}

const ALGORITHM_BY_LOWER = new Map(DIGEST_ALGORITHMS.map((a) => [a.toLowerCase(), a] as const));

/** Interprets a raw challenge as Digest; throws DigestChallengeError when it cannot be answered. */
export function toDigestChallenge(raw: RawChallenge): DigestChallenge {
  if (raw.scheme.toLowerCase() !== 'digest') throw new DigestChallengeError('not-digest', `scheme "${raw.scheme}"`);
  const p = raw.params;
  const realm = p.get('realm');
  if (realm === undefined) throw new DigestChallengeError('missing-realm', 'no realm directive');
  const nonce = p.get('nonce');
  if (nonce === undefined || nonce === '') throw new DigestChallengeError('missing-nonce', 'no nonce directive');
  const algText = p.get('algorithm');
  let algorithm: DigestAlgorithm = 'MD5'; // RFC 7616 §3.3: absent means MD5
  if (algText !== undefined) {
    const a = ALGORITHM_BY_LOWER.get(algText.toLowerCase());
    if (a === undefined) throw new DigestChallengeError('unsupported-algorithm', `algorithm "${algText.slice(0, 40)}"`);
    algorithm = a;
  }
  const qopText = p.get('qop');
  const qop: DigestQop[] = [];
  if (qopText !== undefined) {
    for (const item of qopText.split(',')) {
      const q = item.trim().toLowerCase();
      if ((q === 'auth' || q === 'auth-int') && !qop.includes(q)) qop.push(q);
    }
    if (qop.length === 0) throw new DigestChallengeError('unsupported-qop', `qop "${qopText.slice(0, 40)}"`);
  }
  const opaque = p.get('opaque');
  return {
    realm,
    nonce,
    ...(opaque !== undefined ? { opaque } : {}),
    algorithm,
    algorithmGiven: algText !== undefined,
    qop,
    stale: (p.get('stale') ?? '').toLowerCase() === 'true',
  };
}

/** Parses a header value that must hold exactly one challenge, a Digest one. */
export function parseDigestChallenge(value: string): DigestChallenge {
  const list = parseChallengeList(value);
  if (list.length !== 1) throw new DigestChallengeError('syntax', `${list.length} challenges in one header value`);
  return toDigestChallenge(list[0] as RawChallenge);
}

/** Strength order used to pick among challenges of one realm (RFC 8760 §2.4: prefer SHA-256). */
const STRENGTH: Record<DigestAlgorithm, number> = { 'SHA-256': 2, 'SHA-256-sess': 2, MD5: 1, 'MD5-sess': 1 };

/**
 * From the WWW-Authenticate (or Proxy-Authenticate) values of one response, picks per realm the
 * strongest challenge we support; ties keep the server's order (RFC 7616 §3.7). Unusable
 * challenges are skipped; when none is left, throws 'no-usable-challenge' listing why.
 * Several realms come back when several proxies challenged (RFC 3261 §22.3): answer each.
 */
export function selectChallenges(values: readonly string[]): DigestChallenge[] {
  const best = new Map<string, DigestChallenge>();
  const causes: DigestChallengeError[] = [];
  for (const value of values) {
    let list: RawChallenge[];
    try {
      list = parseChallengeList(value);
    } catch (err) {
      if (err instanceof DigestChallengeError) {
        causes.push(err);
        continue;
      }
      throw err;
    }
    for (const raw of list) {
      try {
        const c = toDigestChallenge(raw);
        const prev = best.get(c.realm);
        if (prev === undefined || STRENGTH[c.algorithm] > STRENGTH[prev.algorithm]) best.set(c.realm, c);
      } catch (err) {
        if (err instanceof DigestChallengeError) causes.push(err);
        else throw err;
      }
    }
  }
  if (best.size === 0) {
    const why = causes.length === 0 ? 'no challenge header' : causes.map((c) => c.reason).join(', ');
    throw new DigestChallengeError('no-usable-challenge', why, causes);
  }
  return [...best.values()];
}
