// Server transactions (RFC 3261 §17.2) on a fake clock: 100 Trying after 200 ms, Timer G/H/I,
// ACK absorption, RFC 6026 Accepted with Timer L, Timer J, retransmitted requests answered
// with the last response.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Harness, PEER, request, response } from './testing.js';

const B = 'z9hG4bKs1';

function receive(h: Harness, method: string, transport: 'reliable' | 'unreliable' = 'unreliable', branch = B): string | undefined {
  return h.feed({ type: 'receiveRequest', request: request(method, branch), transport, source: PEER }).transaction;
}

function answer(h: Harness, id: string, status: number, method = 'INVITE'): void {
  h.feed({ type: 'sendResponse', transaction: id, response: response(status, B, method) });
}

const sent = (h: Harness): Array<[number, string, boolean]> => h.sent().map((s) => [s.at, s.what, s.retransmission]);

describe('INVITE server transaction (§17.2.1)', () => {
  it('sends 100 Trying itself when the TU is silent for 200 ms', () => {
    const h = new Harness();
    const id = receive(h, 'INVITE');
    assert.ok(id !== undefined);
    assert.deepEqual(h.events().map((e) => e.event), [{ type: 'request', transaction: id, request: request('INVITE', B), transport: 'unreliable', source: PEER }]);
    assert.deepEqual([...h.armed.values()].map((t) => [t.name, t.deadline]), [['Trying', 200]]);
    h.advance(199);
    assert.deepEqual(sent(h), []);
    h.advance(200);
    assert.deepEqual(sent(h), [[200, '100 INVITE', false]]);
  });

  it('no 100 when the TU answers within 200 ms; 100 at once with tryingDelay 0', () => {
    const h = new Harness();
    const id = receive(h, 'INVITE');
    assert.ok(id !== undefined);
    h.advance(150);
    answer(h, id, 180);
    h.advance(1000);
    assert.deepEqual(sent(h), [[150, '180 INVITE', false]]);
    assert.equal(h.armed.size, 0);

    const h0 = new Harness({ tryingDelay: 0 });
    receive(h0, 'INVITE');
    assert.deepEqual(sent(h0), [[0, '100 INVITE', false]]);
  });

  it('a retransmitted INVITE gets the last provisional again (or an immediate 100)', () => {
    const h = new Harness();
    const id = receive(h, 'INVITE');
    assert.ok(id !== undefined);
    h.advance(100);
    assert.equal(receive(h, 'INVITE'), id); // retransmission before the 200 ms: 100 now
    h.advance(300);
    answer(h, id, 180);
    h.advance(500);
    assert.equal(receive(h, 'INVITE'), id);
    assert.deepEqual(sent(h), [
      [100, '100 INVITE', false],
      [300, '180 INVITE', false],
      [500, '180 INVITE', true],
    ]);
    assert.equal(h.events().length, 1); // only the first INVITE reached the TU
  });

  it('UDP non-2xx: Timer G 500, 1000, 2000, 4000, 4000 until ACK; ACK → Confirmed, Timer I = T4, ACKs absorbed', () => {
    const h = new Harness();
    const id = receive(h, 'INVITE');
    assert.ok(id !== undefined);
    h.advance(1000);
    answer(h, id, 486);
    assert.equal(h.layer.stateOf(id), 'Completed');
    assert.deepEqual([...h.armed.values()].map((t) => [t.name, t.deadline]), [['G', 1500], ['H', 33000]]);
    h.advance(13_000);
    assert.equal(receive(h, 'INVITE'), id); // request retransmission: final resent
    h.advance(14_000);
    assert.equal(receive(h, 'ACK'), id);
    assert.equal(h.layer.stateOf(id), 'Confirmed');
    h.advance(15_000);
    assert.equal(receive(h, 'ACK'), id); // absorbed
    h.advance(60_000);
    assert.deepEqual(sent(h), [
      [200, '100 INVITE', false],
      [1000, '486 INVITE', false],
      [1500, '486 INVITE', true],
      [2500, '486 INVITE', true],
      [4500, '486 INVITE', true],
      [8500, '486 INVITE', true],
      [12500, '486 INVITE', true],
      [13000, '486 INVITE', true],
    ]);
    assert.deepEqual(h.events().map((e) => [e.at, e.event.type]), [
      [0, 'request'],
      [19000, 'terminated'],
    ]);
    assert.deepEqual(h.layer.stats(), { clientTransactions: 0, serverTransactions: 0, transactions: 0, timers: 0 });
  });

  it('Timer H: no ACK within 64*T1 → ackTimeout to the TU at 32 s after the final', () => {
    const h = new Harness();
    const id = receive(h, 'INVITE');
    assert.ok(id !== undefined);
    answer(h, id, 404);
    h.advance(40_000);
    assert.deepEqual(h.sent().map((s) => s.at), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    assert.deepEqual(h.events().map((e) => [e.at, e.event]), [
      [0, { type: 'request', transaction: id, request: request('INVITE', B), transport: 'unreliable', source: PEER }],
      [32000, { type: 'ackTimeout', transaction: id, timer: 'H' }],
      [32000, { type: 'terminated', transaction: id, side: 'server', method: 'INVITE', reason: 'timeout' }],
    ]);
    assert.equal(h.armed.size, 0);
  });

  it('TCP non-2xx: no Timer G; ACK terminates at once (Timer I = 0)', () => {
    const h = new Harness();
    const id = receive(h, 'INVITE', 'reliable');
    assert.ok(id !== undefined);
    answer(h, id, 480);
    assert.deepEqual([...h.armed.values()].map((t) => [t.name, t.deadline]), [['H', 32000]]);
    h.advance(5000);
    receive(h, 'ACK', 'reliable');
    assert.deepEqual(sent(h), [[0, '480 INVITE', false]]);
    assert.deepEqual(h.events().map((e) => [e.at, e.event.type]), [[0, 'request'], [5000, 'terminated']]);
    assert.equal(h.armed.size, 0);
  });

  it('2xx (RFC 6026 Accepted): INVITE retransmissions absorbed, TU 2xx retransmissions pass, matching ACK to the TU, Timer L', () => {
    const h = new Harness();
    const id = receive(h, 'INVITE');
    assert.ok(id !== undefined);
    h.advance(100);
    answer(h, id, 200);
    assert.equal(h.layer.stateOf(id), 'Accepted');
    assert.deepEqual([...h.armed.values()].map((t) => [t.name, t.deadline]), [['L', 32100]]);
    h.advance(600);
    receive(h, 'INVITE');
    answer(h, id, 200); // the TU's own 2xx retransmission (§13.3.1.4)
    answer(h, id, 486); // not allowed after a 2xx: discarded
    receive(h, 'ACK'); // same branch (unusual, but RFC 6026 passes it up)
    receive(h, 'ACK', 'unreliable', 'z9hG4bKother'); // ACK for 2xx, its own transaction
    h.advance(40_000);
    assert.deepEqual(sent(h), [
      [100, '200 INVITE', false],
      [600, '200 INVITE', false],
    ]);
    assert.deepEqual(h.events().map((e) => [e.at, e.event.type, 'transaction' in e.event ? e.event.transaction : '']), [
      [0, 'request', id],
      [600, 'responseDiscarded', id],
      [600, 'ack', id],
      [600, 'ack', undefined],
      [32100, 'terminated', id],
    ]);
  });

  it('without RFC 6026 the 2xx terminates at once and a retransmitted INVITE is a new request', () => {
    const h = new Harness({ rfc6026: false });
    const id = receive(h, 'INVITE');
    assert.ok(id !== undefined);
    answer(h, id, 200);
    assert.equal(h.layer.has(id), false);
    assert.notEqual(receive(h, 'INVITE'), id);
  });

  it('transport error in Proceeding informs the TU and terminates', () => {
    const h = new Harness();
    const id = receive(h, 'INVITE');
    assert.ok(id !== undefined);
    h.feed({ type: 'transportError', transaction: id, error: 'EPIPE' });
    assert.deepEqual(h.events().slice(1).map((e) => e.event.type), ['transportError', 'terminated']);
    assert.equal(h.armed.size, 0);
  });
});

describe('non-INVITE server transaction (§17.2.2)', () => {
  it('UDP: retransmissions discarded in Trying, answered with the last provisional/final after; Timer J = 64*T1', () => {
    const h = new Harness();
    const id = receive(h, 'BYE');
    assert.ok(id !== undefined);
    assert.equal(h.layer.stateOf(id), 'Trying');
    h.advance(500);
    assert.equal(receive(h, 'BYE'), id);
    assert.deepEqual(sent(h), []);
    h.advance(600);
    answer(h, id, 100, 'BYE');
    h.advance(1500);
    receive(h, 'BYE');
    h.advance(2000);
    answer(h, id, 200, 'BYE');
    assert.deepEqual([...h.armed.values()].map((t) => [t.name, t.deadline]), [['J', 34000]]);
    h.advance(3500);
    receive(h, 'BYE');
    answer(h, id, 500, 'BYE'); // another final: discarded
    h.advance(40_000);
    assert.deepEqual(sent(h), [
      [600, '100 BYE', false],
      [1500, '100 BYE', true],
      [2000, '200 BYE', false],
      [3500, '200 BYE', true],
    ]);
    assert.deepEqual(h.events().map((e) => [e.at, e.event.type]), [
      [0, 'request'],
      [3500, 'responseDiscarded'],
      [34000, 'terminated'],
    ]);
    assert.equal(h.armed.size, 0);
  });

  it('TCP: the final response terminates at once (Timer J = 0)', () => {
    const h = new Harness();
    const id = receive(h, 'OPTIONS', 'reliable');
    assert.ok(id !== undefined);
    answer(h, id, 200, 'OPTIONS');
    assert.deepEqual(h.events().map((e) => e.event.type), ['request', 'terminated']);
    assert.equal(h.layer.has(id), false);
    assert.equal(h.armed.size, 0);
  });
});
