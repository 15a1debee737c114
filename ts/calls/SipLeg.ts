// Pieces both directions of a SIP call share: the SIP-side RTP endpoint and the bridge that
// joins it to the browser's endpoint once both SDPs are known.
import type { Bridge, Engine, RtpEndpoint, WebRtcEndpoint } from '../engine/Engine.js';
import type { TranscoderOptions } from '../engine/types.js';
import { negotiateBridge, sipLegSrtp } from '../sdp/sip/negotiate.js';
import type { CodecPolicy as SipCodecPolicy, SipNegotiatedAudio } from '../sdp/sip/types.js';
import type { Negotiated } from '../sdp/index.js';
import { SdpError } from '../sdp/index.js';
import type { InviteSession } from '../sip/ua/index.js';
import { randomSsrc } from './BrowserLeg.js';
import type { GatewayCallEvents } from './GatewayCall.js';
import { SipMidCall } from './SipMidCall.js';

export class CallSetupError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createSipRtpEndpoint(engine: Engine, web: WebRtcEndpoint): RtpEndpoint {
  // The clock rate is set again once the codec is negotiated (RtpEndpoint.update).
  return engine.createRtpEndpoint({ affinity: web.id, ssrc: randomSsrc(), clockRate: 8000 });
}

/**
 * Connects the browser leg (its ICE credentials, fingerprint and negotiated payload types) and
 * joins it to the SIP leg with what both SDPs settled: relay on a common codec, else transcode.
 */
export function joinLegs(options: {
  engine: Engine;
  web: WebRtcEndpoint;
  webNegotiated: Negotiated;
  webAudioSsrc: number;
  sip: RtpEndpoint;
  sipNegotiated: SipNegotiatedAudio;
  policy: SipCodecPolicy;
  transcoder: TranscoderOptions;
}): Bridge {
  const negotiated = options.webNegotiated;
  const audio = negotiated.audio;
  if (!audio) throw new CallSetupError(488, 'the browser accepted no audio');
  options.web.connect({
    iceUfrag: negotiated.remote.iceUfrag,
    icePwd: negotiated.remote.icePwd,
    fingerprint: negotiated.remote.fingerprint,
    dtlsRole: negotiated.dtlsRole,
    route: {
      kind: 'bridge',
      audioPayloadTypes: [audio.payloadType, ...(audio.telephoneEventPt === undefined ? [] : [audio.telephoneEventPt])],
      videoPayloadTypes: [],
      audioSsrc: options.webAudioSsrc,
      videoSsrc: 0,
      audioClockRate: audio.clockRate,
      videoClockRate: 90000,
    },
  });
  const plan = negotiateBridge(
    { codec: audio.codec, payloadType: audio.payloadType, clockRate: audio.clockRate, ...(audio.telephoneEventPt === undefined ? {} : { telephoneEventPt: audio.telephoneEventPt }) },
    options.sipNegotiated,
    options.policy,
    { web: options.webAudioSsrc, sip: options.sip.ssrc },
  );
  if (!plan.ok) throw new CallSetupError(488, plan.reason);
  const remote = options.sipNegotiated.remote;
  const srtp = sipLegSrtp(options.sipNegotiated);
  options.sip.update({ clockRate: options.sipNegotiated.codec.clockRate, srtp: srtp ?? null });
  if (remote.address !== '0.0.0.0' && remote.port !== 0) {
    options.sip.setRemote(remote.address, remote.port, remote.rtcpMux ? undefined : remote.rtcpPort);
  }
  return options.engine.createBridge({
    legA: options.web.id,
    legB: options.sip.id,
    mode: plan.mode,
    formatA: plan.formatWeb,
    formatB: plan.formatSip,
    options: options.transcoder,
  });
}

/** What a SIP call reports from mid-call handling (its own events, and ending after a transfer). */
export interface MidCallReports {
  report<K extends 'remoteHold' | 'data'>(event: K, ...args: GatewayCallEvents[K]): void;
  hangup(reason?: string): Promise<void>;
}

/** Mid-call handling of an established SIP call. */
export function startMidCall(
  call: MidCallReports,
  o: { session: InviteSession; rtp: RtpEndpoint; mediaAddress: string; policy: SipCodecPolicy; negotiated: SipNegotiatedAudio },
): SipMidCall {
  return new SipMidCall({
    ...o,
    onRemoteHold: (held) => call.report('remoteHold', held),
    onData: (data) => call.report('data', data),
    onTransferred: () => void call.hangup('transferred'),
  });
}

/** SdpError and CallSetupError become a SIP status and a reason a person can read. */
export function setupFailure(error: unknown): { status: number; reason: string } {
  if (error instanceof CallSetupError) return { status: error.status, reason: error.message };
  if (error instanceof SdpError) return { status: 488, reason: error.message };
  if (error instanceof Error && error.name === 'SipSdpError') return { status: 488, reason: error.message };
  if (error instanceof Error && /no free (SIP )?media port/.test(error.message)) return { status: 503, reason: error.message };
  return { status: 500, reason: error instanceof Error ? error.message : String(error) };
}
