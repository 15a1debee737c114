// The SDK and the demo page in Chromium against a mock gateway that speaks the real protocol
// and answers with the real SDP layer (ts/sdp). No media engine: ICE never completes, so this
// checks signaling, SDP acceptance and the page's behaviour, not media.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { WebSocketServer, type WebSocket } from 'ws';
import { kChromiumPath, launchChromium, openPage, serveOnLoopback, type ChromiumHandle, type StaticServer } from '../../test/e2e/helpers/chromium.js';
import type { ClientMessage, ServerMessage } from '../signaling/protocol.js';
import { buildAnswer, buildOffer, negotiateAnswer, parseBrowserAnswer, parseBrowserOffer, type LocalParams } from '../sdp/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const local: LocalParams = {
  iceUfrag: 'mock',
  icePwd: 'mockGatewayPasswordOf28chars',
  fingerprint: { algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') },
  candidates: [{ ip: '127.0.0.1', port: 40999 }],
  audioSsrc: 1234,
  videoSsrc: 5678,
  cname: 'mock',
};

/** A gateway stand-in: hello, signIn, call (self → answer + connected; others → unknown-target), accept. */
class MockGateway {
  readonly received: ClientMessage[] = [];
  socket: WebSocket | undefined;
  readonly accepted: string[] = [];

  constructor(readonly wss: WebSocketServer) {
    wss.on('connection', (ws) => {
      this.socket = ws;
      this.send({ v: 1, type: 'hello', protocol: 1, server: 'mock-gateway' });
      ws.on('message', (data) => this.onMessage(JSON.parse(String(data)) as ClientMessage));
    });
  }

  send(msg: ServerMessage): void {
    this.socket?.send(JSON.stringify(msg));
  }

  onMessage(msg: ClientMessage): void {
    this.received.push(msg);
    switch (msg.type) {
      case 'signIn':
        this.send({ v: 1, type: 'signedIn', reqId: msg.reqId, id: msg.id, anonymous: true });
        break;
      case 'call':
        if (msg.target !== 'self') {
          this.send({ v: 1, type: 'error', reqId: msg.reqId, callId: msg.callId, code: 'unknown-target', message: `no user ${msg.target}` });
          break;
        }
        this.send({ v: 1, type: 'answer', reqId: msg.reqId, callId: msg.callId, sdp: buildAnswer(parseBrowserOffer(msg.sdp), local).sdp });
        this.send({ v: 1, type: 'callState', callId: msg.callId, state: 'connected' });
        break;
      case 'accept':
        this.accepted.push(msg.sdp);
        this.send({ v: 1, type: 'callState', callId: msg.callId, state: 'connected' });
        break;
      case 'hangup':
        this.send({ v: 1, type: 'callState', callId: msg.callId, state: 'ended', reason: 'hangup' });
        break;
      default:
        break;
    }
  }
}

describe('SDK + demo page against a mock gateway', { skip: !existsSync(kChromiumPath), timeout: 60_000 }, () => {
  let browser: ChromiumHandle;
  let site: StaticServer;
  let gateway: MockGateway;
  let page: Page;

  before(async () => {
    const build = spawnSync(process.execPath, [`${root}scripts/build-web.mjs`], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr + build.stdout);
    const file = (p: string): string => readFileSync(`${root}${p}`, 'utf8');
    site = await serveOnLoopback({
      '/': ['text/html', file('dist/demo/index.html')],
      '/demo/demo.js': ['text/javascript', file('dist/demo/demo.js')],
      '/sdk/rtcgate.js': ['text/javascript', file('dist/sdk/rtcgate.js')],
    });
    gateway = new MockGateway(new WebSocketServer({ server: site.server, path: '/ws' }));
    browser = await launchChromium();
    page = await openPage(browser, `${site.origin}/`);
  });

  after(async () => {
    gateway?.wss.close();
    for (const c of gateway?.wss.clients ?? []) c.terminate();
    await browser?.close();
    await site?.close();
  });

  const status = (): Promise<string> => page.locator('#status').innerText();

  it('connects, signs in with the default id', async () => {
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('mock-gateway') === true);
    await page.click('#signIn');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Signed in') === true);
    assert.equal(await status(), 'Signed in as Anon (anonymous)');
    const signIn = gateway.received.find((m) => m.type === 'signIn');
    assert.deepEqual(signIn && { v: signIn.v, id: 'id' in signIn ? signIn.id : '', reqId: typeof signIn.reqId }, { v: 1, id: 'Anon', reqId: 'string' });
  });

  it('calls self with video: the browser accepts the answer and shows connected', async () => {
    await page.check('#video');
    await page.click('#call');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Connected with self');
    const call = gateway.received.find((m) => m.type === 'call');
    assert.ok(call?.type === 'call');
    assert.equal(call.target, 'self');
    assert.match(call.sdp, /a=group:BUNDLE 0 1/);
    const remote = await page.evaluate(() => {
      const demo = (window as unknown as { rtcgateDemo: { call?: { peerConnection: RTCPeerConnection; state: string } } }).rtcgateDemo;
      const pc = demo.call?.peerConnection;
      return { state: demo.call?.state, remoteType: pc?.remoteDescription?.type, iceLite: pc?.remoteDescription?.sdp.includes('a=ice-lite') };
    });
    assert.deepEqual(remote, { state: 'connected', remoteType: 'answer', iceLite: true });
    assert.equal(await page.isDisabled('#hangup'), false);
    assert.equal(await page.isDisabled('#call'), true);
  });

  it('hangs up', async () => {
    await page.click('#hangup');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Call ended') === true);
    assert.ok(gateway.received.some((m) => m.type === 'hangup'));
    assert.equal(await page.isDisabled('#call'), false);
  });

  it('reports a typed gateway error for an unknown target', async () => {
    await page.fill('#target', 'nobody');
    await page.click('#call');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Call failed') === true);
    assert.equal(await status(), 'Call failed — unknown-target: no user nobody');
  });

  it('rings on an incoming call and answers it with an SDP the gateway negotiates', async () => {
    const { sdp } = buildOffer(local, { audio: true, video: true });
    gateway.send({ v: 1, type: 'incoming', callId: 'in-1', from: 'alice', sdp });
    await page.waitForSelector('#incoming', { state: 'visible' });
    assert.equal(await page.locator('#incomingFrom').innerText(), 'alice');
    await page.click('#answer');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Connected with alice');
    const answer = gateway.accepted[0];
    assert.ok(answer !== undefined);
    const negotiated = negotiateAnswer(parseBrowserAnswer(answer));
    assert.equal(negotiated.audio?.codec, 'opus');
    assert.equal(negotiated.video?.codec, 'VP8');
    assert.equal(negotiated.dtlsRole, 'server');
    await page.click('#hangup');
  });

  it('ends calls and reports the close when the signaling socket drops', async () => {
    gateway.socket?.close(1001, 'going away');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Disconnected') === true);
    assert.equal(await page.isDisabled('#signIn'), true);
  });
});
