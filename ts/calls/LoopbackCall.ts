// Loop-back calls, the gateway's self-tests a person can hear:
//  - "self": the browser's media crosses the engine (ICE-lite, DTLS-SRTP, SRTP, RTP/RTCP) and
//    comes straight back under the gateway's SSRCs (audio and video).
//  - "self-pcmu": the browser's Opus is transcoded to PCMU, sent as plain RTP from one SIP-side
//    port to another and back, and transcoded to Opus again: the narrowband round trip through
//    the whole audio pipeline (jitter buffers, codecs, RTP legs), audio only.
import { TypedEmitter } from '../common/TypedEmitter.js';
import type { Bridge, Endpoint, Engine, RtpEndpoint, WebRtcEndpoint } from '../engine/Engine.js';
import type { CloseReason, LegFormat, TranscoderOptions } from '../engine/types.js';
import { SdpError, type Negotiated } from '../sdp/index.js';
import type { CallState } from '../signaling/protocol.js';
import { answerBrowser, randomSsrc } from './BrowserLeg.js';

export type LoopbackVariant = 'echo' | 'pcmu';

export type LoopbackCallEvents = {
  state: [state: CallState, reason?: string];
  listenerError: [error: unknown, event: string];
};

export interface LoopbackCallOptions {
  engine: Engine;
  callId: string;
  offerSdp: string;
  iceAddresses: readonly string[];
  variant: LoopbackVariant;
  /** Where the SIP-side RTP legs of the pcmu loop reach each other. */
  loopAddress?: string;
  transcoder?: TranscoderOptions;
}

/** RFC 3551: PCMU is static payload type 0; 101 is the usual dynamic telephone-event. */
const kPcmuPt = 0;
const kSipTelephoneEventPt = 101;

export class LoopbackCall extends TypedEmitter<LoopbackCallEvents> {
  readonly callId: string;
  readonly variant: LoopbackVariant;
  readonly answerSdp: string;
  readonly negotiated: Negotiated;
  /** The browser-facing endpoint. */
  readonly endpoint: WebRtcEndpoint;
  /** pcmu: the two SIP-side RTP legs and the two bridges. */
  readonly rtpLegs: RtpEndpoint[] = [];
  readonly bridges: Bridge[] = [];
  readonly startedAt = performance.now();
  /** Milliseconds from the offer to DTLS connected, once connected. */
  setupMs: number | null = null;
  state: CallState = 'connecting';
  #hangupReason: string | null = null;

  /** Throws SdpError for an offer it cannot answer, or Error when no media port is free. */
  constructor(options: LoopbackCallOptions) {
    super();
    this.callId = options.callId;
    this.variant = options.variant;
    const leg = answerBrowser({
      engine: options.engine,
      offerSdp: options.offerSdp,
      iceAddresses: options.iceAddresses,
      routeKind: options.variant === 'echo' ? 'echo' : 'bridge',
      // The pcmu loop transcodes audio only: Opus on the browser side, no video.
      ...(options.variant === 'pcmu' ? { policy: { audioCodecs: ['opus', 'telephone-event'], videoCodecs: [] } } : {}),
    });
    this.answerSdp = leg.answerSdp;
    this.negotiated = leg.negotiated;
    this.endpoint = leg.endpoint;
    if (options.variant === 'pcmu') {
      try {
        this.#buildPcmuLoop(options, leg.audioSsrc);
      } catch (error) {
        void this.#closeAll();
        throw error;
      }
    }
    this.endpoint.on('dtls-state', (state) => {
      if (state === 'connected' && this.state === 'connecting') {
        this.setupMs = performance.now() - this.startedAt;
        this.#setState('connected');
      }
    });
    const onClosed = (reason: CloseReason): void => {
      void this.#closeAll().then(() => this.#setState('ended', this.#hangupReason ?? describeClose(reason)));
    };
    this.endpoint.on('closed', onClosed);
    for (const r of this.rtpLegs) r.on('closed', onClosed);
  }

  /** Ends the call; resolves once every media port is back in its pool. */
  async hangup(reason = 'hangup'): Promise<void> {
    this.#hangupReason ??= reason;
    await this.#closeAll();
  }

  async #closeAll(): Promise<void> {
    await Promise.all([this.endpoint, ...this.rtpLegs].map((e: Endpoint) => e.close()));
  }

  #buildPcmuLoop(options: LoopbackCallOptions, browserAudioSsrc: number): void {
    const audio = this.negotiated.audio;
    if (!audio || audio.codec.toLowerCase() !== 'opus') {
      throw new SdpError('no-common-codec', 'self-pcmu needs Opus audio from the browser');
    }
    const engine = options.engine;
    const near = engine.createRtpEndpoint({ affinity: this.endpoint.id, ssrc: randomSsrc(), clockRate: 8000 });
    this.rtpLegs.push(near);
    const far = engine.createRtpEndpoint({ affinity: this.endpoint.id, ssrc: randomSsrc(), clockRate: 8000 });
    this.rtpLegs.push(far);
    const ip = options.loopAddress ?? '127.0.0.1';
    near.setRemote(ip, far.port, far.rtcpPort);
    far.setRemote(ip, near.port, near.rtcpPort);

    const browser: LegFormat = {
      codec: 'opus',
      payloadType: audio.payloadType,
      clockRate: audio.clockRate,
      ssrc: browserAudioSsrc,
      ...(audio.telephoneEventPt === undefined ? {} : { telephoneEventPt: audio.telephoneEventPt, telephoneEventClockRate: audio.clockRate }),
    };
    const pcmu = (ssrc: number): LegFormat => ({
      codec: 'PCMU',
      payloadType: kPcmuPt,
      clockRate: 8000,
      ssrc,
      telephoneEventPt: kSipTelephoneEventPt,
      telephoneEventClockRate: 8000,
    });
    this.bridges.push(
      engine.createBridge({
        legA: this.endpoint.id,
        legB: near.id,
        mode: 'transcode',
        formatA: browser,
        formatB: pcmu(near.ssrc),
        ...(options.transcoder === undefined ? {} : { options: options.transcoder }),
      }),
    );
    // The far leg reflects what it receives back to the near one, like a SIP phone in echo mode.
    this.bridges.push(engine.createBridge({ legA: far.id, legB: far.id, mode: 'relay', formatA: pcmu(far.ssrc), formatB: pcmu(far.ssrc) }));
  }

  #setState(state: CallState, reason?: string): void {
    if (this.state === state || this.state === 'ended') return;
    this.state = state;
    this.emit('state', state, reason);
  }
}

export function describeClose(reason: CloseReason): string {
  switch (reason) {
    case 'closed':
      return 'hangup';
    case 'consent-timeout':
      return 'media timeout: no ICE consent for the configured consent-timeout';
    case 'setup-timeout':
      return 'media set-up timeout: ICE or DTLS did not complete within the consent timeout';
    case 'media-timeout':
      return 'media timeout: no RTP received';
    case 'dtls-failed':
      return 'DTLS handshake failed';
    case 'engine-stopped':
      return 'gateway stopping';
  }
}
