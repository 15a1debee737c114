// Lexical helpers for the SIP grammar (RFC 3261 §25.1): character classes as lookup tables,
// a small cursor, quoted-strings, generic parameters, %-escapes and top-level comma splitting.
// Errors are thrown as SyntaxFault and caught by the message parser; nothing here escapes it.

import type { Params } from './types.js';

/** Internal: a grammar violation. Caught by parseMessage and turned into a ParseFailure. */
export class SyntaxFault extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function fault(reason: string): never {
  throw new SyntaxFault(reason);
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const MARK = "-_.!~*'()"; // §25.1 mark

function table(chars: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table(ALNUM + "-.!%*_+`'~");
/** unreserved = alphanum / mark */
export const UNRESERVED = table(ALNUM + MARK);
/** user = 1*( unreserved / escaped / user-unreserved ) */
export const USER = table(ALNUM + MARK + '&=+$,;?/');
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const PASSWORD = table(ALNUM + MARK + '&=+$,');
/** paramchar = param-unreserved / unreserved / escaped */
export const PARAMCHAR = table(ALNUM + MARK + '[]/:&+$');
/** hname / hvalue = *( hnv-unreserved / unreserved / escaped ) */
export const HNV = table(ALNUM + MARK + '[]/?:+$');
/** word (Call-ID) */
export const WORD = table(ALNUM + "-.!%*_+`'~()<>:\\\"/[]?{}");
/** Characters of hostnames and IPv4 addresses ('_' tolerated: seen in the wild). */
export const HOSTCHAR = table(ALNUM + '-._');
/** A generic parameter value: token, host (incl. IPv6 reference) */
export const GENVALUE = table(ALNUM + "-.!%*_+`'~:[]");

export const SP = 32;
export const HTAB = 9;
export const DQUOTE = 34;
export const BACKSLASH = 92;
export const SEMI = 59;
export const COMMA = 44;
export const EQUAL = 61;
export const LAQUOT = 60;
export const RAQUOT = 62;
export const COLON = 58;
export const SLASH = 47;

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Decimal digits → number, or undefined when not 1*DIGIT or above `max`. Leading zeros allowed. */
export function parseUint(s: string, max: number): number | undefined {
  if (!isDigits(s)) return undefined;
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  if (s.length - i > 16) return undefined;
  const n = Number(s.slice(i));
  return n <= max ? n : undefined;
}

/** Trim SP and HTAB only (LWS after unfolding). */
export function trimLws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === SP || s.charCodeAt(a) === HTAB)) a++;
  while (b > a && (s.charCodeAt(b - 1) === SP || s.charCodeAt(b - 1) === HTAB)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

export class Scanner {
  i = 0;
  constructor(readonly s: string) {}

  eof(): boolean {
    return this.i >= this.s.length;
  }

  /** Char code at the cursor, NaN at the end. */
  peek(): number {
    return this.s.charCodeAt(this.i);
  }

  /** Skip SP/HTAB; true when something was skipped. */
  ws(): boolean {
    const start = this.i;
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== SP && c !== HTAB) break;
      this.i++;
    }
    return this.i > start;
  }

  token(what: string): string {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c >= 128 || TOKEN[c] !== 1) break;
      this.i++;
    }
    if (this.i === start) fault(`expected ${what}`);
    return s.slice(start, this.i);
  }

  /** Run of characters in a table (ASCII only). */
  run(t: Uint8Array): string {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c >= 128 || t[c] !== 1) break;
      this.i++;
    }
    return s.slice(start, this.i);
  }

  expect(code: number, what: string): void {
    if (this.s.charCodeAt(this.i) !== code) fault(`expected ${what}`);
    this.i++;
  }

  /** At a DQUOTE: the unescaped content of the quoted-string; cursor after the closing quote. */
  quoted(): string {
    const end = quotedEnd(this.s, this.i);
    const raw = this.s.slice(this.i + 1, end - 1);
    this.i = end;
    return raw.includes('\\') ? unquotePairs(raw) : raw;
  }

  /** At a DQUOTE: the quoted-string as written, quotes included. */
  quotedRaw(): string {
    const end = quotedEnd(this.s, this.i);
    const raw = this.s.slice(this.i, end);
    this.i = end;
    return raw;
  }
}

/** Index just after the closing DQUOTE of the quoted-string starting at `start`. */
export function quotedEnd(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH) {
      const n = s.charCodeAt(i + 1);
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
      if (Number.isNaN(n) || n === 10 || n === 13 || n > 0x7f) fault('bad escape in quoted string');
      i++;
    } else if (c === DQUOTE) {
      return i + 1;
    } else if (c === 13 || c === 10) {
      fault('line break in quoted string');
    }
  }
  return fault('unterminated quoted string');
}

function unquotePairs(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') {
      i++;
      out += raw[i] ?? '';
    } else {
      out += c;
    }
  }
  return out;
}

/** Quote a string for a quoted-string: escape DQUOTE, backslash and control characters. */
export function quote(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === DQUOTE || c === BACKSLASH || c < 0x20 || c === 0x7f) {
      needs = true;
      break;
    }
  }
  if (!needs) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 13 || c === 10) out += ' '; // cannot be carried, even escaped
    else if (c === DQUOTE || c === BACKSLASH || (c < 0x20 && c !== HTAB) || c === 0x7f) out += '\\' + s[i];
    else out += s[i];
  }
  return out + '"';
}

/**
 * Header parameters: *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
 * gen-value = token / host / quoted-string. Stops at end of input (callers split lists first).
 */
export function parseParams(sc: Scanner, params: Params = new Map()): Params {
  for (;;) {
    sc.ws();
    if (sc.eof()) return params;
    if (sc.peek() !== SEMI) fault('unexpected character before parameter');
    sc.i++;
    sc.ws();
    const name = sc.token('parameter name').toLowerCase();
    sc.ws();
    let value: string | null = null;
    if (sc.peek() === EQUAL) {
      sc.i++;
      sc.ws();
      if (sc.peek() === DQUOTE) value = sc.quotedRaw();
      else {
        value = sc.run(GENVALUE);
        if (value.length === 0) fault('empty parameter value');
      }
    }
    params.set(name, value);
  }
}

export function formatParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** Strip the quotes of a quoted parameter value (as kept by parseParams). */
export function unquoteParam(v: string): string {
  if (v.length >= 2 && v.charCodeAt(0) === DQUOTE) {
    const sc = new Scanner(v);
    return sc.quoted();
  }
  return v;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Validate that `s` only holds characters of `t` or %HH escapes, and unescape it
 * (escaped octets are UTF-8). `what` names the component in the fault.
 */
export function unescapeChecked(s: string, t: Uint8Array, what: string): string {
  let hasEscape = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      if (hexVal(s.charCodeAt(i + 1)) < 0 || hexVal(s.charCodeAt(i + 2)) < 0) fault(`bad escape in ${what}`);
      hasEscape = true;
      i += 2;
    } else if (c >= 128 || t[c] !== 1) {
      fault(`bad character in ${what}`);
    }
  }
  if (!hasEscape) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      bytes.push(hexVal(s.charCodeAt(i + 1)) * 16 + hexVal(s.charCodeAt(i + 2)));
      i += 2;
    } else {
      bytes.push(c);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const HEX = '0123456789ABCDEF';

/** %-escape every character of `s` outside `t` (UTF-8 for non-ASCII). */
export function escape(s: string, t: Uint8Array): string {
  let clean = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || t[c] !== 1) {
      clean = false;
      break;
    }
  }
  if (clean) return s;
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c < 128 && t[c] === 1) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, 'utf8')) out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/**
 * Split a header value on top-level commas: not inside quoted-strings nor <...>.
 * Elements are trimmed; an empty element is a fault unless `allowEmpty`.
 */
export function splitList(value: string, allowEmpty = false): string[] {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === DQUOTE && !angle) {
      i = quotedEnd(value, i) - 1;
    } else if (c === LAQUOT) {
      angle = true;
    } else if (c === RAQUOT) {
      angle = false;
    } else if (c === COMMA && !angle) {
      push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (angle) fault('unterminated <');
  push(value.slice(start));
  return out;

  function push(part: string): void {
    const t = trimLws(part);
    if (t.length === 0) {
      if (!allowEmpty) fault('empty list element');
      return;
    }
    out.push(t);
  }
}
