// Sans-IO parts of the transport: what happens to received bytes (keep-alive, parse, Via stamping,
// 400 for what cannot be parsed) and where a response goes (RFC 3261 §18.2.1/§18.2.2, RFC 3581).

import { isIP } from 'node:net';
import { bareHost, hostType, newTag, parseMessage, responseToFailure } from '../message/index.js';
import type { ParseFailure, SipMessage, SipResponse, Via } from '../message/index.js';
import { defaultPort, isReliable, type SipPeer } from './types.js';

/**
 * A socket address as we keep it: IPv4-mapped IPv6 ("::ffff:192.0.2.1", seen on dual-stack
 * sockets) becomes IPv4, IPv6 brackets go, IPv6 hex digits are lower-cased.
 */
export function normalizeAddress(address: string): string {
  let a = address.charCodeAt(0) === 91 ? address.slice(1, -1) : address;
  a = a.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped ? (mapped[1] as string) : a;
}

/** IPv6 text → eight 16-bit groups, or undefined when it is not IPv6 text. */
function ipv6Groups(a: string): number[] | undefined {
  if (isIP(a) !== 6) return undefined;
  // An embedded IPv4 tail ("::ffff:1.2.3.4") becomes its two hex groups.
  const text = a.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, o1: string, o2: string, o3: string, o4: string) =>
    `${((Number(o1) << 8) | Number(o2)).toString(16)}:${((Number(o3) << 8) | Number(o4)).toString(16)}`);
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const halves = text.split('::');
  const head = parse(halves[0] as string);
  if (halves.length === 1) return head;
  const rest = parse(halves[1] as string);
  return [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
}

/** Whether two IP addresses are the same (IPv6 compared by value, not by text). */
export function sameAddress(a: string, b: string): boolean {
  const x = normalizeAddress(a);
  const y = normalizeAddress(b);
  if (x === y) return true;
  const gx = ipv6Groups(x);
  const gy = ipv6Groups(y);
  return gx !== undefined && gy !== undefined && gx.length === gy.length && gx.every((g, i) => g === gy[i]);
}

/**
 * Server side of RFC 3261 §18.2.1 and RFC 3581 §4 on a received request's top Via: `received`
 * when the sent-by host is a domain name or another address than the packet's source; with an
 * empty `rport`, `rport` = source port and `received` always (RFC 3581 §4 asks for it even when
 * the address matches). Mutates `via`.
 */
export function stampVia(via: Via, source: SipPeer): void {
  const host = bareHost(via.host);
  const rport = via.params.get('rport');
  const emptyRport = via.params.has('rport') && (rport === null || rport === '');
  if (emptyRport || hostType(via.host) === 'domain' || !sameAddress(host, source.address)) {
    via.params.set('received', source.address);
  }
  if (emptyRport) via.params.set('rport', String(source.port));
}

function numericParam(via: Via, name: string): number | undefined {
  const v = via.params.get(name);
  if (v === undefined || v === null || !/^[0-9]{1,5}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** An IP address written in a Via param (received), or undefined. */
function addressParam(via: Via, name: string): string | undefined {
  const v = via.params.get(name);
  if (v === undefined || v === null) return undefined;
  const a = normalizeAddress(v);
  return isIP(a) === 0 ? undefined : a;
}

/**
 * Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4), from the top Via of the response (a
 * copy of the request's, stamped on receipt) and the request's source:
 * - reliable: the connection the request came on (connectionId); should it be gone, a new
 *   connection to `received` (else the source address) at the sent-by port or the default port;
 * - unreliable: `received`:`rport` when both are there; `received`:sent-by port; else the
 *   sent-by host:port (default 5060). `maddr` is ignored (no multicast).
 */
export function responseTarget(topVia: Via | undefined, source: SipPeer): SipPeer {
  if (topVia === undefined) return { ...source };
  const received = addressParam(topVia, 'received');
  if (isReliable(source.transport)) {
    const peer: SipPeer = {
      transport: source.transport,
      address: received ?? source.address,
      port: topVia.port ?? defaultPort(source.transport),
    };
    if (source.connectionId !== undefined) peer.connectionId = source.connectionId;
    return peer;
  }
  const rport = numericParam(topVia, 'rport');
  if (received !== undefined) return { transport: 'udp', address: received, port: rport ?? topVia.port ?? 5060 };
  return { transport: 'udp', address: normalizeAddress(topVia.host), port: rport ?? topVia.port ?? 5060 };
}

export type IngestResult =
  /** A CRLF-only datagram (RFC 5626 §4.4.1 keep-alive): counted, not answered. */
  | { type: 'keepalive' }
  /** A parsed message; a request's top Via is already stamped. */
  | { type: 'message'; message: SipMessage }
  /** Unparseable: `response` (400/505, its Via stamped) goes back to the source; undefined → drop. */
  | { type: 'bad'; failure: ParseFailure; response: SipResponse | undefined }
  /** A datagram larger than the configured limit: dropped unparsed. */
  | { type: 'oversize'; size: number };

export interface IngestOptions {
  framing: 'datagram' | 'stream';
  maxMessageSize: number;
}

/** Received bytes (one datagram, or one message cut by StreamFramer) → what to do with them. Never throws. */
export function ingest(bytes: Uint8Array, source: SipPeer, options: IngestOptions): IngestResult {
  if (options.framing === 'datagram' && bytes.length > 0 && (bytes[0] === 13 || bytes[0] === 10) && onlyCrlf(bytes)) {
    return { type: 'keepalive' };
  }
  if (bytes.length > options.maxMessageSize) return { type: 'oversize', size: bytes.length };
  const parsed = parseMessage(bytes, { transport: options.framing });
  if (!parsed.ok) {
    const response = responseToFailure(parsed, { toTag: newTag() });
    const top = response?.via[0];
    if (top !== undefined) stampVia(top, source);
    return { type: 'bad', failure: parsed, response };
  }
  const message = parsed.message;
  if (message.type === 'request') {
    const top = message.via[0];
    if (top !== undefined) stampVia(top, source);
  }
  return { type: 'message', message };
}

function onlyCrlf(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 13 && b !== 10) return false;
  return true;
}
