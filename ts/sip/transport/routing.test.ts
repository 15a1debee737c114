// Table tests for the sans-IO half of the transport: Via stamping (RFC 3261 §18.2.1, RFC 3581 §4),
// response routing (§18.2.2), address comparison and what `ingest` makes of received bytes.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseViaText, serialize } from '../message/index.js';
import type { Via } from '../message/index.js';
import { ingest, normalizeAddress, responseTarget, sameAddress, stampVia } from './routing.js';
import type { SipPeer } from './types.js';

function via(text: string): Via {
  const r = parseViaText(text);
  assert.ok(r.ok, `bad Via in test: ${text}`);
  return r.value;
}

const UDP_SRC: SipPeer = { transport: 'udp', address: '198.51.100.7', port: 40000 };

describe('stampVia', () => {
  const rows: Array<{ name: string; via: string; source?: SipPeer; received: string | undefined; rport: string | null | undefined }> = [
    { name: 'same address, no rport: untouched', via: 'SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK1', received: undefined, rport: undefined },
    { name: 'other address: received (§18.2.1)', via: 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1', received: '198.51.100.7', rport: undefined },
    { name: 'domain sent-by: received always', via: 'SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1', received: '198.51.100.7', rport: undefined },
    { name: 'empty rport: filled, received added even on a match (RFC 3581 §4)', via: 'SIP/2.0/UDP 198.51.100.7:5060;rport;branch=z9hG4bK1', received: '198.51.100.7', rport: '40000' },
    { name: 'empty rport behind NAT', via: 'SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1;rport', received: '198.51.100.7', rport: '40000' },
    { name: 'rport with a value is left alone', via: 'SIP/2.0/UDP 10.0.0.2;rport=7000;branch=z9hG4bK1', received: '198.51.100.7', rport: '7000' },
    { name: 'IPv6, same address written differently', via: 'SIP/2.0/TCP [2001:DB8:0:0::1]:5060;branch=z9hG4bK1', source: { transport: 'tcp', address: '2001:db8::1', port: 5 }, received: undefined, rport: undefined },
    { name: 'IPv6, other address', via: 'SIP/2.0/TCP [2001:db8::2];branch=z9hG4bK1', source: { transport: 'tcp', address: '2001:db8::1', port: 5 }, received: '2001:db8::1', rport: undefined },
    { name: 'IPv4 source seen as IPv4-mapped is normalized before', via: 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1', source: { transport: 'udp', address: normalizeAddress('::ffff:127.0.0.1'), port: 5 }, received: undefined, rport: undefined },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const v = via(row.via);
      stampVia(v, row.source ?? UDP_SRC);
      assert.equal(v.params.get('received'), row.received);
      assert.equal(v.params.get('rport'), row.rport);
    });
  }
});

describe('responseTarget', () => {
  const TCP_SRC: SipPeer = { transport: 'tcp', address: '198.51.100.7', port: 51000, connectionId: 9 };
  const rows: Array<{ name: string; via: string | undefined; source: SipPeer; want: SipPeer }> = [
    { name: 'UDP: received + rport (RFC 3581 §4)', via: 'SIP/2.0/UDP 10.0.0.2:5062;rport=40000;received=198.51.100.7;branch=z9hG4bK1', source: UDP_SRC, want: { transport: 'udp', address: '198.51.100.7', port: 40000 } },
    { name: 'UDP: received, sent-by port (§18.2.2)', via: 'SIP/2.0/UDP 10.0.0.2:5062;received=198.51.100.7;branch=z9hG4bK1', source: UDP_SRC, want: { transport: 'udp', address: '198.51.100.7', port: 5062 } },
    { name: 'UDP: received, default port', via: 'SIP/2.0/UDP host.example;received=198.51.100.7;branch=z9hG4bK1', source: UDP_SRC, want: { transport: 'udp', address: '198.51.100.7', port: 5060 } },
    { name: 'UDP: sent-by', via: 'SIP/2.0/UDP 192.0.2.4:5070;branch=z9hG4bK1', source: UDP_SRC, want: { transport: 'udp', address: '192.0.2.4', port: 5070 } },
    { name: 'UDP: maddr ignored', via: 'SIP/2.0/UDP 192.0.2.4;maddr=224.0.1.75;ttl=1;branch=z9hG4bK1', source: UDP_SRC, want: { transport: 'udp', address: '192.0.2.4', port: 5060 } },
    { name: 'UDP: IPv6 sent-by loses its brackets', via: 'SIP/2.0/UDP [2001:db8::9]:5070;branch=z9hG4bK1', source: UDP_SRC, want: { transport: 'udp', address: '2001:db8::9', port: 5070 } },
    { name: 'UDP: garbage received falls back to sent-by', via: 'SIP/2.0/UDP 192.0.2.4;received=nonsense;branch=z9hG4bK1', source: UDP_SRC, want: { transport: 'udp', address: '192.0.2.4', port: 5060 } },
    { name: 'TCP: same connection, fallback received + sent-by port', via: 'SIP/2.0/TCP 10.0.0.2:5070;received=198.51.100.7;branch=z9hG4bK1', source: TCP_SRC, want: { transport: 'tcp', address: '198.51.100.7', port: 5070, connectionId: 9 } },
    { name: 'TLS: default port 5061', via: 'SIP/2.0/TLS h.example;received=198.51.100.7;branch=z9hG4bK1', source: { ...TCP_SRC, transport: 'tls' }, want: { transport: 'tls', address: '198.51.100.7', port: 5061, connectionId: 9 } },
    { name: 'no Via: back to the source', via: undefined, source: UDP_SRC, want: UDP_SRC },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(responseTarget(row.via === undefined ? undefined : via(row.via), row.source), row.want);
    });
  }
});

describe('addresses', () => {
  it('normalizes and compares', () => {
    assert.equal(normalizeAddress('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(normalizeAddress('[2001:DB8::1]'), '2001:db8::1');
    assert.ok(sameAddress('2001:db8:0:0:0:0:0:1', '[2001:db8::1]'));
    assert.ok(sameAddress('::ffff:192.0.2.1', '192.0.2.1'));
    assert.ok(sameAddress('::ffff:c000:201', '::ffff:c000:0201'));
    assert.ok(!sameAddress('2001:db8::1', '2001:db8::2'));
    assert.ok(!sameAddress('192.0.2.1', '192.0.2.10'));
    assert.ok(!sameAddress('host.example', '192.0.2.1'));
  });
});

describe('ingest', () => {
  const REQ = 'OPTIONS sip:gw@192.0.2.50 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;rport;branch=z9hG4bKa1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:gw@h>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
  const opts = { framing: 'datagram' as const, maxMessageSize: 4096 };

  it('keep-alives', () => {
    for (const k of ['\r\n', '\r\n\r\n', '\n']) assert.deepEqual(ingest(Buffer.from(k), UDP_SRC, opts), { type: 'keepalive' });
  });
  it('a request gets received and rport', () => {
    const r = ingest(Buffer.from(REQ), UDP_SRC, opts);
    assert.equal(r.type, 'message');
    assert.ok(r.type === 'message' && r.message.type === 'request');
    const top = r.message.via[0];
    assert.equal(top?.params.get('received'), '198.51.100.7');
    assert.equal(top?.params.get('rport'), '40000');
    assert.match(serialize(r.message).toString(), /Via: SIP\/2.0\/UDP 10.0.0.2:5060;rport=40000;branch=z9hG4bKa1;received=198.51.100.7\r\n/);
  });
  it('a response is not stamped', () => {
    const res = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;rport;branch=z9hG4bKa1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:gw@h>;tag=2\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
    const r = ingest(Buffer.from(res), UDP_SRC, opts);
    assert.ok(r.type === 'message');
    assert.equal(r.message.via[0]?.params.get('rport'), null);
    assert.equal(r.message.via[0]?.params.has('received'), false);
  });
  it('salvageable garbage → 400 naming the problem, Via stamped', () => {
    const bad = REQ.replace('CSeq: 1 OPTIONS\r\n', 'CSeq: 1 OPTIONS\r\nContact: <sip:broken@\r\n');
    const r = ingest(Buffer.from(bad), UDP_SRC, opts);
    assert.ok(r.type === 'bad' && r.response !== undefined);
    assert.equal(r.response.status, 400);
    assert.match(r.response.reason, /^Bad Request \(.+\)$/);
    assert.equal(r.response.via[0]?.params.get('rport'), '40000');
    assert.ok(r.response.to.params.has('tag'));
  });
  it('hopeless garbage → dropped', () => {
    const r = ingest(Buffer.from('\u0000\u0001hello'), UDP_SRC, opts);
    assert.ok(r.type === 'bad' && r.response === undefined);
  });
  it('oversize datagram → dropped unparsed', () => {
    const r = ingest(Buffer.alloc(5000, 65), UDP_SRC, opts);
    assert.deepEqual(r, { type: 'oversize', size: 5000 });
  });
});
