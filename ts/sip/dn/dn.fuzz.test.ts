// Seeded mutation test: parseDnPatterns throws only plain Errors naming an item, what it accepts
// round-trips through toString(), and matches() (fed browser-chosen ids) agrees with a reference
// built from regular expressions and never throws.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDnPatterns, type DnPattern, type DnPatternSet } from './index.js';
import { seededRandom } from '../../common/seededRandom.js';

const rng = seededRandom;

function reference(p: DnPattern, dn: string): boolean {
  switch (p.kind) {
    case 'exact':
      return dn === p.dn;
    case 'range': {
      const m = /^(\+?)([0-9]+)$/.exec(dn);
      if (m === null || (m[1] === '+') !== p.plus || m[2]?.length !== p.from.length) return false;
      const v = BigInt(m[2]);
      return v >= BigInt(p.from) && v <= BigInt(p.to);
    }
    case 'wildcard':
      return new RegExp(`^${p.plus ? '\\+' : ''}${p.glob.replace(/\?/g, '[0-9]').replace(/\*/g, '[0-9]*')}$`).test(dn);
  }
}

const SEED = 0xd0e5;
const ROUNDS = 5000;
const BASE = '1020,2020-2050,003000,556*,100*10,123??78,+408555,8100-8199';
const ALPHABET = '0123456789+-*?, a';

it(`sip-register parser and matcher survive ${ROUNDS} mutations (seed ${SEED.toString(16)})`, () => {
  const r = rng(SEED);
  const n = (k: number): number => Math.floor(r() * k);
  let accepted = 0;
  for (let i = 0; i < ROUNDS; i++) {
    let s = BASE;
    for (let e = 1 + n(3); e > 0; e--) {
      const at = n(s.length + 1);
      s = n(2) === 0 ? s.slice(0, at) + (ALPHABET[n(ALPHABET.length)] ?? '') + s.slice(at) : s.slice(0, at) + s.slice(at + 1 + n(3));
    }
    let set: DnPatternSet;
    try {
      set = parseDnPatterns(s);
    } catch (err) {
      assert.ok(err instanceof Error && err.constructor === Error && /^item /.test(err.message), `mutation ${i}: ${String(err)}`);
      continue;
    }
    accepted++;
    assert.equal(String(parseDnPatterns(String(set))), String(set), `mutation ${i} round-trip`);
    for (let k = 0; k < 20; k++) {
      let dn = n(4) === 0 ? '+' : '';
      for (let len = 1 + n(9); len > 0; len--) dn += n(30) === 0 ? ALPHABET[n(ALPHABET.length)] : String(n(10));
      const expected = set.patterns.some((p) => reference(p, dn));
      assert.equal(set.matches(dn), expected, `mutation ${i}: ${JSON.stringify(s)} vs ${JSON.stringify(dn)}`);
    }
  }
  assert.ok(accepted > 500 && accepted < ROUNDS - 500, `both paths exercised (accepted ${accepted})`);
});
