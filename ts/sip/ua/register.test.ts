import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeDigestResponse } from '../auth/index.js';
import { formatAuth } from '../message/headers.js';
import { createResponse, formatUri, type SipHeader, type SipRequest } from '../message/index.js';
import { FakeClock } from './clock.js';
import { SipStack } from './SipStack.js';
import { FakeNetwork } from './testing.js';
import { sip } from './harness.js';

const NONCE = 'abc123';

function authorized(req: SipRequest): boolean {
  const h = req.headers.find((x) => x.name === 'Authorization');
  if (h === undefined) return false;
  const text = h.kind === 'raw' ? h.value : h.kind === 'auth' ? formatAuth(h.value) : '';
  const p = new Map<string, string>();
  for (const m of text.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) p.set(m[1] as string, (m[2] ?? m[3]) as string);
  const want = computeDigestResponse({
    algorithm: 'SHA-256', username: '8100', password: 'pw', realm: 'reg', nonce: NONCE, method: 'REGISTER',
    uri: formatUri(req.uri), qop: 'auth', nc: p.get('nc') ?? '', cnonce: p.get('cnonce') ?? '',
  });
  return p.get('response') === want;
}

/** A registrar on 127.0.0.9:5060 that challenges once per request without credentials and grants `grant` s. */
function setup(grant: number) {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock);
  const reg = net.add('127.0.0.9', 5060);
  const requests: SipRequest[] = [];
  reg.on('message', (msg, source) => {
    if (msg.type !== 'request') return;
    requests.push(msg);
    const headers: SipHeader[] = [];
    let status = 200;
    if (!authorized(msg)) {
      status = 401;
      headers.push({ kind: 'raw', name: 'WWW-Authenticate', value: `Digest realm="reg", nonce="${NONCE}", qop="auth", algorithm=SHA-256` });
    } else {
      const expires = msg.headers.find((h) => h.kind === 'expires');
      const asked = expires?.kind === 'expires' ? expires.value : 3600;
      for (const h of msg.headers) {
        if (h.kind === 'contact' && h.value !== '*' && asked > 0) {
          headers.push({ kind: 'contact', name: 'Contact', value: { ...h.value, params: new Map([['expires', String(Math.min(asked, grant))]]) } });
        }
      }
    }
    void reg.sendResponse(createResponse(msg, status, undefined, { toTag: 'r1', headers }), msg, source);
  });
  const stack = new SipStack({
    transport: net.add('127.0.0.1', 5060),
    clock,
    credentials: ({ user, realm }) => (user === '8100' && realm === 'reg' ? { username: '8100', password: 'pw' } : undefined),
  });
  return { clock, net, stack, requests };
}

describe('Registration', () => {
  it('registers with a digest retry, refreshes at half the granted expiry, and unregisters', () => {
    const { clock, stack, requests } = setup(600);
    const r = stack.register({ aor: sip('sip:8100@127.0.0.9') });
    const events: string[] = [];
    r.on('registered', (e) => events.push(`registered ${e} at ${clock.now() - 1000}`));
    r.on('failed', (s) => events.push(`failed ${s}`));
    r.on('unregistered', () => events.push('unregistered'));
    r.start();
    clock.advance(100);
    assert.equal(requests.length, 2);
    assert.equal(requests[0]?.callId, requests[1]?.callId);
    assert.equal(requests[1]?.cseq.seq, (requests[0]?.cseq.seq ?? 0) + 1);
    assert.deepEqual(events, ['registered 600 at 20']);
    // Refresh at 300 s: the cached nonce authorizes it up front (no second 401).
    clock.advance(300_000);
    assert.equal(requests.length, 3);
    assert.equal(events.length, 2);
    assert.equal(requests[2]?.cseq.seq, 3);
    r.stop();
    clock.advance(100);
    const last = requests.at(-1);
    const exp = last?.headers.find((h) => h.kind === 'expires');
    assert.ok(exp?.kind === 'expires' && exp.value === 0);
    assert.equal(events.at(-1), 'unregistered');
    assert.equal(r.state, 'stopped');
  });

  it('backs off after failures (no registrar answers: 408 after Timer F)', () => {
    const clock = new FakeClock();
    const net = new FakeNetwork(clock);
    const stack = new SipStack({ transport: net.add('127.0.0.1', 5060), clock });
    const r = stack.register({ aor: sip('sip:8100@127.0.0.99'), retryBase: 10 });
    const at: number[] = [];
    r.on('failed', (s) => at.push(s));
    r.start();
    clock.advance(32_000 + 10_000 + 32_000 + 20_000 + 100);
    assert.deepEqual(at, [408, 408]);
    const sends = net.log.filter((s) => !s.dropped && s.msg.type === 'request').map((s) => s.at);
    assert.ok(sends.length > 2);
    r.stop();
  });
});
