// WebRTC ↔ SIP with a real SIP phone: baresip (Debian `baresip`) on 127.0.0.1, driven over
// ctrl_tcp (test/e2e/helpers/baresip.ts), and headless Chromium with the SDK (baresipPage.ts).
// The gateway runs standalone (no sip-proxy): baresip dials sip:<id>@127.0.0.1:<sip-port> to
// reach a signed-in browser, and the browser dials baresip's full SIP URI. baresip speaks only
// G.711 here (its microphone is a 440 Hz tone).
//  - baresip → browser, through a gateway with default codecs (the browser picks PCMU: relay):
//    the browser answers, RTP both ways; baresip holds and resumes (the browser sees remoteHold
//    true, then false); DTMF from the browser reaches baresip; baresip hangs up and the browser's
//    call ends.
//  - browser → baresip, through a gateway that may not offer G.711 to the browser (Opus ↔ PCMU
//    transcoding): baresip accepts, RTP both ways; the browser holds and resumes (baresip
//    receives re-INVITEs with sendonly, then sendrecv); DTMF from the browser (telephone-event
//    at 48 kHz) reaches baresip as RFC 4733 events at 8 kHz, in order; mid-call data goes out as
//    SIP INFO (baresip 1.0.0 refuses INFO that is not dtmf-relay with 488: sendData must reject
//    and the call go on); the browser hangs up.
// Every test ends with the gateway's ports back in their pools.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';

import { installPhone, type Phone, type PhoneStats } from './baresipPage.js';
import { baresipPorts, haveBaresip, sipTrace, startBaresip, type Baresip, type BaresipEvent } from './helpers/baresip.js';
import { launchChromium, openPage, type ChromiumHandle } from './helpers/chromium.js';
import { freePort, startTestGateway, type TestGateway } from './helpers/gateway.js';

const kHaveBaresip = haveBaresip();

type PhoneWindow = Window & { phone: Phone };

async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

const stats = (page: Page): Promise<PhoneStats> => page.evaluate(() => (window as unknown as PhoneWindow).phone.stats());
const phoneEvents = (page: Page): Promise<string[]> => page.evaluate(() => [...(window as unknown as PhoneWindow).phone.events]);
const isType = (type: string) => (e: BaresipEvent) => e.type === type;

/** The SDP media direction of a traced SIP message (session or media level), or sendrecv. */
function direction(text: string): string {
  return /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(text)?.[1] ?? 'sendrecv';
}

/** INVITEs baresip received, with the 2xx it answered each with (matched by CSeq). */
function invitesReceived(bs: Baresip): { invite: string; answer: string | undefined }[] {
  const local = `127.0.0.1:${bs.sipPort}`;
  const trace = sipTrace(bs.output.join(''));
  return trace
    .filter((m) => m.to === local && m.text.startsWith('INVITE '))
    .map((m) => {
      const cseq = /^CSeq:\s*(\d+) INVITE/im.exec(m.text)?.[1];
      const answer = trace.find((r) => r.from === local && r.text.startsWith('SIP/2.0 2') && new RegExp(`^CSeq:\\s*${cseq} INVITE`, 'im').test(r.text));
      return { invite: m.text, answer: answer?.text };
    });
}

/** The browser receives baresip's tone (packets and energy) and sends its own audio (which baresip got: CALL_RTPESTAB). */
async function mediaBothWays(page: Page, t: { diagnostic(m: string): void }, codec: string): Promise<void> {
  const ok = await waitUntil(async () => {
    const s = await stats(page);
    return s.audioPacketsReceived > 50 && s.audioPacketsSent > 50 && s.totalAudioEnergy > 0;
  }, 5000);
  const s = await stats(page);
  t.diagnostic(`browser: ${s.audioPacketsReceived} received, ${s.audioPacketsSent} sent, codec ${String(s.codec)}, energy ${s.totalAudioEnergy.toFixed(3)}`);
  assert.ok(ok, `RTP both ways: ${JSON.stringify(s)}`);
  assert.equal(s.codec, codec);
}

/** The browser sends "123#" (RTCDTMFSender); baresip reports each key as a CALL_DTMF_START event. */
async function dtmfReachesBaresip(page: Page, bs: Baresip): Promise<void> {
  const from = bs.mark();
  await page.evaluate(() => (window as unknown as PhoneWindow).phone.sendDtmf('123#'));
  const digits = (): string[] => bs.events.slice(from).filter(isType('CALL_DTMF_START')).map((e) => String(e.param));
  assert.ok(await waitUntil(() => digits().length >= 4, 5000), `DTMF events at baresip: ${JSON.stringify(digits())}`);
  // Let a late duplicate show up if there is one.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(digits(), ['1', '2', '3', '#']);
}

describe('WebRTC ↔ SIP with baresip', { skip: kHaveBaresip ? false : 'baresip with its g711, aubridge, ausine, menu and ctrl_tcp modules is not installed (Debian package `baresip-core`)' }, () => {
  let browser: ChromiumHandle;

  before(async () => {
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  async function released(gw: TestGateway): Promise<void> {
    assert.ok(
      await waitUntil(() => gw.gateway.engine.portsInUse() === 0 && gw.gateway.engine.sipPortsInUse() === 0, 3000),
      `ports back (web ${gw.gateway.engine.portsInUse()}, sip ${gw.gateway.engine.sipPortsInUse()})`,
    );
    assert.equal(gw.gateway.calls.activeCalls, 0);
  }

  describe('baresip → browser (PCMU relay)', () => {
    let gw: TestGateway;
    let gwSipPort: number;
    let bs: Baresip;
    let page: Page;

    before(async () => {
      gwSipPort = await freePort();
      gw = await startTestGateway(['--sip-port', String(gwSipPort), '--sip-rtp-min-port', '41800', '--sip-rtp-max-port', '41899']);
      bs = await startBaresip({ ...(await baresipPorts()), user: 'bob' });
      page = await openPage(browser, gw.origin + '/');
      await page.evaluate(installPhone, { id: 'alice' });
    });

    after(async () => {
      await page?.close();
      await bs?.stop();
      await gw?.gateway.stop();
    });

    test('baresip dials sip:alice@gateway: the browser answers, RTP flows both ways', async (t) => {
      const from = bs.mark();
      const dialed = await bs.command('dial', `sip:alice@127.0.0.1:${gwSipPort}`);
      assert.ok(dialed.ok, dialed.data);
      const peer = await page.evaluate(() => (window as unknown as PhoneWindow).phone.answer(10000));
      assert.match(peer, /bob/);
      await bs.waitEvent(isType('CALL_ESTABLISHED'), 5000, from);
      // CALL_RTPESTAB: baresip received the first RTP packet (the browser's audio, via the gateway).
      await bs.waitEvent((e) => e.type === 'CALL_RTPESTAB' && e.param === 'audio', 5000, from);
      await mediaBothWays(page, t, 'audio/PCMU');
    });

    test('baresip holds and resumes: the browser gets remoteHold true, then false', async () => {
      const held = await bs.command('hold');
      assert.ok(held.ok, held.data);
      assert.ok(await waitUntil(async () => (await phoneEvents(page)).includes('remoteHold:true'), 5000), `remoteHold:true; events ${JSON.stringify(await phoneEvents(page))}`);
      const resumed = await bs.command('resume');
      assert.ok(resumed.ok, resumed.data);
      assert.ok(await waitUntil(async () => (await phoneEvents(page)).includes('remoteHold:false'), 5000), `remoteHold:false; events ${JSON.stringify(await phoneEvents(page))}`);
      const events = await phoneEvents(page);
      assert.ok(events.indexOf('remoteHold:true') < events.indexOf('remoteHold:false'));
      // The browser's media session stayed up, and audio flows again.
      const before = (await stats(page)).audioPacketsReceived;
      assert.ok(await waitUntil(async () => (await stats(page)).audioPacketsReceived > before + 25, 5000), 'audio after resume');
      assert.equal((await stats(page)).state, 'connected');
    });

    test('DTMF from the browser reaches baresip as RFC 4733 events, in order', () => dtmfReachesBaresip(page, bs));

    test('baresip hangs up: the browser call ends and the gateway releases everything', async () => {
      const from = bs.mark();
      const hung = await bs.command('hangup');
      assert.ok(hung.ok, hung.data);
      await page.evaluate(() => (window as unknown as PhoneWindow).phone.waitState('ended', 5000));
      await bs.waitEvent(isType('CALL_CLOSED'), 5000, from);
      await released(gw);
    });
  });

  describe('browser → baresip (Opus ↔ PCMU transcoded)', () => {
    let gw: TestGateway;
    let bs: Baresip;
    let page: Page;

    before(async () => {
      // The browser may not use G.711 or G.722 here, so the call to baresip (G.711 only) transcodes.
      gw = await startTestGateway(['--sip-rtp-min-port', '41800', '--sip-rtp-max-port', '41899', '--web-disallowed-codecs', '(h264,pcmu,pcma,g722)']);
      bs = await startBaresip({ ...(await baresipPorts()), user: 'bob' });
      page = await openPage(browser, gw.origin + '/');
      await page.evaluate(installPhone, { id: 'carol' });
    });

    after(async () => {
      await page?.close();
      await bs?.stop();
      await gw?.gateway.stop();
    });

    test('the browser calls sip:bob@127.0.0.1:<baresip>: baresip accepts, RTP flows both ways', async (t) => {
      const from = bs.mark();
      const target = bs.aor;
      const connected = page.evaluate((to) => (window as unknown as PhoneWindow).phone.call(to, 10000), target);
      const incoming = await bs.waitEvent(isType('CALL_INCOMING'), 5000, from);
      assert.match(String(incoming.peeruri), /carol/);
      const accepted = await bs.command('accept');
      assert.ok(accepted.ok, accepted.data);
      await connected;
      await bs.waitEvent(isType('CALL_ESTABLISHED'), 5000, from);
      await bs.waitEvent((e) => e.type === 'CALL_RTPESTAB' && e.param === 'audio', 5000, from);
      await mediaBothWays(page, t, 'audio/opus');
    });

    test('the browser holds and resumes: baresip gets re-INVITEs with sendonly, then sendrecv', async () => {
      const before = invitesReceived(bs).length;
      await page.evaluate(() => (window as unknown as PhoneWindow).phone.hold());
      let invites = invitesReceived(bs);
      assert.equal(invites.length, before + 1, 'one re-INVITE for hold');
      assert.equal(direction(invites.at(-1)!.invite), 'sendonly');
      assert.ok(invites.at(-1)!.answer !== undefined, 'baresip answered 2xx');
      assert.equal(direction(invites.at(-1)!.answer!), 'recvonly');

      await page.evaluate(() => (window as unknown as PhoneWindow).phone.resume());
      invites = invitesReceived(bs);
      assert.equal(invites.length, before + 2, 'one re-INVITE for resume');
      assert.equal(direction(invites.at(-1)!.invite), 'sendrecv');
      assert.equal(direction(invites.at(-1)!.answer ?? ''), 'sendrecv');
      const rx = (await stats(page)).audioPacketsReceived;
      assert.ok(await waitUntil(async () => (await stats(page)).audioPacketsReceived > rx + 25, 5000), 'audio after resume');
      assert.equal((await stats(page)).state, 'connected');
    });

    test('DTMF from the browser reaches baresip as RFC 4733 events, in order', () => dtmfReachesBaresip(page, bs));

    test('mid-call data from the browser goes out as SIP INFO (baresip 1.0.0 answers 488: sendData rejects, the call goes on)', async (t) => {
      const local = `127.0.0.1:${bs.sipPort}`;
      const result = await page.evaluate(async () => {
        try {
          await (window as unknown as PhoneWindow).phone.sendData({ queue: 'sales', 'case-id': '42 & 1=2' });
          return 'ok';
        } catch (err) {
          return err instanceof Error ? err.message : String(err);
        }
      });
      const info = sipTrace(bs.output.join('')).find((m) => m.to === local && m.text.startsWith('INFO '));
      assert.ok(info !== undefined, `baresip received an INFO (sendData: ${result}); trace tail: ${bs.output.join('').slice(-3000)}`);
      assert.match(info.text, /^Content-Type:\s*application\/x-www-form-urlencoded/im);
      const body = info.text.split(/\r?\n\r?\n/).slice(1).join('\n\n').trim();
      assert.deepEqual(Object.fromEntries(new URLSearchParams(body)), { queue: 'sales', 'case-id': '42 & 1=2' });
      const reply = sipTrace(bs.output.join('')).find((m) => m.from === local && /^CSeq:\s*\d+ INFO/im.test(m.text));
      const status = reply === undefined ? undefined : Number(/^SIP\/2\.0 (\d{3})/.exec(reply.text)?.[1]);
      t.diagnostic(`baresip answered the INFO with ${String(status)}; sendData: ${result}`);
      if (status !== undefined && status >= 200 && status < 300) assert.equal(result, 'ok');
      else assert.notEqual(result, 'ok', 'a refused INFO rejects sendData');
      // Either way the call goes on.
      assert.equal((await stats(page)).state, 'connected');
    });

    test('the browser hangs up: baresip sees the call closed and the gateway releases everything', async () => {
      const from = bs.mark();
      await page.evaluate(() => (window as unknown as PhoneWindow).phone.hangup());
      await bs.waitEvent(isType('CALL_CLOSED'), 5000, from);
      await released(gw);
    });
  });
});
