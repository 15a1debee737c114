// Computing a digest answer (RFC 7616 §3.4.1–§3.4.3; RFC 3261 §22.4; RFC 2069 when no qop).
//
//   A1 = username ":" realm ":" password                       (-sess: H(A1) ":" nonce ":" cnonce)
//   A2 = method ":" uri                                        (auth-int: ... ":" H(body))
//   response = H(H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2))   with qop
//   response = H(H(A1) ":" nonce ":" H(A2))                               RFC 2069, no qop

import { createHash } from 'node:crypto';
import type { DigestAlgorithm, DigestChallenge, DigestQop } from './challenge.js';

export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
}

export interface DigestRequest {
  readonly method: string;
  /** The Request-URI exactly as sent in the request line (RFC 3261 §22.4 digest-uri). */
  readonly uri: string;
  /** Message body, hashed for qop=auth-int; absent means empty. */
  readonly body?: string | Uint8Array;
}

export interface DigestAnswerInput {
  readonly cnonce: string;
  /** Nonce count, 1 for the first use of a nonce. */
  readonly nc: number;
}

export interface DigestAnswer {
  /** The Authorization / Proxy-Authorization header value. */
  readonly value: string;
  readonly response: string;
  /** Undefined for an RFC 2069 answer. */
  readonly qop: DigestQop | undefined;
}

/** nc: 8 lower-case hex digits (RFC 7616 §3.4). */
export const MAX_NONCE_COUNT = 0xffffffff;

export function formatNonceCount(nc: number): string {
  if (!Number.isInteger(nc) || nc < 1 || nc > MAX_NONCE_COUNT) throw new RangeError(`nonce count ${nc} outside 1..${MAX_NONCE_COUNT}`);
  return nc.toString(16).padStart(8, '0');
}

function hashName(alg: DigestAlgorithm): 'md5' | 'sha256' {
  return alg === 'MD5' || alg === 'MD5-sess' ? 'md5' : 'sha256';
}

function isSess(alg: DigestAlgorithm): boolean {
  return alg.endsWith('-sess');
}

export function digestHash(alg: DigestAlgorithm, data: string | Uint8Array): string {
  return createHash(hashName(alg)).update(data).digest('hex');
}

/** auth when offered, auth-int only when it is the only choice; undefined = RFC 2069 mode. */
export function chooseQop(ch: DigestChallenge): DigestQop | undefined {
  if (ch.qop.includes('auth')) return 'auth';
  return ch.qop.includes('auth-int') ? 'auth-int' : undefined;
}

export interface ResponseInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  readonly qop: DigestQop | undefined;
  readonly nc: string;
  readonly cnonce: string;
  readonly body?: string | Uint8Array;
}

/** The `response` directive (hex). */
export function computeDigestResponse(i: ResponseInput): string {
  const H = (s: string | Uint8Array): string => digestHash(i.algorithm, s);
  let ha1 = H(`${i.username}:${i.realm}:${i.password}`);
  if (isSess(i.algorithm)) ha1 = H(`${ha1}:${i.nonce}:${i.cnonce}`);
  const a2 = i.qop === 'auth-int' ? `${i.method}:${i.uri}:${H(i.body ?? '')}` : `${i.method}:${i.uri}`;
  const ha2 = H(a2);
  if (i.qop === undefined) return H(`${ha1}:${i.nonce}:${ha2}`);
  return H(`${ha1}:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:${ha2}`);
}

// A header value must not be broken by what we put in it: no CR, LF or other controls.
function checkFieldText(what: string, s: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(s)) throw new Error(`digest ${what} contains a control character`);
}

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Builds the Authorization / Proxy-Authorization value answering `ch`. Throws a plain Error when
 * the caller's own values (credentials, URI) contain control characters: that is a setup bug.
 */
export function buildAuthorization(
  ch: DigestChallenge,
  cred: DigestCredentials,
  req: DigestRequest,
  input: DigestAnswerInput,
): DigestAnswer {
  checkFieldText('username', cred.username);
  checkFieldText('password', cred.password);
  checkFieldText('uri', req.uri);
  checkFieldText('method', req.method);
  checkFieldText('cnonce', input.cnonce);
  const qop = chooseQop(ch);
  const nc = formatNonceCount(input.nc);
  // -sess needs a cnonce even in RFC 2069 mode, so it is then sent anyway.
  const sendCnonce = qop !== undefined || isSess(ch.algorithm);
  const response = computeDigestResponse({
    algorithm: ch.algorithm,
    username: cred.username,
    password: cred.password,
    realm: ch.realm,
    nonce: ch.nonce,
    method: req.method,
    uri: req.uri,
    qop,
    nc,
    cnonce: input.cnonce,
    ...(req.body !== undefined ? { body: req.body } : {}),
  });
  const parts = [
    `username=${quote(cred.username)}`,
    `realm=${quote(ch.realm)}`,
    `nonce=${quote(ch.nonce)}`,
    `uri=${quote(req.uri)}`,
  ];
  if (ch.algorithmGiven) parts.push(`algorithm=${ch.algorithm}`);
  if (qop !== undefined) parts.push(`qop=${qop}`, `nc=${nc}`);
  if (sendCnonce) parts.push(`cnonce=${quote(input.cnonce)}`);
  parts.push(`response=${quote(response)}`);
  if (ch.opaque !== undefined) parts.push(`opaque=${quote(ch.opaque)}`);
  return { value: `Digest ${parts.join(', ')}`, response, qop };
}
