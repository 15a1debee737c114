// SDP the gateway sends to the SIP side: offers (browser → SIP calls, re-INVITEs) and answers
// (SIP → browser calls), and what a SIP answer to our offer settles.
//
// sip-srtp-mode optional follows the vendor's description: each medium is offered twice, first
// as RTP/SAVP with a=crypto, then as RTP/AVP, both on the same RTP port; the peer accepts one
// and sets the other's port to 0 (RFC 3264 §6). RFC 5939 capability negotiation is not used.

import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { formatCryptoAttribute, generateSdesKey } from './crypto.js';
import { canonicalCodecName, findAllowed, fmtpForAnswer, fmtpForOffer, freeDynamicPt, knownCodec, sipAllows } from './options.js';
import {
  SipSdpError,
  type CodecPolicy,
  type CryptoSuite,
  type MediaDirection,
  type SdesCrypto,
  type SipCodec,
  type SipDescription,
  type SipMedia,
  type SipNegotiatedAudio,
} from './types.js';

/** RFC 4733 §7.1.1: the DTMF events 0-9, *, #, A-D. */
const kDtmfEvents = '0-15';
/** RFC 7587 §7: what we ask an Opus sender for. */
const kOpusFmtp = 'minptime=10;useinbandfec=1';
const kDefaultPtimeMs = 20;
/** Packet times the engine's packetizer accepts on a SIP leg. */
const kAllowedPtimes = [10, 20, 30, 40, 50, 60];
const kRtpProtocols = new Set(['RTP/AVP', 'RTP/AVPF', 'RTP/SAVP', 'RTP/SAVPF']);
/** Audio codecs the engine can put on a SIP leg (and transcode). */
const kLegAudio = new Set(['PCMU', 'PCMA', 'G722', 'G729', 'opus']);

/** Our side of the SIP leg: the RTP endpoint and the o= line. */
export interface SipLocal {
  /** c= address ([rsmp] rtp-address or the detected one). */
  address: string;
  port: number;
  /** RTCP port when not muxed (the endpoint's rtcpPort; default port + 1), announced by a=rtcp (RFC 3605). */
  rtcpPort?: number;
  /** The endpoint was created with rtcpMux: announce (offer) or accept (answer) a=rtcp-mux (RFC 5761). */
  rtcpMux?: boolean;
  /** a=ptime we ask for (default 20). */
  ptimeMs?: number;
  /** What we want to do (default sendrecv); sendonly/inactive put the peer on hold. */
  direction?: MediaDirection;
  /** o= session id and version; a re-offer keeps the id and increments the version (RFC 3264 §8). */
  session?: { id: string; version: number };
  /** o= username (default "rtcgate"). */
  username?: string;
}

/** One codec of a browser's offer (ts/sdp CodecInfo has these fields). */
export interface WebCodecLike {
  payloadType: number;
  name: string;
  clockRate: number;
  channels: number;
  fmtp: string;
}

export interface SipOfferOptions {
  /** The browser's audio codecs in its order: they lead the offer so that relay is possible. */
  webCodecs?: readonly WebCodecLike[];
  /** SDES suites to offer, in preference order (default AES_CM_128_HMAC_SHA1_80 only). */
  suites?: readonly CryptoSuite[];
  /** Keys of a previous offer to keep on a re-offer (same tags and suites). */
  srtpKeys?: readonly SdesCrypto[];
  /** Random source for keys (tests); crypto.randomBytes by default. */
  random?: (n: number) => Uint8Array;
}

export interface OfferedMedia {
  index: number;
  protocol: string;
  secure: boolean;
  /** Main codecs, telephone-event and CN, as offered. */
  codecs: SipCodec[];
  /** Our keys, one per offered tag (empty for RTP/AVP). */
  crypto: SdesCrypto[];
}

export interface SipOffer {
  sdp: string;
  media: OfferedMedia[];
  session: { id: string; version: number };
}

/** Builds an offer to the SIP side for audio. Throws SipSdpError('no-common-codec') when nothing may be offered. */
export function buildSipOffer(local: SipLocal, policy: CodecPolicy, options: SipOfferOptions = {}): SipOffer {
  checkLocal(local);
  const codecs = offerCodecs(policy, options.webCodecs);
  const session = local.session ?? { id: newSessionId(options.random), version: 1 };
  const avpf = policy.sipNoAvpf ? '' : 'F';
  const plain = `RTP/AVP${avpf}`;
  const secure = `RTP/SAVP${avpf}`;

  const media: OfferedMedia[] = [];
  if (policy.sipSrtpMode !== 'none') {
    const suites = options.suites ?? ['AES_CM_128_HMAC_SHA1_80'];
    const crypto = suites.map((suite, i) => options.srtpKeys?.find((k) => k.suite === suite) ?? generateSdesKey(suite, i + 1, options.random));
    media.push({ index: 0, protocol: secure, secure: true, codecs, crypto });
  }
  if (policy.sipSrtpMode !== 'strict') media.push({ index: media.length, protocol: plain, secure: false, codecs, crypto: [] });

  const lines = sessionLines(local, session);
  for (const m of media) lines.push(...mediaLines(local, m.protocol, m.codecs, local.direction ?? 'sendrecv', m.crypto, local.rtcpMux === true));
  return { sdp: lines.join('\r\n') + '\r\n', media, session };
}

/** The codec list of an offer: the browser's (allowed) codecs first, then sip-added-codecs, then DTMF and CN. */
function offerCodecs(policy: CodecPolicy, webCodecs: readonly WebCodecLike[] | undefined): SipCodec[] {
  const used = new Set<number>();
  const main: SipCodec[] = [];
  const push = (c: SipCodec): void => {
    const taken = used.has(c.payloadType);
    const pt = taken ? freeDynamicPt(used) : c.payloadType;
    if (pt === undefined) return;
    used.add(pt);
    main.push({ ...c, payloadType: pt });
  };
  const has = (name: string, rate: number): boolean => main.some((c) => c.name.toLowerCase() === name.toLowerCase() && c.clockRate === rate);
  const fromPolicy = (c: { name: string; clockRate: number; channels: number; payloadType: number; fmtp?: Parameters<typeof fmtpForOffer>[0] }): SipCodec => ({
    payloadType: c.payloadType,
    name: c.name,
    clockRate: c.clockRate,
    channels: c.channels,
    fmtp: c.fmtp !== undefined ? fmtpForOffer(c.fmtp) : c.name === 'opus' ? kOpusFmtp : '',
  });

  if (webCodecs !== undefined) {
    for (const w of webCodecs) {
      const name = canonicalCodecName(w.name);
      if (name === undefined || !kLegAudio.has(name) || has(name, w.clockRate) || !sipAllows(policy, name, w.clockRate)) continue;
      const spec = findAllowed(policy, name, w.clockRate);
      const fmtp = spec?.fmtp !== undefined ? fmtpForOffer(spec.fmtp) : w.fmtp;
      // Static payload types keep their number; the browser's dynamic numbers are kept for relay.
      push({ payloadType: knownCodec(name).staticPt ?? w.payloadType, name, clockRate: w.clockRate, channels: knownCodec(name).channels, fmtp });
    }
    if (policy.enableTranscoding) {
      for (const a of policy.sipAdded) {
        if (a.kind === 'audio' && kLegAudio.has(a.name) && !has(a.name, a.clockRate) && sipAllows(policy, a.name, a.clockRate)) push(fromPolicy(a));
      }
    }
  } else {
    for (const c of policy.codecs) {
      if (c.kind === 'audio' && kLegAudio.has(c.name) && !has(c.name, c.clockRate) && sipAllows(policy, c.name, c.clockRate)) push(fromPolicy(c));
    }
  }
  if (main.length === 0) throw new SipSdpError('no-common-codec', 'no audio codec may be offered to the SIP side ([rsmp]:[codecs], [rsmp]:[sip-disallowed-codecs])');

  const aux: SipCodec[] = [];
  for (const rate of [...new Set(main.map((c) => c.clockRate))]) {
    if (!sipAllows(policy, 'telephone-event', rate)) continue;
    const web = webCodecs?.find((w) => w.name.toLowerCase() === 'telephone-event' && w.clockRate === rate);
    const spec = findAllowed(policy, 'telephone-event', rate);
    const pt = freeDynamicPt(used, web?.payloadType ?? (spec?.clockRateGiven === true || rate === 8000 ? spec?.payloadType : undefined));
    if (pt === undefined) continue;
    used.add(pt);
    aux.push({ payloadType: pt, name: 'telephone-event', clockRate: rate, channels: 1, fmtp: kDtmfEvents });
  }
  if (main.some((c) => c.clockRate === 8000) && sipAllows(policy, 'CN', 8000) && !used.has(13)) {
    aux.push({ payloadType: 13, name: 'CN', clockRate: 8000, channels: 1, fmtp: '' });
  }
  return [...main, ...aux];
}

export interface SipAnswerOptions {
  /** Codec names in the order we would like to pick them (e.g. what the browser can relay); default: the offer's order. */
  prefer?: readonly string[];
  random?: (n: number) => Uint8Array;
}

export interface SipAnswer {
  sdp: string;
  negotiated: SipNegotiatedAudio;
}

/**
 * Answers a SIP offer: one audio m-line accepted (one codec, DTMF and CN at its rate), every other
 * m-line refused with port 0. Throws SipSdpError (→ SIP 488) when no audio m-line is acceptable.
 */
export function buildSipAnswer(offer: SipDescription, policy: CodecPolicy, local: SipLocal, options: SipAnswerOptions = {}): SipAnswer {
  checkLocal(local);
  const reasons: { code: 'srtp-policy' | 'no-usable-crypto' | 'no-common-codec' | 'no-media'; text: string }[] = [];
  const candidates = offer.media
    .filter((m) => m.kind === 'audio' && m.port !== 0)
    .sort((a, b) => (policy.sipSrtpMode === 'optional' ? Number(b.secure) - Number(a.secure) : 0));

  let chosen: { media: SipMedia; codec: SipCodec; remoteCrypto?: SdesCrypto } | undefined;
  for (const m of candidates) {
    const where = `m=audio (#${m.index}) ${m.protocol}`;
    if (!kRtpProtocols.has(m.protocol)) {
      reasons.push({ code: 'no-media', text: `${where}: not an RTP profile` });
      continue;
    }
    if (m.secure && policy.sipSrtpMode === 'none') {
      reasons.push({ code: 'srtp-policy', text: `${where}: SRTP offered but [rsmp]:[sip-srtp-mode] is none` });
      continue;
    }
    if (!m.secure && policy.sipSrtpMode === 'strict') {
      reasons.push({ code: 'srtp-policy', text: `${where}: plain RTP offered but [rsmp]:[sip-srtp-mode] is strict` });
      continue;
    }
    const remoteCrypto = m.secure ? m.crypto[0] : undefined;
    if (m.secure && remoteCrypto === undefined) {
      const why = m.rejectedCrypto.map((r) => r.reason).join('; ') || 'no a=crypto line';
      reasons.push({ code: 'no-usable-crypto', text: `${where}: no usable a=crypto (${why})` });
      continue;
    }
    const codec = pickCodec(m, policy, options.prefer);
    if (codec === undefined) {
      const offered = m.codecs.map((c) => `${c.name}/${c.clockRate}`).join(', ') || 'none';
      reasons.push({ code: 'no-common-codec', text: `${where}: no common codec — offered ${offered}` });
      continue;
    }
    chosen = remoteCrypto === undefined ? { media: m, codec } : { media: m, codec, remoteCrypto };
    break;
  }
  if (chosen === undefined) {
    if (candidates.length === 0) throw new SipSdpError('no-media', 'the offer has no active audio m-line');
    const code = reasons.find((r) => r.code === 'no-common-codec')?.code ?? reasons[0]?.code ?? 'no-common-codec';
    throw new SipSdpError(code, reasons.map((r) => r.text).join('; '));
  }

  const { media: m, codec } = chosen;
  const address = m.address;
  if (address === null) throw new SipSdpError('malformed', `m=audio (#${m.index}): no c= address`);
  const spec = findAllowed(policy, codec.name, codec.clockRate);
  const main: SipCodec = {
    ...codec,
    fmtp: spec?.fmtp !== undefined ? fmtpForAnswer(spec.fmtp, codec.fmtp) : canonicalCodecName(codec.name) === 'opus' ? kOpusFmtp : codec.fmtp,
  };
  const te = sipAllows(policy, 'telephone-event', codec.clockRate) ? m.telephoneEvents.find((t) => t.clockRate === codec.clockRate) : undefined;
  const cn = codec.clockRate === 8000 && sipAllows(policy, 'CN', 8000) ? m.comfortNoise.find((c) => c.clockRate === 8000) : undefined;
  const answerCodecs = [main];
  if (te !== undefined) answerCodecs.push({ ...te, fmtp: kDtmfEvents });
  if (cn !== undefined) answerCodecs.push(cn);

  const direction = intersect(reverse(m.direction), local.direction ?? 'sendrecv');
  const ourKey = chosen.remoteCrypto !== undefined ? generateSdesKey(chosen.remoteCrypto.suite, chosen.remoteCrypto.tag, options.random) : undefined;
  const rtcpMux = m.rtcpMux && local.rtcpMux === true;

  const lines = sessionLines(local, local.session ?? { id: newSessionId(options.random), version: 1 });
  for (const offered of offer.media) {
    if (offered === m) lines.push(...mediaLines(local, m.protocol, answerCodecs, direction, ourKey ? [ourKey] : [], rtcpMux));
    else lines.push(`m=${offered.kind || 'audio'} 0 ${offered.protocol || 'RTP/AVP'} ${offered.formats[0] ?? '0'}`);
  }

  const negotiated: SipNegotiatedAudio = {
    index: m.index,
    codec: main,
    ptimeMs: sendPtime(m.ptime),
    direction,
    remote: { address, port: m.port, rtcpAddress: rtcpMux ? address : (m.rtcpAddress ?? address), rtcpPort: rtcpMux ? m.port : m.rtcpPort, rtcpMux },
  };
  if (te !== undefined) negotiated.telephoneEvent = te;
  if (cn !== undefined) negotiated.comfortNoise = cn;
  if (ourKey !== undefined && chosen.remoteCrypto !== undefined) {
    negotiated.srtp = { suite: ourKey.suite, tag: ourKey.tag, localKeySalt: ourKey.keySalt, remoteKeySalt: chosen.remoteCrypto.keySalt };
  }
  return { sdp: lines.join('\r\n') + '\r\n', negotiated };
}

function pickCodec(m: SipMedia, policy: CodecPolicy, prefer: readonly string[] | undefined): SipCodec | undefined {
  const usable = m.codecs.filter((c) => {
    const name = canonicalCodecName(c.name);
    return name !== undefined && kLegAudio.has(name) && sipAllows(policy, name, c.clockRate);
  });
  if (prefer !== undefined) {
    for (const p of prefer) {
      const hit = usable.find((c) => c.name.toLowerCase() === p.toLowerCase());
      if (hit !== undefined) return hit;
    }
  }
  return usable[0];
}

/** What a SIP answer to our offer settled. Throws SipSdpError when it does not fit the offer or accepts nothing. */
export function negotiateSipAnswer(offer: SipOffer, answer: SipDescription, localDirection: MediaDirection = 'sendrecv'): SipNegotiatedAudio {
  // RFC 3264 §6: the answer has exactly as many m-lines as the offer.
  if (answer.media.length !== offer.media.length) {
    throw new SipSdpError('answer-mismatch', `the answer has ${answer.media.length} m-lines, the offer ${offer.media.length}`);
  }
  const reasons: string[] = [];
  for (const offered of offer.media) {
    const m = answer.media[offered.index];
    if (m === undefined || m.port === 0) continue;
    const where = `m=audio (#${offered.index})`;
    if (m.kind !== 'audio') throw new SipSdpError('answer-mismatch', `${where}: the answer has m=${m.kind} where we offered audio`);
    if (m.protocol !== offered.protocol) throw new SipSdpError('answer-mismatch', `${where}: answered ${m.protocol} to our ${offered.protocol}`);
    if (m.address === null) throw new SipSdpError('malformed', `${where}: no c= address`);
    const codec = m.codecs.find((c) => offered.codecs.some((o) => sameCodec(o, c)));
    if (codec === undefined) {
      reasons.push(`${where}: the answer lists no codec we offered (${m.codecs.map((c) => `${c.name}/${c.clockRate}`).join(', ') || 'none'})`);
      continue;
    }
    const negotiated: SipNegotiatedAudio = {
      index: offered.index,
      codec,
      ptimeMs: sendPtime(m.ptime),
      direction: intersect(reverse(m.direction), localDirection),
      remote: { address: m.address, port: m.port, rtcpAddress: m.rtcpAddress ?? m.address, rtcpPort: m.rtcpPort, rtcpMux: m.rtcpMux },
    };
    const te = m.telephoneEvents.find((t) => t.clockRate === codec.clockRate && offered.codecs.some((o) => sameCodec(o, t)));
    if (te !== undefined) negotiated.telephoneEvent = te;
    const cn = m.comfortNoise.find((c) => c.clockRate === codec.clockRate && offered.codecs.some((o) => sameCodec(o, c)));
    if (cn !== undefined) negotiated.comfortNoise = cn;
    if (offered.secure) {
      // RFC 4568 §5.1.3: the answer carries one a=crypto, with the tag and suite of one we offered.
      const theirs = m.crypto[0];
      if (theirs === undefined) {
        const why = m.rejectedCrypto.map((r) => r.reason).join('; ') || 'no a=crypto line';
        throw new SipSdpError('no-usable-crypto', `${where}: the SRTP answer has no usable a=crypto (${why})`);
      }
      const ours = offered.crypto.find((k) => k.tag === theirs.tag);
      if (ours === undefined || ours.suite !== theirs.suite) {
        throw new SipSdpError('answer-mismatch', `${where}: a=crypto tag ${theirs.tag} ${theirs.suite} does not match an offered one`);
      }
      negotiated.srtp = { suite: ours.suite, tag: ours.tag, localKeySalt: ours.keySalt, remoteKeySalt: theirs.keySalt };
    }
    return negotiated;
  }
  throw new SipSdpError('no-common-codec', reasons.join('; ') || 'the answer rejected every audio m-line');
}

function sameCodec(a: SipCodec, b: SipCodec): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase() && a.clockRate === b.clockRate;
}

/** The packet time we send with: the peer's a=ptime when the engine can packetize it, else 20 ms. */
function sendPtime(ptime: number | undefined): number {
  return ptime !== undefined && kAllowedPtimes.includes(ptime) ? ptime : kDefaultPtimeMs;
}

/** RFC 3264 §6.1: sendonly ↔ recvonly. */
export function reverse(d: MediaDirection): MediaDirection {
  return d === 'sendonly' ? 'recvonly' : d === 'recvonly' ? 'sendonly' : d;
}

/** What both allow: send only if both allow sending, receive only if both allow receiving. */
export function intersect(a: MediaDirection, b: MediaDirection): MediaDirection {
  const send = canSend(a) && canSend(b);
  const recv = canRecv(a) && canRecv(b);
  return send && recv ? 'sendrecv' : send ? 'sendonly' : recv ? 'recvonly' : 'inactive';
}
const canSend = (d: MediaDirection): boolean => d === 'sendrecv' || d === 'sendonly';
const canRecv = (d: MediaDirection): boolean => d === 'sendrecv' || d === 'recvonly';

function checkLocal(local: SipLocal): void {
  if (isIP(local.address) === 0) throw new Error(`SIP-side RTP address ${local.address} is not an IP literal`);
  if (!Number.isInteger(local.port) || local.port < 1 || local.port > 65535) throw new Error(`SIP-side RTP port ${local.port} is out of range`);
}

function newSessionId(random?: (n: number) => Uint8Array): string {
  const bytes = random?.(6) ?? new Uint8Array(randomBytes(6));
  // RFC 8866 §5.2: a numeric string; 48 random bits keep it exact as a JS number too.
  return String(Buffer.from(bytes).readUIntBE(0, 6));
}

function addr(ip: string): string {
  return `IN ${isIP(ip) === 6 ? 'IP6' : 'IP4'} ${ip}`;
}

function sessionLines(local: SipLocal, session: { id: string; version: number }): string[] {
  return ['v=0', `o=${local.username ?? 'rtcgate'} ${session.id} ${session.version} ${addr(local.address)}`, 's=-', `c=${addr(local.address)}`, 't=0 0'];
}

function mediaLines(local: SipLocal, protocol: string, codecs: SipCodec[], direction: MediaDirection, crypto: SdesCrypto[], rtcpMux: boolean): string[] {
  const lines = [`m=audio ${local.port} ${protocol} ${codecs.map((c) => c.payloadType).join(' ')}`];
  // RFC 3605 §2.1: announce the RTCP port (and address) explicitly when it is not muxed.
  lines.push(rtcpMux ? 'a=rtcp-mux' : `a=rtcp:${local.rtcpPort ?? local.port + 1} ${addr(local.address)}`);
  for (const c of codecs) {
    lines.push(`a=rtpmap:${c.payloadType} ${c.name}/${c.clockRate}${c.channels > 1 ? `/${c.channels}` : ''}`);
    if (c.fmtp !== '') lines.push(`a=fmtp:${c.payloadType} ${c.fmtp}`);
  }
  for (const k of crypto) lines.push(`a=crypto:${formatCryptoAttribute(k)}`);
  lines.push(`a=ptime:${local.ptimeMs ?? kDefaultPtimeMs}`, `a=${direction}`);
  return lines;
}
