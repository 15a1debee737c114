// Header-specific grammar (RFC 3261 §20 and §25; RFC 4028, 3515, 3326, 6665): the name table
// with compact forms (§7.3.3), and a parser and formatter per value kind.

import {
  DQUOTE,
  EQUAL,
  LAQUOT,
  SLASH,
  Scanner,
  WORD,
  fault,
  formatParams,
  isToken,
  parseParams,
  parseUint,
  quote,
  splitList,
  trimLws,
  unquoteParam,
} from './lex.js';
import { checkHost, formatUri, parseUriOrFault } from './uri.js';
import type {
  AuthValue,
  AuthParamValue,
  CSeq,
  EventValue,
  MediaType,
  MinSe,
  NameAddr,
  Params,
  ReasonValue,
  SessionExpires,
  SipHeader,
  Via,
} from './types.js';

export type HeaderHandler =
  | 'via'
  | 'from'
  | 'to'
  | 'call-id'
  | 'cseq'
  | 'max-forwards'
  | 'content-length'
  | 'contact'
  | 'route'
  | 'address'
  | 'expires'
  | 'content-type'
  | 'auth'
  | 'tokens'
  | 'session-expires'
  | 'min-se'
  | 'event'
  | 'reason'
  | 'raw';

export interface HeaderDef {
  canonical: string;
  handler: HeaderHandler;
}

const DEFS: Array<[string, HeaderHandler, string?]> = [
  // [canonical name, handler, compact form (RFC 3261 §7.3.3, RFC 3515, RFC 4028, RFC 6665, RFC 3841)]
  ['Via', 'via', 'v'],
  ['From', 'from', 'f'],
  ['To', 'to', 't'],
  ['Call-ID', 'call-id', 'i'],
  ['CSeq', 'cseq'],
  ['Max-Forwards', 'max-forwards'],
  ['Content-Length', 'content-length', 'l'],
  ['Contact', 'contact', 'm'],
  ['Route', 'route'],
  ['Record-Route', 'route'],
  ['Refer-To', 'address', 'r'],
  ['Referred-By', 'address', 'b'],
  ['Expires', 'expires'],
  ['Min-Expires', 'expires'],
  ['Content-Type', 'content-type', 'c'],
  ['WWW-Authenticate', 'auth'],
  ['Proxy-Authenticate', 'auth'],
  ['Authorization', 'auth'],
  ['Proxy-Authorization', 'auth'],
  ['Allow', 'tokens'],
  ['Supported', 'tokens', 'k'],
  ['Require', 'tokens'],
  ['Proxy-Require', 'tokens'],
  ['Unsupported', 'tokens'],
  ['Allow-Events', 'tokens', 'u'],
  ['Session-Expires', 'session-expires', 'x'],
  ['Min-SE', 'min-se'],
  ['Event', 'event', 'o'],
  ['Reason', 'reason'],
  // Known but kept verbatim: canonical spelling only.
  ['Subject', 'raw', 's'],
  ['Content-Encoding', 'raw', 'e'],
  ['Accept', 'raw'],
  ['Accept-Encoding', 'raw'],
  ['Accept-Language', 'raw'],
  ['Accept-Contact', 'raw', 'a'],
  ['Reject-Contact', 'raw', 'j'],
  ['Request-Disposition', 'raw', 'd'],
  ['Identity', 'raw', 'y'],
  ['Alert-Info', 'raw'],
  ['Call-Info', 'raw'],
  ['Content-Disposition', 'raw'],
  ['Content-Language', 'raw'],
  ['Date', 'raw'],
  ['Error-Info', 'raw'],
  ['In-Reply-To', 'raw'],
  ['MIME-Version', 'raw'],
  ['Organization', 'raw'],
  ['Priority', 'raw'],
  ['Reply-To', 'raw'],
  ['Retry-After', 'raw'],
  ['Server', 'raw'],
  ['Timestamp', 'raw'],
  ['User-Agent', 'raw'],
  ['Warning', 'raw'],
  ['RSeq', 'raw'],
  ['RAck', 'raw'],
  ['Replaces', 'raw'],
  ['Path', 'raw'],
  ['Subscription-State', 'raw'],
  ['P-Asserted-Identity', 'raw'],
  ['Privacy', 'raw'],
];

const TABLE = new Map<string, HeaderDef>();
for (const [canonical, handler, compact] of DEFS) {
  const def = { canonical, handler };
  TABLE.set(canonical.toLowerCase(), def);
  if (compact !== undefined) TABLE.set(compact, def);
}

/** Look up a header name (any case, compact forms included). */
export function headerDef(name: string): HeaderDef | undefined {
  return TABLE.get(name.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Values

/** name-addr / addr-spec followed by header parameters (From, To, Contact, Route, Refer-To, ...). */
export function parseNameAddr(text: string): NameAddr {
  const sc = new Scanner(text);
  sc.ws();
  let displayName: string | undefined;
  if (sc.peek() === DQUOTE) {
    displayName = sc.quoted();
    sc.ws();
    if (sc.peek() !== LAQUOT) fault('expected < after display name');
  } else if (sc.peek() !== LAQUOT) {
    const lt = text.indexOf('<', sc.i);
    if (lt >= 0) {
      // display-name = *(token LWS): a token list
      const words = trimLws(text.slice(sc.i, lt)).split(/[ \t]+/);
      for (const w of words) if (!isToken(w)) fault('bad display name');
      displayName = words.join(' ');
      sc.i = lt;
    }
  }
  let uri;
  if (sc.peek() === LAQUOT) {
    const gt = text.indexOf('>', sc.i);
    if (gt < 0) fault('missing >');
    uri = parseUriOrFault(text.slice(sc.i + 1, gt));
    sc.i = gt + 1;
  } else {
    // addr-spec: the URI runs to the first ';' or whitespace; a URI with ',', ';' or '?' of its
    // own must be enclosed in <> (RFC 3261 §20.10).
    const start = sc.i;
    while (!sc.eof()) {
      const c = sc.peek();
      if (c === 59 || c === 32 || c === 9) break;
      sc.i++;
    }
    const u = text.slice(start, sc.i);
    if (u.includes('?') || u.includes(',')) fault('URI with headers must be enclosed in <>');
    uri = parseUriOrFault(u);
  }
  const params = parseParams(sc);
  return { displayName, uri, params };
}

export function formatNameAddr(na: NameAddr): string {
  const uri = formatUri(na.uri);
  // An empty quoted display name ("") is kept as written, so a message re-parses to the same value.
  const dn = na.displayName !== undefined ? quote(na.displayName) + ' ' : '';
  return `${dn}<${uri}>${formatParams(na.params)}`;
}

/** via-parm = sent-protocol LWS sent-by *( SEMI via-params ), with SWS around "/" and ":" */
export function parseVia(text: string): Via {
  const sc = new Scanner(text);
  sc.ws();
  const name = sc.token('protocol name');
  sc.ws();
  sc.expect(SLASH, '/ in Via');
  sc.ws();
  const version = sc.token('protocol version');
  sc.ws();
  sc.expect(SLASH, '/ in Via');
  sc.ws();
  const transport = sc.token('transport').toUpperCase();
  if (!sc.ws()) fault('expected LWS before sent-by');
  let host: string;
  if (sc.peek() === 91) {
    const close = text.indexOf(']', sc.i);
    if (close < 0) fault('unterminated IPv6 reference');
    host = text.slice(sc.i, close + 1);
    sc.i = close + 1;
  } else {
    const start = sc.i;
    while (!sc.eof()) {
      const c = sc.peek();
      if (c === 58 || c === 59 || c === 32 || c === 9 || c === 40) break;
      sc.i++;
    }
    host = text.slice(start, sc.i);
  }
  checkHost(host);
  sc.ws();
  let port: number | undefined;
  if (sc.peek() === 58) {
    sc.i++;
    sc.ws();
    const digits = sc.run(DIGITS);
    port = parseUint(digits, 65535);
    if (port === undefined) fault('bad port in Via');
  }
  sc.ws();
  if (sc.peek() === 40) skipComment(sc); // a trailing comment (RFC 3261 §20.42 allows it after params too; seen rarely)
  const params = parseParams(sc);
  checkViaParams(params);
  return { protocol: `${name}/${version}`, transport, host, port, params };
}

const DIGITS = (() => {
  const t = new Uint8Array(128);
  for (let c = 48; c <= 57; c++) t[c] = 1;
  return t;
})();

function skipComment(sc: Scanner): void {
  let depth = 0;
  while (!sc.eof()) {
    const c = sc.peek();
    sc.i++;
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return;
    else if (c === 92) sc.i++;
  }
  fault('unterminated comment');
}

function checkViaParams(params: Params): void {
  const branch = params.get('branch');
  if (branch === null) fault('branch without value');
  if (branch !== undefined && !isToken(branch)) fault('bad branch');
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && parseUint(rport, 65535) === undefined) fault('bad rport');
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || parseUint(ttl, 255) === undefined)) fault('bad ttl');
  const received = params.get('received');
  if (received !== undefined) {
    if (received === null) fault('received without value');
    checkHost(received.includes(':') && received.charCodeAt(0) !== 91 ? `[${received}]` : received);
  }
  const maddr = params.get('maddr');
  if (maddr !== undefined) {
    if (maddr === null) fault('maddr without value');
    checkHost(maddr);
  }
}

export function formatVia(v: Via): string {
  return `${v.protocol}/${v.transport} ${v.host}${v.port !== undefined ? ':' + v.port : ''}${formatParams(v.params)}`;
}

/** callid = word [ "@" word ] */
export function parseCallId(text: string): string {
  const at = text.indexOf('@');
  const words = at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
  for (const w of words) {
    if (w.length === 0) fault('empty Call-ID word');
    for (let i = 0; i < w.length; i++) {
      const c = w.charCodeAt(i);
      if (c >= 128 || WORD[c] !== 1) fault('bad character in Call-ID');
    }
  }
  return text;
}

/** CSeq = 1*DIGIT LWS Method; the number must fit 32 bits (RFC 3261 §8.1.1.5). */
export function parseCSeq(text: string): CSeq {
  const sc = new Scanner(text);
  const digits = sc.run(DIGITS);
  const seq = parseUint(digits, 0xffffffff);
  if (seq === undefined) fault('bad CSeq number');
  if (!sc.ws()) fault('expected LWS in CSeq');
  const method = sc.token('CSeq method');
  sc.ws();
  if (!sc.eof()) fault('trailing characters in CSeq');
  return { seq, method };
}

/** delta-seconds with optional params: Session-Expires, Min-SE. */
function parseDelta(sc: Scanner, what: string): number {
  sc.ws();
  const n = parseUint(sc.run(DIGITS), 0xffffffff);
  if (n === undefined) fault(`bad ${what}`);
  return n;
}

/** Expires / Min-Expires: delta-seconds; malformed or overflowing values read as 3600 (RFC 3261 §20.19, RFC 4475 §3.1.2.4). */
export function parseExpires(text: string): number {
  if (!/^[0-9]+$/.test(text)) fault('bad expiry');
  return parseUint(text, 0xffffffff) ?? 3600;
}

export function parseMediaType(text: string): MediaType {
  const sc = new Scanner(text);
  const type = sc.token('media type').toLowerCase();
  sc.ws();
  sc.expect(SLASH, '/ in media type');
  sc.ws();
  const subtype = sc.token('media subtype').toLowerCase();
  return { type, subtype, params: parseParams(sc) };
}

export function formatMediaType(m: MediaType): string {
  return `${m.type}/${m.subtype}${formatParams(m.params)}`;
}

/**
 * challenge / credentials = auth-scheme LWS auth-param *(COMMA auth-param).
 * One header may carry several challenges (RFC 7235 §4.1); each becomes one value.
 */
export function parseAuth(text: string): AuthValue[] {
  const out: AuthValue[] = [];
  let current: AuthValue | undefined;
  for (const element of splitList(text, true)) {
    const sc = new Scanner(element);
    const first = sc.token('auth scheme or parameter');
    const hadWs = sc.ws();
    if (current === undefined || (hadWs && sc.peek() !== EQUAL)) {
      // A new scheme, optionally followed by its first auth-param.
      current = { scheme: first, params: new Map() };
      out.push(current);
      if (sc.eof()) continue;
      const name = sc.token('auth parameter').toLowerCase();
      sc.ws();
      readAuthValue(sc, current.params, name);
    } else {
      readAuthValue(sc, current.params, first.toLowerCase());
    }
  }
  if (out.length === 0) fault('empty auth header');
  return out;
}

function readAuthValue(sc: Scanner, params: Map<string, AuthParamValue>, name: string): void {
  sc.expect(EQUAL, '= in auth parameter');
  sc.ws();
  let value: AuthParamValue;
  if (sc.peek() === DQUOTE) value = { value: sc.quoted(), quoted: true };
  else {
    // token, or token68-ish trailing '=' padding
    const v = sc.token('auth parameter value');
    let pad = '';
    while (sc.peek() === EQUAL) {
      pad += '=';
      sc.i++;
    }
    value = { value: v + pad, quoted: false };
  }
  sc.ws();
  if (!sc.eof()) fault('trailing characters in auth parameter');
  params.set(name, value);
}

export function formatAuth(a: AuthValue): string {
  const parts: string[] = [];
  for (const [k, v] of a.params) parts.push(`${k}=${v.quoted ? quote(v.value) : v.value}`);
  return parts.length > 0 ? `${a.scheme} ${parts.join(', ')}` : a.scheme;
}

export function parseTokens(text: string): string[] {
  const out = splitList(text, true);
  for (const t of out) if (!isToken(t)) fault('bad token in list');
  return out;
}

export function parseSessionExpires(text: string): SessionExpires {
  const sc = new Scanner(text);
  const delta = parseDelta(sc, 'Session-Expires');
  const params = parseParams(sc);
  const r = params.get('refresher');
  let refresher: 'uac' | 'uas' | undefined;
  if (r !== undefined) {
    const lr = r?.toLowerCase();
    if (lr !== 'uac' && lr !== 'uas') fault('bad refresher');
    refresher = lr;
    params.delete('refresher');
  }
  return { delta, refresher, params };
}

export function formatSessionExpires(v: SessionExpires): string {
  return `${v.delta}${v.refresher !== undefined ? ';refresher=' + v.refresher : ''}${formatParams(v.params)}`;
}

export function parseMinSe(text: string): MinSe {
  const sc = new Scanner(text);
  const delta = parseDelta(sc, 'Min-SE');
  return { delta, params: parseParams(sc) };
}

export function parseEvent(text: string): EventValue {
  const sc = new Scanner(text);
  sc.ws();
  const pkg = sc.token('event type');
  const params = parseParams(sc);
  const id = params.get('id');
  if (id === null) fault('id without value');
  params.delete('id');
  return { package: pkg, id: id === undefined ? undefined : unquoteParam(id), params };
}

export function formatEvent(v: EventValue): string {
  return `${v.package}${v.id !== undefined ? ';id=' + (isToken(v.id) ? v.id : quote(v.id)) : ''}${formatParams(v.params)}`;
}

export function parseReason(text: string): ReasonValue {
  const sc = new Scanner(text);
  sc.ws();
  const protocol = sc.token('reason protocol');
  const params = parseParams(sc);
  let cause: number | undefined;
  const c = params.get('cause');
  if (c !== undefined) {
    cause = c === null ? undefined : parseUint(c, 0xffffffff);
    if (cause === undefined) fault('bad cause');
    params.delete('cause');
  }
  let reasonText: string | undefined;
  const t = params.get('text');
  if (t !== undefined) {
    if (t === null) fault('text without value');
    reasonText = unquoteParam(t);
    params.delete('text');
  }
  return { protocol, cause, text: reasonText, params };
}

export function formatReason(v: ReasonValue): string {
  let out = v.protocol;
  if (v.cause !== undefined) out += ';cause=' + v.cause;
  if (v.text !== undefined) out += ';text=' + quote(v.text);
  return out + formatParams(v.params);
}

/** Parse a header value of a typed kind into one or more SipHeader entries. Throws SyntaxFault. */
export function parseTypedHeader(def: HeaderDef, value: string, into: SipHeader[]): void {
  const name = def.canonical;
  switch (def.handler) {
    case 'contact':
      if (value === '*') into.push({ kind: 'contact', name: 'Contact', value: '*' });
      else for (const v of splitList(value)) into.push({ kind: 'contact', name: 'Contact', value: parseNameAddr(v) });
      return;
    case 'route':
      for (const v of splitList(value)) into.push({ kind: 'route', name: name as 'Route' | 'Record-Route', value: parseNameAddr(v) });
      return;
    case 'address':
      into.push({ kind: 'address', name: name as 'Refer-To' | 'Referred-By', value: parseNameAddr(value) });
      return;
    case 'expires':
      into.push({ kind: 'expires', name: name as 'Expires' | 'Min-Expires', value: parseExpires(value) });
      return;
    case 'content-type':
      into.push({ kind: 'content-type', name: 'Content-Type', value: parseMediaType(value) });
      return;
    case 'auth':
      for (const v of parseAuth(value)) {
        into.push({ kind: 'auth', name: name as 'Authorization', value: v });
      }
      return;
    case 'tokens':
      into.push({ kind: 'tokens', name: name as 'Allow', value: parseTokens(value) });
      return;
    case 'session-expires':
      into.push({ kind: 'session-expires', name: 'Session-Expires', value: parseSessionExpires(value) });
      return;
    case 'min-se':
      into.push({ kind: 'min-se', name: 'Min-SE', value: parseMinSe(value) });
      return;
    case 'event':
      into.push({ kind: 'event', name: 'Event', value: parseEvent(value) });
      return;
    case 'reason':
      for (const v of splitList(value)) into.push({ kind: 'reason', name: 'Reason', value: parseReason(v) });
      return;
    default:
      fault('not a list header');
  }
}

export function formatHeaderValue(h: SipHeader): string {
  switch (h.kind) {
    case 'contact':
      return h.value === '*' ? '*' : formatNameAddr(h.value);
    case 'route':
    case 'address':
      return formatNameAddr(h.value);
    case 'expires':
      return String(h.value);
    case 'content-type':
      return formatMediaType(h.value);
    case 'auth':
      return formatAuth(h.value);
    case 'tokens':
      return h.value.join(', ');
    case 'session-expires':
      return formatSessionExpires(h.value);
    case 'min-se':
      return `${h.value.delta}${formatParams(h.value.params)}`;
    case 'event':
      return formatEvent(h.value);
    case 'reason':
      return formatReason(h.value);
    case 'raw':
      return h.value;
  }
}
