// Seeded random run: 20k inputs mixing mutated network messages (bad statuses, unknown branches,
// odd methods, RFC 2543 branches), valid TU actions, transport errors and clock jumps. Network
// input must never throw; every transaction terminates exactly once and nothing speaks for it
// afterwards; once the TU has answered everything and the clock has run on, the layer is empty.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Harness, PEER, type FakeRequest, type FakeResponse } from './testing.js';
import type { TransactionId, TransportKind } from './types.js';
import { seededRandom } from '../../common/seededRandom.js';

/** mulberry32: a failure can be replayed from its seed. */
const rng = seededRandom;

const SEED = 0x7a5c2026;
const ROUNDS = 20_000;
const METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'invite', '', 'FOO'];
const STATUSES = [0, 99, 100, 180, 183, 200, 202, 300, 404, 486, 487, 500, 603, 699, 700, Number.NaN, 1.5, -1, 1e9];
const SENT_BY = ['a.example:5060', 'A.example:5060', 'b.example', ''];

it(`transaction layer survives ${ROUNDS} random inputs (seed ${SEED.toString(16)})`, () => {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const h = new Harness();
  const branches: string[] = [];
  const liveServer = new Set<TransactionId>();
  const liveInviteClients = new Set<TransactionId>();
  const terminated = new Set<TransactionId>();
  let logged = 0;
  let n = 0;

  const branch = (): string | undefined => {
    const x = r();
    if (x < 0.7 && branches.length > 0) return pick(branches);
    if (x < 0.8) return undefined;
    if (x < 0.9) return `rfc2543-${Math.floor(r() * 10)}`;
    const b = `z9hG4bKz${n++}`;
    branches.push(b);
    return b;
  };

  const check = (): void => {
    for (; logged < h.log.length; logged++) {
      const o = h.log[logged]!.output;
      if (o.type === 'tu') {
        const e = o.event;
        if ('transaction' in e && e.transaction !== undefined && e.type !== 'cancelDropped') {
          assert.ok(!terminated.has(e.transaction), `${e.type} after termination of ${e.transaction}`);
        }
        if (e.type === 'request' || e.type === 'cancel') liveServer.add(e.transaction);
        if (e.type === 'terminated') {
          terminated.add(e.transaction);
          liveServer.delete(e.transaction);
          liveInviteClients.delete(e.transaction);
        }
      } else if (o.type === 'transmitRequest' || o.type === 'transmitResponse') {
        assert.ok(!terminated.has(o.transaction), `transmit after termination of ${o.transaction}`);
      }
    }
  };

  for (let i = 0; i < ROUNDS; i++) {
    const transport: TransportKind = r() < 0.7 ? 'unreliable' : 'reliable';
    const k = r();
    if (k < 0.15) {
      const method = pick(['INVITE', 'INVITE', 'OPTIONS', 'BYE', 'REGISTER']);
      const b = `z9hG4bKc${n++}`;
      branches.push(b);
      const req: FakeRequest = { method, branch: b, sentBy: 'gw.example', cseqMethod: method };
      const id = h.feed({ type: 'sendRequest', request: req, transport, destination: PEER }).transaction;
      if (method === 'INVITE' && id !== undefined) liveInviteClients.add(id);
    } else if (k < 0.45) {
      const res: FakeResponse = { status: pick(STATUSES), branch: branch(), cseqMethod: pick(METHODS) };
      h.feed({ type: 'receiveResponse', response: res, transport, source: PEER });
    } else if (k < 0.7) {
      const method = pick(METHODS);
      const req: FakeRequest = { method, branch: branch(), sentBy: pick(SENT_BY), cseqMethod: r() < 0.95 ? method : pick(METHODS) };
      h.feed({ type: 'receiveRequest', request: req, transport, source: PEER });
    } else if (k < 0.82 && liveServer.size > 0) {
      const id = pick([...liveServer]);
      h.feed({ type: 'sendResponse', transaction: id, response: { status: pick([100, 180, 200, 404, 487, 500]), branch: undefined, cseqMethod: 'X' } });
    } else if (k < 0.86 && liveInviteClients.size > 0) {
      h.feed({ type: 'cancel', transaction: pick([...liveInviteClients]) });
    } else if (k < 0.88) {
      const ids = [...liveServer, ...liveInviteClients];
      if (ids.length > 0) h.feed({ type: 'transportError', transaction: pick(ids), error: 'fuzz' });
    } else {
      h.advance(h.now + Math.floor(r() * 3000));
    }
    check();
  }
  // The TU answers whatever is still open, then time runs out every timer.
  for (const id of [...liveServer]) {
    if (h.layer.has(id)) h.feed({ type: 'sendResponse', transaction: id, response: { status: 500, branch: undefined, cseqMethod: 'X' } });
  }
  check();
  h.advance(h.now + 10 * 60_000);
  check();
  // INVITE client transactions left in Proceeding wait for the TU (no timer there, §17.1.1.2).
  const leftover = [...liveInviteClients].filter((id) => h.layer.stateOf(id) === 'Proceeding').length;
  assert.ok(terminated.size > 2000, `only ${terminated.size} transactions terminated`);
  assert.equal(h.layer.stats().clientTransactions, leftover);
  assert.equal(h.layer.stats().serverTransactions, 0);
  assert.equal(h.layer.stats().timers, 0);
  assert.equal(h.armed.size, 0);
});
