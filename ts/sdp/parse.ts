// Parsing and validation of a browser's SDP (offer or answer) into a BrowserDescription.
// sdp-transform does the line grammar; this file checks what rtcgate depends on and says
// precisely what is missing. Its output fields are typed loosely at run time (a number field can
// hold a string when the text was odd), so every value is re-checked here before it is used.

import sdpTransform from 'sdp-transform';
import type { MediaAttributes, MediaDescription, SessionDescription } from 'sdp-transform';
import type { RemoteFingerprint } from '../engine/types.js';
import {
  SdpError,
  type BrowserDescription,
  type CodecInfo,
  type MediaDirection,
  type MediaSection,
  type SetupRole,
  type SsrcGroup,
  type SsrcInfo,
} from './types.js';

/** Larger than any real browser offer (Chrome's audio+video offer is ~7 KB). */
const kMaxSdpBytes = 128 * 1024;

/** RFC 3551 §6 static payload types a peer may list without a=rtpmap. */
const kStaticPayloadTypes: ReadonlyMap<number, { name: string; clockRate: number; channels: number }> = new Map([
  [0, { name: 'PCMU', clockRate: 8000, channels: 1 }],
  [8, { name: 'PCMA', clockRate: 8000, channels: 1 }],
  [9, { name: 'G722', clockRate: 8000, channels: 1 }],
  [18, { name: 'G729', clockRate: 8000, channels: 1 }],
]);

/** RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4..256 chars, pwd 22..256. */
const kIceUfragRe = /^[A-Za-z0-9+/]{4,256}$/;
const kIcePwdRe = /^[A-Za-z0-9+/]{22,256}$/;
/** RFC 8122 §5: fingerprint = 2UHEX *(":" 2UHEX); sha-256 gives 32 bytes. */
const kSha256ValueRe = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){31}$/;

export type DescriptionRole = 'offer' | 'answer';

/** Parses and validates a browser's offer. Throws only SdpError. */
export function parseBrowserOffer(sdp: string): BrowserDescription {
  return parseDescription(sdp, 'offer');
}

/** Parses and validates a browser's answer to an offer built by buildOffer. Throws only SdpError. */
export function parseBrowserAnswer(sdp: string): BrowserDescription {
  return parseDescription(sdp, 'answer');
}

/** "m=audio (mid 0)" — how every message names an m-line. */
export function describeSection(m: { kind: string; mid: string; index: number }): string {
  return m.mid !== '' ? `m=${m.kind} (mid ${m.mid})` : `m=${m.kind} (#${m.index})`;
}

export function isRtpKind(kind: string): kind is 'audio' | 'video' {
  return kind === 'audio' || kind === 'video';
}

function parseDescription(sdp: unknown, role: DescriptionRole): BrowserDescription {
  if (typeof sdp !== 'string') throw new SdpError('malformed', `SDP ${role} is not a string`);
  if (sdp.length > kMaxSdpBytes) throw new SdpError('malformed', `SDP ${role} is larger than ${kMaxSdpBytes} bytes`);
  if (!/^v=0\r?\n/.test(sdp)) throw new SdpError('malformed', `SDP ${role} does not start with "v=0"`);

  let parsed: SessionDescription;
  try {
    parsed = sdpTransform.parse(sdp);
  } catch (err) {
    throw new SdpError('malformed', `SDP ${role} could not be parsed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const rawSections = splitRawSections(sdp);
  const mediaList: unknown = parsed.media;
  if (!Array.isArray(mediaList) || mediaList.length === 0) throw new SdpError('no-media', `SDP ${role} has no m-line`);
  if (rawSections.media.length !== mediaList.length) {
    throw new SdpError('malformed', `SDP ${role}: m-lines could not be delimited`);
  }

  const sessionFingerprints = rawFingerprints(rawSections.session);
  const sessionSetup = readSetup(parsed.setup, 'session level');
  const sessionDirection = readDirection(parsed.direction);
  const sessionUfrag = rawAttribute(rawSections.session, 'ice-ufrag');
  const sessionPwd = rawAttribute(rawSections.session, 'ice-pwd');

  const media: MediaSection[] = [];
  const seenMids = new Set<string>();
  (mediaList as MediaDescription[]).forEach((m, index) => {
    const section = readSection(m, index, rawSections.media[index] ?? [], sessionDirection);
    if (section.mid !== '') {
      if (seenMids.has(section.mid)) throw new SdpError('malformed', `${describeSection(section)}: duplicate a=mid`);
      seenMids.add(section.mid);
    }
    media.push(section);
  });

  const bundle = readBundle(parsed.groups, seenMids);

  // Every live RTP m-line must be usable on one multiplexed transport.
  const live = media.filter((m) => m.port !== 0 && isRtpKind(m.kind));
  for (const m of live) {
    if (m.mid === '') throw new SdpError('no-mid', `${describeSection(m)}: no a=mid — rtcgate requires mids (RFC 8843 BUNDLE)`);
    if (!m.rtcpMux) {
      throw new SdpError('no-rtcp-mux', `${describeSection(m)}: no a=rtcp-mux — rtcgate requires RTCP multiplexing`);
    }
  }
  if (live.length === 0) throw new SdpError('no-media', `SDP ${role} has no active audio or video m-line`);
  if (live.length > 1 && bundle.length === 0) {
    throw new SdpError('no-bundle', `SDP ${role} has ${live.length} media sections but no a=group:BUNDLE — rtcgate requires BUNDLE`);
  }

  // The transport's parameters come from the BUNDLE-tag m-line (RFC 8843 §7.2.1) or the first live one.
  const tag = media.find((m) => bundle.length > 0 && m.mid === bundle[0]) ?? live[0];
  if (tag === undefined) throw new SdpError('no-media', `SDP ${role} has no active media`);
  const where = describeSection(tag);

  const iceUfrag = tag.iceUfrag ?? sessionUfrag;
  const icePwd = tag.icePwd ?? sessionPwd;
  if (iceUfrag === undefined) throw new SdpError('no-ice-credentials', `${where}: no a=ice-ufrag (session or media level)`);
  if (icePwd === undefined) throw new SdpError('no-ice-credentials', `${where}: no a=ice-pwd (session or media level)`);
  if (!kIceUfragRe.test(iceUfrag)) throw new SdpError('no-ice-credentials', `${where}: a=ice-ufrag is not 4-256 ice-chars (RFC 8839 §5.4)`);
  if (!kIcePwdRe.test(icePwd)) throw new SdpError('no-ice-credentials', `${where}: a=ice-pwd is not 22-256 ice-chars (RFC 8839 §5.4)`);

  const fingerprint = chooseFingerprint([...rawFingerprints(rawSections.media[tag.index] ?? []), ...sessionFingerprints], where);

  // RFC 4145 §4.1: an absent a=setup means "active"; browsers always write it.
  const setup: SetupRole = tag.setup ?? sessionSetup ?? 'active';
  if (role === 'answer' && setup === 'actpass') {
    throw new SdpError('bad-setup', `${where}: a=setup:actpass is not allowed in an answer (RFC 5763 §5)`);
  }

  const iceLite = parsed.icelite === 'ice-lite';
  return { iceUfrag, icePwd, iceLite, fingerprint, setup, bundle, media };
}

/** Splits raw lines the way sdp-transform does, so sections line up with its media array. */
function splitRawSections(sdp: string): { session: string[]; media: string[][] } {
  const session: string[] = [];
  const media: string[][] = [];
  for (const line of sdp.split(/\r\n|\r|\n/)) {
    if (!/^[a-z]=/.test(line)) continue;
    if (line.startsWith('m=')) media.push([line]);
    else (media[media.length - 1] ?? session).push(line);
  }
  return { session, media };
}

/** All a=fingerprint lines (sdp-transform keeps only the last one; RFC 8122 §5 allows several). */
/**
 * The value of the first `a=<name>:` line, read from the text: sdp-transform turns values that
 * look numeric into numbers, so an all-digit ICE ufrag ("4821", one offer in ~6000 from Chrome)
 * or one with leading zeros would be lost or changed.
 */
function rawAttribute(lines: string[], name: string): string | undefined {
  const prefix = `a=${name}:`;
  for (const line of lines) if (line.startsWith(prefix)) return line.slice(prefix.length).trim();
  return undefined;
}

function rawFingerprints(lines: string[]): RemoteFingerprint[] {
  const out: RemoteFingerprint[] = [];
  for (const line of lines) {
    const match = /^a=fingerprint:\s*(\S+)\s+(\S+)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) out.push({ algorithm: match[1].toLowerCase(), value: match[2] });
  }
  return out;
}

function chooseFingerprint(all: RemoteFingerprint[], where: string): RemoteFingerprint {
  if (all.length === 0) {
    throw new SdpError('no-fingerprint', `${where}: no a=fingerprint (session or media level) — DTLS-SRTP needs the peer's certificate fingerprint`);
  }
  const sha256 = all.find((f) => f.algorithm === 'sha-256');
  if (sha256 === undefined) {
    const offered = [...new Set(all.map((f) => f.algorithm))].join(', ');
    throw new SdpError('unsupported-fingerprint', `${where}: a=fingerprint uses ${offered} only — rtcgate requires sha-256`);
  }
  if (!kSha256ValueRe.test(sha256.value)) {
    throw new SdpError('unsupported-fingerprint', `${where}: a=fingerprint:sha-256 value is not 32 colon-separated hex bytes`);
  }
  return { algorithm: 'sha-256', value: sha256.value.toUpperCase() };
}

function readSection(m: MediaDescription, index: number, raw: string[], sessionDirection: MediaDirection | undefined): MediaSection {
  const kind = asString(m.type) ?? '';
  const mid = asString(m.mid) ?? (typeof m.mid === 'number' ? String(m.mid) : '');
  const port = asInt(m.port, 0, 65535);
  const named = { kind, mid, index };
  if (port === undefined) throw new SdpError('malformed', `${describeSection(named)}: bad port in the m-line`);
  const protocol = asString(m.protocol) ?? '';
  const payloads = typeof m.payloads === 'number' ? String(m.payloads) : (asString(m.payloads) ?? '');
  const formats = payloads.split(/\s+/).filter((f) => f !== '');

  const section: MediaSection = {
    index,
    kind,
    mid,
    port,
    protocol,
    formats,
    direction: readDirection(m.direction) ?? sessionDirection ?? 'sendrecv',
    rtcpMux: m.rtcpMux === 'rtcp-mux',
    codecs: isRtpKind(kind) ? readCodecs(m, formats) : [],
    ssrcs: readSsrcs(m.ssrcs),
    ssrcGroups: readSsrcGroups(m.ssrcGroups),
  };
  const msid = rawMsid(raw);
  if (msid !== undefined) section.msid = msid;
  const ufrag = rawAttribute(raw, 'ice-ufrag');
  if (ufrag !== undefined) section.iceUfrag = ufrag;
  const pwd = rawAttribute(raw, 'ice-pwd');
  if (pwd !== undefined) section.icePwd = pwd;
  const fp = rawFingerprints(raw)[0];
  if (fp !== undefined) section.fingerprint = fp;
  const setup = readSetup(m.setup, describeSection(named));
  if (setup !== undefined) section.setup = setup;
  return section;
}

function readCodecs(m: MediaAttributes, formats: string[]): CodecInfo[] {
  const rtpmaps = new Map<number, { name: string; clockRate: number; channels: number }>();
  for (const r of arrayOf(m.rtp)) {
    const pt = asInt(r.payload, 0, 127);
    const name = asString(r.codec);
    const rate = asInt(r.rate, 1, 0xffffffff);
    if (pt === undefined || name === undefined || name === '' || rate === undefined) continue;
    rtpmaps.set(pt, { name, clockRate: rate, channels: asInt(r.encoding, 1, 255) ?? 1 });
  }
  const fmtps = new Map<number, string>();
  for (const f of arrayOf(m.fmtp)) {
    const pt = asInt(f.payload, 0, 127);
    const config = typeof f.config === 'number' ? String(f.config) : asString(f.config);
    if (pt !== undefined && config !== undefined) fmtps.set(pt, config.trim());
  }
  const feedback = arrayOf(m.rtcpFb);

  const codecs: CodecInfo[] = [];
  const seen = new Set<number>();
  for (const format of formats) {
    const pt = /^\d{1,3}$/.test(format) ? Number(format) : undefined;
    if (pt === undefined || pt > 127 || seen.has(pt)) continue;
    seen.add(pt);
    const map = rtpmaps.get(pt) ?? kStaticPayloadTypes.get(pt);
    if (map === undefined) continue; // a dynamic payload type without a=rtpmap is unusable
    const fmtp = fmtps.get(pt) ?? '';
    const fb: string[] = [];
    for (const f of feedback) {
      const target = f.payload === '*' ? '*' : asInt(f.payload, 0, 127);
      const type = asString(f.type);
      if ((target !== '*' && target !== pt) || type === undefined || type === '') continue;
      const sub = asString(f.subtype);
      const text = sub !== undefined && sub !== '' ? `${type} ${sub}` : type;
      if (!fb.includes(text)) fb.push(text);
    }
    codecs.push({ payloadType: pt, ...map, fmtp, params: parseFmtp(fmtp), feedback: fb });
  }
  return codecs;
}

/** "a=b;c=d" → { a: 'b', c: 'd' } with lower-case keys. */
export function parseFmtp(fmtp: string): Record<string, string> {
  const entries: [string, string][] = [];
  for (const part of fmtp.split(';')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key !== '') entries.push([key, eq < 0 ? '' : part.slice(eq + 1).trim()]);
  }
  return Object.fromEntries(entries);
}

function readSsrcs(value: unknown): SsrcInfo[] {
  const byId = new Map<number, SsrcInfo>();
  for (const s of arrayOf<{ id?: unknown; attribute?: unknown; value?: unknown }>(value)) {
    const id = asInt(s.id, 0, 0xffffffff);
    if (id === undefined) continue;
    const info = byId.get(id) ?? { ssrc: id };
    byId.set(id, info);
    const attr = asString(s.attribute);
    const v = asString(s.value);
    if (attr === 'cname' && v !== undefined) info.cname = v;
    if (attr === 'msid' && v !== undefined) info.msid = v;
  }
  return [...byId.values()];
}

function readSsrcGroups(value: unknown): SsrcGroup[] {
  const groups: SsrcGroup[] = [];
  for (const g of arrayOf<{ semantics?: unknown; ssrcs?: unknown }>(value)) {
    const semantics = asString(g.semantics);
    const list = typeof g.ssrcs === 'number' ? String(g.ssrcs) : asString(g.ssrcs);
    if (semantics === undefined || list === undefined) continue;
    const ssrcs = list
      .split(/\s+/)
      .map((s) => asInt(/^\d+$/.test(s) ? Number(s) : undefined, 0, 0xffffffff))
      .filter((s): s is number => s !== undefined);
    groups.push({ semantics, ssrcs });
  }
  return groups;
}

/** a=msid:<stream> [<track>] — read raw because Firefox's "{uuid}" ids defeat sdp-transform's pattern. */
function rawMsid(lines: string[]): { stream: string; track?: string } | undefined {
  for (const line of lines) {
    const match = /^a=msid:(\S+)(?:\s+(\S+))?/.exec(line);
    if (match?.[1] !== undefined) return match[2] !== undefined ? { stream: match[1], track: match[2] } : { stream: match[1] };
  }
  return undefined;
}

function readBundle(groups: unknown, mids: Set<string>): string[] {
  for (const g of arrayOf<{ type?: unknown; mids?: unknown }>(groups)) {
    if (g.type !== 'BUNDLE') continue;
    const list = typeof g.mids === 'number' ? String(g.mids) : (asString(g.mids) ?? '');
    const bundle = list.split(/\s+/).filter((s) => s !== '');
    for (const mid of bundle) {
      if (!mids.has(mid)) throw new SdpError('malformed', `a=group:BUNDLE names mid ${mid} that no m-line has`);
    }
    return bundle;
  }
  return [];
}

function readSetup(value: unknown, where: string): SetupRole | undefined {
  if (value === undefined) return undefined;
  if (value === 'actpass' || value === 'active' || value === 'passive') return value;
  throw new SdpError('bad-setup', `${where}: a=setup:${String(value)} — expected actpass, active or passive`);
}

function readDirection(value: unknown): MediaDirection | undefined {
  return value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive' ? value : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asInt(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
}

function arrayOf<T = Record<string, unknown>>(value: unknown): Partial<T>[] {
  return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as Partial<T>[]) : [];
}
