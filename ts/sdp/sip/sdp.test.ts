import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sdpTransform from 'sdp-transform';
import {
  DEFAULT_CODEC_POLICY,
  SipSdpError,
  buildSipAnswer,
  buildSipOffer,
  codecPolicyFromOptions,
  formatCryptoAttribute,
  generateSdesKey,
  negotiateSipAnswer,
  parseCryptoAttribute,
  parseSipSdp,
  srtpOptions,
  type SipLocal,
  type SipSdpErrorCode,
  type WebCodecLike,
} from './index.js';

const fixture = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const lines = (sdp: string): string[] => sdp.split('\r\n');
/** Deterministic "random" bytes: 0, 1, 2, ... */
const counting = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);
const local: SipLocal = { address: '127.0.0.1', port: 9000, session: { id: '4242', version: 1 } };

/** What Chromium offers for audio (ts/sdp CodecInfo shape). */
const chromeAudio: WebCodecLike[] = [
  { payloadType: 111, name: 'opus', clockRate: 48000, channels: 2, fmtp: 'minptime=10;useinbandfec=1' },
  { payloadType: 63, name: 'red', clockRate: 48000, channels: 2, fmtp: '111/111' },
  { payloadType: 9, name: 'G722', clockRate: 8000, channels: 1, fmtp: '' },
  { payloadType: 0, name: 'PCMU', clockRate: 8000, channels: 1, fmtp: '' },
  { payloadType: 8, name: 'PCMA', clockRate: 8000, channels: 1, fmtp: '' },
  { payloadType: 13, name: 'CN', clockRate: 8000, channels: 1, fmtp: '' },
  { payloadType: 110, name: 'telephone-event', clockRate: 48000, channels: 1, fmtp: '' },
  { payloadType: 126, name: 'telephone-event', clockRate: 8000, channels: 1, fmtp: '' },
];

function expectSipSdpError(fn: () => unknown, code: SipSdpErrorCode, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SipSdpError, `expected SipSdpError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

describe('parseSipSdp on peer-shaped fixtures', () => {
  it('SIPp: PCMU only', () => {
    const d = parseSipSdp(fixture('sipp-uac-pcmu.sdp'));
    assert.deepEqual(d.origin, { username: 'user1', sessionId: '53655765', sessionVersion: '2353687637', address: '127.0.0.1' });
    const [m] = d.media;
    assert.ok(m);
    assert.equal(m.kind, 'audio');
    assert.equal(m.port, 6000);
    assert.equal(m.address, '127.0.0.1');
    assert.equal(m.rtcpAddress, '127.0.0.1');
    assert.equal(m.rtcpPort, 6001, 'RTP port + 1 without a=rtcp');
    assert.equal(m.direction, 'sendrecv');
    assert.equal(m.secure, false);
    assert.deepEqual(m.codecs, [{ payloadType: 0, name: 'PCMU', clockRate: 8000, channels: 1, fmtp: '' }]);
    assert.deepEqual(m.telephoneEvents, []);
  });

  it('Asterisk: PCMA + G729, telephone-event 0-16, ptime/maxptime', () => {
    const [m] = parseSipSdp(fixture('asterisk-pcma-g729.sdp')).media;
    assert.deepEqual(m?.codecs.map((c) => `${c.payloadType} ${c.name}/${c.clockRate} ${c.fmtp}`), ['8 PCMA/8000 ', '18 G729/8000 annexb=no']);
    assert.deepEqual(m?.telephoneEvents, [{ payloadType: 101, name: 'telephone-event', clockRate: 8000, channels: 1, fmtp: '0-16' }]);
    assert.equal(m?.ptime, 20);
    assert.equal(m?.maxptime, 150);
  });

  it('baresip: opus/48000/2 first', () => {
    const [m] = parseSipSdp(fixture('baresip-opus.sdp')).media;
    assert.deepEqual(m?.codecs.map((c) => `${c.name}/${c.clockRate}/${c.channels}`), ['opus/48000/2', 'G722/8000/1', 'PCMU/8000/1', 'PCMA/8000/1']);
    assert.equal(m?.codecs[0]?.fmtp, 'stereo=1;sprop-stereo=1');
  });

  it('CUCM: G722, a=rtcp with its own address', () => {
    const [m] = parseSipSdp(fixture('cucm-g722-rtcp.sdp')).media;
    assert.equal(m?.codecs[0]?.name, 'G722');
    assert.equal(m?.address, '198.51.100.40');
    assert.equal(m?.rtcpAddress, '198.51.100.41');
    assert.equal(m?.rtcpPort, 24591);
  });

  it('OpenScape: RTP/SAVP, the _32 suite refused, _80 with a lifetime used, CN', () => {
    const [m] = parseSipSdp(fixture('openscape-srtp.sdp')).media;
    assert.ok(m);
    assert.equal(m.secure, true);
    assert.equal(m.crypto.length, 1);
    const c = m.crypto[0];
    assert.equal(c?.tag, 2);
    assert.equal(c?.suite, 'AES_CM_128_HMAC_SHA1_80');
    assert.equal(c?.keySalt.length, 30);
    assert.equal(c?.lifetime, 2 ** 31);
    assert.equal(Buffer.from(c?.keySalt ?? []).toString('base64'), 'arnx6499M4j0+dWG9m6Z/VQIDfLERvDlhmiwnAih');
    assert.match(m.rejectedCrypto[0]?.reason ?? '', /suite AES_CM_128_HMAC_SHA1_32 is not supported/);
    assert.deepEqual(m.comfortNoise.map((x) => x.payloadType), [13]);
  });

  it('baresip SRTP: MKI refused, AEAD_AES_128_GCM used, rtcp-mux', () => {
    const [m] = parseSipSdp(fixture('baresip-srtp-mki-gcm.sdp')).media;
    assert.ok(m);
    assert.match(m.rejectedCrypto[0]?.reason ?? '', /MKI is used/);
    assert.equal(m.crypto[0]?.suite, 'AEAD_AES_128_GCM');
    assert.equal(m.crypto[0]?.keySalt.length, 28);
    assert.equal(m.rtcpMux, true);
    assert.equal(m.rtcpPort, 36428);
  });

  it('hold: sendonly, inactive, and the c=0.0.0.0 of RFC 2543', () => {
    assert.equal(parseSipSdp(fixture('asterisk-hold-sendonly.sdp')).media[0]?.direction, 'sendonly');
    assert.equal(parseSipSdp(fixture('cucm-hold-inactive.sdp')).media[0]?.direction, 'inactive');
    const c0 = parseSipSdp(fixture('sipp-hold-c0.sdp')).media[0];
    assert.equal(c0?.nullAddressHold, true);
    assert.equal(c0?.direction, 'sendonly', 'sendrecv with c=0.0.0.0: the peer will not receive');
    const c0recv = parseSipSdp(fixture('sipp-hold-c0.sdp').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:0 PCMU/8000\r\na=recvonly')).media[0];
    assert.equal(c0recv?.direction, 'inactive');
  });

  it('port 0: a refused m-line', () => {
    const d = parseSipSdp(fixture('sipp-answer-port0.sdp'));
    assert.deepEqual(d.media.map((m) => [m.port, m.protocol]), [[0, 'RTP/SAVP'], [6002, 'RTP/AVP']]);
    assert.equal(d.media[1]?.ptime, 30);
  });

  it('rejects what it cannot use with a typed error', () => {
    const pcmu = fixture('sipp-uac-pcmu.sdp');
    expectSipSdpError(() => parseSipSdp(42), 'malformed', /not text/);
    expectSipSdpError(() => parseSipSdp('INVITE'), 'malformed', /v=0/);
    expectSipSdpError(() => parseSipSdp('v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n'), 'no-media', /no m-line/);
    expectSipSdpError(() => parseSipSdp(pcmu.replace(/^o=.*\r\n/m, '')), 'malformed', /no o= line/);
    expectSipSdpError(() => parseSipSdp(pcmu.replace(/^c=.*\r\n/m, '')), 'malformed', /no c= line/);
    expectSipSdpError(() => parseSipSdp(pcmu.replace('c=IN IP4 127.0.0.1', 'c=IN IP4 pbx.example.com')), 'malformed', /not an IP literal/);
    expectSipSdpError(() => parseSipSdp(pcmu.replace('c=IN IP4 127.0.0.1', 'c=IN IP6 127.0.0.1')), 'malformed', /says IP6/);
    expectSipSdpError(() => parseSipSdp(pcmu.replace('m=audio 6000', 'm=audio 70000')), 'malformed', /out of range/);
    expectSipSdpError(() => parseSipSdp(pcmu + 'a=rtcp:x\r\n'), 'malformed', /a=rtcp/);
    expectSipSdpError(() => parseSipSdp('v=0\r\n' + 'a=x\r\n'.repeat(20000)), 'malformed', /larger than/);
  });
});

describe('a=crypto', () => {
  it('parses, refuses and writes', () => {
    const key = 'arnx6499M4j0+dWG9m6Z/VQIDfLERvDlhmiwnAih';
    const ok = parseCryptoAttribute(`7 AES_CM_128_HMAC_SHA1_80 inline:${key}|1048576 WSH=64`);
    assert.ok(ok.ok);
    assert.equal(ok.crypto.tag, 7);
    assert.equal(ok.crypto.lifetime, 1048576);
    assert.deepEqual(ok.crypto.sessionParams, ['WSH=64']);
    const refused: [string, RegExp][] = [
      [`1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^20|1:4`, /MKI is used/],
      [`1 AES_CM_128_HMAC_SHA1_80 inline:${key}|1:4`, /MKI is used/],
      [`1 AES_CM_128_HMAC_SHA1_80 inline:${key};inline:${key}`, /several master keys/],
      [`1 AES_256_CM_HMAC_SHA1_80 inline:${key}`, /not supported/],
      [`1 AES_CM_128_HMAC_SHA1_80 inline:${key.slice(4)}`, /is 27 bytes; AES_CM_128_HMAC_SHA1_80 needs 30/],
      [`1 AEAD_AES_128_GCM inline:${key}`, /is 30 bytes; AEAD_AES_128_GCM needs 28/],
      [`1 AES_CM_128_HMAC_SHA1_80 inline:${key.slice(0, -1)}!`, /not "inline:/],
      [`1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^99`, /lifetime/],
      [`1 AES_CM_128_HMAC_SHA1_80 inline:${key} UNENCRYPTED_SRTP`, /session parameter UNENCRYPTED_SRTP/],
      [`1 AES_CM_128_HMAC_SHA1_80 inline:${key} KDR=1`, /session parameter KDR=1/],
      [`x AES_CM_128_HMAC_SHA1_80 inline:${key}`, /tag/],
      [`1 AES_CM_128_HMAC_SHA1_80`, /no key parameters/],
      [`1 AES_CM_128_HMAC_SHA1_80 key:${key}`, /not "inline:/],
    ];
    for (const [value, re] of refused) {
      const r = parseCryptoAttribute(value);
      assert.ok(!r.ok, value);
      assert.match(r.rejected.reason, re, value);
    }
  });

  it('generates keys and maps them to RtpEndpointOptions.srtp', () => {
    const k = generateSdesKey('AES_CM_128_HMAC_SHA1_80', 1);
    assert.equal(k.keySalt.length, 30);
    assert.equal(k.inline.length, 40);
    assert.notDeepEqual(generateSdesKey('AES_CM_128_HMAC_SHA1_80', 1).keySalt, k.keySalt, 'fresh randomness');
    const g = generateSdesKey('AEAD_AES_128_GCM', 2, counting);
    assert.equal(g.keySalt.length, 28);
    const line = formatCryptoAttribute(g);
    assert.equal(line, `2 AEAD_AES_128_GCM inline:${Buffer.from(counting(28)).toString('base64')}`);
    const back = parseCryptoAttribute(line);
    assert.ok(back.ok);
    assert.deepEqual(back.crypto.keySalt, g.keySalt);
    const srtp = srtpOptions(g, back.crypto);
    assert.equal(srtp.profile, 'AEAD_AES_128_GCM');
    assert.ok(srtp.localKeySalt instanceof Uint8Array && srtp.remoteKeySalt instanceof Uint8Array);
    assert.throws(() => srtpOptions(k, g), /suites differ/);
  });
});

describe('buildSipOffer', () => {
  it('offers RTP/AVP with the browser codecs first, DTMF 0-15, a=rtcp, a=ptime', () => {
    const offer = buildSipOffer(local, DEFAULT_CODEC_POLICY, { webCodecs: chromeAudio });
    const l = lines(offer.sdp);
    assert.deepEqual(l.slice(0, 5), ['v=0', 'o=rtcgate 4242 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0']);
    assert.ok(l.includes('m=audio 9000 RTP/AVP 111 9 0 8 110 126'), offer.sdp);
    assert.ok(l.includes('a=rtpmap:111 opus/48000/2'));
    assert.ok(l.includes('a=fmtp:111 minptime=10;useinbandfec=1'));
    assert.ok(l.includes('a=rtpmap:126 telephone-event/8000'));
    assert.ok(l.includes('a=fmtp:126 0-15'));
    assert.ok(l.includes('a=rtpmap:110 telephone-event/48000'));
    assert.ok(l.includes('a=rtcp:9001 IN IP4 127.0.0.1'));
    assert.ok(l.includes('a=ptime:20'));
    assert.ok(l.includes('a=sendrecv'));
    assert.ok(!l.some((x) => /red|CN|crypto/.test(x)), 'red is not a SIP-leg codec; CN is not in codecs by default');

    // Round trip through sdp-transform and our own parser.
    const t = sdpTransform.parse(offer.sdp);
    assert.equal(t.media[0]?.protocol, 'RTP/AVP');
    assert.equal(t.media[0]?.rtcp?.port, 9001);
    assert.equal(t.media[0]?.ptime, 20);
    const back = parseSipSdp(offer.sdp).media[0];
    assert.deepEqual(back?.codecs.map((c) => c.name), ['opus', 'G722', 'PCMU', 'PCMA']);
    assert.deepEqual(back?.telephoneEvents.map((c) => `${c.payloadType}/${c.clockRate}/${c.fmtp}`), ['110/48000/0-15', '126/8000/0-15']);
  });

  it('without browser codecs, offers the codecs option (audio only), sip-disallowed left out', () => {
    const policy = codecPolicyFromOptions({ 'sip-disallowed-codecs': '(g722,opus)', codecs: '(g722,pcmu,pcma,opus,g729,telephone-event=101,cn)' });
    const offer = buildSipOffer({ ...local, rtcpMux: true, ptimeMs: 30, direction: 'sendonly' }, policy);
    const l = lines(offer.sdp);
    assert.ok(l.includes('m=audio 9000 RTP/AVP 0 8 18 101 13'), offer.sdp);
    assert.ok(l.includes('a=rtcp-mux') && !l.some((x) => x.startsWith('a=rtcp:')));
    assert.ok(l.includes('a=ptime:30') && l.includes('a=sendonly'));
  });

  it('appends sip-added-codecs only when transcoding is enabled', () => {
    const webOpusOnly = chromeAudio.filter((c) => c.name === 'opus' || c.name === 'telephone-event');
    const on = buildSipOffer(local, codecPolicyFromOptions({ 'sip-added-codecs': '(pcmu,g729)' }), { webCodecs: webOpusOnly });
    assert.ok(lines(on.sdp).includes('m=audio 9000 RTP/AVP 111 0 18 110 126'), on.sdp);
    const off = buildSipOffer(local, codecPolicyFromOptions({ 'sip-added-codecs': '(pcmu,g729)', 'enable-transcoding': 'false' }), { webCodecs: webOpusOnly });
    assert.ok(lines(off.sdp).includes('m=audio 9000 RTP/AVP 111 110'), off.sdp);
    expectSipSdpError(
      () => buildSipOffer(local, codecPolicyFromOptions({ 'sip-disallowed-codecs': '(opus)', 'enable-transcoding': 'false' }), { webCodecs: webOpusOnly }),
      'no-common-codec',
      /no audio codec may be offered/,
    );
  });

  it('strict: one RTP/SAVP m-line with a=crypto; optional: SAVP then AVP; AVPF when sip-no-avpf is false', () => {
    const strict = buildSipOffer(local, codecPolicyFromOptions({ 'sip-srtp-mode': 'strict' }), { random: counting, suites: ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'] });
    const sl = lines(strict.sdp);
    assert.equal(sl.filter((x) => x.startsWith('m=')).length, 1);
    assert.ok(sl.some((x) => x.startsWith('m=audio 9000 RTP/SAVP ')));
    assert.ok(sl.includes(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${Buffer.from(counting(30)).toString('base64')}`));
    assert.ok(sl.includes(`a=crypto:2 AEAD_AES_128_GCM inline:${Buffer.from(counting(28)).toString('base64')}`));
    const parsed = parseSipSdp(strict.sdp).media[0];
    assert.deepEqual(parsed?.crypto.map((c) => c.tag), [1, 2]);

    const optional = buildSipOffer(local, codecPolicyFromOptions({ 'sip-srtp-mode': 'optional', 'sip-no-avpf': 'false' }));
    const ms = lines(optional.sdp).filter((x) => x.startsWith('m='));
    assert.equal(ms.length, 2);
    assert.match(ms[0] ?? '', /^m=audio 9000 RTP\/SAVPF /);
    assert.match(ms[1] ?? '', /^m=audio 9000 RTP\/AVPF /);
    assert.deepEqual(optional.media.map((m) => [m.index, m.secure, m.crypto.length]), [[0, true, 1], [1, false, 0]]);
  });

  it('a re-offer keeps the session id and the keys', () => {
    const policy = codecPolicyFromOptions({ 'sip-srtp-mode': 'strict' });
    const first = buildSipOffer(local, policy);
    const again = buildSipOffer({ ...local, session: { ...first.session, version: first.session.version + 1 }, direction: 'sendonly' }, policy, {
      srtpKeys: first.media[0]?.crypto ?? [],
    });
    assert.equal(parseSipSdp(again.sdp).origin.sessionVersion, '2');
    assert.deepEqual(again.media[0]?.crypto[0]?.keySalt, first.media[0]?.crypto[0]?.keySalt);
  });

  it('refuses a bad local address', () => {
    assert.throws(() => buildSipOffer({ ...local, address: 'host' }, DEFAULT_CODEC_POLICY), /not an IP literal/);
  });
});

describe('negotiateSipAnswer', () => {
  it('reads a SIPp answer that refused the secure m-line', () => {
    const offer = buildSipOffer(local, codecPolicyFromOptions({ 'sip-srtp-mode': 'optional' }), { webCodecs: chromeAudio });
    const n = negotiateSipAnswer(offer, parseSipSdp(fixture('sipp-answer-port0.sdp')));
    assert.equal(n.index, 1);
    assert.equal(n.codec.name, 'PCMU');
    assert.equal(n.telephoneEvent?.payloadType, 101, 'the answer’s number is the one we send with');
    assert.equal(n.ptimeMs, 30);
    assert.deepEqual(n.remote, { address: '127.0.0.1', port: 6002, rtcpAddress: '127.0.0.1', rtcpPort: 6003, rtcpMux: false });
    assert.equal(n.srtp, undefined);
    assert.equal(n.direction, 'sendrecv');
  });

  it('takes the keys of an SDES answer', () => {
    const offer = buildSipOffer(local, codecPolicyFromOptions({ 'sip-srtp-mode': 'strict' }), { random: counting });
    // The peer answers with our tag and its own key (the OpenScape key of tag 2 reused as text).
    const answer = fixture('openscape-srtp.sdp')
      .replace(/^a=crypto:1 .*\r\n/m, '')
      .replace('a=crypto:2 ', 'a=crypto:1 ');
    const n = negotiateSipAnswer(offer, parseSipSdp(answer));
    assert.equal(n.srtp?.suite, 'AES_CM_128_HMAC_SHA1_80');
    assert.deepEqual(n.srtp?.localKeySalt, counting(30));
    assert.equal(Buffer.from(n.srtp?.remoteKeySalt ?? []).toString('base64'), 'arnx6499M4j0+dWG9m6Z/VQIDfLERvDlhmiwnAih');
    expectSipSdpError(() => negotiateSipAnswer(offer, parseSipSdp(fixture('openscape-srtp.sdp').replace(/^a=crypto:1 .*\r\n/m, ''))), 'answer-mismatch', /tag 2/);
    expectSipSdpError(() => negotiateSipAnswer(offer, parseSipSdp(fixture('sipp-uac-pcmu.sdp'))), 'answer-mismatch', /RTP\/AVP to our RTP\/SAVP/);
  });

  it('refuses answers that do not fit', () => {
    const offer = buildSipOffer(local, DEFAULT_CODEC_POLICY);
    expectSipSdpError(() => negotiateSipAnswer(offer, parseSipSdp(fixture('sipp-answer-port0.sdp'))), 'answer-mismatch', /2 m-lines, the offer 1/);
    expectSipSdpError(
      () => negotiateSipAnswer(offer, parseSipSdp(fixture('sipp-uac-pcmu.sdp').replace('m=audio 6000', 'm=audio 0'))),
      'no-common-codec',
      /rejected every audio m-line/,
    );
    const g729Offer = buildSipOffer(local, codecPolicyFromOptions({ codecs: '(g729)' }));
    expectSipSdpError(() => negotiateSipAnswer(g729Offer, parseSipSdp(fixture('sipp-uac-pcmu.sdp'))), 'no-common-codec', /lists no codec we offered \(PCMU\/8000\)/);
  });

  it('hold answers: the peer’s sendonly makes us recvonly', () => {
    const offer = buildSipOffer(local, DEFAULT_CODEC_POLICY);
    assert.equal(negotiateSipAnswer(offer, parseSipSdp(fixture('asterisk-hold-sendonly.sdp'))).direction, 'recvonly');
    assert.equal(negotiateSipAnswer(offer, parseSipSdp(fixture('cucm-hold-inactive.sdp'))).direction, 'inactive');
    assert.equal(negotiateSipAnswer(offer, parseSipSdp(fixture('sipp-uac-pcmu.sdp')), 'sendonly').direction, 'sendonly');
  });
});

describe('buildSipAnswer', () => {
  it('answers Asterisk PCMA+G729 with PCMA and DTMF 0-15, answer round-trips', () => {
    const { sdp, negotiated } = buildSipAnswer(parseSipSdp(fixture('asterisk-pcma-g729.sdp')), DEFAULT_CODEC_POLICY, local);
    const l = lines(sdp);
    assert.ok(l.includes('m=audio 9000 RTP/AVP 8 101'), sdp);
    assert.ok(l.includes('a=fmtp:101 0-15'));
    assert.ok(l.includes('a=rtcp:9001 IN IP4 127.0.0.1'));
    assert.equal(negotiated.codec.name, 'PCMA');
    assert.equal(negotiated.telephoneEvent?.payloadType, 101);
    assert.deepEqual(negotiated.remote, { address: '192.0.2.10', port: 10568, rtcpAddress: '192.0.2.10', rtcpPort: 10569, rtcpMux: false });
    const back = parseSipSdp(sdp).media[0];
    assert.deepEqual(back?.codecs.map((c) => c.name), ['PCMA']);
    assert.equal(sdpTransform.parse(sdp).media.length, 1);
  });

  it('prefers what the caller asks for (relay with the browser), keeps G729 annexb', () => {
    const offer = parseSipSdp(fixture('asterisk-pcma-g729.sdp'));
    const g729 = buildSipAnswer(offer, DEFAULT_CODEC_POLICY, local, { prefer: ['G729'] });
    assert.ok(lines(g729.sdp).includes('a=fmtp:18 annexb=no'));
    const baresip = buildSipAnswer(parseSipSdp(fixture('baresip-opus.sdp')), DEFAULT_CODEC_POLICY, local, { prefer: ['PCMU', 'opus'] });
    assert.equal(baresip.negotiated.codec.name, 'PCMU');
    const opus = buildSipAnswer(parseSipSdp(fixture('baresip-opus.sdp')), DEFAULT_CODEC_POLICY, local);
    assert.equal(opus.negotiated.codec.name, 'opus');
    assert.ok(lines(opus.sdp).includes('a=fmtp:96 minptime=10;useinbandfec=1'));
    assert.equal(opus.negotiated.telephoneEvent, undefined, 'baresip offers telephone-event only at 8000 Hz');
  });

  it('CUCM: RTCP goes where a=rtcp says', () => {
    const { negotiated } = buildSipAnswer(parseSipSdp(fixture('cucm-g722-rtcp.sdp')), DEFAULT_CODEC_POLICY, local);
    assert.equal(negotiated.codec.name, 'G722');
    assert.deepEqual(negotiated.remote, { address: '198.51.100.40', port: 24580, rtcpAddress: '198.51.100.41', rtcpPort: 24591, rtcpMux: false });
  });

  it('SRTP by mode: none refuses, strict/optional accept with the offered tag and a fresh key', () => {
    const offer = parseSipSdp(fixture('openscape-srtp.sdp'));
    expectSipSdpError(() => buildSipAnswer(offer, DEFAULT_CODEC_POLICY, local), 'srtp-policy', /sip-srtp-mode\] is none/);
    const strict = codecPolicyFromOptions({ 'sip-srtp-mode': 'strict', codecs: '(pcmu,telephone-event,cn)' });
    const { sdp, negotiated } = buildSipAnswer(offer, strict, local, { random: counting });
    const l = lines(sdp);
    assert.ok(l.includes('m=audio 9000 RTP/SAVP 0 101 13'), sdp);
    assert.ok(l.includes(`a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${Buffer.from(counting(30)).toString('base64')}`));
    assert.equal(l.filter((x) => x.startsWith('a=crypto')).length, 1);
    assert.equal(negotiated.srtp?.tag, 2);
    assert.equal(negotiated.comfortNoise?.payloadType, 13);
    expectSipSdpError(() => buildSipAnswer(parseSipSdp(fixture('sipp-uac-pcmu.sdp')), strict, local), 'srtp-policy', /plain RTP offered but .* strict/);
    const noCrypto = fixture('openscape-srtp.sdp').replace(/^a=crypto:2 .*\r\n/m, '');
    expectSipSdpError(() => buildSipAnswer(parseSipSdp(noCrypto), strict, local), 'no-usable-crypto', /AES_CM_128_HMAC_SHA1_32 is not supported/);
  });

  it('GCM with rtcp-mux, and the MKI line skipped', () => {
    const strict = codecPolicyFromOptions({ 'sip-srtp-mode': 'strict' });
    const { sdp, negotiated } = buildSipAnswer(parseSipSdp(fixture('baresip-srtp-mki-gcm.sdp')), strict, { ...local, rtcpMux: true }, { random: counting });
    assert.ok(lines(sdp).includes(`a=crypto:2 AEAD_AES_128_GCM inline:${Buffer.from(counting(28)).toString('base64')}`));
    assert.ok(lines(sdp).includes('a=rtcp-mux'));
    assert.equal(negotiated.remote.rtcpMux, true);
    assert.equal(negotiated.remote.rtcpPort, 36428);
  });

  it('best-effort offers: optional takes the secure m-line and refuses the other; none takes the plain one', () => {
    const offer = parseSipSdp(fixture('openscape-best-effort.sdp'));
    const optional = buildSipAnswer(offer, codecPolicyFromOptions({ 'sip-srtp-mode': 'optional' }), local);
    const ms = lines(optional.sdp).filter((x) => x.startsWith('m='));
    assert.deepEqual(ms, ['m=audio 9000 RTP/SAVP 8 101', 'm=audio 0 RTP/AVP 8']);
    assert.equal(optional.negotiated.index, 0);
    assert.ok(optional.negotiated.srtp);
    const none = buildSipAnswer(offer, DEFAULT_CODEC_POLICY, local);
    assert.deepEqual(lines(none.sdp).filter((x) => x.startsWith('m=')), ['m=audio 0 RTP/SAVP 8', 'm=audio 9000 RTP/AVP 8 101']);
    assert.equal(none.negotiated.srtp, undefined);
    assert.equal(parseSipSdp(none.sdp).media.length, 2);
  });

  it('hold offers: reverse direction, and c=0.0.0.0 hold answered recvonly', () => {
    const a = buildSipAnswer(parseSipSdp(fixture('asterisk-hold-sendonly.sdp')), DEFAULT_CODEC_POLICY, local);
    assert.ok(lines(a.sdp).includes('a=recvonly'));
    const c0 = buildSipAnswer(parseSipSdp(fixture('sipp-hold-c0.sdp')), DEFAULT_CODEC_POLICY, local);
    assert.equal(c0.negotiated.direction, 'recvonly');
    const i = buildSipAnswer(parseSipSdp(fixture('cucm-hold-inactive.sdp')), DEFAULT_CODEC_POLICY, local);
    assert.equal(i.negotiated.direction, 'inactive');
    const weHold = buildSipAnswer(parseSipSdp(fixture('sipp-uac-pcmu.sdp')), DEFAULT_CODEC_POLICY, { ...local, direction: 'sendonly' });
    assert.ok(lines(weHold.sdp).includes('a=sendonly'));
  });

  it('refuses with the reason (→ 488)', () => {
    const g729only = codecPolicyFromOptions({ codecs: '(g729)' });
    expectSipSdpError(() => buildSipAnswer(parseSipSdp(fixture('sipp-uac-pcmu.sdp')), g729only, local), 'no-common-codec', /no common codec — offered PCMU\/8000/);
    const port0 = fixture('sipp-uac-pcmu.sdp').replace('m=audio 6000', 'm=audio 0');
    expectSipSdpError(() => buildSipAnswer(parseSipSdp(port0), DEFAULT_CODEC_POLICY, local), 'no-media', /no active audio m-line/);
    const video = fixture('sipp-uac-pcmu.sdp') + 'm=video 6002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n';
    const { sdp } = buildSipAnswer(parseSipSdp(video), DEFAULT_CODEC_POLICY, local);
    assert.deepEqual(lines(sdp).filter((x) => x.startsWith('m=')), ['m=audio 9000 RTP/AVP 0', 'm=video 0 RTP/AVP 96'], 'video is refused: no video on SIP legs yet');
  });
});
