// Fuzz-style test: 20k seeded random mutations of valid messages. The validator must never
// throw, and whatever it accepts must be a well-formed ClientMessage that validates again.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseClientMessage, validateClientMessage } from './validate.js';
import { seededRandom } from '../common/seededRandom.js';

/** mulberry32: small deterministic PRNG so a failure can be replayed from its seed. */
const rng = seededRandom;

const SEED = 0x5eed2026;
const ROUNDS = 20_000;

const BASES: Array<Record<string, unknown>> = [
  { v: 1, type: 'signIn', reqId: 'r', id: 'alice' },
  { v: 1, type: 'signOut' },
  { v: 1, type: 'call', reqId: 'r', callId: 'c1', target: 'self', sdp: 'v=0\r\n' },
  { v: 1, type: 'accept', callId: 'c1', sdp: 'v=0\r\n' },
  { v: 1, type: 'reject', callId: 'c1' },
  { v: 1, type: 'hangup', callId: 'c1' },
  { v: 1, type: 'ping', reqId: 'p' },
];
const KEYS = ['v', 'type', 'reqId', 'id', 'callId', 'target', 'sdp', '__proto__', 'constructor', 'prototype', 'toString', ''];

it(`validator survives ${ROUNDS} mutated messages (seed ${SEED.toString(16)})`, () => {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const randomString = (): string => {
    const len = pick([0, 1, 5, 40, 300, 70_000]);
    if (len > 1000) return 'z'.repeat(len);
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(r() * (r() < 0.9 ? 128 : 0x10000)));
    return s;
  };
  const randomValue = (depth = 0): unknown => {
    switch (Math.floor(r() * 9)) {
      case 0: return null;
      case 1: return r() < 0.5;
      case 2: return pick([0, 1, -1, 2, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER]);
      case 3: return randomString();
      case 4: return depth < 3 ? [randomValue(depth + 1), randomValue(depth + 1)] : [];
      case 5: return depth < 3 ? { [pick(KEYS)]: randomValue(depth + 1) } : {};
      case 6: return pick(['signIn', 'call', 'ping', 'PING', 'hello', '__proto__']);
      case 7: return 'c1';
      default: return undefined;
    }
  };
  let accepted = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const obj: Record<string, unknown> = { ...pick(BASES) };
    const edits = 1 + Math.floor(r() * 3);
    for (let e = 0; e < edits; e++) {
      const key = pick(KEYS);
      if (r() < 0.3) delete obj[key];
      else Object.defineProperty(obj, key, { value: randomValue(), enumerable: true, configurable: true, writable: true });
    }
    let text = JSON.stringify(obj);
    // Byte-level damage on a third of the frames: truncation, flips, insertions.
    if (r() < 0.33 && text.length > 0) {
      const at = Math.floor(r() * text.length);
      switch (Math.floor(r() * 3)) {
        case 0: text = text.slice(0, at); break;
        case 1: text = text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ (1 << Math.floor(r() * 7))) + text.slice(at + 1); break;
        default: text = text.slice(0, at) + pick(['{', '}', '"', '\\', ',', ':', '[', '\u0000', '\ud800']) + text.slice(at);
      }
    }
    let result;
    try {
      result = parseClientMessage(text);
    } catch (err) {
      assert.fail(`validator threw on round ${i}: ${String(err)} for ${text.slice(0, 200)}`);
    }
    if (result.ok) {
      accepted++;
      assert.equal(result.msg.v, 1);
      const again = validateClientMessage(JSON.parse(JSON.stringify(result.msg)));
      assert.ok(again.ok, `round ${i}: accepted message does not revalidate`);
      assert.deepEqual(again.msg, result.msg);
    } else {
      assert.equal(typeof result.message, 'string');
      assert.ok(result.message.length < 400, `round ${i}: error message too long (${result.message.length})`);
    }
  }
  // Sanity: the generator produces both outcomes.
  assert.ok(accepted > 100 && accepted < ROUNDS, `accepted ${accepted}`);
  assert.equal(Reflect.get(Object.prototype, 'polluted'), undefined);
});
