// Typed-result entry points for single header values (for config and application input).
import { SyntaxFault } from './lex.js';
import { parseNameAddr, parseVia } from './headers.js';
import type { NameAddr, Via } from './types.js';

export type ValueResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function wrap<T>(fn: () => T): ValueResult<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (err instanceof SyntaxFault) return { ok: false, reason: err.reason };
    throw err;
  }
}

/** Parse `"Alice" <sip:alice@example.com>;tag=x` or an addr-spec. */
export function parseNameAddrText(text: string): ValueResult<NameAddr> {
  return wrap(() => parseNameAddr(text));
}

/** Parse one Via value (`SIP/2.0/UDP host:port;branch=...`). */
export function parseViaText(text: string): ValueResult<Via> {
  return wrap(() => parseVia(text));
}
