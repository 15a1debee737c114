// Across the legs: relay when both legs settled on the same codec, transcode otherwise (when
// [rsmp]:[enable-transcoding] allows it), and the codec orders that make relay likely.

import type { AudioCodecName, LegFormat, RtpEndpointOptions } from '../../engine/types.js';
import type { CodecPolicy as WebCodecPolicy } from '../types.js';
import { canonicalCodecName, sipAllows, webAllows } from './options.js';
import type { CodecName, CodecPolicy, SipCodec, SipNegotiatedAudio } from './types.js';

/** The browser leg as ts/sdp negotiated it (NegotiatedMedia has these fields). */
export interface WebNegotiatedLike {
  codec: string;
  payloadType: number;
  clockRate: number;
  telephoneEventPt?: number;
}

export type BridgeRefusalCode = 'no-common-codec' | 'unsupported-codec';

export type BridgePlan =
  | { ok: true; mode: 'relay' | 'transcode'; formatWeb: LegFormat; formatSip: LegFormat }
  | { ok: false; code: BridgeRefusalCode; reason: string };

/** Codecs the engine can decode and encode on either leg. */
const kEngineAudio: ReadonlySet<CodecName> = new Set<CodecName>(['PCMU', 'PCMA', 'G722', 'G729', 'opus']);
/** What browsers can receive (RFC 7874 §3 mandates Opus and G.711; Chromium adds G.722). */
const kBrowserAudio: readonly CodecName[] = ['opus', 'G722', 'PCMU', 'PCMA'];
const kWebPtimeMs = 20;

/** Decides how to bridge the two legs. Never throws: a refusal is a value the caller answers with 488. */
export function negotiateBridge(
  web: WebNegotiatedLike,
  sip: SipNegotiatedAudio,
  policy: CodecPolicy,
  ssrcs: { web: number; sip: number },
): BridgePlan {
  const webName = engineCodec(web.codec);
  const sipName = engineCodec(sip.codec.name);
  if (webName === undefined) return { ok: false, code: 'unsupported-codec', reason: `browser leg codec ${web.codec} is not an audio codec rtcgate can carry` };
  if (sipName === undefined) return { ok: false, code: 'unsupported-codec', reason: `SIP leg codec ${sip.codec.name} is not an audio codec rtcgate can carry` };

  const formatWeb: LegFormat = { codec: webName, payloadType: web.payloadType, clockRate: web.clockRate, ptimeMs: kWebPtimeMs, ssrc: ssrcs.web };
  if (web.telephoneEventPt !== undefined) {
    formatWeb.telephoneEventPt = web.telephoneEventPt;
    formatWeb.telephoneEventClockRate = web.clockRate;
  }
  const formatSip: LegFormat = { codec: sipName, payloadType: sip.codec.payloadType, clockRate: sip.codec.clockRate, ptimeMs: sip.ptimeMs, ssrc: ssrcs.sip };
  if (sip.telephoneEvent !== undefined) {
    formatSip.telephoneEventPt = sip.telephoneEvent.payloadType;
    formatSip.telephoneEventClockRate = sip.telephoneEvent.clockRate;
  }
  if (sip.comfortNoise !== undefined) formatSip.comfortNoisePt = sip.comfortNoise.payloadType;

  if (webName === sipName && web.clockRate === sip.codec.clockRate) return { ok: true, mode: 'relay', formatWeb, formatSip };
  if (!policy.enableTranscoding) {
    return {
      ok: false,
      code: 'no-common-codec',
      reason: `no common codec (browser ${webName}, SIP ${sipName}) and transcoding disabled ([rsmp]:[enable-transcoding] = false)`,
    };
  }
  return { ok: true, mode: 'transcode', formatWeb, formatSip };
}

function engineCodec(name: string): AudioCodecName | undefined {
  const c = canonicalCodecName(name);
  return c !== undefined && kEngineAudio.has(c) ? (c as AudioCodecName) : undefined;
}

/**
 * The codec order for SDP to the browser (ts/sdp buildOffer / buildAnswer `policy`). The SIP side's
 * codecs come first so the browser can pick one and the call relays; with transcoding enabled,
 * web-added-codecs follow. Codecs [rsmp]:[codecs] does not list or web-disallowed-codecs names are
 * left out. An empty audio list (no relay possible, no transcoding) makes ts/sdp refuse the call.
 */
export function webCodecPreference(policy: CodecPolicy, sipCodecs: readonly SipCodec[]): WebCodecPolicy {
  const audio: string[] = [];
  const add = (name: CodecName | undefined, rate: number | undefined): void => {
    if (name === undefined || !kBrowserAudio.includes(name) || audio.includes(name)) return;
    if (!webAllows(policy, name, rate ?? defaultRate(name))) return;
    audio.push(name);
  };
  for (const c of sipCodecs) add(canonicalCodecName(c.name), c.clockRate);
  // The vendor's rule: web-added-codecs are appended when transcoding may bridge them. rtcgate
  // also transcodes Opus (the vendor gateways do not), so as a last resort any other browser codec
  // [rsmp]:[codecs] allows on the web side follows: a call then transcodes instead of failing.
  if (policy.enableTranscoding) {
    for (const c of policy.webAdded) if (c.kind === 'audio') add(c.name, c.clockRate);
    for (const c of policy.codecs) if (c.kind === 'audio' && kEngineAudio.has(c.name)) add(c.name, c.clockRate);
  }
  if (policy.codecs.some((c) => c.name === 'telephone-event') && !policy.webDisallowed.some((d) => d.name === 'telephone-event' && d.clockRate === undefined)) {
    audio.push('telephone-event');
  }
  const video = policy.codecs.filter((c) => c.kind === 'video' && webAllows(policy, c.name, c.clockRate)).map((c) => c.name as string);
  return { audioCodecs: audio, videoCodecs: video };
}

/**
 * The codec order for answering a SIP offer (buildSipAnswer `prefer`): codecs the browser can
 * receive first, in [rsmp]:[codecs] order, so that the call can relay; the rest after them.
 */
export function sipAnswerPreference(policy: CodecPolicy): string[] {
  const audio = policy.codecs.filter((c) => c.kind === 'audio' && kEngineAudio.has(c.name) && sipAllows(policy, c.name, c.clockRate));
  const relayable = audio.filter((c) => kBrowserAudio.includes(c.name) && webAllows(policy, c.name, c.clockRate));
  return [...new Set([...relayable, ...audio].map((c) => c.name as string))];
}

function defaultRate(name: CodecName): number {
  return name === 'opus' ? 48000 : 8000;
}

/** RtpEndpointOptions.srtp for a negotiated SIP leg (undefined for plain RTP). */
export function sipLegSrtp(sip: SipNegotiatedAudio): RtpEndpointOptions['srtp'] {
  return sip.srtp === undefined ? undefined : { profile: sip.srtp.suite, localKeySalt: sip.srtp.localKeySalt, remoteKeySalt: sip.srtp.remoteKeySalt };
}
