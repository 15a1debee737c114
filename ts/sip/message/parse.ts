// parseMessage: bytes of one SIP message (a UDP datagram, or one message cut by StreamFramer)
// → a typed message or a typed failure. Never throws. Runs for every datagram on the SIP port,
// so it works on one decoded string with index scans and lookup tables.

import {
  SyntaxFault,
  fault,
  isToken,
  parseUint,
  splitList,
  trimLws,
} from './lex.js';
import {
  headerDef,
  parseCSeq,
  parseCallId,
  parseNameAddr,
  parseTypedHeader,
  parseVia,
} from './headers.js';
import { parseUriOrFault } from './uri.js';
import type { CSeq, NameAddr, ParseFailure, ParseResult, SipHeader, SipMessage, Uri, Via } from './types.js';

export interface ParseOptions {
  /**
   * 'datagram' (default, RFC 3261 §18.3): Content-Length may be absent (the body is the rest of the
   * datagram), octets beyond it are dropped. 'stream': Content-Length is mandatory and must match.
   */
  transport?: 'datagram' | 'stream';
}

/** Largest Content-Length accepted (a datagram cannot carry more anyway; streams cap lower). */
const MAX_CONTENT_LENGTH = 16 * 1024 * 1024;
const SIP_VERSION = /^SIP\/(\d+)\.(\d+)$/i;
const STATUS_LINE = /^SIP\/(\d+)\.(\d+) (\d{3})(?: (.*))?$/i;

/** Headers whose failure makes the whole message unusable (400). Others fall back to raw. */
const CRITICAL = new Set(['contact', 'route', 'content-type']);

interface Salvage {
  kind: 'request' | 'response' | undefined;
  method?: string;
  via?: Via[];
  callId?: string;
  cseq?: CSeq;
  from?: NameAddr;
  to?: NameAddr;
}

/** An empty datagram or one made of CR/LF only: a keep-alive (RFC 5626 §4.4.1), not a message. */
export function isKeepAlive(bytes: Uint8Array | string): boolean {
  if (bytes.length === 0) return false;
  for (let i = 0; i < bytes.length; i++) {
    const c = typeof bytes === 'string' ? bytes.charCodeAt(i) : (bytes[i] as number);
    if (c !== 13 && c !== 10) return false;
  }
  return true;
}

export function parseMessage(input: Uint8Array | string, options: ParseOptions = {}): ParseResult {
  const salvage: Salvage = { kind: undefined };
  try {
    return parseInner(input, options.transport ?? 'datagram', salvage);
  } catch (err) {
    if (err instanceof SyntaxFault) return failure(400, err.reason, salvage);
    // Not expected: the fuzz test asserts this branch is never taken.
    return failure(400, `internal parser error: ${err instanceof Error ? err.name : 'unknown'}`, salvage);
  }
}

function failure(code: 400 | 505, reason: string, s: Salvage): ParseFailure {
  const f: ParseFailure = { ok: false, code, reason, kind: s.kind };
  if (s.method !== undefined) f.method = s.method;
  if (s.via !== undefined && s.via.length > 0) f.via = s.via;
  if (s.callId !== undefined) f.callId = s.callId;
  if (s.cseq !== undefined) f.cseq = s.cseq;
  if (s.from !== undefined) f.from = s.from;
  if (s.to !== undefined) f.to = s.to;
  return f;
}

function toBuffer(input: Uint8Array | string): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (Buffer.isBuffer(input)) return input;
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

function parseInner(input: Uint8Array | string, transport: 'datagram' | 'stream', salvage: Salvage): ParseResult {
  const buf = toBuffer(input);
  const len = buf.length;
  // RFC 3261 §7.5: ignore CRLFs before the start line.
  let start = 0;
  while (start < len && (buf[start] === 13 || buf[start] === 10)) start++;
  if (start === len) return failure(400, 'empty message', salvage);

  // End of the header section: the first empty line (CRLF CRLF; bare LF tolerated).
  const crlf = buf.indexOf('\r\n\r\n', start, 'latin1');
  const lf = buf.indexOf('\n\n', start, 'latin1');
  let headEnd: number;
  let bodyStart: number;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) {
    headEnd = crlf;
    bodyStart = crlf + 4;
  } else if (lf >= 0) {
    headEnd = lf;
    bodyStart = lf + 2;
  } else {
    return failure(400, 'no empty line after the headers', salvage);
  }

  const head = buf.toString('utf8', start, headEnd);
  const lines = head.split('\n');
  const startLine = stripCr(lines[0] as string);

  // ---- start line
  let method: string | undefined;
  let uri: Uri | undefined;
  let status = 0;
  let reason = '';
  let versionError: string | undefined;
  let firstError: string | undefined;

  if (startLine.length >= 4 && startLine.slice(0, 4).toUpperCase() === 'SIP/') {
    salvage.kind = 'response';
    const m = STATUS_LINE.exec(startLine);
    if (m === null) return failure(400, 'malformed status line', salvage);
    status = Number(m[3]);
    if (status < 100 || status > 699) return failure(400, 'status code out of range', salvage);
    reason = m[4] ?? '';
    if (reason.includes('\r')) return failure(400, 'bare CR in status line', salvage);
    if (m[1] !== '2' || m[2] !== '0') versionError = 'unsupported SIP version';
  } else {
    const sp1 = startLine.indexOf(' ');
    const sp2 = sp1 < 0 ? -1 : startLine.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0) return failure(400, 'malformed request line', salvage);
    method = startLine.slice(0, sp1);
    if (!isToken(method)) return failure(400, 'malformed request line', salvage);
    salvage.kind = 'request';
    salvage.method = method;
    const version = startLine.slice(sp2 + 1);
    const vm = SIP_VERSION.exec(version);
    if (vm === null) return failure(400, 'malformed request line', salvage);
    if (vm[1] !== '2' || vm[2] !== '0') versionError = 'unsupported SIP version';
    try {
      uri = parseUriOrFault(startLine.slice(sp1 + 1, sp2));
      if (uri.type === 'sip' && uri.headers.length > 0) fault('headers in Request-URI');
    } catch (err) {
      if (!(err instanceof SyntaxFault)) throw err;
      firstError = `bad Request-URI: ${err.reason}`;
    }
  }

  // ---- header lines, unfolded (RFC 3261 §7.3.1: a line starting with SP/HTAB continues the previous)
  const via: Via[] = [];
  let from: NameAddr | undefined;
  let to: NameAddr | undefined;
  let callId: string | undefined;
  let cseq: CSeq | undefined;
  let maxForwards: number | undefined;
  let contentLength: number | undefined;
  const seen = new Set<string>();
  const headers: SipHeader[] = [];

  const noteError = (reason: string): void => {
    if (firstError === undefined) firstError = reason;
  };
  const once = (canonical: string): boolean => {
    if (seen.has(canonical)) {
      noteError(`more than one ${canonical} header`);
      return false;
    }
    seen.add(canonical);
    return true;
  };

  let i = 1;
  while (i < lines.length) {
    let line = stripCr(lines[i] as string);
    i++;
    while (i < lines.length) {
      const next = lines[i] as string;
      const c = next.charCodeAt(0);
      if (c !== 32 && c !== 9) break;
      line += ' ' + trimLws(stripCr(next));
      i++;
    }
    if (line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) {
      noteError('folded line without header');
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) {
      noteError('header line without colon');
      continue;
    }
    const rawName = trimLws(line.slice(0, colon));
    if (!isToken(rawName)) {
      noteError('malformed header name');
      continue;
    }
    const value = trimLws(line.slice(colon + 1));
    if (value.includes('\r')) {
      noteError('bare CR in header');
      continue;
    }
    const def = headerDef(rawName);
    if (def === undefined) {
      headers.push({ kind: 'raw', name: rawName, value });
      continue;
    }
    const name = def.canonical;
    try {
      switch (def.handler) {
        case 'via':
          for (const v of splitList(value)) via.push(parseVia(v));
          salvage.via = via;
          break;
        case 'from':
          if (once(name)) salvage.from = from = parseNameAddr(value);
          break;
        case 'to':
          if (once(name)) salvage.to = to = parseNameAddr(value);
          break;
        case 'call-id':
          if (once(name)) salvage.callId = callId = parseCallId(value);
          break;
        case 'cseq':
          if (once(name)) salvage.cseq = cseq = parseCSeq(value);
          break;
        case 'max-forwards':
          if (once(name)) {
            maxForwards = parseUint(value, 255);
            if (maxForwards === undefined) fault('bad value');
          }
          break;
        case 'content-length':
          if (once(name)) {
            contentLength = parseUint(value, MAX_CONTENT_LENGTH);
            if (contentLength === undefined) fault('bad value');
          }
          break;
        case 'raw':
          headers.push({ kind: 'raw', name, value });
          break;
        default: {
          const single = def.handler === 'content-type' || def.handler === 'session-expires' || def.handler === 'min-se' || def.handler === 'event';
          if (single && !once(name)) break;
          const mark = headers.length;
          try {
            parseTypedHeader(def, value, headers);
          } catch (err) {
            headers.length = mark;
            if (CRITICAL.has(def.handler)) throw err;
            if (!(err instanceof SyntaxFault)) throw err;
            // Non-essential header that does not parse: keep it verbatim rather than refuse the message.
            headers.push({ kind: 'raw', name, value });
          }
        }
      }
    } catch (err) {
      if (!(err instanceof SyntaxFault)) throw err;
      noteError(`bad ${name} header: ${err.reason}`);
    }
  }

  if (versionError !== undefined) return failure(505, versionError, salvage);
  if (firstError !== undefined) return failure(400, firstError, salvage);
  if (via.length === 0) return failure(400, 'missing Via header', salvage);
  if (from === undefined) return failure(400, 'missing From header', salvage);
  if (to === undefined) return failure(400, 'missing To header', salvage);
  if (callId === undefined) return failure(400, 'missing Call-ID header', salvage);
  if (cseq === undefined) return failure(400, 'missing CSeq header', salvage);
  if (method !== undefined && cseq.method !== method) return failure(400, 'CSeq method does not match the request method', salvage);

  // ---- body (RFC 3261 §18.3, §20.14)
  const available = len - bodyStart;
  let bodyLength = available;
  let truncated = 0;
  if (contentLength === undefined) {
    if (transport === 'stream') return failure(400, 'missing Content-Length header', salvage);
  } else if (contentLength > available) {
    return failure(400, 'Content-Length larger than the body', salvage);
  } else if (contentLength < available) {
    if (transport === 'stream') return failure(400, 'body longer than Content-Length', salvage);
    bodyLength = contentLength;
    truncated = available - contentLength;
  }
  const body = new Uint8Array(bodyLength);
  body.set(buf.subarray(bodyStart, bodyStart + bodyLength));

  const common = { via, from, to, callId, cseq, maxForwards, headers, body };
  const message: SipMessage =
    method !== undefined && uri !== undefined
      ? { type: 'request', method, uri, ...common }
      : { type: 'response', status, reason, ...common };
  return { ok: true, message, truncated };
}

function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}
