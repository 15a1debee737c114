// Small builders and readers of the headers the UA core writes and reads.

import { type MediaType, type SipHeader, type SipMessage, type TokenListHeaderName } from '../message/index.js';

export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'UPDATE', 'REFER', 'NOTIFY'];
export const SUPPORTED_OPTIONS = ['timer'];

export function tokens(name: TokenListHeaderName, value: string[]): SipHeader {
  return { kind: 'tokens', name, value };
}

export function raw(name: string, value: string): SipHeader {
  return { kind: 'raw', name, value };
}

export function contentType(type: string, subtype: string): SipHeader {
  return { kind: 'content-type', name: 'Content-Type', value: { type, subtype, params: new Map() } };
}

/** "type/subtype" of a Content-Type string such as "application/x-www-form-urlencoded". */
export function parseContentTypeText(text: string): MediaType | undefined {
  const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\/([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*$/.exec(text);
  return m === null ? undefined : { type: (m[1] as string).toLowerCase(), subtype: (m[2] as string).toLowerCase(), params: new Map() };
}

export function contentTypeOf(msg: SipMessage): string | undefined {
  for (const h of msg.headers) if (h.kind === 'content-type') return `${h.value.type}/${h.value.subtype}`;
  return undefined;
}

/** The SDP of a message: its body when Content-Type is application/sdp and the body is not empty. */
export function sdpOf(msg: SipMessage): string | undefined {
  if (msg.body.length === 0 || contentTypeOf(msg) !== 'application/sdp') return undefined;
  return Buffer.from(msg.body).toString('utf8');
}

export function sdpBody(sdp: string | undefined): { headers: SipHeader[]; body: Uint8Array } {
  if (sdp === undefined) return { headers: [], body: new Uint8Array(0) };
  return { headers: [contentType('application', 'sdp')], body: Buffer.from(sdp, 'utf8') };
}

export function tokenValues(msg: SipMessage, name: TokenListHeaderName): string[] {
  const out: string[] = [];
  for (const h of msg.headers) if (h.kind === 'tokens' && h.name === name) out.push(...h.value.map((t) => t.toLowerCase()));
  return out;
}

export function headerText(msg: SipMessage, name: string): string | undefined {
  const lname = name.toLowerCase();
  for (const h of msg.headers) if (h.kind === 'raw' && h.name.toLowerCase() === lname) return h.value;
  return undefined;
}
