// The N-API boundary, round trip: commands reach the native workers and their events come back
// typed; ports come back to the pool; bad arguments are refused with clear errors.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { Engine } from './Engine.js';
import type { ConnectParams, EngineOptions } from './types.js';

const options: EngineOptions = {
  workers: 2,
  portMin: 42000,
  portMax: 42003,
  sipPortMin: 42100,
  sipPortMax: 42107,
  bindAddress: '127.0.0.1',
  consentTimeoutSeconds: 1,
};

const connectParams: ConnectParams = {
  iceUfrag: 'abcd',
  icePwd: 'abcdefghijklmnopqrstuvwx',
  fingerprint: { algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') },
  dtlsRole: 'server',
  route: {
    kind: 'echo',
    audioPayloadTypes: [111],
    videoPayloadTypes: [96],
    audioSsrc: 1111,
    videoSsrc: 2222,
    audioClockRate: 48000,
    videoClockRate: 90000,
  },
};

describe('Engine (native addon)', () => {
  const engine = new Engine(options);
  after(() => engine.stop());

  test('has a sha-256 fingerprint of its generated certificate', () => {
    assert.equal(engine.fingerprint.algorithm, 'sha-256');
    assert.match(engine.fingerprint.value, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  test('creates endpoints from the port range, reports them in use, and frees them on close', async () => {
    assert.equal(engine.portsTotal(), 4);
    const a = engine.createWebRtcEndpoint();
    const b = engine.createWebRtcEndpoint();
    assert.ok(a.port >= 42000 && a.port <= 42003);
    assert.notEqual(a.port, b.port);
    assert.ok(a.iceUfrag.length >= 4 && a.icePwd.length >= 22, 'RFC 8445 §5.3 credential lengths');
    assert.equal(engine.portsInUse(), 2);
    const stats = await a.getStats();
    assert.equal(stats.id, a.id);
    assert.equal(stats.iceState, 'new');
    assert.equal(await a.close(), 'closed');
    assert.equal(await b.close(), 'closed');
    assert.equal(engine.portsInUse(), 0);
    assert.equal(a.lastStats?.iceState, 'closed');
  });

  test('refuses a new endpoint when the range is exhausted, naming the range', async () => {
    const taken = [0, 1, 2, 3].map(() => engine.createWebRtcEndpoint());
    assert.throws(() => engine.createWebRtcEndpoint(), /no free media port in 42000-42003/);
    await Promise.all(taken.map((e) => e.close()));
    assert.equal(engine.portsInUse(), 0);
  });

  test('an endpoint that never completes ICE and DTLS closes itself after the timeout', async () => {
    const e = engine.createWebRtcEndpoint();
    e.connect(connectParams);
    const reason = await new Promise((resolve) => e.once('closed', resolve));
    assert.equal(reason, 'setup-timeout');
    assert.equal(engine.portsInUse(), 0);
  });

  test('bad command arguments throw TypeError instead of crashing', async () => {
    const e = engine.createWebRtcEndpoint();
    const bad = { ...connectParams, dtlsRole: 'both' } as unknown as ConnectParams;
    assert.throws(() => e.connect(bad), TypeError);
    const badPt = { ...connectParams, route: { ...connectParams.route, audioPayloadTypes: [300] } };
    assert.throws(() => e.connect(badPt), RangeError);
    await e.close();
  });

  test('commands after stop() fail with a clear error', () => {
    const other = new Engine({ ...options, portMin: 42010, portMax: 42011 });
    other.stop();
    assert.throws(() => other.createWebRtcEndpoint(), /engine is stopped/);
  });

  test('rejects bad engine options', () => {
    assert.throws(() => new Engine({ ...options, portMin: 42020, portMax: 42010 }), /port range/);
    assert.throws(() => new Engine({ ...options, certificatePem: 'x' }), /certificate and private key must be given together/);
  });
});
