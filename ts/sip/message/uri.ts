// URIs (RFC 3261 §19.1, §25.1): sip:/sips: parsed fully, tel: (RFC 3966) kept as number and
// parameters, any other scheme kept opaque. Components are unescaped on parse, escaped on format.

import {
  COLON,
  HNV,
  HOSTCHAR,
  PARAMCHAR,
  PASSWORD,
  USER,
  escape,
  fault,
  parseUint,
  unescapeChecked,
} from './lex.js';
import { SyntaxFault } from './lex.js';
import type { Params, SipUri, Uri } from './types.js';

const SCHEME_FIRST = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;
const TEL_NUMBER = /^[0-9A-Fa-f*#+().pPwW-]+$/;

export type HostType = 'ipv4' | 'ipv6' | 'domain';

export function hostType(host: string): HostType {
  if (host.charCodeAt(0) === 91) return 'ipv6';
  return IPV4.test(host) ? 'ipv4' : 'domain';
}

/** Host without IPv6 brackets, for socket calls. */
export function bareHost(host: string): string {
  return host.charCodeAt(0) === 91 ? host.slice(1, -1) : host;
}

/** Validate host (hostname / IPv4address / IPv6reference); returns it as written. */
export function checkHost(host: string): string {
  if (host.length === 0) fault('empty host');
  if (host.charCodeAt(0) === 91) {
    if (host.charCodeAt(host.length - 1) !== 93 || !IPV6_CHARS.test(host.slice(1, -1)) || !host.includes(':')) {
      fault('bad IPv6 reference');
    }
    return host;
  }
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c >= 128 || HOSTCHAR[c] !== 1) fault('bad character in host');
  }
  if (IPV4.test(host)) {
    for (const part of host.split('.')) if (Number(part) > 255) fault('bad IPv4 address');
  }
  return host;
}

/** Parse a URI; throws SyntaxFault. */
export function parseUriOrFault(text: string): Uri {
  const colon = text.indexOf(':');
  if (colon <= 0) fault('URI without scheme');
  const scheme = text.slice(0, colon);
  if (!SCHEME_FIRST.test(scheme)) fault('bad URI scheme');
  const lower = scheme.toLowerCase();
  const rest = text.slice(colon + 1);
  if (lower === 'sip' || lower === 'sips') return parseSipUri(rest, lower === 'sips');
  if (lower === 'tel') {
    const semi = rest.indexOf(';');
    const number = semi < 0 ? rest : rest.slice(0, semi);
    if (!TEL_NUMBER.test(number)) fault('bad tel number');
    return { type: 'tel', number, params: semi < 0 ? new Map() : parseUriParams(rest.slice(semi)) };
  }
  if (rest.length === 0) fault('empty URI');
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    // absoluteURI characters: printable ASCII without space, <, >, DQUOTE
    if (c <= 0x20 || c >= 0x7f || c === 60 || c === 62 || c === 34) fault('bad character in URI');
  }
  return { type: 'absolute', scheme: lower, opaque: rest };
}

export type UriParseResult = { ok: true; uri: Uri } | { ok: false; reason: string };

/** Parse a URI from untrusted text into a typed value or a typed rejection. */
export function parseUri(text: string): UriParseResult {
  try {
    return { ok: true, uri: parseUriOrFault(text) };
  } catch (err) {
    if (err instanceof SyntaxFault) return { ok: false, reason: err.reason };
    throw err;
  }
}

function parseSipUri(rest: string, secure: boolean): SipUri {
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = rest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const pc = userinfo.indexOf(':');
    const u = pc < 0 ? userinfo : userinfo.slice(0, pc);
    if (u.length === 0) fault('empty user in URI');
    user = unescapeChecked(u, USER, 'URI user');
    if (pc >= 0) password = unescapeChecked(userinfo.slice(pc + 1), PASSWORD, 'URI password');
  }
  let i = 0;
  let host: string;
  if (hostPart.charCodeAt(0) === 91) {
    const close = hostPart.indexOf(']');
    if (close < 0) fault('unterminated IPv6 reference');
    host = hostPart.slice(0, close + 1);
    i = close + 1;
  } else {
    while (i < hostPart.length) {
      const c = hostPart.charCodeAt(i);
      if (c === COLON || c === 59 || c === 63) break;
      i++;
    }
    host = hostPart.slice(0, i);
  }
  checkHost(host);
  let port: number | undefined;
  if (hostPart.charCodeAt(i) === COLON) {
    let j = i + 1;
    while (j < hostPart.length && hostPart.charCodeAt(j) >= 48 && hostPart.charCodeAt(j) <= 57) j++;
    port = parseUint(hostPart.slice(i + 1, j), 65535);
    if (port === undefined) fault('bad port in URI');
    i = j;
  }
  const q = hostPart.indexOf('?', i);
  const paramText = hostPart.slice(i, q < 0 ? hostPart.length : q);
  if (paramText.length > 0 && paramText.charCodeAt(0) !== 59) fault('unexpected character after host');
  const params = parseUriParams(paramText);
  const headers: Array<[string, string]> = [];
  if (q >= 0) {
    for (const h of hostPart.slice(q + 1).split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0) fault('bad URI header');
      headers.push([unescapeChecked(h.slice(0, eq), HNV, 'URI header'), unescapeChecked(h.slice(eq + 1), HNV, 'URI header')]);
    }
  }
  return { type: 'sip', secure, user, password, host, port, params, headers };
}

/** uri-parameters = *( ";" uri-parameter ); names lower-cased, names and values unescaped. */
function parseUriParams(text: string): Params {
  const params: Params = new Map();
  if (text.length === 0) return params;
  const parts = text.split(';');
  // parts[0] is the empty string before the first ';'
  for (let k = 1; k < parts.length; k++) {
    const p = parts[k] as string;
    const eq = p.indexOf('=');
    const name = unescapeChecked(eq < 0 ? p : p.slice(0, eq), PARAMCHAR, 'URI parameter').toLowerCase();
    if (name.length === 0) fault('empty URI parameter');
    if (eq < 0) {
      params.set(name, null);
    } else {
      const value = unescapeChecked(p.slice(eq + 1), PARAMCHAR, 'URI parameter');
      if (value.length === 0) fault('empty URI parameter value');
      params.set(name, value);
    }
  }
  return params;
}

function formatUriParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${escape(k, PARAMCHAR)}` : `;${escape(k, PARAMCHAR)}=${escape(v, PARAMCHAR)}`;
  return out;
}

export function formatUri(uri: Uri): string {
  switch (uri.type) {
    case 'sip': {
      let out = uri.secure ? 'sips:' : 'sip:';
      if (uri.user !== undefined) {
        out += escape(uri.user, USER);
        if (uri.password !== undefined) out += ':' + escape(uri.password, PASSWORD);
        out += '@';
      }
      out += uri.host;
      if (uri.port !== undefined) out += ':' + uri.port;
      out += formatUriParams(uri.params);
      if (uri.headers.length > 0) {
        out += '?' + uri.headers.map(([k, v]) => `${escape(k, HNV)}=${escape(v, HNV)}`).join('&');
      }
      return out;
    }
    case 'tel':
      return 'tel:' + uri.number + formatUriParams(uri.params);
    case 'absolute':
      return uri.scheme + ':' + uri.opaque;
  }
}

/** Convenience constructor for sip:/sips: URIs. */
export function sipUri(init: {
  host: string;
  user?: string;
  password?: string;
  port?: number;
  secure?: boolean;
  params?: Params | Record<string, string | null>;
  headers?: Array<[string, string]>;
}): SipUri {
  const params: Params =
    init.params instanceof Map ? new Map(init.params) : new Map(Object.entries(init.params ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    type: 'sip',
    secure: init.secure ?? false,
    user: init.user,
    password: init.password,
    host: init.host,
    port: init.port,
    params,
    headers: init.headers ?? [],
  };
}
