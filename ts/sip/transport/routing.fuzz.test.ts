// Seeded mutation test of the receive path: `ingest` must never throw, must return a typed result,
// and whatever it stamps must still serialize and parse back (a 400 built from salvage too).

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseMessage, serialize } from '../message/index.js';
import { ingest, responseTarget } from './routing.js';
import type { SipPeer } from './types.js';
import { seededRandom } from '../../common/seededRandom.js';

/** mulberry32: deterministic PRNG, so a failure replays from its seed. */
const rng = seededRandom;

const SEED = 0x7a45_5e17;
const ROUNDS = 20_000;
const BASES = [
  'INVITE sip:bob@192.0.2.50:5066 SIP/2.0\r\nVia: SIP/2.0/UDP [2001:db8::5]:5070;rport;branch=z9hG4bK77;received=1.2.3.4\r\nVia: SIP/2.0/TCP p.example;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nTo: <sip:bob@h>\r\nFrom: "A" <sip:a@h>;tag=19\r\nCall-ID: x@y\r\nCSeq: 4 INVITE\r\nContact: <sip:a@10.0.0.2:5070>\r\nContent-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n',
  'REGISTER sip:h SIP/2.0\r\nv: SIP/2.0/TLS host.example;rport=;branch=z9hG4bK9\r\nf: <sip:a@h>;tag=1\r\nt: <sip:a@h>\r\ni: r1\r\nCSeq: 1 REGISTER\r\nm: <sip:a@10.0.0.2;transport=tls>;expires=60\r\nl: 0\r\n\r\n',
  'SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 192.0.2.50:5066;branch=z9hG4bK3;rport=5066;received=192.0.2.50\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: z\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n',
  '\r\n\r\n',
];
const SPICE = ['\r\n', ';', ';rport', ';received=', '=', ':', '[', ']', '::', '0', '65536', ' ', '\u0000', '\u00ff', ',', 'SIP/2.0/UDP ', '\r\n\r\n'];
const SOURCES: SipPeer[] = [
  { transport: 'udp', address: '198.51.100.7', port: 40000 },
  { transport: 'tcp', address: '2001:db8::1', port: 1, connectionId: 3 },
  { transport: 'tls', address: '127.0.0.1', port: 65535, connectionId: 4 },
];

it(`ingest survives ${ROUNDS} mutated inputs (seed ${SEED.toString(16)})`, () => {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const counts = { keepalive: 0, message: 0, bad: 0, answered: 0, oversize: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    let b = Buffer.from(pick(BASES), 'latin1');
    const edits = 1 + Math.floor(r() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(r() * (b.length + 1));
      switch (Math.floor(r() * 5)) {
        case 0:
          if (b.length > 0) {
            const k = Math.min(at, b.length - 1);
            b[k] = (b[k] as number) ^ (1 << Math.floor(r() * 8));
          }
          break;
        case 1:
          b = b.subarray(0, at);
          break;
        case 2:
          b = Buffer.concat([b.subarray(0, at), Buffer.from(pick(SPICE), 'latin1'), b.subarray(at)]);
          break;
        case 3: // doubled: a second message glued on, and the size limit reached
          b = Buffer.concat([b, b]);
          break;
        default:
          b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(r() * 20)))]);
      }
    }
    const source = pick(SOURCES);
    const framing = source.transport === 'udp' ? 'datagram' : 'stream';
    const res = ingest(b, source, { framing, maxMessageSize: 600 });
    counts[res.type]++;
    switch (res.type) {
      case 'message': {
        const again = parseMessage(serialize(res.message), { transport: 'stream' });
        assert.ok(again.ok, `stamped message does not reparse (round ${i}): ${again.ok ? '' : again.reason}`);
        const target = responseTarget(res.message.via[0], source);
        assert.ok(Number.isInteger(target.port) && target.port > 0 && target.port < 65536, `bad target port ${target.port}`);
        break;
      }
      case 'bad':
        if (res.response !== undefined) {
          counts.answered++;
          assert.ok(parseMessage(serialize(res.response)).ok, `400 does not reparse (round ${i})`);
        }
        break;
      case 'keepalive':
      case 'oversize':
        break;
    }
  }
  // The mix must exercise every branch, or the test proves little.
  for (const [k, n] of Object.entries(counts)) assert.ok(n > 50, `${k}: only ${n}`);
});
