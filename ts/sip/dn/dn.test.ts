// Table-driven tests of the sip-register syntax (every example of seed 001's option reference and
// its platform-configuration example) and of the proposed sip-register-credentials option.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDn, parseDnCredentials, parseDnPattern, parseDnPatterns } from './index.js';

// [pattern, DNs that match, DNs that do not]
const MATCH_TABLE: Array<[string, string[], string[]]> = [
  // seed 001, sip-register "Valid values" example: 1020,2020-2050,003000,556*,100*10,123??78,+408555
  ['1020', ['1020'], ['01020', '102', '10200', '+1020']],
  ['2020-2050', ['2020', '2035', '2050'], ['2019', '2051', '02035', '+2035', '203', '20350']],
  ['003000', ['003000'], ['3000', '03000', '0030000']],
  ['556*', ['556', '5560', '556123456789'], ['55', '5561a', '+5561', '1556', '0556']],
  ['100*10', ['10010', '100510', '10099910', '1001010'], ['1001', '100101', '10011', '1010']],
  ['123??78', ['1230078', '1239978', '1234578'], ['123078', '12345678', '123457', '+1234578']],
  ['+408555', ['+408555'], ['408555', '+4085550', '++408555']],
  // seed 001, platform configuration example: 8100-8199,9000,9002,9800-9820
  ['8100-8199', ['8100', '8150', '8199'], ['8099', '8200', '810', '81000']],
  ['9000', ['9000'], ['9001']],
  ['9800-9820', ['9800', '9820'], ['9821', '9799']],
  // leading zeros and the plus are exact
  ['0100-0199', ['0100', '0150', '0199'], ['150', '100', '00150', '+0150']],
  ['+4930*', ['+4930', '+493012', '+4930123456'], ['493012', '+4931', '4930']],
  ['+4930100-+4930199', ['+4930150'], ['4930150']],
  ['+4930100-4930199', ['+4930150'], ['4930150']],
  ['*', ['0', '123456'], ['+1', '']],
  ['+*', ['+1'], ['1']],
  ['??', ['00', '99'], ['0', '000']],
  ['1**2', ['12', '1002'], ['1']],
  ['5-5', ['5'], ['4', '6']],
];

describe('sip-register patterns', () => {
  for (const [pattern, yes, no] of MATCH_TABLE) {
    it(`${pattern}`, () => {
      const set = parseDnPatterns(pattern);
      for (const dn of yes) assert.ok(set.matches(dn), `${pattern} should match ${JSON.stringify(dn)}`);
      for (const dn of no) assert.ok(!set.matches(dn), `${pattern} should not match ${JSON.stringify(dn)}`);
    });
  }

  it('the full seed examples as one option value', () => {
    const set = parseDnPatterns('1020,2020-2050,003000,556*,100*10,123??78,+408555');
    assert.deepEqual(set.patterns.map((p) => p.kind), ['exact', 'range', 'exact', 'wildcard', 'wildcard', 'wildcard', 'exact']);
    assert.equal(set.find('2030')?.source, '2020-2050');
    assert.equal(set.find('7777'), undefined);
    assert.equal(set.describe(), '7 entries: 1020, 2020-2050 (31 DNs), 003000, 556* (wildcard), 100*10 (wildcard), 123??78 (wildcard), +408555');
    assert.equal(String(set), '1020,2020-2050,003000,556*,100*10,123??78,+408555');
    const platform = parseDnPatterns('8100-8199,9000,9002,9800-9820');
    assert.ok(['8100', '9000', '9002', '9810'].every((d) => platform.matches(d)));
    assert.ok(!platform.matches('9001'));
  });

  it('whitespace around entries is ignored; empty value is the empty set; round-trip', () => {
    const set = parseDnPatterns(' 8100-8199 ,\t9000 , +4930100-+4930199 ,5**6');
    assert.equal(String(set), '8100-8199,9000,+4930100-4930199,5*6');
    assert.deepEqual(parseDnPatterns(String(set)).patterns.map((p) => p.kind), set.patterns.map((p) => p.kind));
    for (const v of ['', '   ']) {
      const e = parseDnPatterns(v);
      assert.ok(e.isEmpty && !e.matches('8100'));
      assert.equal(e.describe(), 'no DNs (every sign-in is anonymous)');
    }
    assert.equal(parseDnPatterns('1-1').describe(), '1 entry: 1-1 (1 DN)');
    assert.equal(parseDnPatterns('000000000000000000000-999999999999999999999').describe(), '1 entry: 000000000000000000000-999999999999999999999 (1000000000000000000000 DNs)');
  });

  it('matches() is false for anything that is not a DN', () => {
    const set = parseDnPatterns('*,+*');
    for (const dn of ['', '+', 'alice', '12 34', '12a', '1-2', '١٢٣', '12\n', ' 12']) assert.ok(!set.matches(dn), JSON.stringify(dn));
    assert.ok(isDn('+0012') && !isDn('0+012'));
  });

  it('long wildcards match in linear time', () => {
    const set = parseDnPatterns(`${'*1'.repeat(30)}*2`);
    const t = performance.now();
    assert.ok(!set.matches('1'.repeat(5000)));
    assert.ok(performance.now() - t < 500);
  });

  const BAD: Array<[string, string]> = [
    ['81a0-8199', 'item "81a0-8199": range bounds must be digits of equal length'],
    ['a-b', 'item "a-b": range bounds must be digits of equal length'],
    ['8100-819', 'item "8100-819": range bounds must be digits of equal length'],
    ['100-99', 'item "100-99": range bounds must be digits of equal length'],
    ['8199-8100', 'item "8199-8100": range start is above its end'],
    ['8?00-8199', 'item "8?00-8199": wildcards are not allowed in a range'],
    ['8100-8199-8299', 'item "8100-8199-8299": more than one "-"'],
    ['8100-', 'item "8100-": range bounds must be digits of equal length'],
    ['-8100', 'item "-8100": range bounds must be digits of equal length'],
    ['4930100-+4930199', 'item "4930100-+4930199": the range end has "+" but its start has not'],
    ['12+34', 'item "12+34": "+" is only allowed as the first character'],
    ['++12', 'item "++12": "+" is only allowed as the first character'],
    ['+', 'item "+": no digits after "+"'],
    ['81 00', 'item "81 00": whitespace inside an entry'],
    ['8100,,9000', 'item 2 is empty (stray comma?)'],
    ['8100,', 'item 2 is empty (stray comma?)'],
    ['alice', 'item "alice": unexpected character "a": a DN has digits, a leading "+" and the wildcards * and ?'],
    ['9000;9001', 'item "9000;9001": unexpected character ";": a DN has digits, a leading "+" and the wildcards * and ?'],
  ];
  for (const [value, message] of BAD) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      assert.throws(() => parseDnPatterns(value), (err: unknown) => err instanceof Error && err.constructor === Error && err.message === message);
    });
  }
  it('parseDnPattern rejects an empty item', () => assert.throws(() => parseDnPattern(''), /empty item/));
});

describe('sip-register-credentials', () => {
  it('per DN, per range with {dn}, wildcard, realm filter, first match wins', () => {
    const t = parseDnCredentials('8150:boss:b0ss, 8100-8199:{dn}:secret-{dn}, +4930*:{dn}:shared:sip.example.net, 9000:alice:s3cr\\,et\\:x\\\\y:sip.example.net, 9000:alice-any:p');
    assert.deepEqual(t.credentialsFor('8150'), { username: 'boss', password: 'b0ss' });
    assert.deepEqual(t.credentialsFor('8101'), { username: '8101', password: 'secret-8101' });
    assert.deepEqual(t.credentialsFor('0810'), undefined);
    assert.deepEqual(t.credentialsFor('+493012', 'sip.example.net'), { username: '+493012', password: 'shared' });
    assert.equal(t.credentialsFor('+493012', 'other.net'), undefined);
    assert.deepEqual(t.credentialsFor('+493012'), { username: '+493012', password: 'shared' }, 'no realm known: realm filters do not apply');
    assert.deepEqual(t.credentialsFor('9000', 'sip.example.net'), { username: 'alice', password: 's3cr,et:x\\y' });
    assert.deepEqual(t.lookup({ realm: 'elsewhere', user: '9000' }), { username: 'alice-any', password: 'p' });
    assert.equal(t.entries.length, 5);
  });

  it('escapes: literal {dn}, kept trailing space; empty value', () => {
    const t = parseDnCredentials('1:u\\{dn}:pw\\ ');
    assert.deepEqual(t.credentialsFor('1'), { username: 'u{dn}', password: 'pw ' });
    const e = parseDnCredentials('  ');
    assert.ok(e.isEmpty && e.credentialsFor('1') === undefined);
  });

  it('describe() never shows a password', () => {
    const t = parseDnCredentials('8100-8199:{dn}:topsecret{dn}, 9000:alice:hunter2:sip.example.net');
    const d = t.describe();
    assert.equal(d, '8100-8199 as {dn}:***, 9000 as alice:*** in realm sip.example.net');
    assert.ok(!d.includes('topsecret') && !d.includes('hunter2'));
  });

  const BAD: Array<[string, string]> = [
    ['8100', 'entry 1 (8100): expected <DN or range>:<username>:<password>[:<realm>], got 1 field'],
    ['8100:u', 'entry 1 (8100): expected <DN or range>:<username>:<password>[:<realm>], got 2 fields'],
    ['8100:u:p:r:x', 'entry 1 (8100): expected <DN or range>:<username>:<password>[:<realm>], got 5 fields'],
    ['8100:u:p,,9000:u:p', 'entry 2 is empty (stray comma?)'],
    ['81a0-8199:u:p', 'entry 1 (81a0-8199): item "81a0-8199": range bounds must be digits of equal length'],
    ['81x0:u:p', 'entry 1 (81x0): item "81x0": unexpected character "x": a DN has digits, a leading "+" and the wildcards * and ?'],
    ['8199-8100:u:p', 'entry 1 (8199-8100): item "8199-8100": range start is above its end'],
    [':u:p', 'entry 1: empty item'],
    ['8100::p', 'entry 1 (8100): the username is empty'],
    ['8100:u:', 'entry 1 (8100): the password is empty'],
    ['8100:u:p:', 'entry 1 (8100): the realm is empty (leave out the last ":" for any realm)'],
    ['8100:u:p\\', 'entry 1: dangling "\\" at the end'],
    ['8100:u:p\u0007w', 'entry 1 (8100): the password contains a control character'],
  ];
  for (const [value, message] of BAD) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => parseDnCredentials(value),
        (err: unknown) => err instanceof Error && err.message === message && !/\bp\b|hunter/.test(err.message.replace('<password>', '')),
      );
    });
  }
});
