// RFC 4475 torture messages (testdata/rfc4475, see its README): valid ones parse with the fields
// the RFC describes, invalid ones fail with the RFC's expected handling, and every one survives
// a serialize/parse round trip when it parses.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseMessage, serialize, tagOf, tokenList, contacts, headersNamed, headersOfKind, responseToFailure } from './index.js';
import type { NameAddr, ParseFailure, SipMessage, SipRequest, SipResponse } from './index.js';

const DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'testdata', 'rfc4475');
const load = (name: string): Buffer => readFileSync(join(DIR, `${name}.dat`));

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
  it('files are the recorded copies (SHA256SUMS)', () => {
    const sums = readFileSync(join(DIR, 'SHA256SUMS'), 'utf8').trim().split('\n');
    assert.equal(sums.length, 49);
    for (const line of sums) {
      const [hash, file] = line.split(/\s+/);
      assert.equal(createHash('sha256').update(readFileSync(join(DIR, file as string))).digest('hex'), hash, file);
    }
    assert.equal(readdirSync(DIR).filter((f) => f.endsWith('.dat')).length, 49);
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

  it('3.1.1.5 esc02: % that is not an escape', () => {
    const m = req('esc02');
    assert.equal(m.method, 'RE%47IST%45R');
    assert.equal(m.to.displayName, '%Z%45');
    assert.equal(contacts(m).length, 2);
    assert.deepEqual(headersNamed(m, 'C%6Fntact').map((h) => h.value), ['<sip:alias2@host2.example.com>']);
  });

  it('3.1.1.6 lwsdisp: no LWS between display name and <', () => {
    assert.equal(req('lwsdisp').from.displayName, 'caller');
  });

  it('3.1.1.7 longreq: long values', () => {
    const m = req('longreq');
    assert.equal(m.to.displayName?.length, 'I have a user name of  proportion'.length + 10 * 'extreme'.length);
    assert.ok(m.via.length >= 30, `via ${m.via.length}`);
    assert.ok(m.callId.length > 100);
    assert.ok((tagOf(m.from)?.length ?? 0) > 100);
  });

  it('3.1.1.8 dblreq: the trailing second request of a datagram is dropped', () => {
    const r = parseMessage(load('dblreq'));
    assert.ok(r.ok);
    assert.equal(r.message.type === 'request' && r.message.method, 'REGISTER');
    assert.equal(r.message.body.length, 0);
    assert.ok(r.truncated > 0);
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

  it('3.1.1.11 mpart01: multipart body kept intact', () => {
    const m = req('mpart01');
    const ct = headersOfKind(m, 'content-type')[0]?.value;
    assert.equal(ct?.type, 'multipart');
    assert.equal(ct?.subtype, 'mixed');
    assert.ok(ct?.params.has('boundary'));
    assert.ok(m.body.length > 500);
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
    for (const name of ['badinv01', 'clerr', 'ncl', 'scalar02', 'quotbal', 'ltgtruri', 'lwsruri', 'lwsstart', 'trws', 'escruri', 'regbadct', 'badaspec', 'baddn', 'mismatch01', 'mismatch02']) {
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

  it('3.3.2 unkscm, 3.3.3 novelsc: opaque Request-URIs', () => {
    assert.deepEqual(req('unkscm').uri, { type: 'absolute', scheme: 'nobodyknowsthisscheme', opaque: 'totallyopaquecontent' });
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
    assert.equal(req('sdp01').method, 'INVITE');
    assert.equal(req('zeromf').maxForwards, 0);
    assert.equal(res('bcast').via[1]?.host, '255.255.255.255');
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
    for (const f of readdirSync(DIR).filter((x) => x.endsWith('.dat'))) {
      const r = parseMessage(readFileSync(join(DIR, f)));
      if (!r.ok) continue;
      const bytes = serialize(r.message);
      const again = parseMessage(bytes, { transport: 'stream' });
      assert.ok(again.ok, `${f}: ${again.ok ? '' : again.reason}`);
      assert.deepEqual(again.message, r.message, f);
      assert.deepEqual(serialize(again.message), bytes, f);
    }
  });
});
