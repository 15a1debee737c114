// Serializer and builders: canonical CRLF messages (RFC 3261 §7), responses built from requests
// (§8.2.6), and the random identifiers of §8.1.1 (branch with the z9hG4bK cookie, tags, Call-IDs).

import { randomBytes } from 'node:crypto';
import { formatHeaderValue, formatNameAddr, formatVia } from './headers.js';
import { formatUri } from './uri.js';
import type {
  NameAddr,
  ParseFailure,
  SipHeader,
  SipHeaderKind,
  SipMessage,
  SipRequest,
  SipResponse,
  Uri,
  Via,
} from './types.js';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 transactions start with this. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

const CRLF = '\r\n';
const LINE_BREAKS = /[\r\n]/;

function safe(s: string): string {
  return LINE_BREAKS.test(s) ? s.replace(/[\r\n]+/g, ' ') : s;
}

/** Token lists merge consecutive lines of the same header into one. */
export function serialize(msg: SipMessage): Buffer {
  let out =
    msg.type === 'request'
      ? `${safe(msg.method)} ${safe(formatUri(msg.uri))} SIP/2.0${CRLF}`
      : `SIP/2.0 ${msg.status} ${safe(msg.reason)}${CRLF}`;
  for (const v of msg.via) out += `Via: ${safe(formatVia(v))}${CRLF}`;
  out += `From: ${safe(formatNameAddr(msg.from))}${CRLF}`;
  out += `To: ${safe(formatNameAddr(msg.to))}${CRLF}`;
  out += `Call-ID: ${safe(msg.callId)}${CRLF}`;
  out += `CSeq: ${msg.cseq.seq} ${safe(msg.cseq.method)}${CRLF}`;
  if (msg.maxForwards !== undefined) out += `Max-Forwards: ${msg.maxForwards}${CRLF}`;
  for (const h of msg.headers) out += `${safe(h.name)}: ${safe(formatHeaderValue(h))}${CRLF}`;
  out += `Content-Length: ${msg.body.length}${CRLF}${CRLF}`;
  const head = Buffer.from(out, 'utf8');
  if (msg.body.length === 0) return head;
  return Buffer.concat([head, msg.body]);
}

/** A new RFC 3261 branch: magic cookie + 96 random bits. */
export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomBytes(12).toString('hex');
}

/** A From/To tag with 64 random bits (RFC 3261 §19.3 asks for at least 32). */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}

/** A Call-ID with 120 random bits, optionally "@host". */
export function newCallId(host?: string): string {
  const id = randomBytes(15).toString('hex');
  return host === undefined ? id : `${id}@${host}`;
}

export function isRfc3261Branch(branch: string | null | undefined): boolean {
  return typeof branch === 'string' && branch.startsWith(BRANCH_MAGIC_COOKIE) && branch.length > BRANCH_MAGIC_COOKIE.length;
}

/** Reason phrases of RFC 3261 §21 and the extensions the gateway answers with. */
const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  199: 'Early Dialog Terminated', 200: 'OK', 202: 'Accepted', 204: 'No Notification',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily', 305: 'Use Proxy', 380: 'Alternative Service',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  410: 'Gone', 413: 'Request Entity Too Large', 414: 'Request-URI Too Long', 415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme', 420: 'Bad Extension', 421: 'Extension Required', 422: 'Session Interval Too Small',
  423: 'Interval Too Brief', 480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected', 483: 'Too Many Hops', 484: 'Address Incomplete', 485: 'Ambiguous', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 489: 'Bad Event', 491: 'Request Pending', 493: 'Undecipherable',
  500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Server Time-out', 505: 'Version Not Supported', 513: 'Message Too Large', 580: 'Precondition Failure',
  600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 200 ? 'Trying' : status < 300 ? 'OK' : 'Error');
}

function toBody(body: Uint8Array | string | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

export interface RequestInit {
  method: string;
  uri: Uri;
  /** Topmost first. */
  via: Via | Via[];
  from: NameAddr;
  to: NameAddr;
  callId: string;
  cseq: number;
  /** Default 70 (RFC 3261 §8.1.1.6). */
  maxForwards?: number;
  headers?: SipHeader[];
  body?: Uint8Array | string;
}

export function createRequest(init: RequestInit): SipRequest {
  return {
    type: 'request',
    method: init.method,
    uri: init.uri,
    via: Array.isArray(init.via) ? init.via : [init.via],
    from: init.from,
    to: init.to,
    callId: init.callId,
    cseq: { seq: init.cseq, method: init.method },
    maxForwards: init.maxForwards ?? 70,
    headers: init.headers ?? [],
    body: toBody(init.body),
  };
}

export interface ResponseOptions {
  /** Added to To when it has no tag yet (never on 100, RFC 3261 §8.2.6.2). */
  toTag?: string;
  headers?: SipHeader[];
  body?: Uint8Array | string;
}

/**
 * A response to `request` (RFC 3261 §8.2.6): Via (all, in order), From, To, Call-ID and CSeq
 * copied; a 100 also copies Timestamp (§8.2.6.1).
 */
export function createResponse(request: SipRequest, status: number, reason?: string, options: ResponseOptions = {}): SipResponse {
  const to = structuredClone(request.to);
  if (options.toTag !== undefined && status !== 100 && !to.params.has('tag')) to.params.set('tag', options.toTag);
  const headers: SipHeader[] = [];
  if (status === 100) {
    for (const h of request.headers) if (h.kind === 'raw' && h.name.toLowerCase() === 'timestamp') headers.push({ ...h });
  }
  if (options.headers !== undefined) headers.push(...options.headers);
  return {
    type: 'response',
    status,
    reason: reason ?? reasonPhrase(status),
    via: structuredClone(request.via),
    from: structuredClone(request.from),
    to,
    callId: request.callId,
    cseq: { ...request.cseq },
    maxForwards: undefined,
    headers,
    body: toBody(options.body),
  };
}

/**
 * The response a UAS sends for a request that failed to parse (400 or 505), when the failure kept
 * enough to build one (Via, From, To, Call-ID, CSeq). undefined for responses, for ACK (never
 * answered, RFC 3261 §17.2.1) and when something essential is missing: the datagram is dropped.
 */
export function responseToFailure(f: ParseFailure, options: { toTag?: string } = {}): SipResponse | undefined {
  if (f.kind !== 'request' || f.method === 'ACK') return undefined;
  if (f.via === undefined || f.from === undefined || f.to === undefined || f.callId === undefined || f.cseq === undefined) return undefined;
  const request: SipRequest = {
    type: 'request',
    method: f.method ?? f.cseq.method,
    uri: { type: 'absolute', scheme: 'invalid', opaque: 'x' },
    via: f.via,
    from: f.from,
    to: f.to,
    callId: f.callId,
    cseq: f.cseq,
    maxForwards: undefined,
    headers: [],
    body: new Uint8Array(0),
  };
  // RFC 3261 §21.4.1: the reason phrase may name the problem.
  return createResponse(request, f.code, `${reasonPhrase(f.code)} (${f.reason})`, options);
}

// ---- accessors

/** Headers of one kind, optionally of one name (case-insensitive). */
export function headersOfKind<K extends SipHeaderKind>(msg: SipMessage, kind: K, name?: string): Array<Extract<SipHeader, { kind: K }>> {
  const lname = name?.toLowerCase();
  const out: Array<Extract<SipHeader, { kind: K }>> = [];
  for (const h of msg.headers) {
    if (h.kind === kind && (lname === undefined || h.name.toLowerCase() === lname)) out.push(h as Extract<SipHeader, { kind: K }>);
  }
  return out;
}

/** All values of a header, by name (case-insensitive), whatever its kind. */
export function headersNamed(msg: SipMessage, name: string): SipHeader[] {
  const lname = name.toLowerCase();
  return msg.headers.filter((h) => h.name.toLowerCase() === lname);
}

/** Flattened option tags / methods of Allow, Supported, Require, Proxy-Require, Unsupported, Allow-Events. */
export function tokenList(msg: SipMessage, name: 'Allow' | 'Supported' | 'Require' | 'Proxy-Require' | 'Unsupported' | 'Allow-Events'): string[] {
  const out: string[] = [];
  for (const h of msg.headers) if (h.kind === 'tokens' && h.name === name) out.push(...h.value);
  return out;
}

export function contacts(msg: SipMessage): Array<NameAddr | '*'> {
  return headersOfKind(msg, 'contact').map((h) => h.value);
}

export function tagOf(na: NameAddr): string | undefined {
  return na.params.get('tag') ?? undefined;
}

export function branchOf(via: Via): string | undefined {
  return via.params.get('branch') ?? undefined;
}
