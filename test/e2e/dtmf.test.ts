// DTMF across the gateway with a real browser. Browser → SIP: Chromium's RTCDTMFSender sends
// telephone-event/48000 next to Opus; the transcoding bridge regenerates the events as RFC 4733
// at 8 kHz on the SIP-side RTP leg, which sends to this test's UDP socket. SIP → browser: the
// socket sends PCMU with events at 8 kHz, and they must reach the browser leg at 48 kHz.
//
// Topology (built here through the engine API, as self-pcmu does, but with the SIP side being
// the test's socket): Chromium ⇄ WebRtcEndpoint ⇄ transcoding bridge ⇄ RtpEndpoint ⇄ RtpPeer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { answerBrowser, randomSsrc } from '../../ts/calls/BrowserLeg.js';
import type { Bridge, RtpEndpoint, WebRtcEndpoint } from '../../ts/engine/Engine.js';
import type { BridgeDirectionStats } from '../../ts/engine/types.js';
import { applyDtmfAnswer, closeDtmfPeer, createDtmfOffer, playDtmf, readDtmfInbound } from './dtmfPage.js';
import { launchChromium, openPage, type ChromiumHandle } from './helpers/chromium.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { collectEvents, RtpPeer, type ReceivedEvent } from './helpers/rtpPeer.js';

const kPcmuPt = 0; // RFC 3551 static
const kSipEventPt = 101; // the usual dynamic telephone-event PT on the SIP side
const kSipRate = 8000;
const kTones = '0123456789*#';
const kToneMs = 100;
const kGapMs = 70;
const kFinalDuration = (kToneMs * kSipRate) / 1000; // 800
const kChromiumStep = (20 * kSipRate) / 1000; // one 20 ms Opus packet, on the 8 kHz clock

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

function describeEvent(e: ReceivedEvent): string {
  return `code ${e.event} ts ${e.timestamp}: ${e.packets.map((p) => `${p.marker ? 'M' : ''}${p.duration}${p.end ? 'E' : ''}`).join(' ')}`;
}

describe('DTMF between Chromium and the SIP-side RTP leg', () => {
  let gw: TestGateway;
  let browser: ChromiumHandle;

  before(async () => {
    gw = await startTestGateway(['--sip-rtp-min-port', '41600', '--sip-rtp-max-port', '41699']);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await gw?.gateway.stop();
  });

  test('RTCDTMFSender digits arrive as RFC 4733 at 8 kHz; SIP-side digits reach the browser leg', async (t) => {
    const engine = gw.gateway.engine;
    const page = await openPage(browser, gw.origin + '/');
    const peer = await RtpPeer.open('127.0.0.1');
    let endpoint: WebRtcEndpoint | null = null;
    let rtp: RtpEndpoint | null = null;
    try {
      const offer = await page.evaluate(createDtmfOffer);
      const leg = answerBrowser({
        engine,
        offerSdp: offer,
        iceAddresses: ['127.0.0.1'],
        routeKind: 'bridge',
        policy: { audioCodecs: ['opus', 'telephone-event'], videoCodecs: [] },
      });
      endpoint = leg.endpoint;
      const audio = leg.negotiated.audio;
      assert.ok(audio && audio.codec.toLowerCase() === 'opus', 'Opus negotiated');
      assert.ok(audio.telephoneEventPt !== undefined, 'telephone-event negotiated with the browser');
      t.diagnostic(`browser leg: opus PT ${audio.payloadType}/${audio.clockRate}, telephone-event PT ${audio.telephoneEventPt}/${audio.clockRate}`);

      rtp = engine.createRtpEndpoint({ affinity: endpoint.id, ssrc: randomSsrc(), clockRate: kSipRate });
      // Our socket takes RTCP too (RtpPeer tells it apart), so nothing lands on a closed port.
      rtp.setRemote('127.0.0.1', peer.port, peer.port);
      const bridge: Bridge = engine.createBridge({
        legA: endpoint.id,
        legB: rtp.id,
        mode: 'transcode',
        formatA: {
          codec: 'opus',
          payloadType: audio.payloadType,
          clockRate: audio.clockRate,
          ssrc: leg.audioSsrc,
          telephoneEventPt: audio.telephoneEventPt,
          telephoneEventClockRate: audio.clockRate,
        },
        formatB: { codec: 'PCMU', payloadType: kPcmuPt, clockRate: kSipRate, ssrc: rtp.ssrc, telephoneEventPt: kSipEventPt, telephoneEventClockRate: kSipRate },
        // DTX off: every encoded frame is a packet, so packetsOut − framesEncoded counts events.
        options: { opusDtx: false },
      });

      assert.equal(await page.evaluate(applyDtmfAnswer, leg.answerSdp), 'connected');
      const sipSsrc = rtp.ssrc;
      assert.ok(await peer.waitFor(() => peer.received.filter((p) => p.payloadType === kPcmuPt).length >= 25, 5000), 'PCMU from the browser reaches the SIP side');

      // ---- Browser → SIP ----
      const firstIndex = peer.received.length;
      const played = await page.evaluate(playDtmf, { tones: kTones, durationMs: kToneMs, gapMs: kGapMs });
      assert.ok(played.canInsertDTMF, 'the audio sender can insert DTMF');
      const toneOrder = played.changes.map((c) => c.tone).join('');
      assert.equal(toneOrder, kTones, 'tonechange fired for every tone, then ""');
      const countEnds = (): number => collectEvents(peer.received.slice(firstIndex), kSipEventPt).reduce((n, e) => n + e.packets.filter((p) => p.end).length, 0);
      await peer.waitFor(() => countEnds() >= 3 * kTones.length, 2000);
      await new Promise((r) => setTimeout(r, 200)); // nothing more should come

      const wire = peer.received.slice(firstIndex);
      for (const p of wire) assert.equal(p.ssrc, sipSsrc, 'one SSRC on the SIP leg, audio and events alike');
      const events = collectEvents(wire, kSipEventPt);
      for (const e of events) t.diagnostic(`→SIP ${describeEvent(e)}`);
      assert.deepEqual(events.map((e) => e.event), [...kTones].map((_, i) => i), 'twelve events, codes 0..11 in order, one timestamp each');
      for (const [i, e] of events.entries()) {
        const ps = e.packets;
        assert.ok(ps[0]!.marker, `event ${i}: first packet marked`);
        assert.ok(ps.slice(1).every((p) => !p.marker), `event ${i}: only the first packet marked`);
        const ends = ps.filter((p) => p.end);
        assert.equal(ends.length, 3, `event ${i}: exactly 3 end copies (${describeEvent(e)})`);
        assert.ok(ps.slice(-3).every((p) => p.end), `event ${i}: the end copies come last`);
        // Chromium reports once per 20 ms Opus packet (960 units at 48 kHz = 160 at 8 kHz) and
        // never with duration 0; the relay forwards the latest one every 50 ms. So the updates
        // grow in whole 160-unit steps, the first at least 160.
        const updates = ps.filter((p) => !p.end).map((p) => p.duration);
        assert.ok(updates.length >= 1 && updates[0]! >= kChromiumStep, `event ${i}: a start report before the end (${describeEvent(e)})`);
        for (let k = 1; k < updates.length; k++) assert.ok(updates[k]! > updates[k - 1]!, `event ${i}: durations grow (${updates.join(',')})`);
        assert.ok(updates.every((d) => d % kChromiumStep === 0), `event ${i}: updates in 20 ms steps (${updates.join(',')})`);
        const final = ends[0]!.duration;
        assert.ok(ends.every((p) => p.duration === final), `event ${i}: end copies identical`);
        assert.ok(updates.every((d) => d < final), `event ${i}: updates below the final duration`);
        // No tolerance on the final duration: Chromium's end report carries exactly the requested
        // length in its clock (100 ms = 4800 at 48 kHz, a whole number of its 960-unit steps), and
        // the relay converts that total, not a timer reading: 4800 × 8000 / 48000 = 800. Timing
        // only moves the intermediate updates.
        assert.equal(final, kFinalDuration, `event ${i}: final duration`);
        if (i > 0) {
          const step = (e.timestamp - events[i - 1]!.timestamp) >>> 0;
          assert.ok(step > 0 && step < 0x8000_0000, `event ${i}: timestamp increases`);
        }
      }
      // Timestamps are on the 8 kHz clock: the gap between two events' timestamps, in ms, is the
      // gap between their first packets on the wire: ±30 ms, one Chromium packet interval (the
      // relay dates an event back by the duration of the report it first hears, a multiple of
      // 20 ms) plus 10 ms for scheduling on a loaded machine.
      const steps = events.slice(1).map((e, i) => (e.timestamp - events[i]!.timestamp) >>> 0);
      const wallSteps = events.slice(1).map((e, i) => e.packets[0]!.receivedAt - events[i]!.packets[0]!.receivedAt);
      for (const [i, step] of steps.entries()) {
        assert.ok(Math.abs((step * 1000) / kSipRate - wallSteps[i]!) <= 30, `event ${i + 1}: timestamp step ${step} (${(step / 8).toFixed(0)} ms) vs ${wallSteps[i]!.toFixed(0)} ms on the wire`);
      }
      // The event's start lies on the leg's audio timeline, within the last audio frames sent.
      const audioPackets = wire.filter((p) => p.payloadType === kPcmuPt);
      const offsets = events.map((e) => {
        const firstSeq = e.packets[0]!.sequenceNumber;
        const prev = audioPackets.filter((p) => ((firstSeq - p.sequenceNumber) & 0xffff) < 0x8000).pop();
        return prev ? (e.timestamp - prev.timestamp) | 0 : Number.NaN;
      });
      for (const [i, o] of offsets.entries()) assert.ok(Math.abs(o) <= 400, `event ${i}: ${o} units from the preceding PCMU packet's timestamp`);
      const audioDuring = events.map((e) => audioPackets.filter((p) => p.receivedAt > e.packets[0]!.receivedAt && p.receivedAt < e.packets[e.packets.length - 1]!.receivedAt).length);
      t.diagnostic(`tonechange (page clock) ${played.changes.map((c) => `${c.tone || '∅'}@${c.atMs.toFixed(0)}`).join(' ')}`);
      t.diagnostic(`→SIP timestamp steps ${steps.join(',')} (units of 1/8 ms); first-packet wall steps ${wallSteps.map((w) => w.toFixed(0)).join(',')} ms`);
      t.diagnostic(`→SIP packets/event ${events.map((e) => e.packets.length).join(',')}; event ts − preceding PCMU ts ${offsets.join(',')}; PCMU packets during each event ${audioDuring.join(',')}`);

      // ---- SIP → browser ----
      // The SIP side sends µ-law digital silence, so the browser's Opus decodes to silence and
      // any audio energy it reports comes from its NetEq playing the received events as tones.
      const baseline = await Promise.all([bridge.getStats(), page.evaluate(readDtmfInbound)]);
      const digits = '159#';
      const sending = peer.sendPcmuWithDtmf(rtp.port, { ssrc: 0x5157_0001, audioPt: kPcmuPt, eventPt: kSipEventPt }, { digits, toneMs: 100, gapMs: 100, leadMs: 600 });
      await new Promise((r) => setTimeout(r, 550));
      const silentLead = await page.evaluate(readDtmfInbound);
      const sent = await sending;
      await new Promise((r) => setTimeout(r, 300));
      const [statsAfter, inboundAfter] = await Promise.all([bridge.getStats(), page.evaluate(readDtmfInbound)]);
      const d0 = baseline[0].directions[1];
      const d1 = statsAfter.directions[1];
      assert.equal(d1.fromLeg, rtp.id, 'direction 1 is SIP → browser');
      const delta = (k: keyof BridgeDirectionStats): number => (d1[k] as number) - (d0[k] as number);
      const browserPackets = inboundAfter.packetsReceived - baseline[1].packetsReceived;
      const eventsOut = delta('packetsOut') - delta('framesEncoded'); // DTX off: the rest are events
      t.diagnostic(`SIP→browser sent ${sent.audioPackets} PCMU + ${sent.eventPackets} event packets (${sent.events.map((e) => `${e.digit}:${e.durations.join('/')}`).join(' ')})`);
      t.diagnostic(`bridge SIP→browser: packetsIn +${delta('packetsIn')} dtmfEventsIn +${delta('dtmfEventsIn')} packetsOut +${delta('packetsOut')} framesEncoded +${delta('framesEncoded')} (→ ${eventsOut} event packets) jitterBufferLost ${d1.jitterBufferLost} mos ${d1.mos.toFixed(2)}`);
      t.diagnostic(`browser inbound-rtp: packetsReceived +${browserPackets}, energy after silent lead ${silentLead.totalAudioEnergy.toExponential(2)}, after digits ${inboundAfter.totalAudioEnergy.toExponential(2)}; codec stats ${inboundAfter.codecs.map((c) => `${c.payloadType} ${c.mimeType}`).join(', ')}`);
      assert.equal(sent.eventPackets, digits.length * 7, 'per digit: 5 reports 20 ms apart, the last one twice more');
      assert.equal(delta('packetsIn'), sent.audioPackets + sent.eventPackets, 'every packet reached the bridge');
      assert.equal(delta('dtmfEventsIn'), sent.eventPackets, 'every event report counted as such');
      // The relay regenerates each event: a start, an update every 50 ms, 3 end copies.
      assert.ok(eventsOut >= 4 * digits.length && eventsOut <= 6 * digits.length, `${eventsOut} event packets sent to the browser`);
      // What the browser lets us see: inbound-rtp counts every packet of the SSRC, events
      // included, so it received more packets than the bridge encoded audio frames (±3 for the
      // audio that flows between the two stats reads). Chromium exposes no codec stats for
      // telephone-event and no API for received DTMF; its NetEq plays them out, which is what
      // the energy shows (the audio itself is digital silence).
      assert.ok(Math.abs(browserPackets - delta('packetsOut')) <= 3, `browser received ${browserPackets} of ${delta('packetsOut')} packets`);
      assert.ok(browserPackets >= delta('framesEncoded') + 4 * digits.length - 3, 'the event packets reached the browser');
      assert.ok(silentLead.packetsReceived > 0 && silentLead.totalAudioEnergy < 1e-6, `silence decodes to silence (${silentLead.totalAudioEnergy})`);
      assert.ok(inboundAfter.totalAudioEnergy > 1e-3, `the browser played the events out as tones (energy ${inboundAfter.totalAudioEnergy})`);
    } finally {
      await page.evaluate(closeDtmfPeer).catch(() => undefined);
      await page.close();
      await Promise.all([endpoint?.close(), rtp?.close()]);
      await peer.close();
    }
    assert.ok(await waitUntil(() => engine.portsInUse() === 0 && engine.sipPortsInUse() === 0, 3000), 'every port back in its pool');
    assert.equal(engine.bridges.size, 0, 'bridge gone with its legs');
  });
});
