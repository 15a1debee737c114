// SIP → browser: an INVITE for a signed-in id becomes an `incoming` offer to that browser; its
// answer decides the browser-side codec, the SIP answer follows, and the legs are bridged.
import { TypedEmitter } from '../common/TypedEmitter.js';
import type { Bridge, Engine, RtpEndpoint, WebRtcEndpoint } from '../engine/Engine.js';
import type { TranscoderOptions } from '../engine/types.js';
import { buildOffer, negotiateAnswer, parseBrowserAnswer } from '../sdp/index.js';
import { buildSipAnswer, buildSipOffer, negotiateSipAnswer } from '../sdp/sip/build.js';
import { sipAnswerPreference, webCodecPreference } from '../sdp/sip/negotiate.js';
import { parseSipSdp } from '../sdp/sip/parse.js';
import type { CodecPolicy as SipCodecPolicy, SipDescription, SipNegotiatedAudio } from '../sdp/sip/types.js';
import type { Negotiated } from '../sdp/index.js';
import type { IncomingSession } from '../sip/ua/index.js';
import type { CallState } from '../signaling/protocol.js';
import { randomSsrc } from './BrowserLeg.js';
import type { GatewayCall, GatewayCallEvents } from './GatewayCall.js';
import { CallSetupError, createSipRtpEndpoint, joinLegs, setupFailure, startMidCall } from './SipLeg.js';
import type { SipMidCall } from './SipMidCall.js';

export interface InboundSipCallOptions {
  engine: Engine;
  session: IncomingSession;
  callId: string;
  iceAddresses: readonly string[];
  mediaAddress: string;
  policy: SipCodecPolicy;
  transcoder: TranscoderOptions;
}

export class InboundSipCall extends TypedEmitter<GatewayCallEvents> implements GatewayCall {
  readonly callId: string;
  state: CallState = 'ringing';
  readonly endpoint: WebRtcEndpoint;
  readonly rtp: RtpEndpoint;
  /** The offer for the browser (sent in `incoming`). */
  readonly browserOfferSdp: string;
  bridge: Bridge | undefined;
  midCall: SipMidCall | undefined;
  readonly startedAt = performance.now();
  setupMs: number | null = null;
  readonly #o: InboundSipCallOptions;
  /** The SIP side's offer; undefined for an offerless INVITE (3pcc: we offer in the 200). */
  readonly #sipOffer: SipDescription | undefined;
  readonly #audioSsrc = randomSsrc();
  #ending = false;

  /** Throws CallSetupError/SdpError/SipSdpError (the caller answers the INVITE with the status). */
  constructor(o: InboundSipCallOptions) {
    super();
    this.#o = o;
    this.callId = o.callId;
    // RFC 3261 §13.2.1 offerless INVITE (third-party call control): the browser is offered our
    // codecs; its answer shapes our offer in the 200, and the ACK brings the SIP side's answer.
    this.#sipOffer = o.session.offer === undefined ? undefined : parseSipSdp(o.session.offer);
    const sipCodecs = this.#sipOffer?.media.filter((m) => m.kind === 'audio' && m.port !== 0).flatMap((m) => m.codecs) ?? [];
    this.endpoint = o.engine.createWebRtcEndpoint();
    try {
      this.rtp = createSipRtpEndpoint(o.engine, this.endpoint);
      this.browserOfferSdp = buildOffer(
        {
          iceUfrag: this.endpoint.iceUfrag,
          icePwd: this.endpoint.icePwd,
          fingerprint: o.engine.fingerprint,
          candidates: o.iceAddresses.map((ip) => ({ ip, port: this.endpoint.port })),
          audioSsrc: this.#audioSsrc,
          videoSsrc: randomSsrc(),
          cname: `rtcgate-${this.endpoint.id}`,
          policy: { ...webCodecPreference(o.policy, sipCodecs), videoCodecs: [] },
        },
        { audio: true, video: false },
      ).sdp;
    } catch (error) {
      void this.endpoint.close();
      throw error;
    }
    o.session.on('cancelled', () => void this.#end('cancelled by the SIP side'));
    o.session.on('ended', (reason) => void this.#end(reason === 'remote-bye' ? 'hangup by the SIP side' : reason));
    this.endpoint.on('dtls-state', (state) => {
      if (state === 'connected' && this.state !== 'ended') {
        this.setupMs = performance.now() - this.startedAt;
        this.#setState('connected');
      }
    });
    this.endpoint.on('closed', () => void this.#end('media closed'));
    o.session.ringing();
  }

  /** The browser answered our offer. */
  accept(answerSdp: string): void {
    try {
      const negotiated = negotiateAnswer(parseBrowserAnswer(answerSdp));
      const audio = negotiated.audio;
      if (!audio) throw new CallSetupError(488, 'the browser accepted no audio');
      const local = { address: this.#o.mediaAddress, port: this.rtp.port, rtcpPort: this.rtp.rtcpPort };
      if (this.#sipOffer === undefined) {
        this.#acceptOfferless(negotiated, local);
        return;
      }
      const { sdp, negotiated: sip } = buildSipAnswer(this.#sipOffer, this.#o.policy, local, {
        prefer: [audio.codec, ...sipAnswerPreference(this.#o.policy)],
      });
      this.#join(negotiated, sip);
      this.#o.session.accept(sdp);
    } catch (error) {
      const f = setupFailure(error);
      this.#o.session.reject(f.status, f.reason);
      void this.#end(`call set-up failed: ${f.reason}`);
      throw error;
    }
  }

  /** Both SDPs are settled: bridge the legs and start handling mid-call requests. */
  #join(negotiated: Negotiated, sip: SipNegotiatedAudio): void {
    this.bridge = joinLegs({
      engine: this.#o.engine,
      web: this.endpoint,
      webNegotiated: negotiated,
      webAudioSsrc: this.#audioSsrc,
      sip: this.rtp,
      sipNegotiated: sip,
      policy: this.#o.policy,
      transcoder: this.#o.transcoder,
    });
    this.midCall = startMidCall(this, { session: this.#o.session, rtp: this.rtp, mediaAddress: this.#o.mediaAddress, policy: this.#o.policy, negotiated: sip });
  }

  /** 3pcc: our SIP offer goes in the 200 (browser's codec first, so it can relay); the ACK answers. */
  #acceptOfferless(negotiated: Negotiated, local: { address: string; port: number; rtcpPort: number }): void {
    const audio = negotiated.audio;
    if (!audio) throw new CallSetupError(488, 'the browser accepted no audio');
    // The browser's codec first (relay if the SIP side takes it); with transcoding every other
    // audio codec of [rsmp]:[codecs] follows, so the SIP side can answer what it supports.
    const others = this.#o.policy.enableTranscoding
      ? this.#o.policy.codecs
          .filter((c) => c.kind === 'audio' && c.name !== 'telephone-event' && c.name.toLowerCase() !== audio.codec.toLowerCase())
          .map((c) => ({ payloadType: c.payloadType, name: c.name, clockRate: c.clockRate, channels: c.channels, fmtp: '' }))
      : [];
    const offer = buildSipOffer(local, this.#o.policy, {
      webCodecs: [{ payloadType: audio.payloadType, name: audio.codec, clockRate: audio.clockRate, channels: audio.channels, fmtp: audio.fmtp }, ...others],
    });
    this.#o.session.once('confirmed', (answerSdp) => {
      try {
        if (answerSdp === undefined) throw new CallSetupError(488, 'the ACK carried no SDP answer');
        const sip = negotiateSipAnswer(offer, parseSipSdp(answerSdp));
        this.#join(negotiated, sip);
      } catch (error) {
        // #end first, so the reason the browser sees is this one, not the BYE's.
        const ended = this.#end(`call set-up failed: ${setupFailure(error).reason}`);
        this.#o.session.hangup();
        void ended;
      }
    });
    this.#o.session.accept(offer.sdp);
  }

  /** The browser declined. */
  reject(): void {
    this.#o.session.reject(603, 'Decline');
    void this.#end('rejected');
  }

  /** @internal Mid-call events (SipMidCall) reach the call's listeners. */
  report<K extends 'remoteHold' | 'data'>(event: K, ...args: GatewayCallEvents[K]): void {
    this.emit(event, ...args);
  }

  async hangup(reason = 'hangup'): Promise<void> {
    if (this.state === 'ringing') this.#o.session.reject(480, 'Temporarily Unavailable');
    else this.#o.session.hangup();
    await this.#end(reason);
  }

  async #end(reason: string): Promise<void> {
    if (this.#ending) return;
    this.#ending = true;
    await Promise.all([this.endpoint.close(), this.rtp.close()]);
    this.#setState('ended', reason);
  }

  #setState(state: CallState, reason?: string): void {
    if (this.state === state || this.state === 'ended') return;
    this.state = state;
    this.emit('state', state, reason);
  }
}
