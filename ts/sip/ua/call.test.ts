import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALICE, BOB, BOB_URI, ALICE_ADDR, addr, pair, sdp, uri } from './harness.js';
import type { IncomingSession } from './IncomingSession.js';

function recorder<T extends { on(e: string, l: (...a: unknown[]) => void): unknown }>(s: T, names: string[]): string[] {
  const log: string[] = [];
  for (const n of names) s.on(n, (...args: unknown[]) => log.push(`${n}${args.length > 0 && typeof args[0] !== 'object' ? ':' + String(args[0]) : ''}`));
  return log;
}

describe('INVITE sessions back to back', () => {
  it('sets up INVITE/180/200/ACK and the caller hangs up with BYE', () => {
    const { clock, net, alice, bob } = pair({ sessionTimer: false }, { sessionTimer: false });
    let incoming: IncomingSession | undefined;
    bob.on('invite', (s) => {
      incoming = s;
      s.ringing();
    });
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    const aLog = recorder(call, ['provisional', 'answered', 'failed', 'ended']);
    clock.advance(50);
    assert.ok(incoming);
    assert.equal(incoming.offer, sdp());
    const bLog = recorder(incoming, ['confirmed', 'ended', 'cancelled']);
    incoming.accept(sdp('sendrecv', 5000));
    clock.advance(50);
    assert.deepEqual(aLog, ['provisional:180', 'answered:v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=sendrecv\r\n']);
    assert.deepEqual(bLog, ['confirmed:undefined']);
    assert.deepEqual(net.sent(ALICE), ['INVITE', 'ACK']);
    assert.deepEqual(net.sent(BOB), ['180 INVITE', '200 INVITE']);
    assert.equal(alice.dialogCount, 1);
    assert.equal(bob.dialogCount, 1);
    call.bye();
    clock.advance(50);
    assert.deepEqual(aLog.slice(2), ['ended:local-bye']);
    assert.deepEqual(bLog.slice(1), ['ended:remote-bye']);
    assert.deepEqual(net.sent(BOB).slice(2), ['200 BYE']);
    assert.equal(alice.dialogCount, 0);
    assert.equal(bob.dialogCount, 0);
    // ACK is sent once: the 2xx was not retransmitted after it arrived.
    clock.advance(40_000);
    assert.deepEqual(net.sent(BOB), ['180 INVITE', '200 INVITE', '200 BYE']);
    assert.equal(alice.layer.stats().transactions + bob.layer.stats().transactions, 0);
  });

  it('the callee hangs up with BYE; the request carries the protocol headers', () => {
    const { clock, net, alice, bob } = pair({ sessionTimer: false }, { sessionTimer: false });
    let incoming: IncomingSession | undefined;
    bob.on('invite', (s) => {
      incoming = s;
      s.accept(sdp());
    });
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    const ended: string[] = [];
    call.on('ended', (r) => ended.push(r));
    clock.advance(50);
    const invite = net.log[0]?.msg;
    assert.ok(invite?.type === 'request');
    assert.equal(invite.maxForwards, 70);
    assert.equal(invite.via[0]?.params.get('rport'), null);
    assert.match(invite.via[0]?.params.get('branch') ?? '', /^z9hG4bK/);
    assert.ok(invite.from.params.get('tag'));
    assert.ok(invite.headers.some((h) => h.kind === 'raw' && h.name === 'User-Agent' && h.value === 'rtcgate/0.1.0'));
    const contact = invite.headers.find((h) => h.kind === 'contact');
    assert.ok(contact?.kind === 'contact' && contact.value !== '*' && contact.value.uri.type === 'sip');
    assert.equal(contact.value.uri.host, '127.0.0.1');
    assert.equal(contact.value.uri.port, 5060);
    incoming?.bye();
    clock.advance(50);
    assert.deepEqual(ended, ['remote-bye']);
    assert.deepEqual(net.sent(BOB), ['200 INVITE', 'BYE']);
    assert.deepEqual(net.sent(ALICE), ['INVITE', 'ACK', '200 BYE']);
  });

  it('CANCEL before the answer: 200 CANCEL, 487, ACK; both sides told', () => {
    const { clock, net, alice, bob } = pair();
    let cancelled = 0;
    bob.on('invite', (s) => {
      s.ringing();
      s.on('cancelled', () => cancelled++);
    });
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    const failed: number[] = [];
    call.on('failed', (st) => failed.push(st));
    clock.advance(50);
    call.hangup();
    clock.advance(100);
    assert.equal(cancelled, 1);
    assert.deepEqual(failed, [487]);
    assert.deepEqual(net.sent(ALICE), ['INVITE', 'CANCEL', 'ACK']);
    assert.deepEqual(net.sent(BOB), ['180 INVITE', '200 CANCEL', '487 INVITE']);
    assert.equal(alice.dialogCount + bob.dialogCount, 0);
  });

  it('486 Busy Here fails the call', () => {
    const { clock, net, alice, bob } = pair();
    bob.on('invite', (s) => s.reject(486));
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    const failed: string[] = [];
    call.on('failed', (st, r) => failed.push(`${st} ${r}`));
    clock.advance(50);
    assert.deepEqual(failed, ['486 Busy Here']);
    assert.deepEqual(net.sent(), ['INVITE', '486 INVITE', 'ACK']);
  });

  it('re-INVITE hold (sendonly) and resume from each side; INFO both ways', async () => {
    const { clock, net, alice, bob } = pair({ sessionTimer: false }, { sessionTimer: false });
    let incoming: IncomingSession | undefined;
    bob.on('invite', (s) => {
      incoming = s;
      s.accept(sdp());
    });
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    clock.advance(50);
    assert.ok(incoming);
    const bobSide = incoming;
    const offers: Array<string | undefined> = [];
    bobSide.on('reinvite', (r) => {
      offers.push(r.offer);
      r.accept(sdp(r.offer?.includes('sendonly') === true ? 'recvonly' : 'sendrecv'));
    });
    const hold = call.reinvite(sdp('sendonly'));
    clock.advance(50);
    assert.deepEqual(await hold, { ok: true, sdp: sdp('recvonly') });
    const resume = call.reinvite(sdp('sendrecv'));
    clock.advance(50);
    assert.deepEqual(await resume, { ok: true, sdp: sdp('sendrecv') });
    assert.equal(offers.length, 2);
    assert.ok(offers[0]?.includes('a=sendonly'));
    // Bob holds Alice.
    call.on('reinvite', (r) => r.accept(sdp('recvonly')));
    const bobHold = bobSide.reinvite(sdp('sendonly'));
    clock.advance(50);
    assert.deepEqual(await bobHold, { ok: true, sdp: sdp('recvonly') });
    // INFO both ways.
    const got: string[] = [];
    bobSide.on('info', (i) => got.push(`bob ${i.contentType} ${Buffer.from(i.body).toString()}`));
    call.on('info', (i) => got.push(`alice ${i.contentType} ${Buffer.from(i.body).toString()}`));
    const s1 = call.info('a=1&b=2', 'application/x-www-form-urlencoded');
    const s2 = bobSide.info('c=3', 'application/x-www-form-urlencoded');
    clock.advance(50);
    assert.equal(await s1, 200);
    assert.equal(await s2, 200);
    assert.deepEqual(got.sort(), ['alice application/x-www-form-urlencoded c=3', 'bob application/x-www-form-urlencoded a=1&b=2']);
    assert.deepEqual(
      net.sent(ALICE).filter((m) => m !== 'ACK'),
      ['INVITE', 'INVITE', 'INVITE', '200 INVITE', 'INFO', '200 INFO'],
    );
  });

  it('3pcc: INVITE without SDP gets the offer in the 200, the answer goes in the ACK', () => {
    const { clock, net, alice, bob } = pair();
    let confirmed: string | undefined;
    bob.on('invite', (s) => {
      assert.equal(s.offer, undefined);
      s.on('confirmed', (answer) => (confirmed = answer));
      s.accept(sdp('sendrecv', 6000));
    });
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR) });
    call.on('answered', (offer) => {
      assert.equal(offer, sdp('sendrecv', 6000));
      call.ack(sdp('sendrecv', 7000));
    });
    clock.advance(50);
    assert.equal(confirmed, sdp('sendrecv', 7000));
    const ack = net.log.find((s) => s.msg.type === 'request' && s.msg.method === 'ACK');
    assert.equal(Buffer.from(ack?.msg.body ?? []).toString(), sdp('sendrecv', 7000));
  });

  it('re-ACKs a retransmitted 2xx (first ACK lost)', () => {
    const { clock, net, alice, bob } = pair({ sessionTimer: false }, { sessionTimer: false });
    bob.on('invite', (s) => s.accept(sdp()));
    alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    let acks = 0;
    net.drop = (msg) => msg.type === 'request' && msg.method === 'ACK' && ++acks === 1;
    clock.advance(2000);
    // 200 at t≈5, lost ACK, 200 again after T1 (500 ms), re-ACKed with the same branch.
    assert.deepEqual(net.sent(BOB), ['200 INVITE', '200 INVITE']);
    const sentAcks = net.log.filter((s) => s.msg.type === 'request' && s.msg.method === 'ACK');
    assert.equal(sentAcks.length, 2);
    assert.equal(sentAcks[0]?.msg.via[0]?.params.get('branch'), sentAcks[1]?.msg.via[0]?.params.get('branch'));
    assert.equal(sentAcks[1]?.dropped, false);
  });

  it('retransmits the INVITE over UDP when the first one is lost (Timer A)', () => {
    const { clock, net, alice, bob } = pair();
    bob.on('invite', (s) => s.accept(sdp()));
    let invites = 0;
    net.drop = (msg) => msg.type === 'request' && msg.method === 'INVITE' && ++invites === 1;
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    let answeredAt = -1;
    const t0 = clock.now();
    call.on('answered', () => (answeredAt = clock.now() - t0));
    clock.advance(2000);
    assert.equal(invites, 2);
    assert.equal(net.log[1]?.at !== undefined && net.log[1].at - t0, 500);
    assert.equal(answeredAt, 510);
  });

  it('ends the call with BYE when the 2xx is never ACKed (64*T1)', () => {
    const { clock, net, alice, bob } = pair({ sessionTimer: false }, { sessionTimer: false });
    let ended = '';
    bob.on('invite', (s) => {
      s.on('ended', (r) => (ended = r));
      s.accept(sdp());
    });
    alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    net.drop = (msg) => msg.type === 'request' && msg.method === 'ACK';
    clock.advance(40_000);
    assert.equal(ended, 'ack-timeout');
    const twoHundreds = net.sent(BOB).filter((m) => m === '200 INVITE').length;
    assert.equal(twoHundreds, 11); // 0, .5, 1.5, 3.5, 7.5, 11.5, ... every 4 s up to 32 s
    assert.ok(net.sent(BOB).includes('BYE'));
  });

  it('REFER (blind transfer): 202 from the peer, Refer-To carried, NOTIFY sipfrag progress reported', async () => {
    const { clock, alice, bob } = pair({ sessionTimer: false }, { sessionTimer: false });
    let incoming: IncomingSession | undefined;
    bob.on('invite', (s) => {
      incoming = s;
      s.accept(sdp());
    });
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    clock.advance(50);
    assert.ok(incoming);
    const referred: string[] = [];
    incoming.on('refer', (r) => {
      referred.push(r.referTo.uri.type === 'sip' ? `${r.referTo.uri.user ?? ''}@${r.referTo.uri.host}` : 'other');
      r.accept();
    });
    const status = call.refer(addr('sip:carol@127.0.0.3'));
    clock.advance(50);
    assert.equal(await status, 202);
    assert.deepEqual(referred, ['carol@127.0.0.3']);
    // The transferee reports its new call's outcome (RFC 3515 §2.4.5): a NOTIFY with a sipfrag.
    const progress: number[] = [];
    call.on('transferProgress', (st) => progress.push(st));
    const trying = incoming.notifyTransfer(100);
    clock.advance(50);
    assert.equal(await trying, 200);
    const done = incoming.notifyTransfer(200);
    clock.advance(50);
    assert.equal(await done, 200);
    assert.deepEqual(progress, [100, 200]);
  });
});
