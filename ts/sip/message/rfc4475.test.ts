// RFC 4475 torture messages (testdata/rfc4475.ts, see testdata/rfc4475/README.md): each message is
// written in the RFC's §2 notation, decoded, and checked bit for bit against the SHA-256 recorded in
// SHA256SUMS; valid ones parse with the fields the RFC describes, invalid ones fail with the RFC's
// expected handling, and every one survives a serialize/parse round trip when it parses.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseMessage, serialize, tagOf, tokenList, contacts, headersNamed, headersOfKind, responseToFailure } from './index.js';
import type { NameAddr, ParseFailure, SipMessage, SipRequest, SipResponse } from './index.js';
import { RFC4475_NOTATION, RFC4475_NOT_TRANSCRIBED, Rfc4475NotationError, decodeRfc4475Notation, rfc4475Message } from './testdata/rfc4475.js';

const SUMS = join(fileURLToPath(new URL('.', import.meta.url)), 'testdata', 'rfc4475', 'SHA256SUMS');
const load = (name: string): Buffer => rfc4475Message(name);

/** The messages transcribed so far (RFC4475_NOT_TRANSCRIBED has the other nine of the RFC's 49). */
const TRANSCRIBED = [
  'wsinv', 'intmeth', 'esc01', 'escnull', 'lwsdisp', 'semiuri', 'transports', 'unreason', 'noreason',
  'badinv01', 'clerr', 'ncl', 'scalarlg', 'quotbal', 'ltgtruri', 'lwsruri', 'lwsstart', 'escruri', 'baddate',
  'regbadct', 'badaspec', 'baddn', 'badvers', 'mismatch01', 'mismatch02', 'bigcode', 'badbranch', 'insuf',
  'novelsc', 'unksm2', 'bext01', 'invut', 'regaut01', 'multi01', 'mcl01', 'zeromf', 'cparam01', 'cparam02',
  'regescrt', 'inv2543',
];

function ok(name: string): SipMessage {
  const r = parseMessage(load(name));
  assert.ok(r.ok, `${name}: ${r.ok ? '' : r.reason}`);
  return r.message;
}
function req(name: string): SipRequest {
  const m = ok(name);
  assert.equal(m.type, 'request');
  return m as SipRequest;
}
function res(name: string): SipResponse {
  const m = ok(name);
  assert.equal(m.type, 'response');
  return m as SipResponse;
}
function bad(name: string, code: 400 | 505 = 400): ParseFailure {
  const r = parseMessage(load(name));
  assert.ok(!r.ok, `${name} should not parse`);
  assert.equal(r.code, code, `${name}: ${r.reason}`);
  return r;
}
const addr = (na: NameAddr | '*' | undefined): NameAddr => {
  assert.ok(na !== undefined && na !== '*');
  return na;
};

describe('RFC 4475 torture messages', () => {
  it('the transcribed set is exactly the expected names; with the not-transcribed ones it is the RFC\'s 49', () => {
    assert.deepEqual(Object.keys(RFC4475_NOTATION).sort(), [...TRANSCRIBED].sort());
    const recorded = readFileSync(SUMS, 'utf8').trim().split('\n').map((l) => (l.split(/\s+/)[1] ?? '').replace(/\.dat$/, ''));
    assert.equal(recorded.length, 49);
    assert.deepEqual([...TRANSCRIBED, ...RFC4475_NOT_TRANSCRIBED].sort(), [...recorded].sort());
    for (const name of RFC4475_NOT_TRANSCRIBED) assert.ok(!(name in RFC4475_NOTATION), name);
  });

  it('every transcribed message decodes to the bytes recorded in SHA256SUMS', () => {
    const sums = new Map(readFileSync(SUMS, 'utf8').trim().split('\n').map((l) => {
      const [hash, file] = l.split(/\s+/);
      return [(file ?? '').replace(/\.dat$/, ''), hash];
    }));
    for (const name of TRANSCRIBED) {
      assert.equal(createHash('sha256').update(load(name)).digest('hex'), sums.get(name), name);
    }
  });

  it('§2 notation: CRLF line ends, allOneLine, hex, repeat; malformed notation is a typed error', () => {
    assert.deepEqual(decodeRfc4475Notation('a\nb\n'), Buffer.from('a\r\nb\r\n'));
    assert.deepEqual(
      decodeRfc4475Notation('X\n<allOneLine>\nHeader-name: first value,\n reallylongsecondvalue\n, third value\n</allOneLine>\n'),
      Buffer.from('X\r\nHeader-name: first value, reallylongsecondvalue, third value\r\n'),
    );
    assert.deepEqual(decodeRfc4475Notation('N:<hex>00</hex>\\<hex>7F0D0A</hex>'), Buffer.from([0x4e, 0x3a, 0, 0x5c, 0x7f, 0x0d, 0x0a]));
    assert.deepEqual(decodeRfc4475Notation('1<repeat count=3>0</repeat>,<repeat count=2>a<hex>07</hex></repeat>'), Buffer.from('1000,a\x07a\x07', 'latin1'));
    assert.deepEqual(decodeRfc4475Notation('<allOneLine>\nx<repeat\n count=2>y</repeat>\n</allOneLine>\n'), Buffer.from('xyy\r\n'));
    for (const bad of ['<allOneLine>\nx\n', '<repeat count=2>x', 'x</repeat>', '<hex>0</hex>', '<hex>zz</hex>']) {
      assert.throws(() => decodeRfc4475Notation(bad), (e: unknown) => e instanceof Rfc4475NotationError && e.code === 'RFC4475_NOTATION', bad);
    }
    assert.throws(() => rfc4475Message('no-such-message'), Rfc4475NotationError);
  });

  it('3.1.1.1 wsinv: a short tortuous INVITE', () => {
    const m = req('wsinv');
    assert.equal(m.method, 'INVITE');
    assert.equal(m.uri.type === 'sip' && m.uri.params.has('unknownparam'), true);
    assert.equal(tagOf(m.to), '1918181833n');
    assert.equal(tagOf(m.from), '98asjd8');
    assert.equal(m.from.displayName, 'J Rosenberg \\"');
    assert.equal(m.maxForwards, 68);
    assert.deepEqual(m.cseq, { seq: 9, method: 'INVITE' });
    assert.equal(m.callId, 'wsinv.ndaksdj@192.0.2.1');
    assert.equal(m.via.length, 3);
    assert.deepEqual(m.via.map((v) => [v.protocol, v.transport, v.host, v.params.get('branch')]), [
      ['SIP/2.0', 'UDP', '192.0.2.2', '390skdjuw'],
      ['SIP/2.0', 'TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['SIP/2.0', 'UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    const c = addr(contacts(m)[0]);
    assert.equal(c.displayName, 'Quoted string ""');
    assert.equal(c.params.get('newparam'), 'newvalue');
    assert.equal(c.params.get('secondparam'), null);
    assert.equal(c.params.get('q'), '0.33');
    const route = headersOfKind(m, 'route', 'Route');
    assert.equal(route.length, 1);
    assert.equal(route[0]?.value.uri.type === 'sip' && route[0].value.uri.params.get('unknownwith'), 'value');
    assert.deepEqual(headersNamed(m, 'Subject'), [{ kind: 'raw', name: 'Subject', value: '' }]);
    assert.deepEqual(headersNamed(m, 'NewFangledHeader'), [{ kind: 'raw', name: 'NewFangledHeader', value: 'newfangled value continued newfangled value' }]);
    assert.deepEqual(headersNamed(m, 'UnknownHeaderWithUnusualValue')[0]?.value, ';;,,;;,;');
    assert.equal(m.body.length, 150);
  });

  it('3.1.1.2 intmeth: wide range of valid characters', () => {
    const m = req('intmeth');
    assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
    assert.equal(m.cseq.method, m.method);
    assert.equal(m.cseq.seq, 139122385);
    assert.ok(m.uri.type === 'sip');
    assert.equal(m.uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(m.uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(m.uri.host, 'example.com');
    assert.equal(m.to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
    assert.equal(m.from.displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(tagOf(m.from), "_token~1'+`*%!-.");
    assert.equal(m.callId, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    assert.equal(m.maxForwards, 255);
    assert.equal(m.via[0]?.params.get('branch'), "z9hG4bK-.!%66*_+`'~");
    assert.equal(headersNamed(m, "extensionHeader-!.%*+_`'~").length, 1);
  });

  it('3.1.1.3 esc01: % escapes', () => {
    const m = req('esc01');
    assert.ok(m.uri.type === 'sip');
    assert.equal(m.uri.user, 'sips:user@example.com');
    assert.equal(m.to.uri.type === 'sip' && m.to.uri.user, 'user');
    assert.equal(m.from.uri.type === 'sip' && m.from.uri.user, 'I have spaces');
    assert.equal(m.callId, 'esc01.239409asdfakjkn23onasd0-3234');
    const c = addr(contacts(m)[0]);
    assert.ok(c.uri.type === 'sip');
    assert.equal(c.uri.user, 'caller');
    assert.equal(c.uri.params.get('lr'), null);
    assert.equal(c.uri.params.get('name'), 'value%41');
    assert.equal(headersOfKind(m, 'content-type')[0]?.value.type, 'application');
  });

  it('3.1.1.4 escnull: escaped nulls', () => {
    const m = req('escnull');
    assert.equal(m.to.uri.type === 'sip' && m.to.uri.user, 'null-\x00-null');
    const cs = contacts(m).map((c) => addr(c).uri);
    assert.deepEqual(cs.map((u) => u.type === 'sip' && u.user), ['\x00', '\x00\x00']);
  });

  it('3.1.1.6 lwsdisp: no LWS between display name and <', () => {
    assert.equal(req('lwsdisp').from.displayName, 'caller');
  });

  it('3.1.1.9 semiuri: ; in the userinfo', () => {
    const m = req('semiuri');
    assert.ok(m.uri.type === 'sip');
    assert.equal(m.uri.user, 'user;par=u@example.net');
    assert.equal(m.uri.host, 'example.com');
    assert.equal(m.uri.params.size, 0);
  });

  it('3.1.1.10 transports: unknown transports in Via', () => {
    assert.deepEqual(req('transports').via.map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  });

  it('3.1.1.12 unreason: UTF-8 reason phrase', () => {
    const m = res('unreason');
    assert.equal(m.status, 200);
    assert.ok(m.reason.startsWith('= 2**3 * 5**2 но сто девяносто девять'), m.reason);
  });

  it('3.1.1.13 noreason: empty reason phrase', () => {
    const m = res('noreason');
    assert.equal(m.status, 100);
    assert.equal(m.reason, '');
  });

  it('3.1.2 invalid messages: 400', () => {
    for (const name of ['badinv01', 'clerr', 'ncl', 'quotbal', 'ltgtruri', 'lwsruri', 'lwsstart', 'escruri', 'regbadct', 'badaspec', 'baddn', 'mismatch01', 'mismatch02']) {
      const f = bad(name);
      assert.equal(f.kind, 'request', name);
    }
  });

  it('3.1.2.16 badvers: 505', () => {
    const f = bad('badvers', 505);
    const resp = responseToFailure(f);
    assert.equal(resp?.status, 505);
    assert.equal(resp?.callId, 'badvers.31417@c.example.com');
  });

  it('3.1.2.5 scalarlg, 3.1.2.19 bigcode: bad responses are failures of kind response (dropped)', () => {
    for (const name of ['scalarlg', 'bigcode']) {
      const f = bad(name);
      assert.equal(f.kind, 'response');
      assert.equal(responseToFailure(f), undefined);
    }
  });

  it('3.1.2.12 baddate parses; Date kept verbatim', () => {
    assert.equal(headersNamed(req('baddate'), 'Date')[0]?.value, 'Fri, 01 Jan 2010 16:00:00 EST');
  });

  it('3.2.1 badbranch: bare magic cookie parses', () => {
    assert.equal(req('badbranch').via[0]?.params.get('branch'), 'z9hG4bK');
  });

  it('3.3.1 insuf, 3.3.8 multi01, 3.3.9 mcl01: 400 with what could be salvaged', () => {
    const insuf = bad('insuf');
    assert.equal(insuf.cseq?.seq, 193942);
    assert.equal(insuf.via?.length, 1);
    assert.equal(responseToFailure(insuf), undefined); // no From/To/Call-ID: nothing to answer with
    const multi = bad('multi01');
    assert.match(multi.reason, /more than one/);
    const mcl = bad('mcl01');
    assert.match(mcl.reason, /Content-Length/);
    const resp = responseToFailure(mcl, { toTag: 'x1' });
    assert.equal(resp?.status, 400);
    assert.equal(resp?.to.params.get('tag'), 'x1');
  });

  it('3.3.3 novelsc: opaque Request-URI', () => {
    assert.deepEqual(req('novelsc').uri, { type: 'absolute', scheme: 'soap.beep', opaque: '//192.0.2.103:3002' });
  });

  it('3.3.4 unksm2: unknown schemes in headers', () => {
    const m = req('unksm2');
    assert.deepEqual(m.to.uri, { type: 'absolute', scheme: 'isbn', opaque: '2983792873' });
    assert.equal(m.from.uri.type, 'absolute');
    assert.equal(addr(contacts(m)[0]).uri.type, 'absolute');
  });

  it('3.3.x application-level messages parse (the layers above answer 420/415/401/406/483)', () => {
    const bext = req('bext01');
    assert.ok(tokenList(bext, 'Require').length > 0);
    assert.ok(tokenList(bext, 'Proxy-Require').length > 0);
    assert.equal(req('invut').method, 'INVITE');
    const aut = headersOfKind(req('regaut01'), 'auth');
    assert.equal(aut[0]?.value.scheme, 'NoOneKnowsThisScheme');
    assert.equal(aut[0]?.value.params.get('opaque-data')?.value, 'here');
    assert.equal(req('zeromf').maxForwards, 0);
  });

  it('3.3.12 cparam01, 3.3.13 cparam02: contact vs URI parameters', () => {
    const c1 = addr(contacts(req('cparam01'))[0]);
    assert.equal(c1.params.get('unknownparam'), null);
    assert.equal(c1.uri.type === 'sip' && c1.uri.params.size, 0);
    const c2 = addr(contacts(req('cparam02'))[0]);
    assert.equal(c2.params.size, 0);
    assert.equal(c2.uri.type === 'sip' && c2.uri.params.get('unknownparam'), null);
  });

  it('3.3.14 regescrt: escaped Route in a Contact URI', () => {
    const c = addr(contacts(req('regescrt'))[0]);
    assert.ok(c.uri.type === 'sip');
    assert.deepEqual(c.uri.headers, [['Route', '<sip:sip.example.com>']]);
  });

  it('3.4.1 inv2543: RFC 2543 syntax (no branch, no Max-Forwards, no Content-Length)', () => {
    const m = req('inv2543');
    assert.equal(m.maxForwards, undefined);
    assert.equal(m.via[0]?.params.has('branch'), false);
    assert.ok(m.body.length > 0);
    assert.equal(m.from.uri.type === 'sip' && m.from.uri.params.get('user'), 'phone');
  });

  it('every valid message survives serialize → parse unchanged', () => {
    for (const name of TRANSCRIBED) {
      const r = parseMessage(load(name));
      if (!r.ok) continue;
      const bytes = serialize(r.message);
      const again = parseMessage(bytes, { transport: 'stream' });
      assert.ok(again.ok, `${name}: ${again.ok ? '' : again.reason}`);
      assert.deepEqual(again.message, r.message, name);
      assert.deepEqual(serialize(again.message), bytes, name);
    }
  });
});
