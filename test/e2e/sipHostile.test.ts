// Hostile input on the gateway's SIP port (UDP and TCP) while a real call is up: Chromium calls a
// SIPp UAS that echoes RTP, and while that call carries audio a raw client (helpers/sipClient.ts)
// sends OPTIONS, unknown methods, malformed requests, huge headers, requests for nothing, and a
// 5000-datagram flood. Each case asserts exactly what comes back (status codes, or silence, or a
// closed connection), the transport's counters move, and the call goes on.
//
// Silence is proven with a probe: after a case that should get no answer, an OPTIONS goes the
// same way; the gateway handles input in order, so once the probe's 200 is in, an answer to the
// case would be in too.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import type { Page } from 'playwright-core';

import { launchChromium, openPage, type ChromiumHandle } from './helpers/chromium.js';
import { freePort, startTestGateway, type TestGateway } from './helpers/gateway.js';
import { TcpSipClient, UdpSipClient, request, statuses, token, type RequestSpec } from './helpers/sipClient.js';
import { hangUp, readInbound, type PlacedCall } from './hostilePage.js';
import { tokenList, type SipResponse } from '../../ts/sip/message/index.js';
import type { SipTransportStats } from '../../ts/sip/transport/index.js';

const haveSipp = spawnSync('sipp', ['-v']).status !== null;

/**
 * Runs in Chromium: signs in, calls `target`, waits for `connected`, and parks the call on
 * window.__rtcgateHostileCall where hostilePage's readInbound() and hangUp() find it.
 */
async function placeSipCall(target: string): Promise<PlacedCall> {
  type SdkCall = {
    state: string;
    peerConnection: RTCPeerConnection;
    remoteStream: MediaStream;
    on(event: 'state', handler: (state: string) => void): void;
  };
  type Sdk = {
    connect(): Promise<{
      signIn(id: string): Promise<unknown>;
      call(target: string, options: { audio: boolean; video: boolean }): Promise<SdkCall>;
    }>;
  };
  const sdkUrl = '/sdk/rtcgate.js';
  const sdk = (await import(sdkUrl)) as Sdk;
  const gw = await sdk.connect();
  await gw.signIn('Anon');
  const started = performance.now();
  const call = await gw.call(target, { audio: true, video: false });
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.srcObject = call.remoteStream;
  document.body.append(audio);
  await new Promise<void>((resolve, reject) => {
    if (call.state === 'connected') return resolve();
    const timer = setTimeout(() => reject(new Error(`call stuck in ${call.state}`)), 15000);
    call.on('state', (s) => {
      if (s === 'connected') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  (window as unknown as Record<string, unknown>)['__rtcgateHostileCall'] = { call, gw };
  return { localUfrag: null, setupMs: performance.now() - started };
}

interface Sipp {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function sipp(args: string[]): Sipp {
  const child = spawn('sipp', [...args, '-nostdin', '-trace_err'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A deterministic pseudo-random byte string (xorshift), so "garbage" is the same on every run. */
function garbage(seed: number, length: number): Buffer {
  let x = seed | 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  // Never all CR/LF (a keep-alive) and never starting like a SIP line.
  out[0] = 0x00;
  return out;
}

function allow(res: SipResponse | undefined): string[] {
  return res === undefined ? [] : tokenList(res, 'Allow');
}

describe('hostile input on the SIP port while a call is up', { skip: haveSipp ? false : 'sipp (Debian sip-tester) is not installed' }, () => {
  let gw: TestGateway;
  let browser: ChromiumHandle;
  let page: Page;
  let uas: Sipp;
  let udp: UdpSipClient;
  let sipPort: number;
  let gwUri: string;
  let statsBefore: SipTransportStats;
  let hungUp = false;
  const tcpClients: TcpSipClient[] = [];

  const stats = (): SipTransportStats => gw.gateway.sip.transport.stats();

  async function tcp(): Promise<TcpSipClient> {
    const c = await TcpSipClient.open(sipPort);
    tcpClients.push(c);
    return c;
  }

  /** An OPTIONS over UDP that must get its 200: proves everything sent before it was handled. */
  async function udpProbe(): Promise<string> {
    const probe = request({ method: 'OPTIONS', uri: gwUri, transport: 'UDP', port: udp.port });
    await udp.send(probe.text, sipPort);
    const got = await udp.finalFor(probe.callId, 2000);
    assert.deepEqual(statuses(got), [200], 'probe OPTIONS answered');
    return probe.callId;
  }

  /** Sends `bytes` over UDP, then a probe; returns the status codes of everything else that came back. */
  async function udpCase(bytes: string | Buffer): Promise<{ codes: number[]; responses: SipResponse[]; unparsed: number }> {
    udp.clear();
    await udp.send(bytes, sipPort);
    const probeCallId = await udpProbe();
    const others = udp.inbox.filter((r) => !r.ok || r.response.callId !== probeCallId);
    const responses = others.flatMap((r) => (r.ok ? [r.response] : []));
    return { codes: statuses(responses), responses, unparsed: others.filter((r) => !r.ok).length };
  }

  before(async () => {
    sipPort = await freePort();
    gwUri = `sip:127.0.0.1:${sipPort}`;
    gw = await startTestGateway([
      '--sip-port', String(sipPort),
      '--sip-rtp-min-port', '41700',
      '--sip-rtp-max-port', '41799',
      '--web-disallowed-codecs', '(h264,pcmu,pcma,g722)',
    ]);
    statsBefore = stats();
    udp = await UdpSipClient.open();
    browser = await launchChromium();
    const uasPort = await freePort();
    uas = sipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-mp', String(await freePort()), '-rtp_echo', '-m', '1']);
    page = await openPage(browser, gw.origin + '/');
    const placed = await page.evaluate(placeSipCall, `sip:echo@127.0.0.1:${uasPort}`);
    assert.ok(placed.setupMs > 0);
  });

  after(async () => {
    if (!hungUp) await page?.evaluate(hangUp).catch(() => undefined);
    for (const c of tcpClients) await c.close();
    await udp?.close();
    await browser?.close();
    uas?.child.kill();
    await gw?.gateway.stop();
  });

  test('the call to the SIPp echo UAS carries audio before the attack', async () => {
    const end = Date.now() + 5000;
    let s = await page.evaluate(readInbound);
    while (!(s.packetsReceived > 50 && s.totalAudioEnergy > 0) && Date.now() < end) {
      await sleep(200);
      s = await page.evaluate(readInbound);
    }
    assert.equal(s.state, 'connected');
    assert.ok(s.packetsReceived > 50 && s.totalAudioEnergy > 0, `echoed audio reaches the browser: ${s.packetsReceived} packets, energy ${s.totalAudioEnergy}`);
    assert.equal(gw.gateway.calls.activeCalls, 1);
  });

  test('OPTIONS (load-balancer health check) → 200 with Allow, over UDP and TCP', async () => {
    const u = request({ method: 'OPTIONS', uri: gwUri, transport: 'UDP', port: udp.port });
    udp.clear();
    await udp.send(u.text, sipPort);
    const ur = await udp.finalFor(u.callId, 2000);
    assert.deepEqual(statuses(ur), [200]);
    for (const m of ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS']) assert.ok(allow(ur[0]).includes(m), `Allow has ${m}: ${allow(ur[0]).join(',')}`);
    assert.ok(ur[0]?.to.params.get('tag'), 'the 200 carries a To tag');

    const c = await tcp();
    const t = request({ method: 'OPTIONS', uri: gwUri, transport: 'TCP', port: c.port });
    await c.send(t.text);
    const tr = await c.finalFor(t.callId, 2000);
    assert.deepEqual(statuses(tr), [200]);
    assert.ok(allow(tr[0]).includes('INVITE'));
    // A second OPTIONS on the same connection: it stays usable.
    const t2 = request({ method: 'OPTIONS', uri: gwUri, transport: 'TCP', port: c.port });
    await c.send(t2.text);
    assert.deepEqual(statuses(await c.finalFor(t2.callId, 2000)), [200]);
    assert.equal(c.closedByPeer, false);
  });

  test('unknown method → 501; known but unsupported (REGISTER, MESSAGE) → 405 with Allow', async () => {
    for (const transport of ['UDP', 'TCP'] as const) {
      const c = transport === 'UDP' ? udp : await tcp();
      const send = (text: string): Promise<unknown> => (c instanceof UdpSipClient ? c.send(text, sipPort) : c.send(text));
      for (const [method, want] of [['FOOBAR', 501], ['REGISTER', 405], ['MESSAGE', 405]] as const) {
        const r = request({ method, uri: gwUri, transport, port: c.port });
        await send(r.text);
        const got = await c.finalFor(r.callId, 2000);
        assert.deepEqual(statuses(got), [want], `${transport} ${method}`);
        assert.ok(got[0]?.to.params.get('tag'), `${transport} ${method}: the ${want} carries a To tag (RFC 3261 §8.2.6.2)`);
        if (want === 405) assert.ok(allow(got[0]).includes('INVITE') && !allow(got[0]).includes(method), `${method}: Allow ${allow(got[0]).join(',')}`);
      }
    }
  });

  test('malformed requests over UDP: 400/505 where the headers can be salvaged, silence otherwise', async () => {
    const base = (over: Partial<RequestSpec> = {}): RequestSpec => ({ method: 'OPTIONS', uri: gwUri, transport: 'UDP', port: udp.port, ...over });
    const valid = request(base()).text;
    // parsed: false when the parser refuses it (counted in parseErrors, answered by the transport).
    const cases: Array<{ name: string; bytes: string | Buffer; want: number[]; reason?: RegExp; parsed?: true }> = [
      { name: 'request line without SIP version', bytes: request(base({ requestLine: `OPTIONS ${gwUri}` })).text, want: [] },
      { name: 'request line with SIP/3.0', bytes: request(base({ requestLine: `OPTIONS ${gwUri} SIP/3.0` })).text, want: [505] },
      { name: 'Request-URI without a scheme', bytes: request(base({ requestLine: 'OPTIONS no-scheme-here SIP/2.0' })).text, want: [400], reason: /Request-URI/ },
      { name: 'missing Via', bytes: request(base({ omit: ['Via'] })).text, want: [] },
      { name: 'missing From', bytes: request(base({ omit: ['From'] })).text, want: [] },
      { name: 'missing To', bytes: request(base({ omit: ['To'] })).text, want: [] },
      { name: 'missing Call-ID', bytes: request(base({ omit: ['Call-ID'] })).text, want: [] },
      { name: 'missing CSeq', bytes: request(base({ omit: ['CSeq'] })).text, want: [] },
      { name: 'CSeq method differs from the method', bytes: request(base({ cseqMethod: 'INVITE' })).text, want: [400], reason: /CSeq/ },
      { name: 'two Call-ID headers', bytes: request(base({ extra: ['Call-ID: second@hostile.test'] })).text, want: [400], reason: /Call-ID/ },
      { name: 'Content-Length not a number', bytes: request(base({ contentLength: 'abc' })).text, want: [400], reason: /Content-Length/ },
      { name: 'Content-Length larger than the body', bytes: request(base({ contentLength: '500', body: 'v=0\r\n' })).text, want: [400], reason: /Content-Length/ },
      { name: 'Via branch without the RFC 3261 cookie', bytes: request(base({ branch: 'rfc2543-style' })).text, want: [400], reason: /2543/, parsed: true },
      { name: 'non-SIP binary garbage', bytes: garbage(4475, 700), want: [] },
      { name: 'an HTTP request', bytes: 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', want: [] },
      { name: 'truncated message (no end of headers)', bytes: valid.slice(0, Math.floor(valid.length * 0.6)), want: [] },
      { name: 'a response nobody asked for', bytes: `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:${sipPort};branch=z9hG4bKnotours\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2\r\nCall-ID: stray@hostile.test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`, want: [], parsed: true },
      { name: 'an ACK outside any transaction or dialog', bytes: request(base({ method: 'ACK', toTag: token() })).text, want: [], parsed: true },
    ];
    const before = stats();
    let answeredByTransport = 0;
    let refusedByParser = 0;
    for (const c of cases) {
      const got = await udpCase(c.bytes);
      assert.deepEqual(got.codes, c.want, `${c.name}: got ${got.codes.join(',') || 'nothing'}`);
      assert.equal(got.unparsed, 0, `${c.name}: the answer parses`);
      if (c.reason !== undefined) assert.match(got.responses[0]?.reason ?? '', c.reason, c.name);
      if (c.parsed !== true) {
        refusedByParser++;
        answeredByTransport += c.want.length;
      }
    }
    const after = stats();
    assert.equal(after.parseErrors - before.parseErrors, refusedByParser, 'every malformed datagram counted');
    assert.equal(after.badInputAnswered - before.badInputAnswered, answeredByTransport, 'every 400/505 counted');
  });

  test('malformed requests over TCP: 400 on the connection, silence, or the connection closed when framing fails', async () => {
    const before = stats();
    const spec = (c: TcpSipClient, over: Partial<RequestSpec> = {}): RequestSpec => ({ method: 'OPTIONS', uri: gwUri, transport: 'TCP', port: c.port, ...over });
    const probe = async (c: TcpSipClient, label: string): Promise<string> => {
      const p = request(spec(c));
      await c.send(p.text);
      assert.deepEqual(statuses(await c.finalFor(p.callId, 2000)), [200], `${label}: probe on the same connection`);
      return p.callId;
    };

    // Framed fine, refused by the parser: answered 400 when salvageable, else silence; the connection stays.
    const kept: Array<{ name: string; over: Partial<RequestSpec>; want: number[] }> = [
      { name: 'request line without SIP version', over: { requestLine: `OPTIONS ${gwUri}` }, want: [] },
      { name: 'missing Call-ID', over: { omit: ['Call-ID'] }, want: [] },
      { name: 'missing Via', over: { omit: ['Via'] }, want: [] },
      { name: 'CSeq method differs from the method', over: { cseqMethod: 'BYE' }, want: [400] },
    ];
    for (const k of kept) {
      const c = await tcp();
      const r = request(spec(c, k.over));
      await c.send(r.text);
      const probeCallId = await probe(c, k.name);
      const others = c.inbox.filter((x) => !x.ok || x.response.callId !== probeCallId);
      assert.deepEqual(others.map((x) => (x.ok ? x.response.status : 'unparsed')), k.want, `${k.name}`);
      assert.equal(c.closedByPeer, false, `${k.name}: connection kept`);
      await c.close();
    }

    // Framing impossible: the connection is closed, nothing comes back.
    const closing: Array<{ name: string; bytes: (c: TcpSipClient) => string | Buffer }> = [
      { name: 'Content-Length not a number', bytes: (c) => request(spec(c, { contentLength: 'abc' })).text },
      { name: 'no Content-Length', bytes: (c) => request(spec(c, { contentLength: null })).text },
      { name: 'two different Content-Length headers', bytes: (c) => request(spec(c, { extra: ['Content-Length: 5'] })).text },
      { name: 'an HTTP request', bytes: () => 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' },
      { name: 'binary garbage with a blank line', bytes: () => Buffer.concat([garbage(5626, 300), Buffer.from('\r\n\r\n')]) },
    ];
    for (const k of closing) {
      const c = await tcp();
      await c.send(k.bytes(c));
      assert.ok(await c.waitClosed(2000), `${k.name}: connection closed`);
      assert.deepEqual(c.inbox, [], `${k.name}: nothing sent back`);
    }

    // A truncated message: the framer waits for the rest; nothing is answered.
    const t = await tcp();
    const whole = request(spec(t, { body: 'v=0\r\n' })).text;
    await t.send(whole.slice(0, whole.length - 3));
    await sleep(300);
    assert.equal(t.inbox.length, 0, 'truncated: nothing answered');
    assert.equal(t.closedByPeer, false, 'truncated: the connection waits for the rest');
    // The rest arrives: the message completes and is answered.
    await t.send(whole.slice(whole.length - 3));
    await t.until((i) => i.length > 0, 2000);
    const completed = t.inbox.map((x) => (x.ok ? x.response.status : 'unparsed'));
    assert.deepEqual(completed, [200], 'the completed message is answered');
    await t.close();

    const after = stats();
    assert.equal(after.framingErrors - before.framingErrors, closing.length, 'framing errors counted');
    assert.equal(after.parseErrors - before.parseErrors, kept.length, 'parse errors counted');
    assert.equal(after.badInputAnswered - before.badInputAnswered, kept.reduce((n, k) => n + k.want.length, 0), '400s counted');
  });

  test('huge headers: a 200 KB header closes the TCP connection; a ~60 KB datagram is within the 64 KiB limit and answered', async () => {
    const before = stats();
    const c = await tcp();
    const huge = request({ method: 'OPTIONS', uri: gwUri, transport: 'TCP', port: c.port, extra: [`X-Huge: ${'a'.repeat(200 * 1024)}`] });
    await c.send(huge.text);
    assert.ok(await c.waitClosed(3000), 'the gateway closed the connection');
    assert.deepEqual(c.inbox, [], 'nothing answered');
    assert.equal(stats().framingErrors - before.framingErrors, 1);

    // A header that makes the message just above 60 KB: within the 64 KiB limit, so it is parsed and answered.
    const big = request({ method: 'OPTIONS', uri: gwUri, transport: 'UDP', port: udp.port, extra: [`X-Huge: ${'b'.repeat(60 * 1024)}`] });
    const got = await udpCase(big.text);
    assert.deepEqual(got.codes, [200]);
    assert.ok(got.responses[0] !== undefined && got.responses[0].headers.every((h) => h.name !== 'X-Huge'), 'the huge header is not echoed');
    assert.equal(stats().oversize, before.oversize, 'no datagram reaches the 64 KiB limit (65,507 octets at most over IPv4)');

    // A fresh TCP connection still works.
    const d = await tcp();
    const r = request({ method: 'OPTIONS', uri: gwUri, transport: 'TCP', port: d.port });
    await d.send(r.text);
    assert.deepEqual(statuses(await d.finalFor(r.callId, 2000)), [200]);
  });

  test('requests for nothing: INVITE for an id not signed in → 480, BYE outside a dialog → 481, CANCEL for nothing → 481', async () => {
    for (const transport of ['UDP', 'TCP'] as const) {
      const c = transport === 'UDP' ? udp : await tcp();
      const send = (text: string): Promise<unknown> => (c instanceof UdpSipClient ? c.send(text, sipPort) : c.send(text));
      c.clear();
      const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
      const uri = `sip:nobody-${token()}@127.0.0.1:${sipPort}`;
      const inv = request({ method: 'INVITE', uri, transport, port: c.port, body: sdp, extra: ['Content-Type: application/sdp'] });
      await send(inv.text);
      const got = await c.finalFor(inv.callId, 2000);
      const final = got.find((r) => r.status >= 200);
      assert.equal(final?.status, 480, `${transport} INVITE: ${statuses(got).join(',')}`);
      assert.ok(statuses(got).every((s) => s === 100 || s === 480), `${transport} INVITE: only 100/480: ${statuses(got).join(',')}`);
      // ACK the 480 (same branch, the 480's To tag): the gateway stops retransmitting it.
      const toTag = final?.to.params.get('tag') ?? undefined;
      assert.ok(toTag, '480 carries a To tag');
      const fromTag = /;tag=([^\r\n;]+)/.exec(inv.text)?.[1];
      await send(request({ method: 'ACK', uri, transport, port: c.port, callId: inv.callId, branch: inv.branch, fromTag, toTag }).text);

      const bye = request({ method: 'BYE', uri, transport, port: c.port, toTag: token() });
      await send(bye.text);
      assert.deepEqual(statuses(await c.finalFor(bye.callId, 2000)), [481], `${transport} BYE`);

      const cancel = request({ method: 'CANCEL', uri, transport, port: c.port });
      await send(cancel.text);
      const cancelled = await c.finalFor(cancel.callId, 2000);
      assert.deepEqual(statuses(cancelled), [481], `${transport} CANCEL`);
      assert.ok(cancelled[0]?.to.params.get('tag'), `${transport} CANCEL: the 481 carries a To tag`);

      // With the ACK in, no 480 retransmission follows (Timer G would fire at 500 ms on UDP).
      await sleep(700);
      assert.equal(c.responsesFor(inv.callId).filter((r) => r.status === 480).length, 1, `${transport}: 480 sent once`);
    }
  });

  test('flood: 5000 datagrams in a few seconds; the gateway stays responsive, memory bounded, the call carries audio', async (t) => {
    const flood = await UdpSipClient.open();
    try {
      const rssBefore = process.memoryUsage().rss;
      const before = stats();
      const total = 5000;
      const perTick = 125;
      let options = 0;
      let salvageable = 0;
      let junk = 0;
      const started = Date.now();
      for (let sent = 0; sent < total; ) {
        const batch: Array<Promise<void>> = [];
        for (let i = 0; i < perTick && sent < total; i++, sent++) {
          const kind = sent % 3;
          let bytes: string | Buffer;
          if (kind === 0) {
            bytes = request({ method: 'OPTIONS', uri: gwUri, transport: 'UDP', port: flood.port }).text;
            options++;
          } else if (kind === 1) {
            bytes = request({ method: 'OPTIONS', uri: gwUri, transport: 'UDP', port: flood.port, contentLength: 'x' }).text;
            salvageable++;
          } else {
            bytes = garbage(sent, 200 + (sent % 400));
            junk++;
          }
          batch.push(flood.send(bytes, sipPort).catch(() => undefined));
        }
        await Promise.all(batch);
        await sleep(50);
      }
      const floodMs = Date.now() - started;
      // The final health check.
      const hc = request({ method: 'OPTIONS', uri: gwUri, transport: 'UDP', port: udp.port });
      udp.clear();
      const hcStart = Date.now();
      await udp.send(hc.text, sipPort);
      const hcGot = await udp.finalFor(hc.callId, 1000);
      const hcMs = Date.now() - hcStart;
      assert.deepEqual(statuses(hcGot), [200], 'OPTIONS after the flood answered within 1 s');

      await flood.until((i) => i.length >= options + salvageable, 2000);
      const codes = new Map<number, number>();
      for (const r of flood.inbox) if (r.ok) codes.set(r.response.status, (codes.get(r.response.status) ?? 0) + 1);
      const after = stats();
      const rssAfter = process.memoryUsage().rss;
      t.diagnostic(`flood: ${total} datagrams in ${floodMs} ms; answers ${JSON.stringify(Object.fromEntries(codes))}; health check ${hcMs} ms; rss ${(rssBefore / 1048576).toFixed(0)} → ${(rssAfter / 1048576).toFixed(0)} MiB`);
      // Loopback may drop a datagram under load: most must be answered, nothing else may come back.
      assert.deepEqual([...codes.keys()].sort(), [200, 400]);
      assert.ok((codes.get(200) ?? 0) >= options * 0.9, `200s ${codes.get(200)} of ${options}`);
      assert.ok((codes.get(400) ?? 0) >= salvageable * 0.9, `400s ${codes.get(400)} of ${salvageable}`);
      assert.ok(after.parseErrors - before.parseErrors >= (salvageable + junk) * 0.9);
      assert.ok(after.badInputAnswered - before.badInputAnswered >= salvageable * 0.9);
      assert.ok(rssAfter - rssBefore < 150 * 1048576, `rss grew ${((rssAfter - rssBefore) / 1048576).toFixed(0)} MiB`);

      // The call in progress still carries audio.
      const s0 = await page.evaluate(readInbound);
      await sleep(3000);
      const s1 = await page.evaluate(readInbound);
      t.diagnostic(`browser inbound after the flood: ${s0.packetsReceived} → ${s1.packetsReceived} packets, energy ${s1.totalAudioEnergy.toFixed(3)}`);
      assert.equal(s1.state, 'connected');
      assert.ok(s1.packetsReceived - s0.packetsReceived > 100, `packets in 3 s: ${s1.packetsReceived - s0.packetsReceived}`);
      assert.ok(s1.totalAudioEnergy > s0.totalAudioEnergy && s1.totalAudioEnergy > 0, 'audio energy keeps growing');
      assert.equal(gw.gateway.calls.activeCalls, 1);
    } finally {
      await flood.close();
    }
  });

  test('the transport counted the bad input', () => {
    const s = stats();
    assert.ok(s.parseErrors > statsBefore.parseErrors, 'parseErrors moved');
    assert.ok(s.badInputAnswered > statsBefore.badInputAnswered, 'badInputAnswered moved');
    assert.ok(s.framingErrors > statsBefore.framingErrors, 'framingErrors moved');
    assert.equal(s.sendErrors, statsBefore.sendErrors, 'no send errors');
  });

  test('hang up: SIPp exits 0, ports back in their pools', async () => {
    for (const c of tcpClients.splice(0)) await c.close();
    const reason = await page.evaluate(hangUp);
    hungUp = true;
    assert.equal(reason, 'hangup');
    const code = await Promise.race([uas.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10000))]);
    assert.equal(code, 0, uas.output.join('').slice(-2000));
    assert.ok(await waitUntil(() => gw.gateway.engine.portsInUse() === 0 && gw.gateway.engine.sipPortsInUse() === 0, 3000), 'ports back');
    assert.equal(gw.gateway.calls.activeCalls, 0);
    assert.ok(await waitUntil(() => stats().connectionsOpen === 0, 2000), 'no TCP connection left open');
  });
});
