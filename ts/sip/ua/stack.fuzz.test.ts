// Seeded mutation test: messages of a real call, mutated (byte flips, truncations, insertions,
// header duplication) and fed to a stack with a live session. Whatever the parser accepts must
// never make the stack throw or report an internal error; the call in progress goes on.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseMessage, serialize } from '../message/index.js';
import { ALICE_ADDR, BOB_URI, addr, pair, sdp, uri } from './harness.js';
import { seededRandom } from '../../common/seededRandom.js';

const rng = seededRandom;

const SEED = 0x5ac0_1234;
const ROUNDS = 5_000;

it(`a stack survives ${ROUNDS} mutated messages during a call (seed ${SEED.toString(16)})`, () => {
  const { clock, net, alice, bob } = pair();
  const errors: unknown[] = [];
  for (const s of [alice, bob]) s.on('internalError', (e) => errors.push(e));
  bob.on('invite', (s) => s.accept(sdp()));
  const call = alice.invite({ target: uri(BOB_URI), from: addr(ALICE_ADDR), sdp: sdp() });
  clock.advance(100);
  void call.reinvite(sdp('sendonly'));
  clock.advance(100);
  void call.info('x=1', 'application/x-www-form-urlencoded');
  clock.advance(100);
  const bases = net.log.map((s) => serialize(s.msg));
  assert.ok(bases.length >= 6);
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const SPICE = ['\r\n', ' ', ';', ',', '<', '>', 'tag=', '0', '99999999999', 'z9hG4bK', ';lr', 'sip:', '\u0000'];
  let accepted = 0;
  for (let i = 0; i < ROUNDS; i++) {
    let text = pick(bases).toString('latin1');
    const n = 1 + Math.floor(r() * 4);
    for (let k = 0; k < n; k++) {
      const at = Math.floor(r() * text.length);
      switch (Math.floor(r() * 4)) {
        case 0:
          text = text.slice(0, at) + String.fromCharCode(Math.floor(r() * 256)) + text.slice(at + 1);
          break;
        case 1:
          text = text.slice(0, at) + pick(SPICE) + text.slice(at);
          break;
        case 2:
          text = text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 8));
          break;
        default: {
          const lines = text.split('\r\n');
          const li = 1 + Math.floor(r() * Math.max(1, lines.length - 3));
          lines.splice(li, 0, lines[li] ?? '');
          text = lines.join('\r\n');
        }
      }
    }
    const parsed = parseMessage(Buffer.from(text, 'latin1'));
    if (!parsed.ok) continue;
    accepted++;
    const target = r() < 0.5 ? alice : bob;
    target.receive(parsed.message, { transport: 'udp', address: '127.0.0.3', port: 5099 });
    if (i % 50 === 0) clock.advance(600);
  }
  clock.advance(70_000);
  assert.deepEqual(errors, []);
  assert.ok(accepted > ROUNDS / 10, `only ${accepted} mutated messages parsed`);
});
