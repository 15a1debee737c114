import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeDigestResponse, type DigestAlgorithm } from '../auth/index.js';
import { createRequest, formatUri, type SipRequest } from '../message/index.js';
import { formatAuth } from '../message/headers.js';
import { ALICE, ALICE_ADDR, BOB, BOB_URI, addr, pair, sdp, uri } from './harness.js';
import { parseSipProxy } from './nextHop.js';

/** Server-side digest check with ts/sip/auth: recompute the response from the Authorization header. */
function verify(req: SipRequest, password: string, nonce: string): boolean {
  const h = req.headers.find((x) => x.name === 'Authorization');
  if (h === undefined) return false;
  const text = h.kind === 'raw' ? h.value : h.kind === 'auth' ? formatAuth(h.value) : '';
  const p = new Map<string, string>();
  for (const m of text.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) p.set(m[1] as string, (m[2] ?? m[3]) as string);
  if (p.get('nonce') !== nonce) return false;
  const expected = computeDigestResponse({
    algorithm: (p.get('algorithm') ?? 'MD5') as DigestAlgorithm,
    username: p.get('username') ?? '',
    password,
    realm: p.get('realm') ?? '',
    nonce,
    method: req.method,
    uri: p.get('uri') ?? '',
    qop: p.get('qop') === 'auth' ? 'auth' : undefined,
    nc: p.get('nc') ?? '',
    cnonce: p.get('cnonce') ?? '',
  });
  return p.get('uri') === formatUri(req.uri) && expected === p.get('response');
}


describe('SipStack', () => {
  it('answers a 401 to INVITE with digest credentials (new CSeq, same Call-ID)', () => {
    const { clock, net, alice, bob } = pair({ credentials: ({ realm }) => (realm === 'gw' ? { username: 'alice', password: 's3cret' } : undefined) });
    const nonce = 'n0nce';
    const seen: SipRequest[] = [];
    bob.on('invite', (s) => {
      seen.push(s.request);
      if (!verify(s.request, 's3cret', nonce)) {
        s.reject(401);
        return;
      }
      s.accept(sdp());
    });
    const origReply = bob.reply.bind(bob);
    // Bob's 401 carries the challenge.
    bob.reply = (tx, status, opts = {}) =>
      origReply(tx, status, status === 401 ? { ...opts, headers: [...(opts.headers ?? []), { kind: 'raw', name: 'WWW-Authenticate', value: `Digest realm="gw", nonce="${nonce}", qop="auth", algorithm=MD5` }] } : opts);
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    let answered = false;
    call.on('answered', () => (answered = true));
    clock.advance(100);
    assert.ok(answered);
    assert.equal(seen.length, 2);
    assert.equal(seen[0]?.callId, seen[1]?.callId);
    assert.equal(seen[1]?.cseq.seq, (seen[0]?.cseq.seq ?? 0) + 1);
    assert.deepEqual(net.sent(ALICE), ['INVITE', 'ACK', 'INVITE', 'ACK']);
    assert.deepEqual(net.sent(BOB), ['401 INVITE', '200 INVITE']);
  });

  it('answers OPTIONS with 200 (Allow, Accept, Supported)', () => {
    const { clock, net, alice, bob } = pair();
    const req = createRequest({
      method: 'OPTIONS',
      uri: uri('sip:127.0.0.2:5070'),
      via: alice.newVia('udp'),
      from: { ...addr(ALICE_ADDR), params: new Map([['tag', 'x1']]) },
      to: addr('sip:127.0.0.2:5070'),
      callId: 'opt1',
      cseq: 1,
    });
    const got: number[] = [];
    alice.send(req, (o) => o.type === 'response' && got.push(o.response.status));
    clock.advance(50);
    assert.deepEqual(got, [200]);
    const res = net.log.find((s) => s.msg.type === 'response')?.msg;
    const names = res?.headers.map((h) => h.name) ?? [];
    for (const n of ['Allow', 'Accept', 'Supported']) assert.ok(names.includes(n), n);
    void bob;
  });

  it('answers 481 to an in-dialog request for an unknown dialog, 501 to an unknown method, 405 to REGISTER', () => {
    const { clock, alice } = pair();
    const statuses: Array<[string, number]> = [];
    const mk = (method: string, toTag?: string): SipRequest =>
      createRequest({
        method,
        uri: uri(BOB_URI),
        via: alice.newVia('udp'),
        from: { ...addr(ALICE_ADDR), params: new Map([['tag', 'f1']]) },
        to: { ...addr(BOB_URI), params: toTag === undefined ? new Map() : new Map([['tag', toTag]]) },
        callId: `c-${method}`,
        cseq: 5,
      });
    for (const [m, tag] of [['BYE', 'nope'], ['INFO', 'nope'], ['FOO', undefined], ['REGISTER', undefined]] as const) {
      alice.send(mk(m, tag), (o) => o.type === 'response' && statuses.push([m, o.response.status]));
    }
    clock.advance(50);
    assert.deepEqual(statuses, [['BYE', 481], ['INFO', 481], ['FOO', 501], ['REGISTER', 405]]);
  });

  it('refreshes the session timer at half the interval and sends BYE when refreshes stop', () => {
    const st = { expires: 120, minSe: 90 };
    const { clock, net, alice, bob } = pair({ sessionTimer: st }, { sessionTimer: st });
    bob.on('invite', (s) => s.accept(sdp()));
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    clock.advance(50);
    const ok = net.log.find((s) => s.msg.type === 'response' && s.msg.status === 200)?.msg;
    const se = ok?.headers.find((h) => h.kind === 'session-expires');
    assert.ok(se?.kind === 'session-expires');
    assert.equal(se.value.delta, 120);
    assert.equal(se.value.refresher, 'uac');
    // Alice (uac) refreshes at 60 s with UPDATE (Bob allows it).
    const before = net.sent(ALICE).length;
    clock.advance(59_900);
    assert.equal(net.sent(ALICE).length, before);
    clock.advance(200);
    assert.deepEqual(net.sent(ALICE).slice(before), ['UPDATE']);
    clock.advance(60_000);
    assert.deepEqual(net.sent(ALICE).slice(before), ['UPDATE', 'UPDATE']);
    assert.equal(call.state, 'confirmed');
    // Refreshes stop reaching Bob: Bob ends the call at 120 - 32 = 88 s after the last one.
    let ended = '';
    call.on('ended', (r) => (ended = r));
    net.drop = (msg) => msg.type === 'request' && msg.method === 'UPDATE';
    clock.advance(200_000);
    assert.ok(net.sent(BOB).includes('BYE'));
    assert.ok(ended === 'remote-bye' || ended === 'session-expired', ended);
  });

  it('rejects a too small Session-Expires with 422 and the caller retries with Min-SE', () => {
    const { clock, net, alice, bob } = pair({ sessionTimer: { expires: 60, minSe: 60 } }, { sessionTimer: { expires: 1800, minSe: 300 } });
    bob.on('invite', (s) => s.accept(sdp()));
    const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
    let answered = false;
    call.on('answered', () => (answered = true));
    clock.advance(100);
    assert.ok(answered);
    assert.deepEqual(net.sent(BOB), ['422 INVITE', '200 INVITE']);
  });

  it('passes REFER to the owner (202) and routes via an outbound proxy', () => {
    const { clock, net, alice, bob } = pair({}, { proxy: parseSipProxy('127.0.0.1:5060') });
    void bob;
    // bob's out-of-dialog requests go to the proxy address (alice here).
    let got = '';
    alice.on('invite', (s) => {
      got = s.request.uri.type === 'sip' ? (s.request.uri.host ?? '') : '';
      s.accept(sdp());
      s.on('refer', (r) => {
        got += ` refer ${formatUri(r.referTo.uri)}`;
        r.accept();
      });
    });
    const call = bob.invite({ target: uri('sip:carol@198.51.100.7'), from: addr('sip:bob@127.0.0.2:5070'), sdp: sdp() });
    clock.advance(50);
    assert.equal(call.state, 'confirmed');
    assert.equal(got, '198.51.100.7');
    assert.equal(net.log[0]?.to, ALICE);
  });
});

describe('parseSipProxy', () => {
  it('parses one or two addresses and rejects bad ones with a clear message', () => {
    assert.deepEqual(parseSipProxy('sip.example.com'), [{ host: 'sip.example.com', port: 5060, transport: 'udp' }]);
    assert.deepEqual(parseSipProxy('10.0.0.1:5070, [::1]:5080;transport=tcp'), [
      { host: '10.0.0.1', port: 5070, transport: 'udp' },
      { host: '[::1]', port: 5080, transport: 'tcp' },
    ]);
    assert.throws(() => parseSipProxy('a,b,c'), /at most two/);
    assert.throws(() => parseSipProxy('a:99999'), /outside/);
    assert.throws(() => parseSipProxy('a;foo=1'), /unknown parameter/);
    assert.throws(() => parseSipProxy(''), /expected/);
  });
});
