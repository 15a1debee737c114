// Matching (§17.1.3, §17.2.3), CANCEL (§9), misuse, and a 10k-transaction flood that must leave
// the layer's maps empty.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransactionUsageError } from './errors.js';
import { Harness, PEER, request, response } from './testing.js';
import { TransactionLayer } from './TransactionLayer.js';
import { fakeBuilders } from './testing.js';

const B = 'z9hG4bKm1';
const EMPTY = { clientTransactions: 0, serverTransactions: 0, transactions: 0, timers: 0 };

describe('matching', () => {
  it('client: a response needs both the branch and the CSeq method (§17.1.3)', () => {
    const h = new Harness();
    const id = h.feed({ type: 'sendRequest', request: request('INVITE', B), transport: 'unreliable', destination: PEER }).transaction;
    const r = (status: number, branch: string | undefined, method: string) =>
      h.feed({ type: 'receiveResponse', response: response(status, branch, method), transport: 'unreliable', source: PEER });
    assert.equal(r(200, B, 'CANCEL').transaction, undefined); // same branch, other method
    assert.equal(r(200, 'z9hG4bKother', 'INVITE').transaction, undefined);
    assert.equal(r(200, undefined, 'INVITE').transaction, undefined);
    assert.equal(r(99, B, 'INVITE').transaction, undefined);
    assert.equal(r(Number.NaN, B, 'INVITE').transaction, undefined);
    assert.deepEqual(
      h.events().map((e) => (e.event.type === 'strayResponse' ? e.event.reason : e.event.type)),
      ['no-transaction', 'no-transaction', 'no-branch', 'bad-status', 'bad-status'],
    );
    assert.equal(r(180, B, 'INVITE').transaction, id);
  });

  it('server: branch + sent-by + method; ACK matches the INVITE; RFC 2543 requests are rejected', () => {
    const h = new Harness();
    const recv = (method: string, branch: string | undefined, sentBy = 'a.example:5060') =>
      h.feed({ type: 'receiveRequest', request: request(method, branch, sentBy), transport: 'unreliable', source: PEER }).transaction;
    const inv = recv('INVITE', B);
    assert.ok(inv !== undefined);
    assert.equal(recv('INVITE', B, 'A.EXAMPLE:5060'), inv); // host compared case-insensitively
    const other = recv('INVITE', B, 'b.example:5060'); // same branch, other sent-by: new transaction
    assert.ok(other !== undefined && other !== inv);
    const opt = recv('OPTIONS', B); // same branch, other method: new transaction
    assert.ok(opt !== undefined && opt !== inv);
    h.feed({ type: 'sendResponse', transaction: inv, response: response(404, B, 'INVITE') });
    assert.equal(recv('ACK', B), inv);
    assert.equal(h.layer.stateOf(inv), 'Confirmed');
    assert.equal(recv('INVITE', 'old-2543-branch'), undefined);
    assert.equal(recv('INVITE', undefined), undefined);
    assert.equal(recv('INVITE', 'z9hG4bK'), undefined); // the cookie alone is no branch
    const bad = h.feed({ type: 'receiveRequest', request: { method: 'INFO', branch: 'z9hG4bKx', sentBy: 'a', cseqMethod: 'BYE' }, transport: 'unreliable', source: PEER });
    assert.equal(bad.transaction, undefined);
    assert.deepEqual(
      h.events().filter((e) => e.event.type === 'rejected').map((e) => e.event.type === 'rejected' && e.event.reason),
      ['rfc2543', 'rfc2543', 'rfc2543', 'cseq-method'],
    );
  });

  it('overload: past maxServerTransactions new requests are rejected, retransmissions still matched', () => {
    const h = new Harness({ maxServerTransactions: 2 });
    const recv = (branch: string) => h.feed({ type: 'receiveRequest', request: request('OPTIONS', branch), transport: 'unreliable', source: PEER });
    const a = recv('z9hG4bKa').transaction;
    recv('z9hG4bKb');
    assert.equal(recv('z9hG4bKc').transaction, undefined);
    assert.equal(recv('z9hG4bKa').transaction, a);
    assert.equal(h.events().filter((e) => e.event.type === 'rejected' && e.event.reason === 'overload').length, 1);
  });

  it('stale and unknown timers are ignored', () => {
    const h = new Harness();
    h.feed({ type: 'sendRequest', request: request('INVITE', B), transport: 'unreliable', destination: PEER });
    const timerA = [...h.armed.entries()].find(([, t]) => t.name === 'A')?.[0];
    assert.ok(timerA !== undefined);
    h.feed({ type: 'receiveResponse', response: response(180, B, 'INVITE'), transport: 'unreliable', source: PEER });
    assert.deepEqual(h.layer.handle(600, { type: 'timer', timer: timerA }), { outputs: [], transaction: undefined });
    assert.deepEqual(h.layer.handle(600, { type: 'timer', timer: 999_999 }), { outputs: [], transaction: undefined });
  });
});

describe('CANCEL', () => {
  it('server: a CANCEL gets its own transaction and names the INVITE it matches; TU answers 200 and 487', () => {
    const h = new Harness();
    const inv = h.feed({ type: 'receiveRequest', request: request('INVITE', B), transport: 'unreliable', source: PEER }).transaction;
    assert.ok(inv !== undefined);
    h.feed({ type: 'sendResponse', transaction: inv, response: response(180, B, 'INVITE') });
    h.advance(1000);
    const cancel = h.feed({ type: 'receiveRequest', request: request('CANCEL', B), transport: 'unreliable', source: PEER }).transaction;
    assert.ok(cancel !== undefined && cancel !== inv);
    assert.deepEqual(h.events(1000).map((e) => e.event), [
      { type: 'cancel', transaction: cancel, request: request('CANCEL', B), transport: 'unreliable', source: PEER, invite: inv, inviteAnswered: false },
    ]);
    h.feed({ type: 'sendResponse', transaction: cancel, response: response(200, B, 'CANCEL') });
    h.feed({ type: 'sendResponse', transaction: inv, response: response(487, B, 'INVITE') });
    // A retransmitted CANCEL gets its 200 again, not another TU event.
    h.advance(1200);
    assert.equal(h.feed({ type: 'receiveRequest', request: request('CANCEL', B), transport: 'unreliable', source: PEER }).transaction, cancel);
    h.feed({ type: 'receiveRequest', request: request('ACK', B), transport: 'unreliable', source: PEER });
    assert.equal(h.layer.stateOf(inv), 'Confirmed');
    assert.deepEqual(h.sent(1000).map((s) => [s.at, s.what, s.retransmission]), [
      [1000, '200 CANCEL', false],
      [1000, '487 INVITE', false],
      [1200, '200 CANCEL', true],
    ]);
    // Too late: a CANCEL after the final response, and one matching nothing (the TU answers 481).
    const late = h.feed({ type: 'receiveRequest', request: request('CANCEL', B, 'c.example'), transport: 'unreliable', source: PEER });
    const ev = h.events(1200).find((e) => e.event.type === 'cancel' && e.event.transaction === late.transaction);
    assert.ok(ev?.event.type === 'cancel');
    assert.equal(ev.event.invite, undefined);
    h.feed({ type: 'sendResponse', transaction: ev.event.transaction, response: response(481, B, 'CANCEL') });
    h.advance(100_000);
    assert.deepEqual(h.layer.stats(), EMPTY);
  });

  it('server: CANCEL after the final response reports inviteAnswered', () => {
    const h = new Harness();
    const inv = h.feed({ type: 'receiveRequest', request: request('INVITE', B), transport: 'unreliable', source: PEER }).transaction;
    assert.ok(inv !== undefined);
    h.feed({ type: 'sendResponse', transaction: inv, response: response(603, B, 'INVITE') });
    h.feed({ type: 'receiveRequest', request: request('CANCEL', B), transport: 'unreliable', source: PEER });
    const ev = h.events().find((e) => e.event.type === 'cancel');
    assert.ok(ev?.event.type === 'cancel');
    assert.equal(ev.event.invite, inv);
    assert.equal(ev.event.inviteAnswered, true);
  });

  it('client: CANCEL held until a provisional arrives (§9.1), then sent with the INVITE branch to the same place', () => {
    const h = new Harness();
    const inv = h.feed({ type: 'sendRequest', request: request('INVITE', B), transport: 'unreliable', destination: PEER }).transaction;
    assert.ok(inv !== undefined);
    h.advance(100);
    assert.equal(h.feed({ type: 'cancel', transaction: inv }).transaction, undefined);
    assert.equal(h.feed({ type: 'cancel', transaction: inv }).transaction, undefined); // idempotent
    assert.deepEqual(h.sent(100), []);
    h.advance(800);
    h.feed({ type: 'receiveResponse', response: response(180, B, 'INVITE'), transport: 'unreliable', source: PEER });
    const sentEv = h.events(800).find((e) => e.event.type === 'cancelSent');
    assert.ok(sentEv?.event.type === 'cancelSent');
    const cancel = sentEv.event.cancel;
    assert.equal(h.feed({ type: 'cancel', transaction: inv }).transaction, cancel);
    const tx = h.log.find((l) => l.output.type === 'transmitRequest' && l.output.request.method === 'CANCEL');
    assert.ok(tx?.output.type === 'transmitRequest');
    assert.equal(tx.output.request.branch, B);
    assert.deepEqual(tx.output.destination, PEER);
    assert.equal(tx.output.transaction, cancel);
    h.advance(900);
    h.feed({ type: 'receiveResponse', response: response(200, B, 'CANCEL'), transport: 'unreliable', source: PEER });
    h.feed({ type: 'receiveResponse', response: response(487, B, 'INVITE'), transport: 'unreliable', source: PEER });
    assert.deepEqual(h.events(900).map((e) => e.event.type === 'response' && [e.event.transaction, e.event.method, e.event.response.status]), [
      [cancel, 'CANCEL', 200],
      [inv, 'INVITE', 487],
    ]);
    assert.deepEqual(h.sent(800).map((s) => [s.at, s.what]), [
      [800, `CANCEL ${B}`],
      [900, `ACK ${B}`],
    ]);
    h.advance(100_000);
    assert.deepEqual(h.layer.stats(), EMPTY);
  });

  it('client: a pending CANCEL is dropped when the final response comes first; none after it', () => {
    const h = new Harness();
    const inv = h.feed({ type: 'sendRequest', request: request('INVITE', B), transport: 'reliable', destination: PEER }).transaction;
    assert.ok(inv !== undefined);
    h.feed({ type: 'cancel', transaction: inv });
    h.feed({ type: 'receiveResponse', response: response(200, B, 'INVITE'), transport: 'reliable', source: PEER });
    assert.deepEqual(h.events().map((e) => e.event.type), ['cancelDropped', 'response']);
    h.feed({ type: 'cancel', transaction: inv });
    assert.deepEqual(h.events().map((e) => e.event.type), ['cancelDropped', 'response', 'cancelDropped']);
    assert.deepEqual(h.sent().map((s) => s.what), [`INVITE ${B}`]);
  });
});

describe('misuse throws TransactionUsageError with a reason', () => {
  const reason = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof TransactionUsageError);
      assert.equal(e.code, 'ERR_SIP_TRANSACTION_USAGE');
      return e.reason;
    }
    return 'no throw';
  };
  it('covers each case', () => {
    const l = new TransactionLayer(fakeBuilders);
    const send = (method: string, branch: string | undefined) =>
      l.handle(0, { type: 'sendRequest', request: request(method, branch), transport: 'unreliable', destination: PEER });
    assert.equal(reason(() => send('ACK', B)), 'ack-not-a-transaction');
    assert.equal(reason(() => send('INVITE', 'nocookie')), 'bad-branch');
    const c = send('OPTIONS', B).transaction ?? '';
    assert.equal(reason(() => send('OPTIONS', B)), 'duplicate');
    assert.equal(reason(() => l.handle(0, { type: 'sendRequest', request: { ...request('INFO', 'z9hG4bKi'), cseqMethod: 'BYE' }, transport: 'unreliable', destination: PEER })), 'cseq-method');
    assert.equal(reason(() => l.handle(0, { type: 'sendResponse', transaction: 'nope', response: response(200, B, 'OPTIONS') })), 'unknown-transaction');
    assert.equal(reason(() => l.handle(0, { type: 'sendResponse', transaction: c, response: response(200, B, 'OPTIONS') })), 'wrong-side');
    assert.equal(reason(() => l.handle(0, { type: 'cancel', transaction: c })), 'wrong-side');
    const s = l.handle(0, { type: 'receiveRequest', request: request('BYE', B), transport: 'unreliable', source: PEER }).transaction ?? '';
    assert.equal(reason(() => l.handle(0, { type: 'sendResponse', transaction: s, response: response(700, B, 'BYE') })), 'bad-status');
    const bad = new TransactionLayer({ ...fakeBuilders, cancel: (inv) => ({ ...inv, method: 'CANCEL' }) });
    const i = bad.handle(0, { type: 'sendRequest', request: request('INVITE', B), transport: 'unreliable', destination: PEER }).transaction ?? '';
    assert.equal(reason(() => bad.handle(0, { type: 'cancel', transaction: i })), 'bad-builder');
    assert.throws(() => new TransactionLayer(fakeBuilders, { t1: 0 }), /t1/);
    assert.throws(() => new TransactionLayer(fakeBuilders, { t1: 500, t2: 100 }), /t2/);
  });
});

describe('flood', () => {
  it('10k transactions of every kind created and terminated: the maps end empty (no leaks)', () => {
    const h = new Harness();
    h.record = false;
    const N = 10_000;
    const transports = ['unreliable', 'reliable'] as const;
    for (let i = 0; i < N; i++) {
      const t = transports[i % 2]!;
      const br = `z9hG4bKf${i}`;
      switch (i % 5) {
        case 0: { // non-INVITE client answered
          h.feed({ type: 'sendRequest', request: request('OPTIONS', br), transport: t, destination: PEER });
          h.feed({ type: 'receiveResponse', response: response(200, br, 'OPTIONS'), transport: t, source: PEER });
          break;
        }
        case 1: { // INVITE client rejected, then left to time out another (every 10th)
          h.feed({ type: 'sendRequest', request: request('INVITE', br), transport: t, destination: PEER });
          if (i % 10 !== 1) h.feed({ type: 'receiveResponse', response: response(486, br, 'INVITE'), transport: t, source: PEER });
          break;
        }
        case 2: { // INVITE server answered 200 or 404 + ACK
          const id = h.feed({ type: 'receiveRequest', request: request('INVITE', br), transport: t, source: PEER }).transaction ?? '';
          const status = i % 4 === 0 ? 200 : 404;
          h.feed({ type: 'sendResponse', transaction: id, response: response(status, br, 'INVITE') });
          if (status === 404 && i % 3 !== 0) h.feed({ type: 'receiveRequest', request: request('ACK', br), transport: t, source: PEER });
          break;
        }
        case 3: { // non-INVITE server with a retransmission before the answer
          const id = h.feed({ type: 'receiveRequest', request: request('BYE', br), transport: t, source: PEER }).transaction ?? '';
          h.feed({ type: 'receiveRequest', request: request('BYE', br), transport: t, source: PEER });
          h.feed({ type: 'sendResponse', transaction: id, response: response(200, br, 'BYE') });
          break;
        }
        default: { // INVITE client with CANCEL
          const inv = h.feed({ type: 'sendRequest', request: request('INVITE', br), transport: t, destination: PEER }).transaction ?? '';
          h.feed({ type: 'cancel', transaction: inv });
          h.feed({ type: 'receiveResponse', response: response(183, br, 'INVITE'), transport: t, source: PEER });
          h.feed({ type: 'receiveResponse', response: response(200, br, 'CANCEL'), transport: t, source: PEER });
          h.feed({ type: 'receiveResponse', response: response(487, br, 'INVITE'), transport: t, source: PEER });
        }
      }
      h.advance(h.now + 3); // 10k over 30 s: timers of many transactions interleave
    }
    assert.ok(h.layer.stats().transactions > 1000);
    h.advance(h.now + 5 * 60_000);
    assert.deepEqual(h.layer.stats(), EMPTY);
    assert.equal(h.armed.size, 0);
  });
});
