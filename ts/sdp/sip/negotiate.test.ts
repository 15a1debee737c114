import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildAnswer, buildOffer, parseBrowserOffer, type LocalParams } from '../index.js';
import {
  DEFAULT_CODEC_POLICY,
  buildSipAnswer,
  buildSipOffer,
  codecPolicyFromOptions,
  negotiateBridge,
  negotiateSipAnswer,
  parseSipSdp,
  sipAnswerPreference,
  sipLegSrtp,
  webCodecPreference,
  type SipNegotiatedAudio,
} from './index.js';

const sipFixture = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const webFixture = (name: string): string => readFileSync(new URL(`../testdata/${name}`, import.meta.url), 'utf8');
const ssrcs = { web: 0x1111, sip: 0x2222 };
const sipLocal = { address: '127.0.0.1', port: 9000 };
const webLocal: LocalParams = {
  iceUfrag: 'gw01',
  icePwd: 'gatewayPasswordOf24Chars',
  fingerprint: { algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') },
  candidates: [{ ip: '127.0.0.1', port: 40000 }],
  audioSsrc: ssrcs.web,
  videoSsrc: 0x3333,
  cname: 'rtcgate',
};

const RATES: Record<string, number> = { opus: 48000, PCMU: 8000, PCMA: 8000, G722: 8000, G729: 8000, iLBC: 8000 };
const PTS: Record<string, number> = { opus: 111, PCMU: 0, PCMA: 8, G722: 9, G729: 18, iLBC: 97 };
const sipSide = (name: string): SipNegotiatedAudio => ({
  index: 0,
  codec: { payloadType: PTS[name] ?? 96, name, clockRate: RATES[name] ?? 8000, channels: name === 'opus' ? 2 : 1, fmtp: '' },
  telephoneEvent: { payloadType: 101, name: 'telephone-event', clockRate: RATES[name] ?? 8000, channels: 1, fmtp: '0-15' },
  ptimeMs: 20,
  direction: 'sendrecv',
  remote: { address: '192.0.2.1', port: 4000, rtcpAddress: '192.0.2.1', rtcpPort: 4001, rtcpMux: false },
});
const webSide = (name: string): { codec: string; payloadType: number; clockRate: number; telephoneEventPt: number } => ({
  codec: name,
  payloadType: PTS[name] ?? 96,
  clockRate: RATES[name] ?? 8000,
  telephoneEventPt: name === 'opus' ? 110 : 126,
});

describe('negotiateBridge', () => {
  const on = DEFAULT_CODEC_POLICY;
  const off = codecPolicyFromOptions({ 'enable-transcoding': 'false' });
  // web codec, SIP codec, transcoding on, transcoding off
  const table: [string, string, string, string][] = [
    ['opus', 'opus', 'relay', 'relay'],
    ['PCMU', 'PCMU', 'relay', 'relay'],
    ['PCMA', 'PCMA', 'relay', 'relay'],
    ['G722', 'G722', 'relay', 'relay'],
    ['opus', 'PCMU', 'transcode', 'no-common-codec'],
    ['opus', 'PCMA', 'transcode', 'no-common-codec'],
    ['opus', 'G722', 'transcode', 'no-common-codec'],
    ['opus', 'G729', 'transcode', 'no-common-codec'],
    ['PCMU', 'PCMA', 'transcode', 'no-common-codec'],
    ['G722', 'PCMU', 'transcode', 'no-common-codec'],
    ['PCMU', 'G729', 'transcode', 'no-common-codec'],
    ['PCMU', 'iLBC', 'unsupported-codec', 'unsupported-codec'],
    ['iLBC', 'PCMU', 'unsupported-codec', 'unsupported-codec'],
  ];
  for (const [web, sip, withT, withoutT] of table) {
    it(`${web} ↔ ${sip}: ${withT} / ${withoutT}`, () => {
      for (const [policy, want] of [[on, withT], [off, withoutT]] as const) {
        const plan = negotiateBridge(webSide(web), sipSide(sip), policy, ssrcs);
        if (plan.ok) assert.equal(plan.mode, want);
        else assert.equal(plan.code, want);
      }
    });
  }

  it('fills both LegFormats and names the option when refusing', () => {
    const plan = negotiateBridge(webSide('opus'), { ...sipSide('PCMU'), ptimeMs: 30, comfortNoise: { payloadType: 13, name: 'CN', clockRate: 8000, channels: 1, fmtp: '' } }, DEFAULT_CODEC_POLICY, ssrcs);
    assert.deepEqual(plan, {
      ok: true,
      mode: 'transcode',
      formatWeb: { codec: 'opus', payloadType: 111, clockRate: 48000, ptimeMs: 20, ssrc: ssrcs.web, telephoneEventPt: 110, telephoneEventClockRate: 48000 },
      formatSip: { codec: 'PCMU', payloadType: 0, clockRate: 8000, ptimeMs: 30, ssrc: ssrcs.sip, telephoneEventPt: 101, telephoneEventClockRate: 8000, comfortNoisePt: 13 },
    });
    const refused = negotiateBridge(webSide('opus'), sipSide('PCMU'), codecPolicyFromOptions({ 'enable-transcoding': 'false' }), ssrcs);
    assert.deepEqual(refused, {
      ok: false,
      code: 'no-common-codec',
      reason: 'no common codec (browser opus, SIP PCMU) and transcoding disabled ([rsmp]:[enable-transcoding] = false)',
    });
  });
});

describe('codec preferences across the legs', () => {
  it('webCodecPreference: SIP codecs first, then web-added, then the other browser codecs when transcoding; disallowed left out', () => {
    const pcma = sipSide('PCMA').codec;
    const g729 = sipSide('G729').codec;
    assert.deepEqual(webCodecPreference(DEFAULT_CODEC_POLICY, [pcma]), { audioCodecs: ['PCMA', 'G722', 'PCMU', 'opus', 'telephone-event'], videoCodecs: ['VP8'] });
    assert.deepEqual(webCodecPreference(DEFAULT_CODEC_POLICY, [g729]).audioCodecs, ['G722', 'PCMU', 'PCMA', 'opus', 'telephone-event']);
    const off = codecPolicyFromOptions({ 'enable-transcoding': 'false' });
    assert.deepEqual(webCodecPreference(off, [g729]).audioCodecs, ['telephone-event'], 'nothing the browser could relay');
    const noPcma = codecPolicyFromOptions({ 'web-disallowed-codecs': '(pcma,h264)' });
    assert.deepEqual(webCodecPreference(noPcma, [pcma]).audioCodecs, ['G722', 'PCMU', 'opus', 'telephone-event']);
  });

  it('sipAnswerPreference: codecs the browser can relay first', () => {
    assert.deepEqual(sipAnswerPreference(DEFAULT_CODEC_POLICY), ['G722', 'PCMU', 'PCMA', 'opus', 'G729']);
    assert.deepEqual(sipAnswerPreference(codecPolicyFromOptions({ codecs: '(g729,pcmu)' })), ['PCMU', 'G729']);
  });
});

describe('both legs, with the browser-side SDP layer', () => {
  it('browser → SIP: Chromium offer, SIPp answers PCMU, the browser is answered PCMU: relay', () => {
    const browserOffer = parseBrowserOffer(webFixture('chrome-audio-offer.sdp'));
    const audio = browserOffer.media.find((m) => m.kind === 'audio');
    assert.ok(audio);
    const sipOffer = buildSipOffer(sipLocal, DEFAULT_CODEC_POLICY, { webCodecs: audio.codecs });
    const sip = negotiateSipAnswer(sipOffer, parseSipSdp(sipFixture('sipp-uac-pcmu.sdp')));
    const { negotiated } = buildAnswer(browserOffer, { ...webLocal, policy: webCodecPreference(DEFAULT_CODEC_POLICY, [sip.codec]) });
    assert.ok(negotiated.audio);
    assert.equal(negotiated.audio.codec, 'PCMU');
    const plan = negotiateBridge(negotiated.audio, sip, DEFAULT_CODEC_POLICY, ssrcs);
    assert.ok(plan.ok);
    assert.equal(plan.mode, 'relay');
    assert.equal(plan.formatWeb.telephoneEventPt, 126);
    assert.equal(sipLegSrtp(sip), undefined);
  });

  it('browser → SIP: Asterisk answers G729: the browser gets G.711 and the call transcodes', () => {
    const browserOffer = parseBrowserOffer(webFixture('chrome-audio-offer.sdp'));
    const sipOffer = buildSipOffer(sipLocal, codecPolicyFromOptions({ 'sip-added-codecs': '(g729)' }), { webCodecs: browserOffer.media[0]?.codecs ?? [] });
    const answer = sipFixture('asterisk-pcma-g729.sdp').replace('m=audio 10568 RTP/AVP 8 18 101', 'm=audio 10568 RTP/AVP 18 101');
    const sip = negotiateSipAnswer(sipOffer, parseSipSdp(answer));
    assert.equal(sip.codec.name, 'G729');
    const { negotiated } = buildAnswer(browserOffer, { ...webLocal, policy: webCodecPreference(DEFAULT_CODEC_POLICY, [sip.codec]) });
    assert.ok(negotiated.audio);
    const plan = negotiateBridge(negotiated.audio, sip, DEFAULT_CODEC_POLICY, ssrcs);
    assert.ok(plan.ok);
    assert.equal(plan.mode, 'transcode');
    assert.equal(plan.formatSip.codec, 'G729');
  });

  it('SIP → browser: Asterisk PCMA+G729 with SRTP, answered PCMA; the browser is offered PCMA first', () => {
    const policy = codecPolicyFromOptions({ 'sip-srtp-mode': 'optional' });
    const offer = parseSipSdp(sipFixture('asterisk-pcma-g729.sdp'));
    const { negotiated: sip } = buildSipAnswer(offer, policy, sipLocal, { prefer: sipAnswerPreference(policy) });
    assert.equal(sip.codec.name, 'PCMA');
    const browserOffer = buildOffer({ ...webLocal, policy: webCodecPreference(policy, [sip.codec]) });
    // web-added-codecs (g722,pcmu) join after the SIP side's PCMA, then Opus as a transcoding fallback.
    assert.match(browserOffer.sdp, /m=audio 40000 UDP\/TLS\/RTP\/SAVPF 8 9 0 111 110 126\r\n/);
    // The browser picks PCMA (first): relay.
    const plan = negotiateBridge({ codec: 'PCMA', payloadType: 8, clockRate: 8000, telephoneEventPt: 126 }, sip, policy, ssrcs);
    assert.ok(plan.ok && plan.mode === 'relay');

    const srtpCall = buildSipAnswer(parseSipSdp(sipFixture('openscape-srtp.sdp')), policy, sipLocal);
    const srtp = sipLegSrtp(srtpCall.negotiated);
    assert.equal(srtp?.profile, 'AES_CM_128_HMAC_SHA1_80');
    assert.equal(srtp?.localKeySalt.length, 30);
    assert.equal(srtp?.remoteKeySalt.length, 30);
  });
});
