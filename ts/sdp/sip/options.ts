// Parsers of the codec-policy options ([rsmp] codecs, sip-added-codecs, web-added-codecs,
// sip-disallowed-codecs, web-disallowed-codecs, enable-transcoding, sip-srtp-mode, sip-no-avpf)
// and the CodecPolicy built from them. Each parser throws a plain Error naming the bad item; the
// config layer wraps it into a ConfigError with the option's name.
//
// List syntax (all five codec options): an optional pair of parentheses around comma-separated
// entries. An entry is `name`, `name/clockrate`, `name=pt`, or `name=(pt=N,fntp="…")`. In an
// fmtp, one [bracketed] part is kept (without brackets) in offers and replaced by the remote
// offer's fmtp in answers.

import type { CodecMatch, CodecName, CodecPolicy, CodecSpec, FmtpTemplate, ResolvedCodec, SipSrtpMode } from './types.js';

interface KnownCodec {
  name: CodecName;
  kind: 'audio' | 'video';
  clockRate: number;
  channels: number;
  /** RFC 3551 §6 static payload type. */
  staticPt?: number;
  /** Dynamic payload type used when the option names none. */
  defaultPt?: number;
}

/** RFC 3551 §6 static payload types, and the dynamic numbers SIP peers most often use. */
const kKnownCodecs: readonly KnownCodec[] = [
  { name: 'PCMU', kind: 'audio', clockRate: 8000, channels: 1, staticPt: 0 },
  { name: 'PCMA', kind: 'audio', clockRate: 8000, channels: 1, staticPt: 8 },
  // RFC 3551 §4.5.2: G.722 samples at 16 kHz but its RTP clock runs at 8000 Hz.
  { name: 'G722', kind: 'audio', clockRate: 8000, channels: 1, staticPt: 9 },
  { name: 'G729', kind: 'audio', clockRate: 8000, channels: 1, staticPt: 18 },
  { name: 'CN', kind: 'audio', clockRate: 8000, channels: 1, staticPt: 13 },
  // RFC 7587 §7: opus/48000/2 whatever the actual channel count.
  { name: 'opus', kind: 'audio', clockRate: 48000, channels: 2, defaultPt: 111 },
  { name: 'telephone-event', kind: 'audio', clockRate: 8000, channels: 1, defaultPt: 101 },
  { name: 'VP8', kind: 'video', clockRate: 90000, channels: 1, defaultPt: 100 },
  { name: 'H264', kind: 'video', clockRate: 90000, channels: 1, defaultPt: 108 },
];

/** RFC 3551 §3: the dynamic payload type range. */
const kDynamicPtMin = 96;
const kDynamicPtMax = 127;

/** Vendor defaults of the options (seed 001, option reference). */
export const DEFAULT_CODECS = '(g722,pcmu,pcma,opus,g729,telephone-event=126,vp8=100,h264=(pt=108,fntp="[profile-level-id=42000B;packetization-mode=1]"))';
export const DEFAULT_SIP_ADDED_CODECS = '(vp8,h264)';
export const DEFAULT_WEB_ADDED_CODECS = '(g722,pcmu,vp8)';
export const DEFAULT_SIP_DISALLOWED_CODECS = '';
export const DEFAULT_WEB_DISALLOWED_CODECS = '(h264)';

/** Canonical name of a codec as the options or an a=rtpmap spell it; undefined when unknown. */
export function canonicalCodecName(name: string): CodecName | undefined {
  const lower = name.trim().toLowerCase();
  return kKnownCodecs.find((c) => c.name.toLowerCase() === lower)?.name;
}

/** The static or default facts of a codec rtcgate knows. */
export function knownCodec(name: CodecName): KnownCodec {
  const found = kKnownCodecs.find((c) => c.name === name);
  if (found === undefined) throw new Error(`internal: codec ${name} missing from the table`);
  return found;
}

/** `codecs`: at least one audio codec other than telephone-event and CN; payload types resolved. */
export function parseCodecsOption(value: string): ResolvedCodec[] {
  const specs = parseCodecList(value, 'full');
  if (!specs.some((s) => s.kind === 'audio' && s.name !== 'telephone-event' && s.name !== 'CN')) {
    throw new Error(`codec list ${JSON.stringify(value)} names no audio codec (pcmu, pcma, g722, g729 or opus)`);
  }
  return resolvePayloadTypes(specs);
}

/** `sip-added-codecs` / `web-added-codecs`: same syntax; pt and fmtp may be left to `codecs`. */
export function parseAddedCodecsOption(value: string): CodecSpec[] {
  return parseCodecList(value, 'full');
}

/** `sip-disallowed-codecs` / `web-disallowed-codecs`: names with an optional clock rate. */
export function parseDisallowedCodecsOption(value: string): CodecMatch[] {
  return parseCodecList(value, 'names').map((s) => (s.clockRateGiven ? { name: s.name, clockRate: s.clockRate } : { name: s.name }));
}

export function parseSipSrtpModeOption(value: string): SipSrtpMode {
  const v = value.trim().toLowerCase();
  if (v === 'none' || v === 'optional' || v === 'strict') return v;
  throw new Error(`"${value}" is not an SRTP mode: expected none, optional or strict`);
}

/** enable-transcoding, sip-no-avpf. */
export function parseBooleanOption(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new Error(`"${value}" is not a boolean: expected true or false`);
}

export interface CodecPolicyInput {
  codecs: ResolvedCodec[];
  sipAdded: CodecSpec[];
  webAdded: CodecSpec[];
  sipDisallowed: CodecMatch[];
  webDisallowed: CodecMatch[];
  enableTranscoding: boolean;
  sipSrtpMode: SipSrtpMode;
  sipNoAvpf: boolean;
}

/**
 * Builds the policy. Added codecs take their payload type and fmtp from `codecs` when they name
 * none; an added codec that `codecs` does not list can never be used and only yields a warning.
 */
export function createCodecPolicy(input: CodecPolicyInput): CodecPolicy {
  const warnings: string[] = [];
  const resolveAdded = (list: CodecSpec[], option: string): ResolvedCodec[] => {
    const out: ResolvedCodec[] = [];
    for (const spec of list) {
      const base = input.codecs.find((c) => specMatches(c, spec.name, spec.clockRate) && (!spec.clockRateGiven || c.clockRate === spec.clockRate));
      if (base === undefined) {
        warnings.push(`[rsmp]:[${option}] lists ${describeSpec(spec)}, which [rsmp]:[codecs] does not: it is ignored`);
        continue;
      }
      const resolved: ResolvedCodec = { ...base, payloadType: spec.payloadType ?? base.payloadType };
      const fmtp = spec.fmtp ?? base.fmtp;
      if (fmtp !== undefined) resolved.fmtp = fmtp;
      else delete resolved.fmtp;
      out.push(resolved);
    }
    return out;
  };
  return {
    codecs: input.codecs,
    sipAdded: resolveAdded(input.sipAdded, 'sip-added-codecs'),
    webAdded: resolveAdded(input.webAdded, 'web-added-codecs'),
    sipDisallowed: input.sipDisallowed,
    webDisallowed: input.webDisallowed,
    enableTranscoding: input.enableTranscoding,
    sipSrtpMode: input.sipSrtpMode,
    sipNoAvpf: input.sipNoAvpf,
    warnings,
  };
}

export type CodecOptionName =
  | 'codecs'
  | 'sip-added-codecs'
  | 'web-added-codecs'
  | 'sip-disallowed-codecs'
  | 'web-disallowed-codecs'
  | 'enable-transcoding'
  | 'sip-srtp-mode'
  | 'sip-no-avpf';

/** The policy from option strings (absent ones take the vendor defaults). Errors name the option. */
export function codecPolicyFromOptions(raw: Partial<Record<CodecOptionName, string>> = {}): CodecPolicy {
  const read = <T>(name: CodecOptionName, fallback: string, parse: (v: string) => T): T => {
    try {
      return parse(raw[name] ?? fallback);
    } catch (err) {
      throw new Error(`[rsmp]:[${name}]: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return createCodecPolicy({
    codecs: read('codecs', DEFAULT_CODECS, parseCodecsOption),
    sipAdded: read('sip-added-codecs', DEFAULT_SIP_ADDED_CODECS, parseAddedCodecsOption),
    webAdded: read('web-added-codecs', DEFAULT_WEB_ADDED_CODECS, parseAddedCodecsOption),
    sipDisallowed: read('sip-disallowed-codecs', DEFAULT_SIP_DISALLOWED_CODECS, parseDisallowedCodecsOption),
    webDisallowed: read('web-disallowed-codecs', DEFAULT_WEB_DISALLOWED_CODECS, parseDisallowedCodecsOption),
    enableTranscoding: read('enable-transcoding', 'true', parseBooleanOption),
    sipSrtpMode: read('sip-srtp-mode', 'none', parseSipSrtpModeOption),
    sipNoAvpf: read('sip-no-avpf', 'true', parseBooleanOption),
  });
}

/** The default policy (every option at its vendor default). */
export const DEFAULT_CODEC_POLICY: CodecPolicy = codecPolicyFromOptions();

// ---- matching -------------------------------------------------------------------------------

function specMatches(spec: { name: CodecName; clockRate: number; clockRateGiven?: boolean }, name: string, clockRate: number): boolean {
  return spec.name === canonicalCodecName(name) && (spec.clockRateGiven !== true || spec.clockRate === clockRate);
}

/** The `codecs` entry that allows this codec, if any. */
export function findAllowed(policy: CodecPolicy, name: string, clockRate: number): ResolvedCodec | undefined {
  return policy.codecs.find((c) => specMatches(c, name, clockRate));
}

function isDisallowed(list: CodecMatch[], name: string, clockRate: number): boolean {
  const canonical = canonicalCodecName(name);
  return list.some((d) => d.name === canonical && (d.clockRate === undefined || d.clockRate === clockRate));
}

/** May this codec appear in SDP sent to the SIP side? */
export function sipAllows(policy: CodecPolicy, name: string, clockRate: number): boolean {
  return findAllowed(policy, name, clockRate) !== undefined && !isDisallowed(policy.sipDisallowed, name, clockRate);
}

/** May this codec appear in SDP sent to the browser? */
export function webAllows(policy: CodecPolicy, name: string, clockRate: number): boolean {
  return findAllowed(policy, name, clockRate) !== undefined && !isDisallowed(policy.webDisallowed, name, clockRate);
}

// ---- fmtp templates -------------------------------------------------------------------------

/** The fmtp to put in an offer: brackets dropped, their content kept. */
export function fmtpForOffer(t: FmtpTemplate): string {
  return joinFmtp([t.before, t.inner, t.after]);
}

/** The fmtp to put in an answer: the bracketed part replaced by the offer's fmtp for that codec. */
export function fmtpForAnswer(t: FmtpTemplate, offered: string): string {
  return t.bracketed ? joinFmtp([t.before, offered, t.after]) : joinFmtp([t.before, t.after]);
}

function joinFmtp(parts: string[]): string {
  return parts
    .join(';')
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .join(';');
}

// ---- the list grammar -----------------------------------------------------------------------

function parseCodecList(value: string, mode: 'full' | 'names'): CodecSpec[] {
  let text = value.trim();
  if (text.startsWith('(')) {
    if (!text.endsWith(')')) throw new Error(`codec list ${JSON.stringify(value)} opens "(" but does not end with ")"`);
    text = text.slice(1, -1).trim();
  }
  if (text === '') return [];
  const specs: CodecSpec[] = [];
  for (const item of splitTopLevel(text, value)) {
    const spec = parseItem(item.trim(), mode);
    const clash = specs.find((s) => s.name === spec.name && (s.clockRate === spec.clockRate || !s.clockRateGiven || !spec.clockRateGiven));
    if (clash !== undefined) throw new Error(`codec "${item.trim()}" is listed twice`);
    specs.push(spec);
  }
  return specs;
}

/** Splits on commas outside parentheses, brackets and double quotes. */
function splitTopLevel(text: string, whole: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') {
      depth--;
      if (depth < 0) throw new Error(`codec list ${JSON.stringify(whole)} has an unbalanced "${ch}"`);
    } else if (ch === ',' && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw new Error(`codec list ${JSON.stringify(whole)} has an unterminated quote`);
  if (depth !== 0) throw new Error(`codec list ${JSON.stringify(whole)} has an unclosed "(" or "["`);
  items.push(text.slice(start));
  return items;
}

function parseItem(item: string, mode: 'full' | 'names'): CodecSpec {
  if (item === '') throw new Error('empty codec entry (two commas in a row, or a trailing comma)');
  const eq = item.indexOf('=');
  const head = (eq < 0 ? item : item.slice(0, eq)).trim();
  const tail = eq < 0 ? undefined : item.slice(eq + 1).trim();

  const match = /^([A-Za-z][A-Za-z0-9.-]*)(?:\/(\d{1,6}))?$/.exec(head);
  if (match?.[1] === undefined) throw new Error(`codec "${item}": expected name or name/clockrate before "="`);
  const name = canonicalCodecName(match[1]);
  if (name === undefined) {
    throw new Error(`codec "${match[1]}" is not supported (rtcgate knows ${kKnownCodecs.map((c) => c.name.toLowerCase()).join(', ')})`);
  }
  const known = knownCodec(name);
  const spec: CodecSpec = { name, kind: known.kind, clockRate: known.clockRate, clockRateGiven: false, channels: known.channels };
  if (match[2] !== undefined) {
    const rate = Number(match[2]);
    if (!clockRateFits(name, rate)) throw new Error(`codec "${item}": ${name} does not run at ${rate} Hz`);
    spec.clockRate = rate;
    spec.clockRateGiven = true;
  }
  if (tail === undefined) return spec;
  if (tail === '') throw new Error(`codec "${item}": nothing after "="`);

  let pt: string | undefined;
  let fmtp: string | undefined;
  if (tail.startsWith('(')) {
    if (!tail.endsWith(')')) throw new Error(`codec "${item}": "(" without a closing ")"`);
    for (const part of splitTopLevel(tail.slice(1, -1), item)) {
      const kv = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/s.exec(part);
      if (kv?.[1] === undefined || kv[2] === undefined) throw new Error(`codec "${item}": "${part.trim()}" is not key=value`);
      const key = kv[1].toLowerCase();
      const v = unquote(kv[2], item);
      // The vendor's reference spells it "fntp" (and once "fmp"); accept the RFC spelling too.
      if (key === 'pt') pt = v;
      else if (key === 'fntp' || key === 'fmtp' || key === 'fmp') fmtp = v;
      else throw new Error(`codec "${item}": unknown parameter "${kv[1]}" (expected pt or fntp)`);
    }
  } else {
    pt = tail;
  }
  if (pt !== undefined) spec.payloadType = parsePayloadType(pt, known, item);
  if (fmtp !== undefined && mode === 'full') spec.fmtp = parseFmtpTemplate(fmtp, item);
  return spec;
}

function clockRateFits(name: CodecName, rate: number): boolean {
  switch (name) {
    case 'opus':
      return rate === 48000;
    case 'VP8':
    case 'H264':
      return rate === 90000;
    case 'telephone-event':
    case 'CN':
      return [8000, 16000, 32000, 48000].includes(rate);
    default:
      return rate === 8000;
  }
}

function unquote(v: string, item: string): string {
  if (v.startsWith('"')) {
    if (v.length < 2 || !v.endsWith('"')) throw new Error(`codec "${item}": unterminated quote`);
    return v.slice(1, -1);
  }
  return v;
}

function parsePayloadType(text: string, known: KnownCodec, item: string): number {
  if (!/^\d{1,3}$/.test(text.trim())) throw new Error(`codec "${item}": payload type "${text}" is not a number`);
  const pt = Number(text.trim());
  if (known.staticPt !== undefined) {
    if (pt !== known.staticPt) throw new Error(`codec "${item}": ${known.name} has the static payload type ${known.staticPt} (RFC 3551)`);
    return pt;
  }
  if (pt < kDynamicPtMin || pt > kDynamicPtMax) {
    throw new Error(`codec "${item}": payload type ${pt} is outside the dynamic range ${kDynamicPtMin}-${kDynamicPtMax}`);
  }
  return pt;
}

function parseFmtpTemplate(text: string, item: string): FmtpTemplate {
  const open = text.indexOf('[');
  const close = text.indexOf(']');
  if (open < 0 && close < 0) return { raw: text, before: text, inner: '', after: '', bracketed: false };
  if (open < 0 || close < open) throw new Error(`codec "${item}": unbalanced "[" "]" in fntp`);
  const after = text.slice(close + 1);
  if (after.includes('[') || after.includes(']') || text.slice(open + 1, close).includes('[')) {
    throw new Error(`codec "${item}": fntp may hold one [bracketed] part only`);
  }
  return { raw: text, before: text.slice(0, open), inner: text.slice(open + 1, close), after, bracketed: true };
}

function resolvePayloadTypes(specs: CodecSpec[]): ResolvedCodec[] {
  const used = new Map<number, string>();
  for (const s of specs) {
    if (s.payloadType === undefined) continue;
    const other = used.get(s.payloadType);
    if (other !== undefined) throw new Error(`codecs ${other} and ${describeSpec(s)} both use payload type ${s.payloadType}`);
    used.set(s.payloadType, describeSpec(s));
  }
  const out: ResolvedCodec[] = [];
  for (const s of specs) {
    const known = knownCodec(s.name);
    let pt = s.payloadType ?? known.staticPt ?? known.defaultPt;
    if (pt === undefined || (s.payloadType === undefined && used.has(pt) && known.staticPt === undefined)) {
      pt = undefined;
      for (let p = kDynamicPtMin; p <= kDynamicPtMax && pt === undefined; p++) if (!used.has(p)) pt = p;
      if (pt === undefined) throw new Error('no dynamic payload type left (96-127)');
    }
    used.set(pt, describeSpec(s));
    out.push({ ...s, payloadType: pt });
  }
  return out;
}

function describeSpec(s: { name: string; clockRate: number; clockRateGiven?: boolean }): string {
  return s.clockRateGiven === true ? `${s.name.toLowerCase()}/${s.clockRate}` : s.name.toLowerCase();
}

/** The next dynamic payload type not in `used`. */
export function freeDynamicPt(used: Set<number>, preferred?: number): number | undefined {
  if (preferred !== undefined && !used.has(preferred)) return preferred;
  for (let p = kDynamicPtMin; p <= kDynamicPtMax; p++) if (!used.has(p)) return p;
  return undefined;
}
