// Acceptance: one Chromium places 20 simultaneous loop-back calls (20 peer connections, audio
// only) through the in-process gateway; each carries audio for 30 s, all hang up, and the engine
// API shows every media port back in the pool.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchChromium, openPage, type ChromiumHandle } from './helpers/chromium.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { loopbackCalls, type CallReport } from './loopbackPage.js';

const kCalls = 20;
const kSeconds = 30;
// Opus sends one packet per 20 ms: 50 a second. loopbackCalls only starts its 30 s wait once the
// last call is connected, so every call has at least 30 s of media (nominal 1,500 packets). The
// bound allows 40/s (packets late or dropped while 20 encoders and the gateway share 2 cores)
// and another 10 % for timer slack: 40 × 30 × 0.9 = 1,080.
const kMinAudioPackets = 40 * kSeconds * 0.9;

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('20 simultaneous loop-back calls from one Chromium', () => {
  let gw: TestGateway;
  let browser: ChromiumHandle;

  before(async () => {
    gw = await startTestGateway();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await gw?.gateway.stop();
  });

  test(`${kCalls} audio calls carry audio for ${kSeconds} s, then every port is back in the pool`, { timeout: 150_000 }, async (t) => {
    const { engine, calls } = gw.gateway;
    assert.equal(engine.portsInUse(), 0, 'pool empty before the calls');
    const page = await openPage(browser, gw.origin + '/');
    try {
      const running = page.evaluate(loopbackCalls, { count: kCalls, video: false, seconds: kSeconds });
      let pageDone = false;
      const settled = running.then(
        () => (pageDone = true),
        () => (pageDone = true),
      );

      // While the calls are up: one port per call, no more, no fewer.
      const allUp = await waitUntil(() => pageDone || calls.activeCalls === kCalls, 30_000);
      assert.ok(allUp && !pageDone, `all ${kCalls} calls up (active ${calls.activeCalls})`);
      assert.equal(engine.portsInUse(), kCalls, 'one media port per call while the calls are up');
      let maxPorts = engine.portsInUse();
      while (!pageDone) {
        maxPorts = Math.max(maxPorts, engine.portsInUse());
        await Promise.race([settled, new Promise((r) => setTimeout(r, 250))]);
      }
      assert.equal(maxPorts, kCalls, 'never more ports than calls');

      const reports: CallReport[] = await running;
      assert.equal(reports.length, kCalls);
      const remotePorts = new Set<string>();
      for (const [i, r] of reports.entries()) {
        const who = `call ${i}`;
        assert.equal(r.dtlsState, 'connected', `${who}: DTLS state`);
        // The gateway announces only 127.0.0.1.
        assert.match(r.remoteAddress ?? '', /^127\.0\.0\.1:\d+$/, `${who}: remote candidate`);
        if (process.env['RTCGATE_NETNS'] !== undefined) assert.match(r.localAddress ?? '', /^127\.0\.0\.1:/, `${who}: local candidate`);
        remotePorts.add(r.remoteAddress ?? '');
        assert.equal(r.codec, 'audio/opus', `${who}: codec`);
        assert.ok(r.audioPacketsReceived > kMinAudioPackets, `${who}: audio packets received ${r.audioPacketsReceived} ≤ ${kMinAudioPackets}`);
        assert.ok(r.totalAudioEnergy > 0, `${who}: remote audio carries energy`);
        assert.equal(r.endReason, 'hangup', `${who}: end reason`);
      }
      assert.equal(remotePorts.size, kCalls, 'each call has its own gateway port');

      const packets = reports.map((r) => r.audioPacketsReceived).sort((a, b) => a - b);
      const setup = reports.map((r) => r.setupMs).sort((a, b) => a - b);
      t.diagnostic(`audio packets received per call: min ${packets[0]}, max ${packets[packets.length - 1]}`);
      t.diagnostic(`set-up (call() → connected): min ${setup[0]?.toFixed(0)} ms, max ${setup[setup.length - 1]?.toFixed(0)} ms`);
    } finally {
      await page.close();
    }

    // After the hang-ups: the API shows no call and an empty pool.
    assert.ok(await waitUntil(() => engine.portsInUse() === 0 && calls.activeCalls === 0, 5000),
      `ports back in the pool (in use ${engine.portsInUse()}, active calls ${calls.activeCalls})`);
    assert.equal(gw.gateway.status().portsInUse, 0);
    assert.equal(gw.gateway.status().calls, 0);
  });
});
