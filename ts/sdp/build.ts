// Writing the gateway's side of the offer/answer exchange: an ICE-lite (RFC 8445 §2.5),
// DTLS-SRTP (RFC 5763), BUNDLE (RFC 8843) + rtcp-mux (RFC 5761) description with one codec per
// kind and nothing else (no rtx, red, ulpfec, header extensions), so the media engine only ever
// sees the streams it was configured for.

import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { DtlsRole } from '../engine/types.js';
import { describeSection, isRtpKind } from './parse.js';
import {
  DEFAULT_POLICY,
  SdpError,
  type BrowserAnswer,
  type BrowserOffer,
  type CodecInfo,
  type CodecPolicy,
  type HostCandidate,
  type LocalParams,
  type MediaDirection,
  type MediaSection,
  type Negotiated,
  type NegotiatedMedia,
  type SetupRole,
} from './types.js';

/** Encodings that only ride along with a main codec and are never chosen as one. */
const kAuxiliaryCodecs = new Set(['telephone-event', 'cn', 'rtx', 'red', 'ulpfec', 'flexfec-03']);
/** Transport protocols of DTLS-SRTP m-lines (RFC 5764 §8, RFC 8843 keeps the UDP/TLS one). */
const kDtlsSrtpProtocols = new Set(['UDP/TLS/RTP/SAVPF', 'UDP/TLS/RTP/SAVP']);
/** Video feedback we act on (RFC 4585 nack, RFC 5104 fir, and pli); goog-remb is echoed only when offered. */
const kVideoFeedback = ['goog-remb', 'nack', 'nack pli', 'ccm fir'];
/** RFC 8445 §5.1.2.2: recommended type preference of host candidates. */
const kHostTypePreference = 126;
/** Opus parameters we answer with (RFC 7587 §7): 10 ms minimum packet time, in-band FEC on. */
const kOpusFmtp = 'minptime=10;useinbandfec=1';
const kPreferredH264Profile = '42e01f';

export interface BuildResult {
  sdp: string;
  negotiated: Negotiated;
}

/** RFC 8445 §5.1.2.1: priority = 2^24·type-pref + 2^8·local-pref + (256 − component-id). */
export function candidatePriority(typePreference: number, localPreference: number, componentId: number): number {
  return typePreference * 2 ** 24 + localPreference * 2 ** 8 + (256 - componentId);
}

/** Builds our answer to a parsed browser offer. Throws SdpError when nothing can be accepted. */
export function buildAnswer(offer: BrowserOffer, local: LocalParams): BuildResult {
  const policy = resolvePolicy(local.policy);
  const candidates = checkCandidates(local.candidates);
  // RFC 5763 §5: the answerer picks the complement of the offerer's role; we prefer passive (DTLS server).
  const ourSetup: SetupRole = offer.setup === 'passive' ? 'active' : 'passive';
  const dtlsRole: DtlsRole = ourSetup === 'passive' ? 'server' : 'client';

  const negotiated: Negotiated = {
    remote: { iceUfrag: offer.iceUfrag, icePwd: offer.icePwd, fingerprint: offer.fingerprint, setup: offer.setup },
    dtlsRole,
  };
  const accepted: { section: MediaSection; chosen: ChosenCodecs; direction: MediaDirection }[] = [];
  const refusals: string[] = [];
  for (const section of offer.media) {
    const verdict = acceptSection(section, offer, policy, negotiated);
    if (typeof verdict === 'string') {
      refusals.push(verdict);
      continue;
    }
    const direction = reverseDirection(section.direction);
    accepted.push({ section, chosen: verdict, direction });
    negotiated[section.kind as 'audio' | 'video'] = negotiatedMedia(section, verdict, direction);
  }
  if (accepted.length === 0) {
    throw new SdpError('no-common-codec', refusals.join('; ') || 'no acceptable m-line in the offer');
  }

  const lines = sessionLines(candidates[0]?.ip ?? '127.0.0.1', accepted.map((a) => a.section.mid));
  for (const section of offer.media) {
    const acc = accepted.find((a) => a.section === section);
    if (acc === undefined) {
      lines.push(...rejectedSectionLines(section));
      continue;
    }
    lines.push(
      ...mediaLines({
        kind: section.kind as 'audio' | 'video',
        mid: section.mid,
        protocol: section.protocol,
        direction: acc.direction,
        codecs: acc.chosen.all,
        setup: ourSetup,
        local,
        candidates,
      }),
    );
  }
  return { sdp: lines.join('\r\n') + '\r\n', negotiated };
}

export interface OfferOptions {
  audio?: boolean;
  video?: boolean;
}

/** Payload types we use when we are the offerer (Chromium's numbers, so captures read familiar). */
const kOfferCodecs: readonly CodecInfo[] = [
  codec(111, 'opus', 48000, 2, kOpusFmtp),
  codec(0, 'PCMU', 8000, 1, ''),
  codec(8, 'PCMA', 8000, 1, ''),
  // RFC 3551 §4.5.2: G.722 is static PT 9 with an RTP clock of 8000 (it samples at 16 kHz).
  codec(9, 'G722', 8000, 1, ''),
  codec(110, 'telephone-event', 48000, 1, ''),
  codec(126, 'telephone-event', 8000, 1, ''),
  codec(96, 'VP8', 90000, 1, '', ['nack', 'nack pli', 'ccm fir']),
  codec(102, 'H264', 90000, 1, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', ['nack', 'nack pli', 'ccm fir']),
];

/** Builds an offer from the gateway to a browser (mid "0" audio, mid "1" video), a=setup:actpass. */
export function buildOffer(local: LocalParams, options: OfferOptions = {}): { sdp: string; mids: { audio?: string; video?: string } } {
  const policy = resolvePolicy(local.policy);
  const candidates = checkCandidates(local.candidates);
  const kinds: ('audio' | 'video')[] = [];
  if (options.audio ?? true) kinds.push('audio');
  if (options.video ?? false) kinds.push('video');
  if (kinds.length === 0) throw new SdpError('no-media', 'buildOffer: neither audio nor video requested');

  const mids: { audio?: string; video?: string } = {};
  kinds.forEach((kind, i) => (mids[kind] = String(i)));
  const lines = sessionLines(candidates[0]?.ip ?? '127.0.0.1', kinds.map((_, i) => String(i)));
  kinds.forEach((kind, i) => {
    const wanted = (kind === 'audio' ? policy.audioCodecs : policy.videoCodecs).map((n) => n.toLowerCase());
    const offered = kOfferCodecs
      .filter((c) => (kind === 'video') === (c.clockRate === 90000) && wanted.includes(c.name.toLowerCase()))
      .sort((a, b) => wanted.indexOf(a.name.toLowerCase()) - wanted.indexOf(b.name.toLowerCase()));
    // RFC 4733 §7.1.1: telephone-event only at the clock rate of an audio codec offered with it.
    const audioRates = new Set(offered.filter((c) => c.name !== 'telephone-event').map((c) => c.clockRate));
    const codecs = offered.filter((c) => c.name !== 'telephone-event' || audioRates.has(c.clockRate));
    if (codecs.length === 0) throw new SdpError('no-common-codec', `buildOffer: policy lists no ${kind} codec rtcgate knows`);
    lines.push(
      ...mediaLines({ kind, mid: String(i), protocol: 'UDP/TLS/RTP/SAVPF', direction: 'sendrecv', codecs, setup: 'actpass', local, candidates }),
    );
  });
  return { sdp: lines.join('\r\n') + '\r\n', mids };
}

/** What the browser's answer (to buildOffer's offer) settled: one codec per accepted kind. */
export function negotiateAnswer(answer: BrowserAnswer): Negotiated {
  // RFC 5763 §5: the browser answered active (it is the DTLS client) or passive (we are).
  const dtlsRole: DtlsRole = answer.setup === 'active' ? 'server' : 'client';
  const negotiated: Negotiated = {
    remote: { iceUfrag: answer.iceUfrag, icePwd: answer.icePwd, fingerprint: answer.fingerprint, setup: answer.setup },
    dtlsRole,
  };
  for (const section of answer.media) {
    if (section.port === 0 || !isRtpKind(section.kind) || negotiated[section.kind] !== undefined) continue;
    const main = section.codecs.find((c) => !kAuxiliaryCodecs.has(c.name.toLowerCase()));
    if (main === undefined) continue;
    const dtmf = section.codecs.find((c) => c.name.toLowerCase() === 'telephone-event' && c.clockRate === main.clockRate);
    const chosen: ChosenCodecs = { main, telephoneEvent: dtmf, all: dtmf ? [main, dtmf] : [main] };
    negotiated[section.kind] = negotiatedMedia(section, chosen, reverseDirection(section.direction));
  }
  if (negotiated.audio === undefined && negotiated.video === undefined) {
    throw new SdpError('no-common-codec', 'the answer accepted no audio or video m-line');
  }
  return negotiated;
}

interface ChosenCodecs {
  main: CodecInfo;
  telephoneEvent: CodecInfo | undefined;
  /** What goes into our m-line, main codec first. */
  all: CodecInfo[];
}

/** Returns the codecs to answer with, or a sentence saying why the m-line is refused. */
function acceptSection(section: MediaSection, offer: BrowserOffer, policy: CodecPolicy, negotiated: Negotiated): ChosenCodecs | string {
  const name = describeSection(section);
  if (!isRtpKind(section.kind)) return `${name}: not audio or video`;
  if (section.port === 0) return `${name}: rejected by the offerer`;
  if (!kDtlsSrtpProtocols.has(section.protocol)) return `${name}: protocol ${section.protocol} is not DTLS-SRTP`;
  if (offer.bundle.length > 0 && !offer.bundle.includes(section.mid)) return `${name}: not in the BUNDLE group`;
  if (negotiated[section.kind] !== undefined) return `${name}: a second ${section.kind} m-line is not supported`;
  const chosen = chooseCodecs(section, section.kind === 'audio' ? policy.audioCodecs : policy.videoCodecs);
  if (chosen === undefined) {
    const offered = section.codecs.map((c) => `${c.name}/${c.payloadType}`).join(', ') || 'none';
    const wanted = (section.kind === 'audio' ? policy.audioCodecs : policy.videoCodecs).join(', ');
    return `${name}: no common codec — offered ${offered}; rtcgate accepts ${wanted}`;
  }
  return chosen;
}

function chooseCodecs(section: MediaSection, preference: string[]): ChosenCodecs | undefined {
  const wanted = preference.map((n) => n.toLowerCase());
  for (const want of wanted) {
    if (kAuxiliaryCodecs.has(want)) continue;
    const candidates = section.codecs.filter((c) => c.name.toLowerCase() === want);
    const picked = want === 'h264' ? pickH264(candidates) : candidates[0];
    if (picked === undefined) continue;
    const main = answerCodec(picked, section.kind);
    const dtmfOffered = wanted.includes('telephone-event')
      ? section.codecs.find((c) => c.name.toLowerCase() === 'telephone-event' && c.clockRate === main.clockRate)
      : undefined;
    const telephoneEvent = dtmfOffered ? { ...dtmfOffered, feedback: [] } : undefined;
    return { main, telephoneEvent, all: telephoneEvent ? [main, telephoneEvent] : [main] };
  }
  return undefined;
}

/** RFC 6184 §8.1: prefer packetization-mode=1 constrained baseline 3.1 (42e01f), then any mode-1, then any. */
function pickH264(offered: CodecInfo[]): CodecInfo | undefined {
  const mode1 = offered.filter((c) => c.params['packetization-mode'] === '1');
  return (
    mode1.find((c) => c.params['profile-level-id']?.toLowerCase() === kPreferredH264Profile) ??
    mode1.find((c) => /^42e0/i.test(c.params['profile-level-id'] ?? '')) ??
    mode1[0] ??
    offered[0]
  );
}

/** The codec as it appears in our answer: opus gets our fmtp, video keeps only the feedback we act on. */
function answerCodec(offered: CodecInfo, kind: string): CodecInfo {
  if (kind === 'audio') {
    const isOpus = offered.name.toLowerCase() === 'opus';
    const fmtp = isOpus ? kOpusFmtp : offered.fmtp;
    return { ...offered, fmtp, params: isOpus ? { minptime: '10', useinbandfec: '1' } : offered.params, feedback: [] };
  }
  // RFC 3264 §6.1: the answer lists only feedback that was offered.
  return { ...offered, feedback: kVideoFeedback.filter((f) => offered.feedback.includes(f)) };
}

function negotiatedMedia(section: MediaSection, chosen: ChosenCodecs, direction: MediaDirection): NegotiatedMedia {
  // Retransmission / FEC SSRCs are the second member of their group (RFC 4588 §8.2, RFC 5956).
  const secondary = new Set(section.ssrcGroups.flatMap((g) => g.ssrcs.slice(1)));
  const out: NegotiatedMedia = {
    mid: section.mid,
    payloadType: chosen.main.payloadType,
    codec: chosen.main.name,
    clockRate: chosen.main.clockRate,
    channels: chosen.main.channels,
    direction,
    fmtp: chosen.main.fmtp,
    feedback: chosen.main.feedback,
    remoteSsrcs: section.ssrcs.map((s) => s.ssrc).filter((s) => !secondary.has(s)),
  };
  if (chosen.telephoneEvent !== undefined) out.telephoneEventPt = chosen.telephoneEvent.payloadType;
  return out;
}

/** RFC 3264 §6.1: sendonly ↔ recvonly, sendrecv and inactive stay. */
function reverseDirection(direction: MediaDirection): MediaDirection {
  if (direction === 'sendonly') return 'recvonly';
  if (direction === 'recvonly') return 'sendonly';
  return direction;
}

function resolvePolicy(policy: Partial<CodecPolicy> | undefined): CodecPolicy {
  return {
    audioCodecs: policy?.audioCodecs ?? DEFAULT_POLICY.audioCodecs,
    videoCodecs: policy?.videoCodecs ?? DEFAULT_POLICY.videoCodecs,
  };
}

function checkCandidates(candidates: HostCandidate[]): HostCandidate[] {
  if (candidates.length === 0) throw new SdpError('bad-candidate', 'no local candidate: an ICE-lite agent must list its host candidates');
  for (const c of candidates) {
    if (isIP(c.ip) === 0) throw new SdpError('bad-candidate', `local candidate address ${c.ip} is not an IP literal`);
    if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) throw new SdpError('bad-candidate', `local candidate port ${c.port} is out of range`);
  }
  return candidates;
}

function addressLine(ip: string): string {
  return `IN ${isIP(ip) === 6 ? 'IP6' : 'IP4'} ${ip}`;
}

function sessionLines(ip: string, bundleMids: string[]): string[] {
  // RFC 8866 §5.2: the session id is a numeric string; 62 random bits keep it below 2^63.
  const sessionId = (randomBytes(8).readBigUInt64BE() >> 2n).toString();
  const lines = ['v=0', `o=rtcgate ${sessionId} 2 ${addressLine(ip)}`, 's=-', 't=0 0', 'a=ice-lite'];
  if (bundleMids.length > 0) lines.push(`a=group:BUNDLE ${bundleMids.join(' ')}`);
  return lines;
}

/** JSEP §5.3.1: a rejected m-line keeps its kind, protocol and mid, with port 0. */
function rejectedSectionLines(section: MediaSection): string[] {
  const formats = section.formats.length > 0 ? section.formats.slice(0, 1).join(' ') : '0';
  const lines = [`m=${section.kind || 'application'} 0 ${section.protocol || 'UDP/TLS/RTP/SAVPF'} ${formats}`, 'c=IN IP4 0.0.0.0'];
  if (section.mid !== '') lines.push(`a=mid:${section.mid}`);
  if (isRtpKind(section.kind)) lines.push('a=inactive');
  return lines;
}

interface MediaLinesInput {
  kind: 'audio' | 'video';
  mid: string;
  protocol: string;
  direction: MediaDirection;
  codecs: CodecInfo[];
  setup: SetupRole;
  local: LocalParams;
  candidates: HostCandidate[];
}

function mediaLines(m: MediaLinesInput): string[] {
  const first = m.candidates[0] as HostCandidate;
  const lines = [
    `m=${m.kind} ${first.port} ${m.protocol} ${m.codecs.map((c) => c.payloadType).join(' ')}`,
    `c=${addressLine(first.ip)}`,
    `a=ice-ufrag:${m.local.iceUfrag}`,
    `a=ice-pwd:${m.local.icePwd}`,
    `a=fingerprint:${m.local.fingerprint.algorithm} ${m.local.fingerprint.value}`,
    `a=setup:${m.setup}`,
    `a=mid:${m.mid}`,
    `a=${m.direction}`,
    'a=rtcp-mux',
  ];
  for (const c of m.codecs) {
    lines.push(`a=rtpmap:${c.payloadType} ${c.name}/${c.clockRate}${m.kind === 'audio' && c.channels > 1 ? `/${c.channels}` : ''}`);
    if (c.fmtp !== '') lines.push(`a=fmtp:${c.payloadType} ${c.fmtp}`);
    for (const fb of c.feedback) lines.push(`a=rtcp-fb:${c.payloadType} ${fb}`);
  }
  if (m.direction === 'sendrecv' || m.direction === 'sendonly') {
    const ssrc = m.kind === 'audio' ? m.local.audioSsrc : m.local.videoSsrc;
    const stream = m.local.streamId ?? 'rtcgate';
    const track = `${stream}-${m.kind}`;
    lines.push(`a=msid:${stream} ${track}`, `a=ssrc:${ssrc} cname:${m.local.cname}`, `a=ssrc:${ssrc} msid:${stream} ${track}`);
  }
  m.candidates.forEach((c, i) => {
    // One foundation per base address (RFC 8445 §5.1.1.3); local preference falls with list order.
    const foundation = String(m.candidates.findIndex((o) => o.ip === c.ip) + 1);
    const priority = candidatePriority(kHostTypePreference, 65535 - i, 1);
    lines.push(`a=candidate:${foundation} 1 udp ${priority} ${c.ip} ${c.port} typ host`);
  });
  lines.push('a=end-of-candidates');
  return lines;
}

function codec(payloadType: number, name: string, clockRate: number, channels: number, fmtp: string, feedback: string[] = []): CodecInfo {
  const params = Object.fromEntries(
    fmtp
      .split(';')
      .filter((p) => p.includes('='))
      .map((p) => p.split('=', 2) as [string, string]),
  );
  return { payloadType, name, clockRate, channels, fmtp, params, feedback };
}
