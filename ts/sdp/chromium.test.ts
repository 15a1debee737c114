// The real check of the SDP layer: Chromium's own offers parse, Chromium accepts our answers,
// and Chromium's answer to our offer negotiates. No media flows (nobody listens on the port).
// Skipped when Chromium is not installed.

import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { kChromiumPath, launchChromium, openPage, serveOnLoopback, type ChromiumHandle, type StaticServer } from '../../test/e2e/helpers/chromium.js';
import { buildAnswer, buildOffer, negotiateAnswer, parseBrowserAnswer, parseBrowserOffer, type LocalParams } from './index.js';

const local: LocalParams = {
  iceUfrag: 'gw01',
  icePwd: 'gatewayPasswordOf24Chars',
  fingerprint: { algorithm: 'sha-256', value: Array.from({ length: 32 }, (_, i) => (i * 5 + 3).toString(16).padStart(2, '0').toUpperCase()).join(':') },
  candidates: [{ ip: '127.0.0.1', port: 40000 }],
  audioSsrc: 1111,
  videoSsrc: 2222,
  cname: 'rtcgate',
};

describe('SDP against Chromium', { skip: !existsSync(kChromiumPath), timeout: 30_000 }, () => {
  let browser: ChromiumHandle;
  let site: StaticServer;
  let page: Page;

  before(async () => {
    site = await serveOnLoopback({ '/': ['text/html', '<!doctype html><title>sdp</title>'] });
    browser = await launchChromium();
    page = await openPage(browser, `${site.origin}/`);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  for (const video of [false, true]) {
    it(`accepts our answer to its ${video ? 'audio+video+datachannel' : 'audio'} offer`, async () => {
      const offerSdp = await page.evaluate(async (withVideo: boolean) => {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: withVideo });
        const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
        for (const t of stream.getTracks()) pc.addTrack(t, stream);
        if (withVideo) pc.createDataChannel('chat');
        await pc.setLocalDescription(await pc.createOffer());
        Object.assign(window, { pc });
        return pc.localDescription?.sdp ?? '';
      }, video);
      const offer = parseBrowserOffer(offerSdp);
      const { sdp, negotiated } = buildAnswer(offer, local);
      assert.equal(negotiated.audio?.codec, 'opus');
      if (video) assert.equal(negotiated.video?.codec, 'VP8');
      const outcome = await page.evaluate(async (answer: string) => {
        const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
        try {
          await pc.setRemoteDescription({ type: 'answer', sdp: answer });
          const kinds = pc.getTransceivers().map((t) => `${t.receiver.track.kind}:${t.currentDirection ?? 'none'}`);
          pc.close();
          return { ok: true, detail: kinds.join(',') };
        } catch (err) {
          pc.close();
          return { ok: false, detail: String(err) };
        }
      }, sdp);
      assert.ok(outcome.ok, `Chromium refused our answer: ${outcome.detail}\n${sdp}`);
      assert.equal(outcome.detail, video ? 'audio:sendrecv,video:sendrecv' : 'audio:sendrecv');
    });
  }

  it('answers our offer, and the answer negotiates', async () => {
    const { sdp } = buildOffer(local, { audio: true, video: true });
    const answerSdp = await page.evaluate(async (offer: string) => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      for (const t of stream.getTracks()) pc.addTrack(t, stream);
      await pc.setLocalDescription(await pc.createAnswer());
      const out = pc.localDescription?.sdp ?? '';
      pc.close();
      return out;
    }, sdp);
    const negotiated = negotiateAnswer(parseBrowserAnswer(answerSdp));
    assert.equal(negotiated.dtlsRole, 'server', 'Chromium answers actpass with active');
    assert.equal(negotiated.audio?.codec, 'opus');
    assert.equal(negotiated.audio?.telephoneEventPt, 110);
    assert.equal(negotiated.video?.codec, 'VP8');
    assert.equal(negotiated.audio?.direction, 'sendrecv');
  });
});
