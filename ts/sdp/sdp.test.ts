import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  buildAnswer,
  buildOffer,
  candidatePriority,
  negotiateAnswer,
  parseBrowserAnswer,
  parseBrowserOffer,
  SdpError,
  type LocalParams,
  type SdpErrorCode,
} from './index.js';
import { mutateLines } from './testing/mutateLines.js';

const fixture = (name: string): string => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const chromeAudio = fixture('chrome-audio-offer.sdp');
const chromeAv = fixture('chrome-av-datachannel-offer.sdp');
const firefoxAv = fixture('firefox-av-offer.sdp');

const local: LocalParams = {
  iceUfrag: 'gw01',
  icePwd: 'gatewayPasswordOf24Chars',
  fingerprint: { algorithm: 'sha-256', value: Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':') },
  candidates: [
    { ip: '127.0.0.1', port: 40000 },
    { ip: '::1', port: 40000 },
  ],
  audioSsrc: 0x11223344,
  videoSsrc: 0x55667788,
  cname: 'rtcgate-cname',
};

function expectSdpError(fn: () => unknown, code: SdpErrorCode, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SdpError, `expected SdpError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

const lines = (sdp: string): string[] => sdp.split('\r\n');
const mediaBlocks = (sdp: string): string[][] =>
  sdp
    .split(/\r\n(?=m=)/)
    .slice(1)
    .map((b) => b.split('\r\n').filter((l) => l !== ''));

describe('parseBrowserOffer', () => {
  it('keeps an all-digit ICE ufrag and a leading-zero one as text (sdp-transform would make numbers of them)', () => {
    const digits = chromeAudio.replace(/a=ice-ufrag:\S+/g, 'a=ice-ufrag:0482');
    assert.equal(parseBrowserOffer(digits).iceUfrag, '0482');
  });

  it('extracts transport and media of a Chromium audio offer', () => {
    const offer = parseBrowserOffer(chromeAudio);
    assert.equal(offer.iceUfrag, 'Xq3P');
    assert.equal(offer.icePwd, 'Gk2J8nBwVZsFqYr7tHc1mE0d');
    assert.equal(offer.fingerprint.algorithm, 'sha-256');
    assert.match(offer.fingerprint.value, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(offer.setup, 'actpass');
    assert.deepEqual(offer.bundle, ['0']);
    assert.equal(offer.media.length, 1);
    const audio = offer.media[0];
    assert.ok(audio);
    assert.equal(audio.kind, 'audio');
    assert.equal(audio.mid, '0');
    assert.equal(audio.direction, 'sendrecv');
    assert.equal(audio.rtcpMux, true);
    assert.deepEqual(
      audio.codecs.map((c) => `${c.payloadType} ${c.name}/${c.clockRate}/${c.channels}`),
      ['111 opus/48000/2', '63 red/48000/2', '9 G722/8000/1', '0 PCMU/8000/1', '8 PCMA/8000/1', '13 CN/8000/1', '110 telephone-event/48000/1', '126 telephone-event/8000/1'],
    );
    assert.equal(audio.codecs[0]?.params['useinbandfec'], '1');
    assert.deepEqual(audio.codecs[0]?.feedback, ['transport-cc']);
    assert.deepEqual(audio.ssrcs, [{ ssrc: 2845102437, cname: 'q8Vb3sFJ2nYcK0dT', msid: '0d5f1c38-3a64-4b0f-9d47-5f0d2a9c61b1 7c2e9a44-1b3d-4e8f-a6c5-2d9b0e1f3a77' }]);
    assert.deepEqual(audio.msid, { stream: '0d5f1c38-3a64-4b0f-9d47-5f0d2a9c61b1', track: '7c2e9a44-1b3d-4e8f-a6c5-2d9b0e1f3a77' });
  });

  it('reads session-level fingerprint and {uuid} msids of a Firefox offer', () => {
    const offer = parseBrowserOffer(firefoxAv);
    assert.equal(offer.iceUfrag, '5e8a2c71');
    assert.deepEqual(offer.bundle, ['0', '1']);
    assert.equal(offer.media[1]?.msid?.track, '{d4b8f1a3-9e62-4c07-b5d3-0a7c2e9f8b41}');
    assert.deepEqual(offer.media[1]?.ssrcGroups, [{ semantics: 'FID', ssrcs: [1495508431, 3870224195] }]);
    assert.equal(offer.media[0]?.codecs[0]?.name, 'opus');
  });

  it('names the problem', () => {
    const drop = (sdp: string, re: RegExp): string => lines(sdp).filter((l) => !re.test(l)).join('\r\n');
    expectSdpError(() => parseBrowserOffer(drop(chromeAudio, /^a=fingerprint/)), 'no-fingerprint', /m=audio \(mid 0\): no a=fingerprint/);
    expectSdpError(
      () => parseBrowserOffer(chromeAudio.replace(/a=fingerprint:sha-256 \S+/, 'a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33')),
      'unsupported-fingerprint',
      /uses sha-1 only — rtcgate requires sha-256/,
    );
    expectSdpError(() => parseBrowserOffer(drop(chromeAudio, /^a=ice-ufrag/)), 'no-ice-credentials', /no a=ice-ufrag/);
    expectSdpError(
      () => parseBrowserOffer(drop(chromeAudio, /^a=rtcp-mux/)),
      'no-rtcp-mux',
      /^m=audio \(mid 0\): no a=rtcp-mux — rtcgate requires RTCP multiplexing$/,
    );
    expectSdpError(() => parseBrowserOffer(drop(chromeAv, /^a=group/)), 'no-bundle', /no a=group:BUNDLE/);
    expectSdpError(() => parseBrowserOffer(chromeAudio.replace('a=setup:actpass', 'a=setup:holdconn')), 'bad-setup', /holdconn/);
    expectSdpError(() => parseBrowserOffer('hello'), 'malformed', /v=0/);
    expectSdpError(() => parseBrowserOffer('v=0\r\ns=-\r\n'), 'no-media', /no m-line/);
  });

  it('accepts a sha-1 fingerprint next to a sha-256 one', () => {
    const both = chromeAudio.replace(/(a=fingerprint:sha-256 \S+)/, 'a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\r\n$1');
    assert.equal(parseBrowserOffer(both).fingerprint.algorithm, 'sha-256');
  });
});

describe('buildAnswer', () => {
  it('answers a Chromium audio offer with opus + telephone-event/48000 only', () => {
    const offer = parseBrowserOffer(chromeAudio);
    const { sdp, negotiated } = buildAnswer(offer, local);
    const l = lines(sdp);
    assert.ok(l.includes('a=ice-lite'));
    assert.ok(l.includes('a=group:BUNDLE 0'));
    assert.ok(l.includes('m=audio 40000 UDP/TLS/RTP/SAVPF 111 110'));
    assert.ok(l.includes('a=fmtp:111 minptime=10;useinbandfec=1'));
    assert.ok(l.includes('a=rtpmap:110 telephone-event/48000'));
    assert.ok(l.includes('a=setup:passive'));
    assert.ok(l.includes('a=rtcp-mux'));
    assert.ok(l.includes(`a=fingerprint:sha-256 ${local.fingerprint.value}`));
    assert.ok(l.includes('a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host'));
    assert.ok(l.includes('a=candidate:2 1 udp 2130706175 ::1 40000 typ host'));
    assert.ok(l.includes('a=end-of-candidates'));
    assert.ok(l.includes(`a=ssrc:${local.audioSsrc} cname:rtcgate-cname`));
    assert.ok(!l.some((x) => /^a=(extmap|rtcp-fb)|red|rtx|CN\//.test(x)), 'answer must stay minimal');
    assert.deepEqual(negotiated.audio, {
      mid: '0',
      payloadType: 111,
      codec: 'opus',
      clockRate: 48000,
      channels: 2,
      direction: 'sendrecv',
      telephoneEventPt: 110,
      fmtp: 'minptime=10;useinbandfec=1',
      feedback: [],
      remoteSsrcs: [2845102437],
    });
    assert.equal(negotiated.video, undefined);
    assert.equal(negotiated.dtlsRole, 'server');
    assert.equal(negotiated.remote.iceUfrag, 'Xq3P');

    // The answer is itself valid SDP that our parser (as an "answer") accepts.
    const reparsed = parseBrowserAnswer(sdp);
    assert.equal(reparsed.iceLite, true);
    assert.equal(reparsed.setup, 'passive');
    assert.equal(reparsed.iceUfrag, local.iceUfrag);
    assert.deepEqual(reparsed.media[0]?.codecs.map((c) => c.name), ['opus', 'telephone-event']);
  });

  it('answers Chromium audio+video, picks H264 42e01f mode 1 when asked, rejects the data channel', () => {
    const offer = parseBrowserOffer(chromeAv);
    const vp8 = buildAnswer(offer, local);
    assert.equal(vp8.negotiated.video?.codec, 'VP8');
    assert.equal(vp8.negotiated.video?.payloadType, 96);
    assert.deepEqual(vp8.negotiated.video?.feedback, ['goog-remb', 'nack', 'nack pli', 'ccm fir']);
    assert.deepEqual(vp8.negotiated.video?.remoteSsrcs, [3350221877], 'rtx SSRC of the FID group is left out');

    const { sdp, negotiated } = buildAnswer(offer, { ...local, policy: { videoCodecs: ['H264', 'VP8'] } });
    assert.equal(negotiated.video?.payloadType, 106);
    assert.equal(negotiated.video?.fmtp, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f');
    const blocks = mediaBlocks(sdp);
    assert.equal(blocks.length, 3, 'one answer m-line per offered m-line');
    assert.ok(lines(sdp).includes('a=group:BUNDLE 0 1'));
    const [audio, video, app] = blocks;
    assert.ok(audio?.includes('a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host'));
    assert.equal(video?.[0], 'm=video 40000 UDP/TLS/RTP/SAVPF 106');
    assert.ok(video?.includes('a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host'));
    assert.deepEqual(
      video?.filter((x) => x.startsWith('a=rtcp-fb')),
      ['a=rtcp-fb:106 goog-remb', 'a=rtcp-fb:106 nack', 'a=rtcp-fb:106 nack pli', 'a=rtcp-fb:106 ccm fir'],
    );
    assert.ok(video?.includes(`a=ssrc:${local.videoSsrc} cname:rtcgate-cname`));
    assert.equal(app?.[0], 'm=application 0 UDP/DTLS/SCTP webrtc-datachannel');
    assert.ok(app?.includes('a=mid:2'));
    assert.ok(!app?.some((x) => x.startsWith('a=candidate')));
    const reparsed = parseBrowserAnswer(sdp);
    assert.deepEqual(reparsed.media.map((m) => m.port), [40000, 40000, 0]);
  });

  it('answers Firefox, without DTMF (it offers telephone-event only at 8000 Hz)', () => {
    const { negotiated } = buildAnswer(parseBrowserOffer(firefoxAv), local);
    assert.equal(negotiated.audio?.payloadType, 109);
    assert.equal(negotiated.audio?.telephoneEventPt, undefined);
    assert.equal(negotiated.video?.payloadType, 120);
    assert.deepEqual(negotiated.audio?.remoteSsrcs, [2291635504]);
  });

  it('maps setup and direction to their complements', () => {
    const activeRecvonly = chromeAudio.replace('a=setup:actpass', 'a=setup:active').replace('a=sendrecv', 'a=recvonly');
    const a = buildAnswer(parseBrowserOffer(activeRecvonly), local);
    assert.ok(lines(a.sdp).includes('a=setup:passive'));
    assert.ok(lines(a.sdp).includes('a=sendonly'));
    assert.equal(a.negotiated.dtlsRole, 'server');
    const passiveSendonly = chromeAudio.replace('a=setup:actpass', 'a=setup:passive').replace('a=sendrecv', 'a=sendonly');
    const b = buildAnswer(parseBrowserOffer(passiveSendonly), local);
    assert.ok(lines(b.sdp).includes('a=setup:active'));
    assert.ok(lines(b.sdp).includes('a=recvonly'));
    assert.ok(!lines(b.sdp).some((x) => x.startsWith('a=ssrc')), 'no a=ssrc when we do not send');
    assert.equal(b.negotiated.dtlsRole, 'client');
  });

  it('falls back to PCMU and keeps telephone-event/8000 with it', () => {
    const { negotiated } = buildAnswer(parseBrowserOffer(chromeAudio), { ...local, policy: { audioCodecs: ['PCMU', 'telephone-event'] } });
    assert.equal(negotiated.audio?.codec, 'PCMU');
    assert.equal(negotiated.audio?.telephoneEventPt, 126);
  });

  it('refuses an offer with no common codec', () => {
    const g729 = chromeAudio.replace(/^m=audio .*$/m, 'm=audio 9 UDP/TLS/RTP/SAVPF 18').replace(/^a=rtpmap:.*\r\n/gm, '');
    expectSdpError(() => buildAnswer(parseBrowserOffer(g729), local), 'no-common-codec', /m=audio \(mid 0\): no common codec — offered G729\/18/);
  });

  it('computes RFC 8445 priorities', () => {
    assert.equal(candidatePriority(126, 65535, 1), 2130706431);
    assert.equal(candidatePriority(0, 0, 256), 0);
  });
});

describe('buildOffer / parseBrowserAnswer', () => {
  it('offers actpass with the policy codecs and reads a browser answer back', () => {
    const { sdp, mids } = buildOffer(local, { audio: true, video: true });
    assert.deepEqual(mids, { audio: '0', video: '1' });
    const l = lines(sdp);
    assert.ok(l.includes('a=setup:actpass'));
    assert.ok(l.includes('m=audio 40000 UDP/TLS/RTP/SAVPF 111 0 8 110 126'));
    assert.ok(l.includes('m=video 40000 UDP/TLS/RTP/SAVPF 96 102'));
    // As a browser would answer: pick opus + VP8, active role.
    const answer = sdp
      .replace(/a=setup:actpass/g, 'a=setup:active')
      .replace('a=ice-lite\r\n', '')
      .replace('m=audio 40000 UDP/TLS/RTP/SAVPF 111 0 8 110 126', 'm=audio 9 UDP/TLS/RTP/SAVPF 111 110')
      .replace('m=video 40000 UDP/TLS/RTP/SAVPF 96 102', 'm=video 9 UDP/TLS/RTP/SAVPF 96');
    const negotiated = negotiateAnswer(parseBrowserAnswer(answer));
    assert.equal(negotiated.dtlsRole, 'server');
    assert.equal(negotiated.audio?.codec, 'opus');
    assert.equal(negotiated.audio?.telephoneEventPt, 110);
    assert.equal(negotiated.video?.codec, 'VP8');
    expectSdpError(() => parseBrowserAnswer(sdp), 'bad-setup', /actpass is not allowed in an answer/);
  });
});

describe('garbage in, SdpError out', () => {
  it('never throws anything but SdpError on 5000 mutated offers', () => {
    // Deterministic xorshift so a failure reproduces.
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const sources = [chromeAudio, chromeAv, firefoxAv];
    const junk = ['', ' ', ':', '=', '/', '0', '-1', '99999999999', 'NaN', '\r\n', 'm=', 'a=', '{', '\u0000', 'é', 'a=rtpmap:', 'a=fmtp:1 ', 'a=ssrc:x'];
    let errors = 0;
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const src = lines(sources[rand(sources.length)] as string);
      const edits = 1 + rand(6);
      for (let e = 0; e < edits; e++) mutateLines(src, rand, junk, 300);
      const sdp = src.join(rand(2) === 0 ? '\r\n' : '\n');
      try {
        const offer = parseBrowserOffer(sdp);
        const { sdp: answer } = buildAnswer(offer, local);
        parseBrowserAnswer(answer);
        accepted++;
      } catch (err) {
        if (!(err instanceof SdpError)) {
          assert.fail(`mutation ${i} threw ${String(err)}\n${sdp}`);
        }
        errors++;
      }
    }
    assert.equal(errors + accepted, 5000);
    assert.ok(accepted > 100 && errors > 100, `both paths exercised (accepted ${accepted}, rejected ${errors})`);
  });
});
