import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  DEFAULT_CODECS,
  DEFAULT_CODEC_POLICY,
  codecPolicyFromOptions,
  fmtpForAnswer,
  fmtpForOffer,
  parseAddedCodecsOption,
  parseBooleanOption,
  parseCodecsOption,
  parseDisallowedCodecsOption,
  parseSipSrtpModeOption,
  sipAllows,
  webAllows,
} from './index.js';

const brief = (list: { name: string; clockRate: number; payloadType?: number }[]): string[] =>
  list.map((c) => `${c.name}/${c.clockRate}=${c.payloadType ?? '-'}`);

describe('codecs option', () => {
  it('parses the vendor default', () => {
    const codecs = parseCodecsOption(DEFAULT_CODECS);
    assert.deepEqual(brief(codecs), [
      'G722/8000=9',
      'PCMU/8000=0',
      'PCMA/8000=8',
      'opus/48000=111',
      'G729/8000=18',
      'telephone-event/8000=126',
      'VP8/90000=100',
      'H264/90000=108',
    ]);
    const h264 = codecs.find((c) => c.name === 'H264');
    assert.ok(h264?.fmtp);
    assert.equal(h264.fmtp.raw, '[profile-level-id=42000B;packetization-mode=1]');
    // Offer: brackets dropped. Answer: the bracketed part becomes the remote offer's fmtp.
    assert.equal(fmtpForOffer(h264.fmtp), 'profile-level-id=42000B;packetization-mode=1');
    assert.equal(fmtpForAnswer(h264.fmtp, 'profile-level-id=42e01f;packetization-mode=1'), 'profile-level-id=42e01f;packetization-mode=1');
    assert.equal(fmtpForAnswer(h264.fmtp, ''), '');
  });

  it('reads every form of an entry', () => {
    const codecs = parseCodecsOption('pcmu, opus/48000=109, telephone-event/48000=(pt=110), telephone-event/8000=101, g729=(pt=18,fntp="annexb=no"), cn');
    assert.deepEqual(brief(codecs), ['PCMU/8000=0', 'opus/48000=109', 'telephone-event/48000=110', 'telephone-event/8000=101', 'G729/8000=18', 'CN/8000=13']);
    assert.equal(codecs[1]?.clockRateGiven, true);
    assert.equal(codecs[0]?.clockRateGiven, false);
    const g729 = codecs.find((c) => c.name === 'G729');
    assert.ok(g729?.fmtp);
    assert.equal(fmtpForOffer(g729.fmtp), 'annexb=no');
    assert.equal(fmtpForAnswer(g729.fmtp, 'annexb=yes'), 'annexb=no', 'no brackets: the fixed text stays');
  });

  it('keeps fixed text around a bracketed part', () => {
    const [h264] = parseCodecsOption('h264=(pt=97,fntp="packetization-mode=1;[profile-level-id=42e01f]"),pcmu');
    assert.ok(h264?.fmtp);
    assert.equal(fmtpForOffer(h264.fmtp), 'packetization-mode=1;profile-level-id=42e01f');
    assert.equal(fmtpForAnswer(h264.fmtp, 'profile-level-id=640c1f'), 'packetization-mode=1;profile-level-id=640c1f');
  });

  it('gives dynamic codecs free payload types when none is named', () => {
    const codecs = parseCodecsOption('(pcmu,telephone-event=111,opus)');
    assert.deepEqual(brief(codecs), ['PCMU/8000=0', 'telephone-event/8000=111', 'opus/48000=96']);
  });

  it('names the bad item', () => {
    const cases: [string, RegExp][] = [
      ['(pcmu,isac/16000)', /codec "isac" is not supported/],
      ['(pcmu,speex)', /codec "speex" is not supported/],
      ['(pcmu,)', /empty codec entry/],
      ['(pcmu', /does not end with "\)"/],
      ['(pcmu=8)', /codec "pcmu=8": PCMU has the static payload type 0/],
      ['(pcmu,opus=200)', /payload type 200 is outside the dynamic range/],
      ['(pcmu,opus=50)', /payload type 50 is outside the dynamic range/],
      ['(pcmu,opus=x)', /payload type "x" is not a number/],
      ['(pcmu,opus=96,telephone-event=96)', /opus and telephone-event both use payload type 96/],
      ['(pcmu,pcmu)', /codec "pcmu" is listed twice/],
      ['(pcmu,opus/8000)', /opus does not run at 8000 Hz/],
      ['(pcmu,h264=(pt=108,fntp="[a=1"))', /unclosed|unbalanced/],
      ['(pcmu,h264=(pt=108,fntp="[a][b]"))', /one \[bracketed\] part only/],
      ['(pcmu,h264=(pt=108,mode=1))', /unknown parameter "mode"/],
      ['(pcmu,h264=(pt=108,fntp="a=1)', /unterminated quote/],
      ['(telephone-event,vp8)', /names no audio codec/],
      ['()', /names no audio codec/],
      ['(pcmu,=8)', /expected name or name\/clockrate/],
      ['(pcmu,opus=)', /nothing after "="/],
    ];
    for (const [value, re] of cases) assert.throws(() => parseCodecsOption(value), re, value);
    for (const [value] of cases) {
      try {
        parseCodecsOption(value);
      } catch (err) {
        assert.equal(Object.getPrototypeOf(err), Error.prototype, 'a plain Error');
      }
    }
  });
});

describe('added, disallowed, srtp mode, booleans', () => {
  it('parses the vendor defaults and examples', () => {
    assert.deepEqual(brief(parseAddedCodecsOption('(vp8,h264)')), ['VP8/90000=-', 'H264/90000=-']);
    assert.deepEqual(brief(parseAddedCodecsOption('(g722,pcmu,vp8)')), ['G722/8000=-', 'PCMU/8000=-', 'VP8/90000=-']);
    assert.deepEqual(parseDisallowedCodecsOption('(h264)'), [{ name: 'H264' }]);
    assert.deepEqual(parseDisallowedCodecsOption(''), []);
    assert.deepEqual(parseDisallowedCodecsOption('(opus/48000, h264=(pt=108,fntp="x"))'), [{ name: 'opus', clockRate: 48000 }, { name: 'H264' }]);
    for (const mode of ['none', 'optional', 'strict'] as const) assert.equal(parseSipSrtpModeOption(mode), mode);
    assert.equal(parseSipSrtpModeOption(' Strict '), 'strict');
    assert.throws(() => parseSipSrtpModeOption('required'), /"required" is not an SRTP mode: expected none, optional or strict/);
    assert.equal(parseBooleanOption('true'), true);
    assert.equal(parseBooleanOption('FALSE'), false);
    assert.throws(() => parseBooleanOption('maybe'), /"maybe" is not a boolean/);
  });

  it('builds the default policy', () => {
    const p = DEFAULT_CODEC_POLICY;
    assert.equal(p.enableTranscoding, true);
    assert.equal(p.sipSrtpMode, 'none');
    assert.equal(p.sipNoAvpf, true);
    assert.deepEqual(brief(p.sipAdded), ['VP8/90000=100', 'H264/90000=108']);
    assert.equal(p.sipAdded[1]?.fmtp?.raw, '[profile-level-id=42000B;packetization-mode=1]', 'fmtp taken from codecs');
    assert.deepEqual(brief(p.webAdded), ['G722/8000=9', 'PCMU/8000=0', 'VP8/90000=100']);
    assert.equal(webAllows(p, 'H264', 90000), false);
    assert.equal(sipAllows(p, 'H264', 90000), true);
    assert.equal(sipAllows(p, 'opus', 48000), true);
    assert.equal(sipAllows(p, 'iLBC', 8000), false);
    assert.equal(sipAllows(p, 'telephone-event', 48000), true, 'telephone-event without a rate allows every rate');
    assert.deepEqual(p.warnings, []);
  });

  it('names the option, and warns about added codecs codecs does not list', () => {
    assert.throws(() => codecPolicyFromOptions({ codecs: '(pcmu,amr)' }), /^Error: \[rsmp\]:\[codecs\]: codec "amr" is not supported/);
    assert.throws(() => codecPolicyFromOptions({ 'sip-srtp-mode': 'yes' }), /^Error: \[rsmp\]:\[sip-srtp-mode\]/);
    const p = codecPolicyFromOptions({ codecs: '(pcmu,pcma)', 'sip-disallowed-codecs': '(pcma)', 'enable-transcoding': 'false' });
    assert.deepEqual(p.sipAdded, []);
    assert.deepEqual(brief(p.webAdded), ['PCMU/8000=0']);
    assert.equal(p.warnings.length, 4);
    assert.match(p.warnings[0] ?? '', /\[rsmp\]:\[sip-added-codecs\] lists vp8, which \[rsmp\]:\[codecs\] does not: it is ignored/);
    assert.equal(sipAllows(p, 'PCMA', 8000), false);
    assert.equal(webAllows(p, 'PCMA', 8000), true);
    assert.equal(p.enableTranscoding, false);
  });

  it('lets an added codec override the payload type', () => {
    const p = codecPolicyFromOptions({ 'sip-added-codecs': '(opus=109)' });
    assert.deepEqual(brief(p.sipAdded), ['opus/48000=109']);
  });
});
