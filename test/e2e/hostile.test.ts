// Hostile input on live media ports. A Chromium loop-back call stays up while a plain UDP socket
// on 127.0.0.1 throws noise, broken STUN, fake DTLS and fake RTP at the call's port; then the
// socket plays an ICE peer against a second endpoint of its own and attacks it from a
// validated address. The engine must drop and count all of it (native/session/WebRtcEndpoint.cpp
// says which counter), answer only what RFC 5389/8445 say to answer, and keep the call's audio.
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';

import type { EndpointCounters, EndpointStats } from '../../ts/engine/types.js';
import { WebRtcEndpoint } from '../../ts/engine/Engine.js';
import { launchChromium, openPage, type ChromiumHandle } from './helpers/chromium.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { buildBindingRequest, parseStun, type ParsedStun } from './helpers/stun.js';
import { hangUp, placeCall, readInbound } from './hostilePage.js';

const kLoopback = '127.0.0.1';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(50);
  }
  return cond();
}

/** xorshift32 with a fixed seed: the same "random" datagrams on every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function randomFill(next: () => number, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = next() & 0xff;
  return b;
}

/** RFC 7983 §7 first-byte ranges, as an endpoint's demultiplexer applies them. */
type Kind = 'stun' | 'dtls' | 'rtp' | 'rtcp' | 'unknown';
function rfc7983Kind(d: Uint8Array): Kind {
  const b = d[0];
  if (b === undefined) return 'unknown';
  if (b <= 3) return 'stun';
  if (b >= 20 && b <= 63) return 'dtls';
  if (b >= 128 && b <= 191) {
    const second = d[1];
    if (second === undefined) return 'unknown';
    const pt = second & 0x7f;
    return pt >= 64 && pt <= 95 ? 'rtcp' : 'rtp'; // RFC 5761 §4
  }
  return 'unknown';
}

/** A plain RTP header (RFC 3550 §5.1) and a payload; never valid SRTP (no auth tag). */
function fakeRtp(next: () => number, pt: number, seq: number, payloadSize: number): Buffer {
  const b = Buffer.alloc(12 + payloadSize);
  b[0] = 0x80; // V=2
  b[1] = pt & 0x7f;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(next(), 4);
  b.writeUInt32BE(next(), 8);
  randomFill(next, payloadSize).copy(b, 12);
  return b;
}

/** A sender report header (RFC 3550 §6.4.1, PT 200) with random sender info. */
function fakeRtcp(next: () => number): Buffer {
  const b = randomFill(next, 28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2); // length in words - 1
  return b;
}

/** DTLS-looking datagrams: first byte 22 (handshake) or 23 (application data), random rest. */
function garbageDtls(next: () => number, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const d = randomFill(next, 1 + (next() % 300));
    d[0] = i % 2 === 0 ? 22 : 23;
    out.push(d);
  }
  return out;
}

/**
 * Well-framed DTLS 1.2 records (RFC 6347 §4.1: type, version fe fd, epoch 0, sequence, length)
 * with a random body: they pass the transport's framing check and reach OpenSSL.
 */
function framedGarbageDtls(next: () => number, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const body = randomFill(next, 16 + (next() % 200));
    const header = Buffer.alloc(13);
    header[0] = i % 2 === 0 ? 22 : 23;
    header[1] = 0xfe;
    header[2] = 0xfd;
    header.writeUInt16BE(0, 3); // epoch
    header.writeUIntBE(i, 5, 6); // sequence number
    header.writeUInt16BE(body.length, 11);
    out.push(Buffer.concat([header, body]));
  }
  return out;
}

interface Received {
  data: Buffer;
  from: RemoteInfo;
}

/** A UDP socket on 127.0.0.1 that records what comes back to it. */
class Attacker {
  readonly received: Received[] = [];
  private constructor(readonly socket: Socket) {
    socket.on('message', (data, from) => this.received.push({ data, from }));
  }

  static async open(): Promise<Attacker> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, kLoopback, () => resolve());
    });
    return new Attacker(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Sends in small paced batches so the engine's socket buffer never overflows (no loss to explain). */
  async send(port: number, datagrams: readonly Uint8Array[]): Promise<void> {
    for (let i = 0; i < datagrams.length; i += 16) {
      await Promise.all(
        datagrams.slice(i, i + 16).map(
          (d) => new Promise<void>((resolve, reject) => this.socket.send(d, port, kLoopback, (err) => (err ? reject(err) : resolve()))),
        ),
      );
      await sleep(2);
    }
  }

  /** STUN messages received so far from `port`. */
  stunFrom(port: number): ParsedStun[] {
    return this.received.filter((r) => r.from.port === port).flatMap((r) => parseStun(r.data) ?? []);
  }

  async response(port: number, transactionId: Buffer, ms = 2000): Promise<ParsedStun> {
    let found: ParsedStun | undefined;
    await waitUntil(() => {
      found = this.stunFrom(port).find((m) => m.transactionId.equals(transactionId));
      return found !== undefined;
    }, ms);
    assert.ok(found, `no STUN response to ${transactionId.toString('hex')}`);
    return found;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

type Delta = Partial<Record<keyof EndpointCounters, number>>;

function delta(a: EndpointStats, b: EndpointStats): Record<keyof EndpointCounters, number> {
  const out = {} as Record<keyof EndpointCounters, number>;
  for (const k of Object.keys(b.counters) as (keyof EndpointCounters)[]) out[k] = b.counters[k] - a.counters[k];
  return out;
}

/** Polls the endpoint's stats until every counter in `want` moved by at least that much (or 3 s pass). */
async function statsAfter(endpoint: WebRtcEndpoint, base: EndpointStats, want: Delta): Promise<EndpointStats> {
  let last = base;
  await waitUntil(async () => {
    last = await endpoint.getStats();
    const d = delta(base, last);
    return (Object.keys(want) as (keyof EndpointCounters)[]).every((k) => d[k] >= (want[k] ?? 0));
  }, 3000);
  return last;
}

const kDummyFingerprint = { algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') };

describe('hostile input on live media ports', () => {
  let gw: TestGateway;
  let browser: ChromiumHandle;
  let page: Page;
  let attacker: Attacker;
  let call: WebRtcEndpoint;
  let browserUfrag: string;
  let hungUp = false;

  before(async () => {
    // The attack makes the engine log its (rate-limited) reject warnings; keep the output readable.
    gw = await startTestGateway(process.env['RTCGATE_E2E_VERBOSE'] === undefined ? ['--log-level', 'error'] : []);
    browser = await launchChromium();
    attacker = await Attacker.open();
    page = await openPage(browser, gw.origin + '/');
    const placed = await page.evaluate(placeCall);
    assert.ok(placed.localUfrag, 'browser ufrag read from its local description');
    browserUfrag = placed.localUfrag;
    const endpoints = [...gw.gateway.engine.endpoints.values()];
    assert.equal(endpoints.length, 1, 'one endpoint: the call');
    const [only] = endpoints;
    assert.ok(only instanceof WebRtcEndpoint, 'the call is a WebRTC endpoint');
    call = only;
    assert.equal(call.dtlsState, 'connected');
    // DTLS may complete on the first validated address before the browser's nomination lands.
    assert.ok(await waitUntil(() => call.iceState === 'connected', 5000), `call ICE state ${call.iceState}`);
  });

  after(async () => {
    if (!hungUp) await page?.evaluate(hangUp).catch(() => undefined);
    await page?.close().catch(() => undefined);
    await attacker?.close();
    await browser?.close();
    await gw?.gateway.stop();
  });

  test('call port, unvalidated address: noise is dropped and counted; bad Binding requests get 400/401 without MESSAGE-INTEGRITY, a bad FINGERPRINT gets nothing', async () => {
    const next = prng(0x5eed1);
    const base = await call.getStats();
    const selectedBefore = call.selectedAddress;
    const want = { stunRejected: 0, unknownRejected: 0, unvalidatedSourceRejected: 0, stunReceived: 0 };
    const account = (d: Uint8Array): void => {
      switch (rfc7983Kind(d)) {
        case 'stun':
          ++want.stunReceived;
          ++want.stunRejected;
          break;
        case 'unknown':
          if (d.length > 0) ++want.unknownRejected; // a zero-length datagram is ignored uncounted
          break;
        default:
          ++want.unvalidatedSourceRejected; // DTLS, RTP and RTCP need a source that passed ICE
      }
    };

    // 200 random datagrams: first bytes spread over 0..255 (13 is odd, so i*13 mod 256 never repeats), random rest.
    const noise: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const d = randomFill(next, 1 + (next() % 1200));
      d[0] = (i * 13) & 0xff;
      noise.push(d);
    }
    noise.push(Buffer.alloc(0));
    // Truncated STUN: every prefix of a Binding request header, then a header whose length field lies.
    const header = buildBindingRequest({ fingerprint: false });
    for (let n = 1; n < 20; n++) noise.push(header.subarray(0, n));
    const lying = Buffer.from(header);
    lying.writeUInt16BE(8, 2);
    noise.push(lying);
    noise.push(...garbageDtls(next, 50), ...framedGarbageDtls(next, 10));
    for (let i = 0; i < 30; i++) noise.push(fakeRtp(next, 111, i, 80));
    for (let i = 0; i < 5; i++) noise.push(fakeRtcp(next));
    for (const d of noise) account(d);
    assert.ok(want.unknownRejected > 0 && want.stunRejected > 0 && want.unvalidatedSourceRejected > 0, 'every class is exercised');

    // Binding requests with credentials that fail, each in a way RFC 5389 §10.1.2 / RFC 8445 §7.3 names.
    const us = `${call.iceUfrag}:${browserUfrag}`;
    const wrongIntegrity = buildBindingRequest({ username: us, integrityKey: 'not-the-password-at-all-x', priority: 1, iceControlling: 1n, useCandidate: true });
    const wrongUsername = buildBindingRequest({ username: `${call.iceUfrag}:intruder`, integrityKey: call.icePwd, priority: 1, iceControlling: 1n, useCandidate: true });
    const noCredentials = buildBindingRequest({ priority: 1 });
    const badFingerprint = buildBindingRequest({ username: us, integrityKey: call.icePwd, useCandidate: true });
    badFingerprint[badFingerprint.length - 1] = (badFingerprint[badFingerprint.length - 1] ?? 0) ^ 0xff;
    const requests = [wrongIntegrity, wrongUsername, noCredentials, badFingerprint];
    for (const r of requests) account(r);

    await attacker.send(call.port, [...noise, ...requests]);
    const latest = await statsAfter(call, base, want);
    const d = delta(base, latest);

    const txid = (m: Buffer): Buffer => m.subarray(8, 20);
    const e401a = await attacker.response(call.port, txid(wrongIntegrity));
    const e401b = await attacker.response(call.port, txid(wrongUsername));
    const e400 = await attacker.response(call.port, txid(noCredentials));
    for (const [m, code] of [[e401a, 401], [e401b, 401], [e400, 400]] as const) {
      assert.equal(m.cls, 'error');
      assert.equal(m.errorCode, code);
      assert.ok(!m.hasIntegrity, 'an unauthenticated request gets no MESSAGE-INTEGRITY back (RFC 5389 §10.1.2)');
      assert.ok(m.verifyFingerprint());
    }
    await sleep(300); // anything else would have arrived by now
    assert.equal(attacker.received.length, 3, `only the three error responses came back (got ${attacker.received.length})`);

    // The browser sends only good traffic, so rejects are exactly ours; its consent checks add to stunReceived.
    assert.equal(d.unknownRejected, want.unknownRejected, 'unknownRejected');
    assert.equal(d.stunRejected, want.stunRejected, 'stunRejected');
    assert.equal(d.unvalidatedSourceRejected, want.unvalidatedSourceRejected, 'unvalidatedSourceRejected');
    assert.ok(d.stunReceived >= want.stunReceived, 'stunReceived');
    assert.equal(d.srtpRejected, 0, 'nothing of ours reached SRTP');
    assert.equal(d.dtlsReceived, 0, 'nothing of ours reached DTLS');
    assert.equal(latest.iceState, 'connected');
    assert.equal(latest.dtlsState, 'connected');
    assert.equal(latest.selectedAddress, selectedBefore, 'the selected pair did not move');
    console.log(`call port: ${noise.length + requests.length} datagrams sent, rejected unknown ${d.unknownRejected}, stun ${d.stunRejected}, unvalidated ${d.unvalidatedSourceRejected}`);
  });

  test('the call still carries audio for 3 s after the attack', async () => {
    const samples = [await page.evaluate(readInbound)];
    for (let i = 0; i < 3; i++) {
      await sleep(1000);
      samples.push(await page.evaluate(readInbound));
    }
    for (let i = 1; i < samples.length; i++) {
      const [prev, cur] = [samples[i - 1], samples[i]];
      assert.ok(prev && cur);
      // Opus at 20 ms is 50 packets a second.
      assert.ok(cur.packetsReceived - prev.packetsReceived >= 35, `second ${i}: ${prev.packetsReceived} -> ${cur.packetsReceived}`);
    }
    const last = samples.at(-1);
    assert.ok(last);
    assert.equal(last.state, 'connected');
    assert.ok(last.totalAudioEnergy > 0, 'remote audio carries energy');
    assert.equal(call.closed, false);
  });

  test('own endpoint: the socket completes ICE; RTP/RTCP before DTLS count as srtpRejected; 60 garbage DTLS datagrams count as dtlsReceived, never fail the handshake (still connecting) and get no answer; close returns the port', async () => {
    const ep = gw.gateway.engine.createWebRtcEndpoint();
    try {
      await attackOwnEndpoint(ep);
    } finally {
      if (!ep.closed) await ep.close();
    }
  });

  async function attackOwnEndpoint(ep: WebRtcEndpoint): Promise<void> {
    const next = prng(0x5eed2);
    assert.equal(gw.gateway.engine.portsInUse(), 2);
    const myUfrag = 'atk' + randomBytes(3).toString('hex');
    const myPwd = randomBytes(16).toString('base64url'); // 22 characters, RFC 8445 §5.3 minimum
    const dtlsStates: string[] = [];
    ep.on('dtls-state', (s) => dtlsStates.push(s));
    ep.connect({
      iceUfrag: myUfrag,
      icePwd: myPwd,
      fingerprint: kDummyFingerprint,
      dtlsRole: 'server',
      route: { kind: 'echo', audioPayloadTypes: [111], videoPayloadTypes: [], audioSsrc: 0x11111111, videoSsrc: 0x22222222, audioClockRate: 48000, videoClockRate: 90000 },
    });
    const base = await ep.getStats();
    assert.equal(base.dtlsState, 'connecting', 'a DTLS server waits for a ClientHello');

    // Before any check, RTP from the socket is from an unvalidated address.
    await attacker.send(ep.port, [fakeRtp(next, 111, 0, 40)]);
    let s = await statsAfter(ep, base, { unvalidatedSourceRejected: 1 });
    assert.equal(delta(base, s).unvalidatedSourceRejected, 1);

    // RFC 8445 §7.2.2 check as a controlling full agent: USERNAME "<their ufrag>:<ours>", their password.
    const check = buildBindingRequest({
      username: `${ep.iceUfrag}:${myUfrag}`,
      integrityKey: ep.icePwd,
      priority: 0x7e0000ff,
      iceControlling: 0x0102030405060708n,
      useCandidate: true,
    });
    await attacker.send(ep.port, [check]);
    const ok = await attacker.response(ep.port, check.subarray(8, 20));
    assert.equal(ok.cls, 'success');
    assert.ok(ok.verifyIntegrity(ep.icePwd), 'success response signed with the endpoint password');
    assert.ok(ok.verifyFingerprint());
    assert.equal(ok.xorMappedAddress, `${kLoopback}:${attacker.port}`);
    assert.ok(await waitUntil(() => ep.iceState === 'connected', 2000), 'ICE connected');
    assert.equal(ep.selectedAddress, `${kLoopback}:${attacker.port}`);

    // Media before DTLS-SRTP keys exist, from the validated address.
    const media: Buffer[] = [];
    for (let i = 0; i < 20; i++) media.push(fakeRtp(next, 111, i, 80));
    for (let i = 0; i < 5; i++) media.push(fakeRtcp(next));
    const base2 = await ep.getStats();
    await attacker.send(ep.port, media);
    s = await statsAfter(ep, base2, { srtpRejected: 25 });
    let d = delta(base2, s);
    assert.equal(d.srtpRejected, 25, 'srtpRejected');
    assert.equal(d.rtpReceived, 20, 'rtpReceived');
    assert.equal(d.rtcpReceived, 5, 'rtcpReceived');
    assert.equal(d.unvalidatedSourceRejected, 0);

    // Garbage DTLS from the validated address: 50 with random rest (the transport's framing check
    // drops them before OpenSSL) and 10 well framed with random bodies (OpenSSL sees and drops or
    // the not-yet-answered server restarts its handshake; native/dtls/DtlsTransport.cpp).
    const dtls = [...garbageDtls(next, 50), ...framedGarbageDtls(next, 10)];
    const base3 = s;
    const dtlsEventsBefore = dtlsStates.length;
    const receivedBefore = attacker.received.length;
    await attacker.send(ep.port, dtls);
    s = await statsAfter(ep, base3, { dtlsReceived: dtls.length });
    d = delta(base3, s);
    assert.equal(d.dtlsReceived, dtls.length, 'dtlsReceived');
    assert.equal(d.dtlsRejected, 0, 'dtlsRejected counts only DTLS before connect(); these went to the transport');
    assert.equal(d.unknownRejected, 0);
    // Each garbage datagram is either dropped by the transport's framing check or makes the
    // not-yet-started server start over; none is silently lost from the counters.
    assert.equal(d.dtlsInvalid + d.dtlsHandshakeResets >= 50, true, `dtlsInvalid ${d.dtlsInvalid}, resets ${d.dtlsHandshakeResets}`);
    await sleep(300);
    assert.equal(attacker.received.length, receivedBefore, 'no alert or handshake flight came back');
    assert.equal(s.dtlsState, 'connecting', 'the handshake neither failed nor completed');
    assert.equal(s.iceState, 'connected');
    assert.equal(ep.closed, false, 'endpoint survived');
    assert.deepEqual(dtlsStates.slice(dtlsEventsBefore), [], 'no DTLS state event from the garbage');
    assert.ok(dtlsStates.every((st) => st === 'connecting'), `DTLS states ${dtlsStates.join(',')}`);

    // Still answering: a fresh check gets a success response.
    const again = buildBindingRequest({ username: `${ep.iceUfrag}:${myUfrag}`, integrityKey: ep.icePwd, priority: 0x7e0000ff, iceControlling: 0x0102030405060708n });
    await attacker.send(ep.port, [again]);
    assert.equal((await attacker.response(ep.port, again.subarray(8, 20))).cls, 'success');

    assert.equal(await ep.close(), 'closed');
    assert.equal(gw.gateway.engine.portsInUse(), 1, 'back to the call alone');
    // The port is really free: we can bind it ourselves.
    const probe = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(ep.port, kLoopback, () => resolve());
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    assert.equal(call.closed, false);
  }

  test('hang up: the call ends and every port returns to the pool', async () => {
    const reason = await page.evaluate(hangUp);
    hungUp = true;
    assert.equal(reason, 'hangup');
    assert.ok(await waitUntil(() => gw.gateway.engine.portsInUse() === 0, 3000), 'ports in use back to 0');
  });
});
