// The walking skeleton end to end: headless Chromium signs in as Anon and calls "self"; its media
// crosses the real gateway (ICE-lite, DTLS-SRTP, SRTP, RTP/RTCP echo) and comes back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchChromium, openPage, type ChromiumHandle } from './helpers/chromium.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { loopbackCalls, type CallReport } from './loopbackPage.js';

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

function assertMediaFlowed(r: CallReport, seconds: number): void {
  assert.equal(r.dtlsState, 'connected');
  // The gateway announces only 127.0.0.1; in the private namespace the browser has only lo too.
  assert.match(r.remoteAddress ?? '', /^127\.0\.0\.1:/);
  if (process.env['RTCGATE_NETNS'] !== undefined) assert.match(r.localAddress ?? '', /^127\.0\.0\.1:/);
  // Opus at 20 ms is 50 packets a second; leave room for the first second of set-up.
  assert.ok(r.audioPacketsReceived > 40 * seconds, `audio packets received ${r.audioPacketsReceived}`);
  assert.ok(r.totalAudioEnergy > 0, 'remote audio carries energy');
  assert.ok(r.roundTripTime !== null && r.roundTripTime >= 0, `RTT measured (${String(r.roundTripTime)})`);
  assert.equal(r.endReason, 'hangup');
}

describe('loop-back call through the gateway', () => {
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

  test('audio call to self: DTLS connected on 127.0.0.1, audio and RTT come back', async () => {
    const page = await openPage(browser, gw.origin + '/');
    const [report] = await page.evaluate(loopbackCalls, { count: 1, video: false, seconds: 10 });
    await page.close();
    assert.ok(report);
    assertMediaFlowed(report, 10);
    assert.equal(report.codec, 'audio/opus');
    assert.ok(await waitUntil(() => gw.gateway.engine.portsInUse() === 0, 3000), 'port returned to the pool');
  });

  test('audio and video call to self: video frames are decoded', async () => {
    const page = await openPage(browser, gw.origin + '/');
    const [report] = await page.evaluate(loopbackCalls, { count: 1, video: true, seconds: 10 });
    await page.close();
    assert.ok(report);
    assertMediaFlowed(report, 10);
    assert.ok(report.videoFramesDecoded > 0, `frames decoded ${report.videoFramesDecoded}`);
    assert.ok(await waitUntil(() => gw.gateway.engine.portsInUse() === 0, 3000), 'port returned to the pool');
  });

  test('demo page: a person signs in, calls self with video, sees live stats, hangs up', async () => {
    const page = await openPage(browser, gw.origin + '/');
    await page.click('#signIn');
    await page.waitForFunction(() => !(document.querySelector('#call') as HTMLButtonElement).disabled);
    await page.check('#video');
    await page.click('#call');
    await page.waitForFunction(() => /Connected/.test(document.querySelector('#status')?.textContent ?? ''), undefined, { timeout: 15000 });
    // Stats refresh every second: wait until both rows show packets received and decoded frames.
    await page.waitForFunction(
      () => {
        const audio = document.querySelector('#stats-audio')?.textContent ?? '';
        const video = document.querySelector('#stats-video')?.textContent ?? '';
        return /opus/.test(audio) && /VP8/.test(video) && !/—\s*$/.test(video);
      },
      undefined,
      { timeout: 10000 },
    );
    await page.click('#hangup');
    await page.waitForFunction(() => !/Connected/.test(document.querySelector('#status')?.textContent ?? ''));
    await page.close();
    assert.ok(await waitUntil(() => gw.gateway.engine.portsInUse() === 0, 3000), 'port returned to the pool');
  });
});
