import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  buildSipAnswer,
  buildSipOffer,
  codecPolicyFromOptions,
  negotiateSipAnswer,
  parseCodecsOption,
  parseSipSdp,
  SipSdpError,
  type CodecPolicy,
} from './index.js';
import { mutateLines } from '../testing/mutateLines.js';

const dir = new URL('./testdata/', import.meta.url);
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.sdp'))
  .sort()
  .map((f) => readFileSync(new URL(f, dir), 'utf8').split('\r\n'));
const local = { address: '127.0.0.1', port: 9000, session: { id: '1', version: 1 } };
const policies: CodecPolicy[] = [
  codecPolicyFromOptions(),
  codecPolicyFromOptions({ 'sip-srtp-mode': 'optional' }),
  codecPolicyFromOptions({ 'sip-srtp-mode': 'strict', codecs: '(pcmu,opus,telephone-event,cn)' }),
];

/** Deterministic xorshift32, so a failure reproduces. */
function rng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

describe('garbage in, SipSdpError out', () => {
  it('5000 mutated SIP SDPs: parse, answer and negotiate throw only SipSdpError', () => {
    const rand = rng(0x51b5d9);
    const junk = ['', ' ', ':', '=', '/', '|', '0', '-1', '0.0.0.0', '::1', '99999', '2^99', 'NaN', '\r\n', 'm=', 'c=', 'a=', 'inline:', 'RTP/SAVP', '\u0000', 'é', 'a=rtpmap:', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:', 'a=rtcp:', 'IN IP6'];
    const offers = policies.map((p) => buildSipOffer(local, p, { random: (n) => new Uint8Array(n) }));
    let errors = 0;
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const src = [...(sources[rand(sources.length)] as string[])];
      const edits = 1 + rand(5);
      for (let e = 0; e < edits; e++) mutateLines(src, rand, junk, 70000);
      const sdp = src.join(rand(4) === 0 ? '\n' : '\r\n');
      const which = rand(policies.length);
      try {
        const parsed = parseSipSdp(sdp);
        if (rand(2) === 0) {
          const { sdp: answer } = buildSipAnswer(parsed, policies[which] as CodecPolicy, local, { random: (n) => new Uint8Array(n) });
          parseSipSdp(answer);
        } else {
          negotiateSipAnswer(offers[which] as (typeof offers)[number], parsed);
        }
        accepted++;
      } catch (err) {
        if (!(err instanceof SipSdpError)) assert.fail(`mutation ${i} threw ${String(err)}\n${sdp}`);
        errors++;
      }
    }
    assert.equal(errors + accepted, 5000);
    assert.ok(accepted > 200 && errors > 200, `both paths exercised (accepted ${accepted}, rejected ${errors})`);
  });

  it('2000 mutated codecs options throw only a plain Error with a message', () => {
    const rand = rng(0x0c0dec5);
    const base = '(g722,pcmu,pcma,opus,g729,telephone-event=126,vp8=100,h264=(pt=108,fntp="[profile-level-id=42000B;packetization-mode=1]"))';
    const alphabet = '(),=/"[];ptfnxog0123456789 ';
    let ok = 0;
    for (let i = 0; i < 2000; i++) {
      let v = base;
      for (let e = 1 + rand(3); e > 0; e--) {
        const pos = rand(v.length + 1);
        v = rand(2) === 0 ? v.slice(0, pos) + alphabet[rand(alphabet.length)] + v.slice(pos) : v.slice(0, pos) + v.slice(pos + 1 + rand(3));
      }
      try {
        parseCodecsOption(v);
        ok++;
      } catch (err) {
        assert.ok(err instanceof Error && Object.getPrototypeOf(err) === Error.prototype && err.message.length > 0, `${v}: ${String(err)}`);
      }
    }
    assert.ok(ok > 50, `some mutations stay valid (${ok})`);
  });
});
