// The transcoding loop a person can hear: the browser's Opus goes to PCMU on a SIP-side RTP
// port, across loopback to a second RTP port that reflects it, and back to Opus — through both
// jitter buffers, both codecs and both RTP legs of the audio pipeline.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { BridgeStats } from '../../ts/engine/types.js';
import { launchChromium, openPage, type ChromiumHandle } from './helpers/chromium.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { loopbackCalls } from './loopbackPage.js';

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

describe('self-pcmu: Opus → PCMU → Opus through the transcoding pipeline', () => {
  let gw: TestGateway;
  let browser: ChromiumHandle;

  before(async () => {
    gw = await startTestGateway(['--sip-rtp-min-port', '41400', '--sip-rtp-max-port', '41499']);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await gw?.gateway.stop();
  });

  test('the browser hears its own audio after the narrowband round trip', async (t) => {
    const page = await openPage(browser, gw.origin + '/');
    // Sample the transcoding bridge while the call is up (the page holds it for 8 s).
    let transcode: BridgeStats | null = null;
    const sampler = (async () => {
      await new Promise((r) => setTimeout(r, 6000));
      const bridge = [...gw.gateway.engine.bridges.values()].find((b) => b.params.mode === 'transcode');
      if (bridge) transcode = await bridge.getStats();
    })();
    const [report] = await page.evaluate(loopbackCalls, { count: 1, video: false, seconds: 8, target: 'self-pcmu' });
    await sampler;
    await page.close();
    assert.ok(report);
    assert.equal(report.dtlsState, 'connected');
    assert.equal(report.codec, 'audio/opus');
    // 50 packets/s for 8 s, minus the jitter buffers' start-up.
    assert.ok(report.audioPacketsReceived > 300, `audio packets received ${report.audioPacketsReceived}`);
    assert.ok(report.totalAudioEnergy > 0, 'the round trip carries audio energy');
    assert.equal(report.endReason, 'hangup');

    assert.ok(transcode, 'transcoding bridge stats sampled');
    t.diagnostic(`browser: ${report.audioPacketsReceived} packets, energy ${report.totalAudioEnergy.toFixed(3)}, RTT ${String(report.roundTripTime)}`);
    for (const d of (transcode as BridgeStats).directions) t.diagnostic(`bridge ${d.fromLeg}→${d.toLeg}: ${JSON.stringify(d)}`);
    const [toPcmu, toOpus] = (transcode as BridgeStats).directions;
    assert.ok(toPcmu.framesDecoded > 200 && toPcmu.framesEncoded > 200, `opus→pcmu ${JSON.stringify(toPcmu)}`);
    assert.ok(toOpus.framesDecoded > 200 && toOpus.framesEncoded > 200, `pcmu→opus ${JSON.stringify(toOpus)}`);
    assert.ok(toOpus.mos > 3.5, `MOS estimate ${toOpus.mos}`);

    assert.ok(await waitUntil(() => gw.gateway.engine.portsInUse() === 0 && gw.gateway.engine.sipPortsInUse() === 0, 3000), 'every port back in its pool');
    assert.equal(gw.gateway.engine.bridges.size, 0, 'bridges gone with their legs');
  });
});
