// Fuzz-style tests: seeded mutations of valid messages (byte flips, truncations, insertions,
// header duplication, huge values). parseMessage must never throw and always return a typed
// result; whatever it accepts must serialize and parse again to the same message. The framer
// gets the same treatment on chunked streams.

import assert from 'node:assert/strict';
import { RFC4475_NOTATION, rfc4475Message } from './testdata/rfc4475.js';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StreamFramer, parseMessage, serialize } from './index.js';
import { seededRandom } from '../../common/seededRandom.js';

/** mulberry32: small deterministic PRNG so a failure can be replayed from its seed. */
const rng = seededRandom;

const SEED = 0x51b0c0de;
const ROUNDS = 20_000;

const OWN = [
  'INVITE sip:bob@example.com;transport=tcp SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5066;branch=z9hG4bK776asdhds;rport\r\nMax-Forwards: 70\r\nTo: Bob <sip:bob@example.com>\r\nFrom: "Alice" <sip:alice@example.com>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33.example.com\r\nCSeq: 314159 INVITE\r\nContact: <sip:alice@192.0.2.1:5066>;expires=60\r\nRoute: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\nSupported: timer, replaces\r\nSession-Expires: 1800;refresher=uac\r\nMin-SE: 90\r\nAuthorization: Digest username="alice", realm="example.com", nonce="abc", uri="sip:bob@example.com", response="0123456789abcdef", qop=auth, nc=00000001, cnonce="x"\r\nContent-Type: application/sdp\r\nContent-Length: 10\r\n\r\nv=0\r\ns=-\r\n',
  'SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1;received=192.0.2.9;rport=5070\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:a@h>;tag=2\r\nCall-ID: x\r\nCSeq: 2 REGISTER\r\nWWW-Authenticate: Digest realm="h", nonce="n", qop="auth", algorithm=SHA-256\r\nReason: SIP;cause=200;text="done"\r\nContent-Length: 0\r\n\r\n',
  'REFER sip:b@h SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK2\r\nf: <sip:a@h>;tag=1\r\nt: <sip:b@h>;tag=3\r\ni: y\r\nCSeq: 3 REFER\r\nr: <sip:c@h?Replaces=a%40b%3Bto-tag%3D1>\r\nb: <sip:a@h>\r\no: refer;id=3\r\nl: 0\r\n\r\n',
];

it(`parseMessage survives ${ROUNDS} mutated messages (seed ${SEED.toString(16)})`, () => {
  const r = rng(SEED);
  const bases = [...OWN.map((s) => Buffer.from(s)), ...Object.keys(RFC4475_NOTATION).map(rfc4475Message)];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const SPICE = ['\r\n', '\r', '\n', ' ', '\t', ',', ';', '"', '\\', '<', '>', ':', '=', '%', '%0', '@', '[', ']', '\u0000', '\u00ff', '?', 'sip:', '\r\n ', '\r\n\r\n'];
  let accepted = 0;
  const t0 = Date.now();
  for (let i = 0; i < ROUNDS; i++) {
    let b = Buffer.from(pick(bases));
    const edits = 1 + Math.floor(r() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(r() * (b.length + 1));
      switch (Math.floor(r() * 7)) {
        case 0: // bit flip
          if (b.length > 0) { const k = Math.min(at, b.length - 1); b[k] = (b[k] as number) ^ (1 << Math.floor(r() * 8)); }
          break;
        case 1: // truncation
          b = b.subarray(0, at);
          break;
        case 2: // insertion of a grammar-significant string
          b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(SPICE), 'latin1'), b.subarray(at)]);
          break;
        case 3: { // header duplication: copy one line elsewhere
          const text = b.toString('latin1');
          const lines = text.split('\r\n');
          const line = pick(lines);
          lines.splice(1 + Math.floor(r() * Math.max(1, lines.length - 1)), 0, line);
          b = Buffer.from(lines.join('\r\n'), 'latin1');
          break;
        }
        case 4: { // huge value
          const big = pick(['a', '9', ' ', ';x', ',', '"']).repeat(pick([100, 1000, 20_000]));
          b = Buffer.concat([b.subarray(0, at), Buffer.from(big), b.subarray(at)]);
          break;
        }
        case 5: // deletion
          b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(r() * 20)))]);
          break;
        default: // random bytes
          b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256))), b.subarray(at)]);
      }
    }
    let result;
    try {
      result = parseMessage(r() < 0.1 ? b.toString('latin1') : b, { transport: r() < 0.2 ? 'stream' : 'datagram' });
    } catch (err) {
      assert.fail(`round ${i} threw ${String(err)}`);
    }
    if (result.ok) {
      accepted++;
      const again = parseMessage(serialize(result.message), { transport: 'stream' });
      assert.ok(again.ok, `round ${i}: accepted message does not re-parse: ${again.ok ? '' : again.reason}\n${b.toString('latin1').slice(0, 600)}`);
      assert.deepEqual(again.message, result.message, `round ${i}`);
    } else {
      assert.ok(result.code === 400 || result.code === 505);
      assert.ok(!result.reason.startsWith('internal'), `round ${i}: ${result.reason}`);
      assert.ok(result.reason.length > 0 && result.reason.length < 200 && !/[\r\n]/.test(result.reason));
    }
  }
  assert.ok(accepted > 1000 && accepted < ROUNDS, `accepted ${accepted}`);
  assert.ok(Date.now() - t0 < 20_000);
});

it('StreamFramer survives 2000 mutated, randomly chunked streams', () => {
  const r = rng(SEED ^ 0xf00d);
  for (let i = 0; i < 2000; i++) {
    const parts: Buffer[] = [];
    for (let k = 0; k < 1 + Math.floor(r() * 4); k++) {
      let b = Buffer.from(OWN[Math.floor(r() * OWN.length)] as string);
      if (r() < 0.5) {
        const at = Math.floor(r() * b.length);
        b = r() < 0.5 ? b.subarray(0, at) : Buffer.concat([b.subarray(0, at), Buffer.from(r() < 0.5 ? '\r\n' : 'l: 99999\r\n'), b.subarray(at)]);
      }
      if (r() < 0.3) parts.push(Buffer.from(r() < 0.5 ? '\r\n\r\n' : '\r\n'));
      parts.push(b);
    }
    const all = Buffer.concat(parts);
    const f = new StreamFramer({ maxMessageSize: 2048 });
    let pos = 0;
    let total = 0;
    while (pos < all.length) {
      const n = 1 + Math.floor(r() * 300);
      let out;
      try {
        out = f.push(all.subarray(pos, pos + n));
      } catch (err) {
        assert.fail(`stream ${i} threw ${String(err)}`);
      }
      for (const o of out) {
        if (o.type === 'message') {
          total += o.bytes.length;
          assert.ok(o.bytes.length <= 2048);
          const p = parseMessage(o.bytes, { transport: 'stream' });
          assert.ok(p.ok || p.code === 400 || p.code === 505);
        }
      }
      pos += n;
    }
    assert.ok(total <= all.length);
    assert.ok(f.buffered <= 2048 + 300);
  }
});
