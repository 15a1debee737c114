// Table-driven tests of every header kind, start lines, bodies, and builders.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createRequest,
  createResponse,
  headersOfKind,
  isKeepAlive,
  isRfc3261Branch,
  newBranch,
  newCallId,
  newTag,
  parseMessage,
  parseNameAddrText,
  parseUri,
  parseViaText,
  serialize,
  sipUri,
  formatUri,
  tokenList,
} from './index.js';
import type { SipHeader, SipMessage, SipRequest } from './index.js';

const BASE = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc',
  'From: <sip:alice@example.com>;tag=a1',
  'To: <sip:bob@example.com>',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 1 OPTIONS',
  'Max-Forwards: 70',
];

/** A request with extra header lines and an optional body. */
function msg(extra: string[], body = '', startLine?: string): string {
  const lines = [...BASE];
  if (startLine !== undefined) lines[0] = startLine;
  return [...lines, ...extra, '', body].join('\r\n');
}

function parseOk(text: string): SipMessage {
  const r = parseMessage(text);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  const again = parseMessage(serialize(r.message), { transport: 'stream' });
  assert.ok(again.ok, again.ok ? '' : `round trip: ${again.reason}`);
  assert.deepEqual(again.message, r.message);
  return r.message;
}

function headers(extra: string[]): SipHeader[] {
  return parseOk(msg(extra)).headers;
}

describe('compact forms (RFC 3261 §7.3.3 and extensions)', () => {
  const table: Array<[string, string]> = [
    ['i: x@y', 'Call-ID'], ['m: <sip:a@b>', 'Contact'], ['e: gzip', 'Content-Encoding'], ['l: 0', 'Content-Length'],
    ['c: application/sdp', 'Content-Type'], ['f: <sip:a@b>;tag=1', 'From'], ['s: hi', 'Subject'], ['k: timer', 'Supported'],
    ['t: <sip:b@c>', 'To'], ['v: SIP/2.0/TCP h;branch=z9hG4bK1', 'Via'], ['o: refer;id=9', 'Event'], ['u: refer', 'Allow-Events'],
    ['r: <sip:c@d>', 'Refer-To'], ['b: <sip:e@f>', 'Referred-By'], ['x: 1800;refresher=uac', 'Session-Expires'],
  ];
  for (const [line, canonical] of table) {
    it(`${line} → ${canonical}`, () => {
      // Replace the base header when the compact form names a mandatory one.
      const name = canonical;
      const base = BASE.filter((l) => !l.toLowerCase().startsWith(name.toLowerCase() + ':'));
      const text = [...base, line, '', ''].join('\r\n');
      const m = parseOk(text);
      switch (name) {
        case 'Call-ID': assert.equal(m.callId, 'x@y'); break;
        case 'From': assert.equal(m.from.params.get('tag'), '1'); break;
        case 'To': assert.equal(m.to.uri.type === 'sip' && m.to.uri.host, 'c'); break;
        case 'Via': assert.equal(m.via[0]?.transport, 'TCP'); break;
        case 'Content-Length': assert.equal(m.body.length, 0); break;
        default: assert.equal(m.headers[0]?.name, canonical);
      }
    });
  }
  it('header names are case-insensitive', () => {
    const m = parseOk(msg(['sUpPoRtEd: timer', 'CONTACT: <sip:x@y>', 'l: 0']));
    assert.deepEqual(tokenList(m, 'Supported'), ['timer']);
    assert.equal(headersOfKind(m, 'contact').length, 1);
  });
});

describe('Via', () => {
  const rows: Array<[string, Record<string, string | null>, string, number | undefined]> = [
    ['SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1', { branch: 'z9hG4bK1' }, '192.0.2.1', undefined],
    ['SIP/2.0/UDP host.example.com:5070;branch=z9hG4bK2;rport', { branch: 'z9hG4bK2', rport: null }, 'host.example.com', 5070],
    ['SIP/2.0/TCP [2001:db8::1]:5060;branch=z9hG4bK3;rport=5062;received=192.0.2.9', { branch: 'z9hG4bK3', rport: '5062', received: '192.0.2.9' }, '[2001:db8::1]', 5060],
    ['SIP / 2.0 / UDP  h ; branch = z9hG4bK4 ; maddr=224.2.0.1 ; ttl=16', { branch: 'z9hG4bK4', maddr: '224.2.0.1', ttl: '16' }, 'h', undefined],
    ['SIP/2.0/udp h;received=2001:db8::9', { received: '2001:db8::9' }, 'h', undefined],
  ];
  for (const [text, params, host, port] of rows) {
    it(text, () => {
      const r = parseViaText(text);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.equal(r.value.host, host);
      assert.equal(r.value.port, port);
      assert.deepEqual(Object.fromEntries(r.value.params), params);
      assert.equal(r.value.transport, r.value.transport.toUpperCase());
    });
  }
  for (const text of ['SIP/2.0 h', 'SIP/2.0/UDP', 'SIP/2.0/UDP h;branch', 'SIP/2.0/UDP h;rport=x', 'SIP/2.0/UDP h;ttl=300', 'SIP/2.0/UDP h:99999', 'SIP/2.0/UDP h;;', 'SIP/2.0/UDP h;received', 'SIP/2.0/UDP [::1']) {
    it(`rejects ${text}`, () => assert.equal(parseViaText(text).ok, false));
  }
  it('comma-separated and repeated Via lines keep their order', () => {
    const m = parseOk(msg(['Via: SIP/2.0/UDP b;branch=z9hG4bK2, SIP/2.0/TCP c;branch=z9hG4bK3']));
    assert.deepEqual(m.via.map((v) => v.host), ['192.0.2.1', 'b', 'c']);
  });
});

describe('URIs', () => {
  const rows: Array<[string, Record<string, unknown>]> = [
    ['sip:alice@example.com', { type: 'sip', secure: false, user: 'alice', host: 'example.com' }],
    ['SIPS:alice:secret@EXAMPLE.com:5061', { type: 'sip', secure: true, user: 'alice', password: 'secret', host: 'EXAMPLE.com', port: 5061 }],
    ['sip:[2001:db8::1]:5060;transport=tcp;lr', { host: '[2001:db8::1]', port: 5060 }],
    ['sip:%61lice@h', { user: 'alice' }],
    ['sip:+15551234567@gw.example.com;user=phone', { user: '+15551234567' }],
    ['sip:h?subject=hi%20there&priority=urgent', { host: 'h' }],
    ['tel:+1-201-555-0123;phone-context=example.com', { type: 'tel', number: '+1-201-555-0123' }],
    ['urn:service:sos', { type: 'absolute', scheme: 'urn', opaque: 'service:sos' }],
  ];
  for (const [text, expected] of rows) {
    it(text, () => {
      const r = parseUri(text);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual((r.uri as unknown as Record<string, unknown>)[k], v, k);
      const again = parseUri(formatUri(r.uri));
      assert.ok(again.ok);
      assert.deepEqual(again.uri, r.uri);
    });
  }
  it('uri parameters and headers', () => {
    const r = parseUri('sip:h;transport=TCP;lr;maddr=239.1.1.1;user=phone?Replaces=abc%40h%3Bto-tag%3D1&x=');
    assert.ok(r.ok && r.uri.type === 'sip');
    assert.deepEqual([...r.uri.params], [['transport', 'TCP'], ['lr', null], ['maddr', '239.1.1.1'], ['user', 'phone']]);
    assert.deepEqual(r.uri.headers, [['Replaces', 'abc@h;to-tag=1'], ['x', '']]);
  });
  for (const text of ['sip:', 'sip:@h', 'sip:a@', 'sip:a b@h', 'sip:h:port', 'sip:h:70000', 'sip:h;;', 'sip:h;=x', 'sip:%zz@h', 'sip:[::1', '<sip:h>', ':x', 'tel:', 'foo:', 'sip:h;p=']) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseUri(text).ok, false));
  }
  it('sipUri builder formats with escapes', () => {
    assert.equal(formatUri(sipUri({ user: 'a b@c', host: 'h', port: 5070, params: { transport: 'tcp', lr: null } })), 'sip:a%20b%40c@h:5070;transport=tcp;lr');
  });
});

describe('name-addr', () => {
  const rows: Array<[string, string | undefined, Record<string, string | null>]> = [
    ['"Alice \\"A\\" Smith" <sip:alice@example.com>;tag=1', 'Alice "A" Smith', { tag: '1' }],
    ['Alice Smith <sip:alice@example.com>', 'Alice Smith', {}],
    ['<sip:alice@example.com;transport=tcp>;expires=60;q=0.5', undefined, { expires: '60', q: '0.5' }],
    ['sip:alice@example.com;tag=x', undefined, { tag: 'x' }],
    ['"" <sip:a@b>', '', {}],
    ['<sip:a@b>;x="quoted, value; here"', undefined, { x: '"quoted, value; here"' }],
  ];
  for (const [text, dn, params] of rows) {
    it(text, () => {
      const r = parseNameAddrText(text);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.equal(r.value.displayName, dn);
      assert.deepEqual(Object.fromEntries(r.value.params), params);
    });
  }
  for (const text of ['"unterminated <sip:a@b>', 'Bell, A <sip:a@b>', '< sip:a@b >', 'sip:a@b?x=y', '<sip:a@b', '<sip:a@b>;;', '<sip:a@b> junk']) {
    it(`rejects ${text}`, () => assert.equal(parseNameAddrText(text).ok, false));
  }
});

describe('typed headers', () => {
  it('Contact: list with quoted commas, and *', () => {
    const hs = headers(['Contact: "A, B" <sip:a@h>;expires=30, <sip:b@h;lr>, sip:c@h;q=0.1']);
    assert.equal(hs.length, 3);
    assert.ok(hs[0]?.kind === 'contact' && hs[0].value !== '*' && hs[0].value.displayName === 'A, B');
    assert.ok(hs[2]?.kind === 'contact' && hs[2].value !== '*' && hs[2].value.params.get('q') === '0.1');
    const star = headers(['Contact: *', 'Expires: 0']);
    assert.deepEqual(star[0], { kind: 'contact', name: 'Contact', value: '*' });
    assert.deepEqual(star[1], { kind: 'expires', name: 'Expires', value: 0 });
  });
  it('Route / Record-Route lists', () => {
    const hs = headers(['Route: <sip:p1;lr>, <sip:p2;lr>', 'Record-Route: <sip:p3;lr>', 'Route: <sip:p4;lr>']);
    assert.deepEqual(hs.map((h) => h.name), ['Route', 'Route', 'Record-Route', 'Route']);
  });
  it('Expires: overflow reads as 3600 (RFC 4475 §3.1.2.4)', () => {
    assert.deepEqual(headers(['Expires: 99999999999999999999'])[0], { kind: 'expires', name: 'Expires', value: 3600 });
    assert.deepEqual(headers(['Min-Expires: 60'])[0], { kind: 'expires', name: 'Min-Expires', value: 60 });
  });
  it('Content-Type with parameters', () => {
    const h = headers(['Content-Type: Multipart/Mixed; boundary="b1"; charset=utf-8'])[0];
    assert.ok(h?.kind === 'content-type');
    assert.equal(h.value.type, 'multipart');
    assert.equal(h.value.subtype, 'mixed');
    assert.equal(h.value.params.get('boundary'), '"b1"');
  });
  it('WWW-Authenticate / Authorization with quoted commas', () => {
    const hs = headers([
      'WWW-Authenticate: Digest realm="a, b", nonce="n1", qop="auth,auth-int", algorithm=MD5, stale=FALSE',
      'Proxy-Authenticate: Digest realm="r", nonce="x", algorithm=SHA-256, Digest realm="r", nonce="y", algorithm=MD5',
      'Authorization: Digest username="alice", realm="a, b", nonce="n1", uri="sip:bob@h", response="0123", qop=auth, nc=00000001, cnonce="c"',
    ]);
    assert.equal(hs.length, 4);
    const w = hs[0];
    assert.ok(w?.kind === 'auth');
    assert.equal(w.value.scheme, 'Digest');
    assert.deepEqual(w.value.params.get('realm'), { value: 'a, b', quoted: true });
    assert.deepEqual(w.value.params.get('qop'), { value: 'auth,auth-int', quoted: true });
    assert.deepEqual(w.value.params.get('algorithm'), { value: 'MD5', quoted: false });
    assert.ok(hs[2]?.kind === 'auth' && hs[2].value.params.get('algorithm')?.value === 'MD5');
    assert.ok(hs[3]?.kind === 'auth' && hs[3].name === 'Authorization' && hs[3].value.params.get('nc')?.value === '00000001');
  });
  it('Allow / Supported / Require / Unsupported / Proxy-Require token lists', () => {
    const m = parseOk(msg(['Allow: INVITE, ACK,CANCEL', 'Allow: BYE', 'Supported: timer, 100rel', 'Require: timer', 'Unsupported: foo', 'Proxy-Require: bar', 'Supported:']));
    assert.deepEqual(tokenList(m, 'Allow'), ['INVITE', 'ACK', 'CANCEL', 'BYE']);
    assert.deepEqual(tokenList(m, 'Supported'), ['timer', '100rel']);
    assert.deepEqual(tokenList(m, 'Require'), ['timer']);
  });
  it('Session-Expires / Min-SE (RFC 4028)', () => {
    const hs = headers(['Session-Expires: 1800;refresher=UAS;x=1', 'Min-SE: 90']);
    assert.deepEqual(hs[0], { kind: 'session-expires', name: 'Session-Expires', value: { delta: 1800, refresher: 'uas', params: new Map([['x', '1']]) } });
    assert.deepEqual(hs[1], { kind: 'min-se', name: 'Min-SE', value: { delta: 90, params: new Map() } });
  });
  it('Event, Refer-To, Referred-By (RFC 3515, 6665)', () => {
    const hs = headers(['Event: refer;id=93809824', 'Refer-To: <sip:carol@h?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>', 'Referred-By: "Bob" <sip:bob@h>']);
    assert.deepEqual(hs[0], { kind: 'event', name: 'Event', value: { package: 'refer', id: '93809824', params: new Map() } });
    assert.ok(hs[1]?.kind === 'address' && hs[1].value.uri.type === 'sip');
    assert.deepEqual(hs[1].value.uri.headers, [['Replaces', 'abc@h;to-tag=1;from-tag=2']]);
    assert.ok(hs[2]?.kind === 'address' && hs[2].value.displayName === 'Bob');
  });
  it('Reason (RFC 3326), list', () => {
    const hs = headers(['Reason: SIP;cause=200;text="Call completed elsewhere", Q.850;cause=16;text="Normal, clearing"']);
    assert.deepEqual(hs.map((h) => h.kind === 'reason' && [h.value.protocol, h.value.cause, h.value.text]), [
      ['SIP', 200, 'Call completed elsewhere'],
      ['Q.850', 16, 'Normal, clearing'],
    ]);
  });
  it('a malformed non-essential header is kept verbatim, not fatal', () => {
    const hs = headers(['Session-Expires: soon', 'Event: ;', 'Authorization: Basic QWxhZGRpbg==']);
    assert.deepEqual(hs.map((h) => h.kind), ['raw', 'raw', 'raw']);
    assert.equal(hs[0]?.value, 'soon');
  });
  it('unknown headers kept verbatim and in order, folding undone', () => {
    const hs = headers(['X-B: 2', 'X-A: one,\r\n  two ; "three"', 'User-Agent: rtcgate']);
    assert.deepEqual(hs, [
      { kind: 'raw', name: 'X-B', value: '2' },
      { kind: 'raw', name: 'X-A', value: 'one, two ; "three"' },
      { kind: 'raw', name: 'User-Agent', value: 'rtcgate' },
    ]);
  });
});

describe('start line, mandatory headers, body', () => {
  const fails: Array<[string, string, 400 | 505]> = [
    ['no CSeq', msg([]).replace('CSeq: 1 OPTIONS\r\n', ''), 400],
    ['no Via', msg([]).replace(/Via: [^\r]*\r\n/, ''), 400],
    ['two To', msg(['To: <sip:x@y>']), 400],
    ['two Call-ID', msg(['i: other']), 400],
    ['CSeq method mismatch', msg([], '', 'INFO sip:bob@example.com SIP/2.0'), 400],
    ['SIP/3.0', msg([], '', 'OPTIONS sip:bob@example.com SIP/3.0'), 505],
    ['bad version token', msg([], '', 'OPTIONS sip:bob@example.com HTTP/1.1'), 400],
    ['Max-Forwards 256', msg([]).replace('Max-Forwards: 70', 'Max-Forwards: 256'), 400],
    ['CSeq 2^32', msg([]).replace('CSeq: 1 ', 'CSeq: 4294967296 '), 400],
    ['Content-Length too big', msg(['Content-Length: 10'], 'abc'), 400],
    ['Content-Length negative', msg(['Content-Length: -1'], ''), 400],
    ['header without colon', msg(['Garbage']), 400],
    ['bad header name', msg(['Bad Name: x']), 400],
    ['no empty line', BASE.join('\r\n') + '\r\n', 400],
    ['method not a token', msg([], '', 'OPT@ONS sip:bob@example.com SIP/2.0'), 400],
    ['status 700', 'SIP/2.0 700 Nope\r\n' + BASE.slice(1).join('\r\n') + '\r\n\r\n', 400],
    ['empty', '', 400],
  ];
  for (const [what, text, code] of fails) {
    it(`fails: ${what}`, () => {
      const r = parseMessage(text);
      assert.ok(!r.ok);
      assert.equal(r.code, code, r.reason);
      assert.ok(r.reason.length > 0 && !/[\r\n]/.test(r.reason));
    });
  }
  it('salvages Via, From, To, Call-ID, CSeq for the 400', () => {
    const r = parseMessage(msg(['Contact: <sip:broken']));
    assert.ok(!r.ok);
    assert.equal(r.kind, 'request');
    assert.equal(r.method, 'OPTIONS');
    assert.equal(r.callId, 'c1@192.0.2.1');
    assert.equal(r.cseq?.seq, 1);
    assert.equal(r.via?.[0]?.params.get('branch'), 'z9hG4bKabc');
    assert.equal(r.from?.params.get('tag'), 'a1');
    assert.match(r.reason, /Contact/);
  });
  it('datagram: longer body truncated to Content-Length; stream: must match', () => {
    const text = msg(['Content-Length: 3'], 'abcdef');
    const d = parseMessage(text);
    assert.ok(d.ok);
    assert.equal(Buffer.from(d.message.body).toString(), 'abc');
    assert.equal(d.truncated, 3);
    assert.equal(parseMessage(text, { transport: 'stream' }).ok, false);
    assert.equal(parseMessage(msg([], 'abc'), { transport: 'stream' }).ok, false, 'stream without Content-Length');
    const noCl = parseMessage(msg([], 'abc'));
    assert.ok(noCl.ok && noCl.message.body.length === 3, 'datagram without Content-Length: rest is the body');
  });
  it('binary body bytes are preserved', () => {
    const head = Buffer.from(msg(['Content-Type: application/octet-stream', 'Content-Length: 4'], ''));
    const r = parseMessage(Buffer.concat([head, Buffer.from([0, 0xff, 13, 10])]));
    assert.ok(r.ok);
    assert.deepEqual([...r.message.body], [0, 0xff, 13, 10]);
  });
  it('leading CRLFs ignored; keep-alive detection', () => {
    assert.ok(parseMessage('\r\n\r\n' + msg([])).ok);
    assert.equal(isKeepAlive('\r\n\r\n'), true);
    assert.equal(isKeepAlive(new Uint8Array([13, 10])), true);
    assert.equal(isKeepAlive('x'), false);
  });
  it('response with UTF-8 reason and no Max-Forwards', () => {
    const r = parseMessage('SIP/2.0 486 Occupé\r\n' + BASE.slice(1, 6).join('\r\n') + '\r\nContent-Length: 0\r\n\r\n');
    assert.ok(r.ok && r.message.type === 'response');
    assert.equal(r.message.reason, 'Occupé');
    assert.equal(r.message.status, 486);
  });
});

describe('serializer and builders', () => {
  const from = { displayName: 'Alice', uri: sipUri({ user: 'alice', host: 'example.com' }), params: new Map([['tag', newTag()]]) };
  const to = { displayName: undefined, uri: sipUri({ user: 'bob', host: 'example.com' }), params: new Map<string, string | null>() };
  const invite: SipRequest = createRequest({
    method: 'INVITE',
    uri: sipUri({ user: 'bob', host: 'example.com' }),
    via: { protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.1', port: 5066, params: new Map([['branch', newBranch()], ['rport', null]]) },
    from,
    to,
    callId: newCallId('192.0.2.1'),
    cseq: 1,
    headers: [
      { kind: 'contact', name: 'Contact', value: { displayName: undefined, uri: sipUri({ user: 'alice', host: '192.0.2.1', port: 5066 }), params: new Map() } },
      { kind: 'tokens', name: 'Supported', value: ['timer', 'replaces'] },
      { kind: 'raw', name: 'Timestamp', value: '54' },
      { kind: 'content-type', name: 'Content-Type', value: { type: 'application', subtype: 'sdp', params: new Map() } },
    ],
    body: 'v=0\r\n',
  });

  it('canonical CRLF message with Content-Length', () => {
    const text = serialize(invite).toString('utf8');
    assert.ok(text.startsWith('INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5066;branch=z9hG4bK'));
    assert.ok(text.includes('\r\nFrom: "Alice" <sip:alice@example.com>;tag='));
    assert.ok(text.includes('\r\nMax-Forwards: 70\r\n'));
    assert.ok(text.includes('\r\nSupported: timer, replaces\r\n'));
    assert.ok(text.endsWith('\r\nContent-Length: 5\r\n\r\nv=0\r\n'));
    assert.ok(!/[^\r]\n/.test(text));
  });
  it('createResponse copies Via/From/To/Call-ID/CSeq and adds the To tag (not on 100)', () => {
    const trying = createResponse(invite, 100, undefined, { toTag: 'tt' });
    assert.equal(trying.reason, 'Trying');
    assert.equal(trying.to.params.has('tag'), false);
    assert.deepEqual(trying.headers, [{ kind: 'raw', name: 'Timestamp', value: '54' }]);
    const ok = createResponse(invite, 200, undefined, { toTag: 'tt', body: 'v=0\r\n' });
    assert.equal(ok.reason, 'OK');
    assert.equal(ok.to.params.get('tag'), 'tt');
    assert.equal(invite.to.params.has('tag'), false, 'request untouched');
    assert.deepEqual(ok.via, invite.via);
    assert.deepEqual(ok.from, invite.from);
    assert.equal(ok.callId, invite.callId);
    assert.deepEqual(ok.cseq, { seq: 1, method: 'INVITE' });
    const r = parseMessage(serialize(ok));
    assert.ok(r.ok && r.message.type === 'response' && r.message.status === 200);
  });
  it('branch, tag and Call-ID helpers', () => {
    const b = newBranch();
    assert.ok(isRfc3261Branch(b) && b.length > 20);
    assert.notEqual(newBranch(), b);
    assert.equal(isRfc3261Branch('z9hG4bK'), false);
    assert.equal(isRfc3261Branch('1234'), false);
    assert.match(newTag(), /^[0-9a-f]{16}$/);
    assert.match(newCallId('h'), /^[0-9a-f]{30}@h$/);
  });
  it('CR/LF in values cannot inject headers', () => {
    const evil = createResponse(invite, 486, 'Busy\r\nX-Evil: 1', { headers: [{ kind: 'raw', name: 'X-Data', value: 'a\r\nX-Evil: 2' }] });
    const text = serialize(evil).toString();
    assert.ok(!/\r\nX-Evil/.test(text));
    const r = parseMessage(text);
    assert.ok(r.ok);
  });
  it('display names with quotes, backslashes and control characters round-trip', () => {
    const m = createRequest({ ...invite, method: 'OPTIONS', cseq: 2, from: { ...from, displayName: 'a "b" \\ c\x07\x00' }, via: invite.via });
    const r = parseMessage(serialize(m));
    assert.ok(r.ok);
    assert.equal(r.message.from.displayName, 'a "b" \\ c\x07\x00');
  });
});
