// Browser → browser in standalone mode (no sip-proxy): the call is still a SIP call — the
// gateway sends the INVITE to its own SIP port, and the callee's browser gets it as an incoming
// call. Both browsers hear each other through two bridged RTP legs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchChromium, openPage, type ChromiumHandle } from './helpers/chromium.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { loopbackCalls } from './loopbackPage.js';
import { answerIncoming } from './sippPage.js';

describe('browser → browser through the gateway (standalone)', () => {
  let gw: TestGateway;
  let browser: ChromiumHandle;

  before(async () => {
    gw = await startTestGateway(['--sip-rtp-min-port', '41900', '--sip-rtp-max-port', '41999']);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await gw?.gateway.stop();
  });

  test('Anon calls "bob": bob is offered the call, answers, and both sides receive audio', async (t) => {
    const callee = await openPage(browser, gw.origin + '/');
    const answered = callee.evaluate(answerIncoming, { id: 'bob', seconds: 4, waitMs: 15000 });
    await callee.waitForFunction(() => (window as unknown as { rtcgateSignedIn?: boolean }).rtcgateSignedIn === true, undefined, { timeout: 10000 });
    const caller = await openPage(browser, gw.origin + '/');
    const [report] = await caller.evaluate(loopbackCalls, { count: 1, video: false, seconds: 6, target: 'bob' });
    const bob = await answered;
    await caller.close();
    await callee.close();
    assert.ok(report);
    t.diagnostic(`caller: ${report.audioPacketsReceived} packets, energy ${report.totalAudioEnergy.toFixed(3)}; callee: ${bob.audioPacketsReceived} packets, energy ${bob.totalAudioEnergy.toFixed(3)}, from ${bob.from}`);
    assert.equal(bob.from, 'Anon');
    assert.equal(report.dtlsState, 'connected');
    assert.ok(report.audioPacketsReceived > 150, `caller received ${report.audioPacketsReceived}`);
    assert.ok(report.totalAudioEnergy > 0);
    assert.ok(bob.audioPacketsReceived > 100, `callee received ${bob.audioPacketsReceived}`);
    assert.ok(bob.totalAudioEnergy > 0);
    assert.equal(bob.state, 'ended', 'the caller hung up');
    const end = Date.now() + 3000;
    while (Date.now() < end && (gw.gateway.engine.portsInUse() > 0 || gw.gateway.engine.sipPortsInUse() > 0)) await new Promise((r) => setTimeout(r, 50));
    assert.equal(gw.gateway.engine.portsInUse(), 0);
    assert.equal(gw.gateway.engine.sipPortsInUse(), 0);
  });
});
