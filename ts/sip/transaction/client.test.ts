// Client transactions (RFC 3261 §17.1) on a fake clock: exact retransmission schedules, timeouts,
// ACK for non-2xx inside the transaction, RFC 6026 Accepted.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Harness, PEER, request, response } from './testing.js';

const B = 'z9hG4bKc1';

function start(h: Harness, method: string, transport: 'reliable' | 'unreliable' = 'unreliable'): string {
  const step = h.feed({ type: 'sendRequest', request: request(method, B), transport, destination: PEER });
  assert.ok(step.transaction !== undefined);
  return step.transaction;
}

const times = (h: Harness): number[] => h.sent().map((s) => s.at);

describe('non-INVITE client transaction (§17.1.2)', () => {
  it('UDP: Timer E 500, 1000, 2000, 4000, 4000… then Timer F gives the TU a 408 at 32 s', () => {
    const h = new Harness();
    const id = start(h, 'OPTIONS');
    assert.equal(h.layer.stateOf(id), 'Trying');
    h.advance(40_000);
    assert.deepEqual(times(h), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    const gaps = times(h).slice(1).map((t, i) => t - times(h)[i]!);
    assert.deepEqual(gaps, [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
    assert.deepEqual(h.sent().map((s) => s.retransmission), [false, ...Array<boolean>(10).fill(true)]);
    assert.deepEqual(h.events().map((e) => [e.at, e.event]), [
      [32000, { type: 'timeout', transaction: id, method: 'OPTIONS', timer: 'F', status: 408 }],
      [32000, { type: 'terminated', transaction: id, side: 'client', method: 'OPTIONS', reason: 'timeout' }],
    ]);
    assert.equal(h.layer.has(id), false);
    assert.deepEqual(h.layer.stats(), { clientTransactions: 0, serverTransactions: 0, transactions: 0, timers: 0 });
    assert.equal(h.armed.size, 0);
  });

  it('TCP: no retransmission at all, Timer F still 32 s', () => {
    const h = new Harness();
    const id = start(h, 'REGISTER', 'reliable');
    const timers = h.log.filter((l) => l.output.type === 'setTimer').map((l) => l.output.type === 'setTimer' && [l.output.name, l.output.deadline]);
    assert.deepEqual(timers, [['F', 32000]]);
    h.advance(40_000);
    assert.deepEqual(times(h), [0]);
    assert.deepEqual(h.events().map((e) => [e.at, e.event.type]), [[32000, 'timeout'], [32000, 'terminated']]);
    assert.equal(h.layer.has(id), false);
  });

  it('Proceeding retransmits every T2; final → Completed; Timer K = T4 absorbs retransmitted finals', () => {
    const h = new Harness();
    const id = start(h, 'BYE');
    h.advance(1000);
    h.feed({ type: 'receiveResponse', response: response(100, B, 'BYE'), transport: 'unreliable', source: PEER });
    assert.equal(h.layer.stateOf(id), 'Proceeding');
    h.advance(6000);
    // E fired at 500 (Trying: next 1000), at 1500 (Proceeding: next T2), then 5500.
    assert.deepEqual(times(h), [0, 500, 1500, 5500]);
    h.feed({ type: 'receiveResponse', response: response(200, B, 'BYE'), transport: 'unreliable', source: PEER });
    assert.equal(h.layer.stateOf(id), 'Completed');
    h.advance(8000);
    h.feed({ type: 'receiveResponse', response: response(200, B, 'BYE'), transport: 'unreliable', source: PEER });
    h.advance(20_000);
    assert.deepEqual(times(h), [0, 500, 1500, 5500]);
    assert.deepEqual(h.events().map((e) => [e.at, e.event.type]), [
      [1000, 'response'],
      [6000, 'response'],
      [11000, 'terminated'],
    ]);
    assert.equal(h.layer.stats().timers, 0);
  });

  it('TCP: the final response terminates at once (Timer K = 0)', () => {
    const h = new Harness();
    const id = start(h, 'OPTIONS', 'reliable');
    h.advance(100);
    h.feed({ type: 'receiveResponse', response: response(404, B, 'OPTIONS'), transport: 'reliable', source: PEER });
    assert.deepEqual(h.events().map((e) => e.event.type), ['response', 'terminated']);
    assert.equal(h.layer.has(id), false);
    assert.equal(h.armed.size, 0);
  });

  it('a transport error informs the TU and terminates', () => {
    const h = new Harness();
    const id = start(h, 'MESSAGE');
    const err = new Error('ECONNREFUSED');
    h.feed({ type: 'transportError', transaction: id, error: err });
    assert.deepEqual(h.events().map((e) => e.event), [
      { type: 'transportError', transaction: id, method: 'MESSAGE', error: err },
      { type: 'terminated', transaction: id, side: 'client', method: 'MESSAGE', reason: 'transport-error' },
    ]);
    assert.equal(h.armed.size, 0);
    // A late report for the finished transaction is ignored.
    assert.deepEqual(h.feed({ type: 'transportError', transaction: id }).outputs, []);
  });
});

describe('INVITE client transaction (§17.1.1)', () => {
  it('UDP: Timer A doubles without cap (500…16000); Timer B gives a 408 at 32 s', () => {
    const h = new Harness();
    const id = start(h, 'INVITE');
    h.advance(60_000);
    assert.deepEqual(times(h), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.deepEqual(h.events().map((e) => [e.at, e.event]), [
      [32000, { type: 'timeout', transaction: id, method: 'INVITE', timer: 'B', status: 408 }],
      [32000, { type: 'terminated', transaction: id, side: 'client', method: 'INVITE', reason: 'timeout' }],
    ]);
    assert.equal(h.armed.size, 0);
  });

  it('TCP: no Timer A, Timer B at 32 s', () => {
    const h = new Harness();
    start(h, 'INVITE', 'reliable');
    assert.deepEqual([...h.armed.values()].map((t) => [t.name, t.deadline]), [['B', 32000]]);
    h.advance(32_000);
    assert.deepEqual(times(h), [0]);
    assert.equal(h.events()[0]?.event.type, 'timeout');
  });

  it('1xx stops A and B; non-2xx final is ACKed with the same branch; Timer D = 32 s; retransmitted final re-ACKed', () => {
    const h = new Harness();
    const id = start(h, 'INVITE');
    h.advance(700);
    h.feed({ type: 'receiveResponse', response: response(180, B, 'INVITE'), transport: 'unreliable', source: PEER });
    assert.equal(h.layer.stateOf(id), 'Proceeding');
    assert.equal(h.armed.size, 0);
    h.advance(5000);
    h.feed({ type: 'receiveResponse', response: response(486, B, 'INVITE'), transport: 'unreliable', source: PEER });
    assert.equal(h.layer.stateOf(id), 'Completed');
    assert.deepEqual([...h.armed.values()].map((t) => [t.name, t.deadline]), [['D', 37000]]);
    h.advance(6000);
    h.feed({ type: 'receiveResponse', response: response(486, B, 'INVITE'), transport: 'unreliable', source: PEER });
    h.advance(40_000);
    assert.deepEqual(h.sent().map((s) => [s.at, s.what, s.retransmission]), [
      [0, `INVITE ${B}`, false],
      [500, `INVITE ${B}`, true],
      [5000, `ACK ${B}`, false],
      [6000, `ACK ${B}`, true],
    ]);
    const ack = h.log.find((l) => l.output.type === 'transmitRequest' && l.output.request.method === 'ACK');
    assert.ok(ack?.output.type === 'transmitRequest');
    assert.equal(ack.output.request.note, 'ack-486');
    assert.deepEqual(ack.output.destination, PEER);
    assert.deepEqual(h.events().map((e) => [e.at, e.event.type]), [
      [700, 'response'],
      [5000, 'response'],
      [37000, 'terminated'],
    ]);
  });

  it('TCP: non-2xx final → ACK and Terminated at once (Timer D = 0)', () => {
    const h = new Harness();
    const id = start(h, 'INVITE', 'reliable');
    h.feed({ type: 'receiveResponse', response: response(603, B, 'INVITE'), transport: 'reliable', source: PEER });
    assert.deepEqual(h.sent().map((s) => s.what), [`INVITE ${B}`, `ACK ${B}`]);
    assert.deepEqual(h.events().map((e) => e.event.type), ['response', 'terminated']);
    assert.equal(h.layer.has(id), false);
    assert.equal(h.armed.size, 0);
  });

  it('2xx goes to the TU, no ACK from the transaction; RFC 6026 Accepted passes retransmitted 2xx until Timer M', () => {
    const h = new Harness();
    const id = start(h, 'INVITE');
    h.advance(1000);
    h.feed({ type: 'receiveResponse', response: response(200, B, 'INVITE'), transport: 'unreliable', source: PEER });
    assert.equal(h.layer.stateOf(id), 'Accepted');
    assert.deepEqual([...h.armed.values()].map((t) => [t.name, t.deadline]), [['M', 33000]]);
    h.advance(2000);
    h.feed({ type: 'receiveResponse', response: response(200, B, 'INVITE'), transport: 'unreliable', source: PEER });
    h.feed({ type: 'receiveResponse', response: response(500, B, 'INVITE'), transport: 'unreliable', source: PEER });
    h.advance(40_000);
    h.feed({ type: 'receiveResponse', response: response(200, B, 'INVITE'), transport: 'unreliable', source: PEER });
    assert.deepEqual(h.sent().map((s) => [s.at, s.what]), [[0, `INVITE ${B}`], [500, `INVITE ${B}`]]);
    assert.deepEqual(h.events().map((e) => [e.at, e.event.type]), [
      [1000, 'response'],
      [2000, 'response'],
      [33000, 'terminated'],
      [40000, 'strayResponse'],
    ]);
  });

  it('without RFC 6026 the 2xx terminates the transaction at once', () => {
    const h = new Harness({ rfc6026: false });
    const id = start(h, 'INVITE');
    h.feed({ type: 'receiveResponse', response: response(200, B, 'INVITE'), transport: 'unreliable', source: PEER });
    assert.deepEqual(h.events().map((e) => e.event.type), ['response', 'terminated']);
    assert.equal(h.layer.has(id), false);
    assert.equal(h.armed.size, 0);
  });

  it('configurable T1/T2: T1 = 100 ms gives B at 6.4 s', () => {
    const h = new Harness({ t1: 100, t2: 400 });
    start(h, 'INVITE');
    h.advance(10_000);
    assert.deepEqual(times(h), [0, 100, 300, 700, 1500, 3100, 6300]);
    assert.equal(h.events()[0]?.at, 6400);
  });
});
