// Parsing of SDP from a SIP peer (offer or answer) into a SipDescription. sdp-transform reads the
// line grammar; o=, c= and a=crypto are read from the raw lines (sdp-transform turns a long
// session id into an imprecise number and keeps only one crypto session parameter). Every value
// is re-checked; anything unusable becomes a SipSdpError, never another exception.

import { isIP } from 'node:net';
import sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { parseCryptoAttribute } from './crypto.js';
import { SipSdpError, type MediaDirection, type RejectedCrypto, type SdesCrypto, type SipCodec, type SipDescription, type SipMedia } from './types.js';

/** A SIP body larger than this is not a phone's SDP (a typical one is under 1 KB). */
const kMaxSdpBytes = 64 * 1024;
/** RFC 3551 §6 static audio payload types. */
const kStaticPayloadTypes: ReadonlyMap<number, { name: string; clockRate: number }> = new Map([
  [0, { name: 'PCMU', clockRate: 8000 }],
  [3, { name: 'GSM', clockRate: 8000 }],
  [4, { name: 'G723', clockRate: 8000 }],
  [8, { name: 'PCMA', clockRate: 8000 }],
  [9, { name: 'G722', clockRate: 8000 }],
  [13, { name: 'CN', clockRate: 8000 }],
  [18, { name: 'G729', clockRate: 8000 }],
]);
const kSecureProtocols = new Set(['RTP/SAVP', 'RTP/SAVPF']);
const kAvpfProtocols = new Set(['RTP/AVPF', 'RTP/SAVPF']);

/** Parses a SIP peer's SDP. Throws only SipSdpError. */
export function parseSipSdp(sdp: unknown): SipDescription {
  if (typeof sdp !== 'string') throw new SipSdpError('malformed', 'SDP body is not text');
  if (sdp.length > kMaxSdpBytes) throw new SipSdpError('malformed', `SDP body is larger than ${kMaxSdpBytes} bytes`);
  if (!/^v=0\r?\n/.test(sdp)) throw new SipSdpError('malformed', 'SDP body does not start with "v=0"');
  let parsed: SessionDescription;
  try {
    parsed = sdpTransform.parse(sdp);
  } catch (err) {
    throw new SipSdpError('malformed', `SDP could not be parsed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const raw = splitRaw(sdp);
  const list: unknown = parsed.media;
  if (!Array.isArray(list) || list.length === 0) throw new SipSdpError('no-media', 'SDP has no m-line');
  if (list.length !== raw.media.length) throw new SipSdpError('malformed', 'SDP m-lines could not be delimited');

  const origin = readOrigin(raw.session);
  const sessionAddress = readConnection(raw.session, 'session level');
  const sessionDirection = readDirection(parsed.direction);
  const media = (list as MediaDescription[]).map((m, index) => readMedia(m, index, raw.media[index] ?? [], sessionAddress, sessionDirection));
  return { origin, media };
}

function splitRaw(sdp: string): { session: string[]; media: string[][] } {
  const session: string[] = [];
  const media: string[][] = [];
  for (const line of sdp.split(/\r\n|\r|\n/)) {
    if (!/^[a-z]=/.test(line)) continue;
    if (line.startsWith('m=')) media.push([line]);
    else (media[media.length - 1] ?? session).push(line);
  }
  return { session, media };
}

/** RFC 8866 §5.2: o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>. */
function readOrigin(lines: string[]): SipDescription['origin'] {
  const line = lines.find((l) => l.startsWith('o='));
  if (line === undefined) throw new SipSdpError('malformed', 'SDP has no o= line');
  const m = /^o=(\S+) (\d{1,20}) (\d{1,20}) IN IP[46] (\S+)\s*$/.exec(line);
  if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined || m[4] === undefined) {
    throw new SipSdpError('malformed', `o= line "${line.slice(0, 80)}" is not "o=<user> <id> <version> IN IP4|IP6 <address>"`);
  }
  return { username: m[1], sessionId: m[2], sessionVersion: m[3], address: m[4] };
}

/** The last c= line of a block (one per block is allowed for unicast); null when absent. */
function readConnection(lines: string[], where: string): string | null {
  const cs = lines.filter((l) => l.startsWith('c='));
  if (cs.length === 0) return null;
  if (cs.length > 1) throw new SipSdpError('malformed', `${where}: more than one c= line`);
  const line = cs[0] as string;
  // RFC 8866 §5.7; a multicast TTL suffix ("/127") is not for us.
  const m = /^c=IN (IP4|IP6) ([^\s/]+)\s*$/.exec(line);
  if (m?.[1] === undefined || m[2] === undefined) throw new SipSdpError('malformed', `${where}: "${line.slice(0, 80)}" is not a unicast c=IN IP4|IP6 <address>`);
  const family = isIP(m[2]);
  if (family === 0) throw new SipSdpError('malformed', `${where}: c= address ${m[2].slice(0, 64)} is not an IP literal`);
  if ((family === 4) !== (m[1] === 'IP4')) throw new SipSdpError('malformed', `${where}: c= says ${m[1]} but ${m[2]} is not`);
  return m[2];
}

function readMedia(m: MediaDescription, index: number, raw: string[], sessionAddress: string | null, sessionDirection: MediaDirection | undefined): SipMedia {
  const kind = typeof m.type === 'string' ? m.type : '';
  const where = `m=${kind || '?'} (#${index})`;
  const mline = /^m=(\S+) (\d{1,5})(?:\/\d+)? (\S+)((?: \S+)*)\s*$/.exec(raw[0] ?? '');
  if (mline?.[2] === undefined || mline[3] === undefined) throw new SipSdpError('malformed', `${where}: m= line is not "m=<media> <port> <proto> <fmt> ..."`);
  const port = Number(mline[2]);
  if (port > 65535) throw new SipSdpError('malformed', `${where}: port ${port} is out of range`);
  const protocol = mline[3];
  const formats = (mline[4] ?? '').split(' ').filter((f) => f !== '');

  const address = readConnection(raw, where) ?? sessionAddress;
  if (port !== 0 && address === null && kind === 'audio') throw new SipSdpError('malformed', `${where}: no c= line (media or session level)`);
  const nullAddressHold = address === '0.0.0.0';
  let direction = readDirection(m.direction) ?? sessionDirection ?? 'sendrecv';
  // RFC 3264 §8.4: c=0.0.0.0 is the RFC 2543 way to stop the media sent to the peer.
  if (nullAddressHold) direction = direction === 'sendrecv' ? 'sendonly' : direction === 'recvonly' ? 'inactive' : direction;

  const rtcpMux = raw.includes('a=rtcp-mux');
  const rtcp = readRtcp(raw, where);
  const rtcpAddress = rtcpMux ? address : (rtcp?.address ?? address);
  const rtcpPort = rtcpMux ? port : (rtcp?.port ?? (port === 0 ? 0 : port + 1));

  const all = readCodecs(m, formats);
  const telephoneEvents = all.filter((c) => c.name.toLowerCase() === 'telephone-event');
  const comfortNoise = all.filter((c) => c.name.toUpperCase() === 'CN');
  const codecs = all.filter((c) => !telephoneEvents.includes(c) && !comfortNoise.includes(c));

  const crypto: SdesCrypto[] = [];
  const rejectedCrypto: RejectedCrypto[] = [];
  for (const line of raw) {
    if (!line.startsWith('a=crypto:')) continue;
    const r = parseCryptoAttribute(line.slice('a=crypto:'.length));
    if (r.ok) {
      if (crypto.some((c) => c.tag === r.crypto.tag)) rejectedCrypto.push({ line, reason: `tag ${r.crypto.tag} used twice` });
      else crypto.push(r.crypto);
    } else {
      rejectedCrypto.push(r.rejected);
    }
  }

  const media: SipMedia = {
    index,
    kind,
    port,
    protocol,
    secure: kSecureProtocols.has(protocol),
    avpf: kAvpfProtocols.has(protocol),
    formats,
    address,
    rtcpAddress,
    rtcpPort,
    rtcpMux,
    direction,
    nullAddressHold,
    codecs,
    telephoneEvents,
    comfortNoise,
    crypto,
    rejectedCrypto,
  };
  const ptime = readIntAttribute(raw, 'ptime', 1, 1000);
  if (ptime !== undefined) media.ptime = ptime;
  const maxptime = readIntAttribute(raw, 'maxptime', 1, 1000);
  if (maxptime !== undefined) media.maxptime = maxptime;
  return media;
}

/** RFC 3605: a=rtcp:<port> [IN IP4|IP6 <address>]. */
function readRtcp(raw: string[], where: string): { port: number; address?: string } | undefined {
  const line = raw.find((l) => l.startsWith('a=rtcp:'));
  if (line === undefined) return undefined;
  const m = /^a=rtcp:(\d{1,5})(?: IN (IP4|IP6) (\S+))?\s*$/.exec(line);
  if (m?.[1] === undefined || Number(m[1]) > 65535) throw new SipSdpError('malformed', `${where}: "${line.slice(0, 80)}" is not a=rtcp:<port> [IN IP4|IP6 <address>]`);
  if (m[3] === undefined) return { port: Number(m[1]) };
  if (isIP(m[3]) === 0) throw new SipSdpError('malformed', `${where}: a=rtcp address ${m[3].slice(0, 64)} is not an IP literal`);
  return { port: Number(m[1]), address: m[3] };
}

/** ptime and maxptime may be fractional ("20.0" from some gateways): rounded to whole ms. */
function readIntAttribute(raw: string[], name: string, min: number, max: number): number | undefined {
  const line = raw.find((l) => l.startsWith(`a=${name}:`));
  if (line === undefined) return undefined;
  const m = /^\s*(\d{1,4}(?:\.\d+)?)\s*$/.exec(line.slice(name.length + 3));
  if (m?.[1] === undefined) return undefined;
  const v = Math.round(Number(m[1]));
  return v >= min && v <= max ? v : undefined;
}

function readCodecs(m: MediaDescription, formats: string[]): SipCodec[] {
  const rtpmaps = new Map<number, { name: string; clockRate: number; channels: number }>();
  for (const r of arrayOf<{ payload: unknown; codec: unknown; rate: unknown; encoding: unknown }>(m.rtp)) {
    const pt = asInt(r.payload, 0, 127);
    const name = typeof r.codec === 'string' ? r.codec : undefined;
    const rate = asInt(r.rate, 1, 0xffffffff);
    if (pt === undefined || name === undefined || name === '' || rate === undefined) continue;
    rtpmaps.set(pt, { name, clockRate: rate, channels: asInt(r.encoding, 1, 255) ?? 1 });
  }
  const fmtps = new Map<number, string>();
  for (const f of arrayOf<{ payload: unknown; config: unknown }>(m.fmtp)) {
    const pt = asInt(f.payload, 0, 127);
    const config = typeof f.config === 'number' ? String(f.config) : typeof f.config === 'string' ? f.config : undefined;
    if (pt !== undefined && config !== undefined) fmtps.set(pt, config.trim());
  }
  const out: SipCodec[] = [];
  const seen = new Set<number>();
  for (const format of formats) {
    if (!/^\d{1,3}$/.test(format)) continue;
    const pt = Number(format);
    if (pt > 127 || seen.has(pt)) continue;
    seen.add(pt);
    // RFC 3264 §5.1: a static payload type may come without a=rtpmap; a dynamic one may not.
    const map = rtpmaps.get(pt) ?? (() => {
      const s = kStaticPayloadTypes.get(pt);
      return s === undefined ? undefined : { ...s, channels: 1 };
    })();
    if (map === undefined) continue;
    out.push({ payloadType: pt, ...map, fmtp: fmtps.get(pt) ?? '' });
  }
  return out;
}

function readDirection(value: unknown): MediaDirection | undefined {
  return value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive' ? value : undefined;
}

function asInt(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

function arrayOf<T>(value: unknown): Partial<T>[] {
  return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as Partial<T>[]) : [];
}
