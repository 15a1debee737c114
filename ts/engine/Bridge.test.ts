// SIP-side RTP legs and bridges through the typed API, with node:dgram sockets as the peers:
// what one peer sends reaches the other relayed (same codec) or transcoded (PCMU → Opus).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';

import { Engine } from './Engine.js';
import type { EngineOptions, LegFormat } from './types.js';

const options: EngineOptions = {
  workers: 2,
  portMin: 42200,
  portMax: 42209,
  sipPortMin: 42300,
  sipPortMax: 42339,
  bindAddress: '127.0.0.1',
  consentTimeoutSeconds: 30,
};

interface Peer {
  socket: Socket;
  port: number;
  packets: Buffer[];
}

async function peer(): Promise<Peer> {
  const socket = createSocket('udp4');
  const packets: Buffer[] = [];
  socket.on('message', (m) => packets.push(m));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, packets };
}

/** A 20 ms PCMU packet (RFC 3551: PT 0, 160 samples) of a quiet square-ish wave. */
function pcmuPacket(seq: number, ssrc: number): Buffer {
  const b = Buffer.alloc(12 + 160);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 160) >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  for (let i = 0; i < 160; i++) b[12 + i] = i % 16 < 8 ? 0x9f : 0x1f;
  return b;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !cond()) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

async function sendPaced(p: Peer, port: number, count: number, ssrc: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    p.socket.send(pcmuPacket(i, ssrc), port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pcmu = (ssrc: number): LegFormat => ({ codec: 'PCMU', payloadType: 0, clockRate: 8000, ssrc });

describe('RTP endpoints and bridges', () => {
  const engine = new Engine(options);
  let p1: Peer;
  let p2: Peer;

  before(async () => {
    p1 = await peer();
    p2 = await peer();
  });

  after(() => {
    p1.socket.close();
    p2.socket.close();
    engine.stop();
  });

  test('relay: PCMU from one peer reaches the other with the gateway SSRC, same payload', async () => {
    const a = engine.createRtpEndpoint({ ssrc: 0x0a0a0a0a, clockRate: 8000 });
    const b = engine.createRtpEndpoint({ affinity: a.id, ssrc: 0x0b0b0b0b, clockRate: 8000 });
    assert.equal(a.port % 2, 0, 'RTP on an even port (RFC 3550 §11)');
    assert.equal(a.rtcpPort, a.port + 1);
    assert.equal(engine.sipPortsInUse(), 4);
    a.setRemote('127.0.0.1', p1.port);
    b.setRemote('127.0.0.1', p2.port);
    const bridge = engine.createBridge({ legA: a.id, legB: b.id, mode: 'relay', formatA: pcmu(a.ssrc), formatB: pcmu(b.ssrc) });
    p2.packets.length = 0;
    await sendPaced(p1, a.port, 10, 0x12345678);
    assert.ok(await until(() => p2.packets.filter((m) => m[1] === 0).length >= 10, 2000), `relayed ${p2.packets.length}`);
    const first = p2.packets.find((m) => (m[1]! & 0x7f) === 0)!;
    assert.equal(first.readUInt32BE(8), 0x0b0b0b0b, 'SSRC of the outgoing leg');
    assert.deepEqual(first.subarray(12), pcmuPacket(0, 0).subarray(12), 'payload untouched');
    const stats = await bridge.getStats();
    assert.equal(stats.mode, 'relay');
    assert.equal(stats.directions[0].packetsOut, 10);
    const latched = await a.getStats();
    assert.equal(latched.kind, 'rtp');
    assert.equal(latched.latched, true, 'symmetric RTP latched to the sender');
    assert.equal(await bridge.destroy(), 'destroyed');
    await Promise.all([a.close(), b.close()]);
    assert.equal(engine.sipPortsInUse(), 0);
  });

  test('transcode: PCMU in becomes Opus out (PT, SSRC, 20 ms cadence), stats show the codec work', async () => {
    const a = engine.createRtpEndpoint({ ssrc: 0x0c0c0c0c, clockRate: 8000 });
    const b = engine.createRtpEndpoint({ affinity: a.id, ssrc: 0x0d0d0d0d, clockRate: 48000 });
    a.setRemote('127.0.0.1', p1.port);
    b.setRemote('127.0.0.1', p2.port);
    const bridge = engine.createBridge({
      legA: a.id,
      legB: b.id,
      mode: 'transcode',
      formatA: pcmu(a.ssrc),
      formatB: { codec: 'opus', payloadType: 111, clockRate: 48000, ssrc: b.ssrc },
    });
    p2.packets.length = 0;
    await sendPaced(p1, a.port, 25, 0x2468ace0);
    assert.ok(await until(() => p2.packets.filter((m) => (m[1]! & 0x7f) === 111).length >= 15, 2000));
    const opus = p2.packets.filter((m) => (m[1]! & 0x7f) === 111);
    assert.equal(opus[0]!.readUInt32BE(8), 0x0d0d0d0d);
    // Opus RTP clock is 48 kHz whatever the audio bandwidth (RFC 7587 §4.1): 960 per 20 ms.
    assert.equal((opus[1]!.readUInt32BE(4) - opus[0]!.readUInt32BE(4)) >>> 0, 960);
    const stats = await bridge.getStats();
    assert.equal(stats.mode, 'transcode');
    assert.ok(stats.directions[0].framesDecoded >= 15 && stats.directions[0].framesEncoded >= 15, JSON.stringify(stats.directions[0]));
    await Promise.all([a.close(), b.close()]);
    assert.equal(bridge.closeReason, 'leg closed');
    assert.equal(engine.sipPortsInUse(), 0);
  });

  test('bridging legs of different workers is refused with the fix in the message', async () => {
    const a = engine.createRtpEndpoint({ ssrc: 1, clockRate: 8000 });
    let b = engine.createRtpEndpoint({ ssrc: 2, clockRate: 8000 });
    if (b.id % 2 === a.id % 2) {
      await b.close();
      b = engine.createRtpEndpoint({ ssrc: 2, clockRate: 8000 });
    }
    if (b.id % 2 !== a.id % 2) {
      assert.throws(() => engine.createBridge({ legA: a.id, legB: b.id, mode: 'relay', formatA: pcmu(1), formatB: pcmu(2) }), /different workers: create the second with affinity/);
    }
    await Promise.all([a.close(), b.close()]);
  });

  test('a bridge to a missing leg closes at once with the reason; bad formats throw', async () => {
    const a = engine.createRtpEndpoint({ ssrc: 1, clockRate: 8000 });
    const ghost = a.id + 2 * 1000;
    const bridge = engine.createBridge({ legA: a.id, legB: ghost, mode: 'relay', formatA: pcmu(1), formatB: pcmu(2) });
    const reason = await new Promise<string>((resolve) => bridge.once('closed', resolve));
    assert.match(reason, /no endpoint/);
    assert.throws(() => engine.createBridge({ legA: a.id, legB: a.id, mode: 'relay', formatA: { ...pcmu(1), codec: 'AMR' as 'PCMU' }, formatB: pcmu(1) }), /unsupported codec AMR/);
    a.update({ clockRate: 16000, mediaTimeoutSeconds: 0, srtp: null });
    await a.close();
  });
});
