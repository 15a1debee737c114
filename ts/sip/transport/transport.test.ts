// SipTransport over real sockets on 127.0.0.1: UDP Via stamping and response routing, TCP framing,
// keep-alives, connection reuse, TLS with a certificate made by openssl for the test, bad input,
// limits, port conflicts and a clean stop() (no handle left behind).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createResponse, parseMessage } from '../message/index.js';
import type { SipMessage, SipRequest } from '../message/index.js';
import { SipPortInUseError, SipSendError, SipTransport, type SipPeer, type SipTransportOptions } from './index.js';

const logger = pino({ level: 'silent' });
const HOST = '127.0.0.1';
const open: SipTransport[] = [];

after(async () => {
  await Promise.all(open.map((t) => t.stop()));
});

async function start(options: Partial<SipTransportOptions> = {}): Promise<SipTransport> {
  const t = await SipTransport.start({ host: HOST, logger, ...options });
  open.push(t);
  return t;
}

function request(opts: { method?: string; via: string; callId?: string; cseq?: number }): string {
  const method = opts.method ?? 'OPTIONS';
  return (
    `${method} sip:gw@${HOST} SIP/2.0\r\nVia: ${opts.via}\r\nMax-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=1\r\n` +
    `To: <sip:gw@example.com>\r\nCall-ID: ${opts.callId ?? 'c1'}\r\nCSeq: ${opts.cseq ?? 1} ${method}\r\nContent-Length: 0\r\n\r\n`
  );
}

function toRequest(text: string): SipRequest {
  const r = parseMessage(text);
  assert.ok(r.ok && r.message.type === 'request');
  return r.message;
}

function nextMessage(t: SipTransport, timeoutMs = 2000): Promise<[SipMessage, SipPeer]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
    t.once('message', (msg, src) => {
      clearTimeout(timer);
      resolve([msg, src]);
    });
  });
}

async function udpClient(): Promise<{ socket: dgram.Socket; port: number; next: (ms?: number) => Promise<string> }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, HOST, () => r()));
  const queue: string[] = [];
  const waiters: Array<(s: string) => void> = [];
  socket.on('message', (b) => {
    const w = waiters.shift();
    if (w) w(b.toString('latin1'));
    else queue.push(b.toString('latin1'));
  });
  const next = (ms = 2000): Promise<string> => {
    const q = queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no datagram')), ms);
      waiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
    });
  };
  return { socket, port: socket.address().port, next };
}

/** A raw TCP client that collects what it receives. */
async function tcpClient(port: number): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void>; waitFor: (re: RegExp) => Promise<void> }> {
  const socket = net.connect({ host: HOST, port });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  let data = '';
  const listeners: Array<() => void> = [];
  socket.on('data', (b) => {
    data += b.toString('latin1');
    for (const l of listeners.splice(0)) l();
  });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  socket.on('error', () => undefined);
  const waitFor = async (re: RegExp): Promise<void> => {
    const deadline = Date.now() + 2000;
    while (!re.test(data)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} in ${JSON.stringify(data)}`);
      await new Promise<void>((r) => {
        listeners.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { socket, received: () => data, closed, waitFor };
}

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('UDP', () => {
  it('stamps received/rport and answers to received:rport', async () => {
    const t = await start({ udpPort: 0 });
    const c = await udpClient();
    const got = nextMessage(t);
    c.socket.send(request({ via: 'SIP/2.0/UDP 10.0.0.2:5060;rport;branch=z9hG4bKu1' }), t.localPorts.udp, HOST);
    const [msg, src] = await got;
    assert.deepEqual(src, { transport: 'udp', address: HOST, port: c.port });
    assert.ok(msg.type === 'request');
    assert.equal(msg.via[0]?.params.get('received'), HOST);
    assert.equal(msg.via[0]?.params.get('rport'), String(c.port));
    // 10.0.0.2:5060 is unreachable: only rport routing gets this back.
    await t.sendResponse(createResponse(msg, 200, undefined, { toTag: 't1' }), msg, src);
    const res = await c.next();
    assert.match(res, /^SIP\/2.0 200 OK\r\n/);
    assert.match(res, new RegExp(`;rport=${c.port};branch=z9hG4bKu1;received=127.0.0.1\\r\\n`));
    assert.equal(t.stats().received, 1);
    assert.equal(t.stats().sent, 1);
    c.socket.close();
  });

  it('without rport: received + sent-by port', async () => {
    const t = await start({ udpPort: 0 });
    const c = await udpClient();
    const got = nextMessage(t);
    c.socket.send(request({ via: `SIP/2.0/UDP 192.0.2.99:${c.port};branch=z9hG4bKu2` }), t.localPorts.udp, HOST);
    const [msg, src] = await got;
    assert.ok(msg.type === 'request');
    assert.equal(msg.via[0]?.params.get('received'), HOST);
    assert.equal(msg.via[0]?.params.has('rport'), false);
    await t.sendResponse(createResponse(msg, 486), msg, src);
    assert.match(await c.next(), /^SIP\/2.0 486 Busy Here\r\n/);
    c.socket.close();
  });

  it('keep-alives are counted, garbage answered with 400 when salvageable and dropped otherwise', async () => {
    const t = await start({ udpPort: 0 });
    const c = await udpClient();
    const port = t.localPorts.udp;
    c.socket.send('\r\n\r\n', port, HOST);
    c.socket.send('\u0000\u0001 not SIP at all', port, HOST);
    c.socket.send(request({ via: 'SIP/2.0/UDP 10.0.0.2;rport;branch=z9hG4bKu3' }).replace('CSeq: 1 OPTIONS', 'CSeq: 1 OPTIONS\r\nContact: <sip:@@>'), port, HOST);
    // The first datagram back answers the third: keep-alive and hopeless garbage got nothing.
    const res = await c.next();
    assert.match(res, /^SIP\/2.0 400 Bad Request \(.+\)\r\n/);
    assert.match(res, new RegExp(`rport=${c.port}`));
    const s = t.stats();
    assert.equal(s.keepAlives, 1);
    assert.equal(s.parseErrors, 2);
    assert.equal(s.badInputAnswered, 1);
    assert.equal(s.received, 0);
    c.socket.close();
  });

  it('send() to a peer, and a typed error when UDP is off', async () => {
    const t = await start({ udpPort: 0 });
    const c = await udpClient();
    await t.send(toRequest(request({ via: `SIP/2.0/UDP ${t.viaHost()}:${t.viaPort('udp')};branch=z9hG4bKs1` })), { transport: 'udp', address: HOST, port: c.port });
    assert.match(await c.next(), /^OPTIONS sip:gw@127.0.0.1 SIP\/2.0\r\n/);
    const tcpOnly = await start({ tcpPort: 0 });
    await assert.rejects(tcpOnly.send(toRequest(request({ via: 'SIP/2.0/UDP h;branch=z9hG4bKs2' })), { transport: 'udp', address: HOST, port: c.port }), (e: unknown) => e instanceof SipSendError && e.reason === 'unavailable');
    c.socket.close();
  });
});

describe('TCP', () => {
  it('frames across chunks and two messages in one chunk; ping → pong; response on the same connection', async () => {
    const t = await start({ tcpPort: 0 });
    const c = await tcpClient(t.localPorts.tcp as number);
    const one = request({ via: 'SIP/2.0/TCP 10.0.0.2:5070;branch=z9hG4bKt1', cseq: 1 });
    const got1 = nextMessage(t);
    for (let i = 0; i < one.length; i += 17) {
      c.socket.write(one.slice(i, i + 17));
      await tick(1);
    }
    const [m1, s1] = await got1;
    assert.ok(m1.type === 'request' && m1.cseq.seq === 1);
    assert.equal(s1.transport, 'tcp');
    assert.equal(typeof s1.connectionId, 'number');
    assert.equal(m1.via[0]?.params.get('received'), HOST);

    const seen: Array<[SipMessage, SipPeer]> = [];
    const onMsg = (m: SipMessage, s: SipPeer): void => void seen.push([m, s]);
    t.on('message', onMsg);
    c.socket.write(request({ via: 'SIP/2.0/TCP 10.0.0.2:5070;branch=z9hG4bKt2', cseq: 2 }) + request({ via: 'SIP/2.0/TCP 10.0.0.2:5070;branch=z9hG4bKt3', cseq: 3 }));
    for (let i = 0; i < 100 && seen.length < 2; i++) await tick(5);
    t.off('message', onMsg);
    assert.deepEqual(seen.map(([m, s]) => [m.cseq.seq, s.connectionId]), [[2, s1.connectionId], [3, s1.connectionId]]);

    c.socket.write('\r\n\r\n');
    await c.waitFor(/^\r\n$/);
    assert.equal(t.stats().pingsAnswered, 1);

    // Via says 10.0.0.2:5070, which is unreachable: the response must use the connection.
    await t.sendResponse(createResponse(m1, 200, undefined, { toTag: 'x' }), m1, s1);
    await c.waitFor(/SIP\/2.0 200 OK\r\n[\s\S]*CSeq: 1 OPTIONS/);
    assert.equal(t.stats().connectionsOpen, 1);
    c.socket.destroy();
    await c.closed;
  });

  it('reuses one connection for sends to the same peer, and the peer answers on it', async () => {
    const a = await start({ tcpPort: 0 });
    const b = await start({ tcpPort: 0 });
    const to: SipPeer = { transport: 'tcp', address: HOST, port: b.localPorts.tcp as number };
    const seen: Array<[SipMessage, SipPeer]> = [];
    b.on('message', (m, s) => void seen.push([m, s]));
    const mk = (n: number): SipRequest => toRequest(request({ via: `SIP/2.0/TCP ${HOST}:${a.viaPort('tcp')};branch=z9hG4bKr${n}`, cseq: n }));
    await Promise.all([a.send(mk(1), to), a.send(mk(2), to)]); // concurrent: one connect
    await a.send(mk(3), to);
    for (let i = 0; i < 100 && seen.length < 3; i++) await tick(5);
    assert.equal(seen.length, 3);
    assert.equal(new Set(seen.map(([, s]) => s.connectionId)).size, 1);
    assert.equal(a.stats().connectionsOutgoing, 1);
    assert.equal(b.stats().connectionsAccepted, 1);

    const [req, src] = seen[0] as [SipMessage, SipPeer];
    assert.ok(req.type === 'request');
    const got = nextMessage(a);
    await b.sendResponse(createResponse(req, 200, undefined, { toTag: 'y' }), req, src);
    const [res, from] = await got;
    assert.ok(res.type === 'response' && res.status === 200);
    assert.equal(from.transport, 'tcp');
    assert.equal(a.stats().connectionsOpen, 1);
    assert.equal(b.stats().connectionsOpen, 1);
  });

  it('closes a connection on a framing error', async () => {
    const t = await start({ tcpPort: 0 });
    const closedEvt = new Promise<string>((r) => t.once('connectionClosed', (_p, reason) => r(reason)));
    const c = await tcpClient(t.localPorts.tcp as number);
    c.socket.write(request({ via: 'SIP/2.0/TCP h;branch=z9hG4bKf1' }).replace('Content-Length: 0\r\n', ''));
    await c.closed;
    assert.equal(await closedEvt, 'framing-error');
    assert.equal(t.stats().framingErrors, 1);
    assert.equal(t.stats().connectionsOpen, 0);
  });

  it('answers an unparseable framed request with 400 on its connection and keeps it open', async () => {
    const t = await start({ tcpPort: 0 });
    const c = await tcpClient(t.localPorts.tcp as number);
    c.socket.write(request({ via: 'SIP/2.0/TCP 10.0.0.9;branch=z9hG4bKf2' }).replace('CSeq: 1 OPTIONS', 'CSeq: 1 OPTIONS\r\nContact: <sip:@@>'));
    await c.waitFor(/^SIP\/2.0 400 /);
    assert.equal(t.stats().parseErrors, 1);
    assert.equal(t.stats().connectionsOpen, 1);
    c.socket.destroy();
  });

  it('closes idle connections and refuses connections beyond the limit', async () => {
    const t = await start({ tcpPort: 0, idleTimeoutMs: 150, maxConnections: 1 });
    const c1 = await tcpClient(t.localPorts.tcp as number);
    await tick(20);
    const c2 = await tcpClient(t.localPorts.tcp as number);
    await c2.closed;
    assert.equal(t.stats().connectionsRejected, 1);
    await c1.closed;
    assert.equal(t.stats().connectionsIdleClosed, 1);
    assert.equal(t.stats().connectionsOpen, 0);
  });

  it('reports a refused connect as a typed error', async () => {
    const t = await start({ tcpPort: 0 });
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, HOST, () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await assert.rejects(
      t.send(toRequest(request({ via: 'SIP/2.0/TCP h;branch=z9hG4bKc1' })), { transport: 'tcp', address: HOST, port }),
      (e: unknown) => e instanceof SipSendError && e.reason === 'connect-failed',
    );
    assert.equal(t.stats().sendErrors, 1);
  });
});

/** A self-signed certificate for 127.0.0.1, or undefined when openssl is missing. */
function makeCert(): { cert: string; key: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sip-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('TLS', () => {
  const pem = makeCert();
  it('request and response over TLS; an untrusted certificate is refused', { skip: pem === undefined ? 'openssl not available' : false }, async () => {
    assert.ok(pem);
    const server = await start({ tlsPort: 0, tls: { cert: pem.cert, key: pem.key } });
    const client = await start({ udpPort: 0, tls: { ca: pem.cert } });
    const to: SipPeer = { transport: 'tls', address: HOST, port: server.localPorts.tls as number };
    const got = nextMessage(server);
    await client.send(toRequest(request({ via: `SIP/2.0/TLS ${HOST}:${client.viaPort('tls')};branch=z9hG4bKl1` })), to);
    const [req, src] = await got;
    assert.ok(req.type === 'request');
    assert.equal(src.transport, 'tls');
    const back = nextMessage(client);
    await server.sendResponse(createResponse(req, 200, undefined, { toTag: 'z' }), req, src);
    const [res] = await back;
    assert.ok(res.type === 'response' && res.status === 200);

    const stranger = await start({ udpPort: 0 });
    await assert.rejects(
      stranger.send(toRequest(request({ via: 'SIP/2.0/TLS h;branch=z9hG4bKl2' })), to),
      (e: unknown) => e instanceof SipSendError && e.reason === 'connect-failed',
    );
  });
});

describe('lifecycle', () => {
  it('a taken port is a typed error naming transport and port', async () => {
    const a = await start({ udpPort: 0, tcpPort: 0 });
    await assert.rejects(start({ udpPort: a.localPorts.udp as number }), (e: unknown) => e instanceof SipPortInUseError && e.transport === 'udp' && e.port === a.localPorts.udp && e.event === 20010);
    await assert.rejects(start({ udpPort: 0, tcpPort: a.localPorts.tcp as number }), (e: unknown) => e instanceof SipPortInUseError && e.transport === 'tcp');
  });

  it('stop() closes sockets, servers and connections; send afterwards is refused', async () => {
    const handles = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap' || r === 'UDPWrap').length;
    await Promise.all(open.splice(0).map((t) => t.stop()));
    await tick(20);
    const baseline = handles();
    const a = await start({ udpPort: 0, tcpPort: 0 });
    const b = await start({ tcpPort: 0 });
    await a.send(toRequest(request({ via: 'SIP/2.0/TCP h;branch=z9hG4bKx1' })), { transport: 'tcp', address: HOST, port: b.localPorts.tcp as number });
    const c = await tcpClient(a.localPorts.tcp as number);
    assert.ok(handles() > baseline);
    await a.stop();
    await b.stop();
    await c.closed;
    await tick(20);
    assert.equal(handles(), baseline);
    await assert.rejects(a.send(toRequest(request({ via: 'SIP/2.0/UDP h;branch=z9hG4bKx2' })), { transport: 'udp', address: HOST, port: 9 }), (e: unknown) => e instanceof SipSendError && e.reason === 'stopped');
  });
});
