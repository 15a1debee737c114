// SIP → browser: an INVITE for a signed-in id becomes an `incoming` offer to that browser; its
// answer decides the browser-side codec, the SIP answer follows, and the legs are bridged.
import { TypedEmitter } from '../common/TypedEmitter.js';
import type { Bridge, Engine, RtpEndpoint, WebRtcEndpoint } from '../engine/Engine.js';
import type { TranscoderOptions } from '../engine/types.js';
import { buildOffer, negotiateAnswer, parseBrowserAnswer } from '../sdp/index.js';
import { buildSipAnswer } from '../sdp/sip/build.js';
import { sipAnswerPreference, webCodecPreference } from '../sdp/sip/negotiate.js';
import { parseSipSdp } from '../sdp/sip/parse.js';
import type { CodecPolicy as SipCodecPolicy, SipDescription } from '../sdp/sip/types.js';
import type { IncomingSession } from '../sip/ua/index.js';
import type { CallState } from '../signaling/protocol.js';
import { randomSsrc } from './BrowserLeg.js';
import type { GatewayCall, GatewayCallEvents } from './GatewayCall.js';
import { CallSetupError, createSipRtpEndpoint, joinLegs, setupFailure } from './SipLeg.js';
import { SipMidCall } from './SipMidCall.js';

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
  readonly #sipOffer: SipDescription;
  readonly #audioSsrc = randomSsrc();
  #ending = false;

  /** Throws CallSetupError/SdpError/SipSdpError (the caller answers the INVITE with the status). */
  constructor(o: InboundSipCallOptions) {
    super();
    this.#o = o;
    this.callId = o.callId;
    if (o.session.offer === undefined) {
      // 3pcc (offer in our 200, answer in the ACK) needs the browser's offer first: not yet.
      throw new CallSetupError(488, 'INVITE without SDP is not supported for calls to browsers yet');
    }
    this.#sipOffer = parseSipSdp(o.session.offer);
    const sipCodecs = this.#sipOffer.media.filter((m) => m.kind === 'audio' && m.port !== 0).flatMap((m) => m.codecs);
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
      const { sdp, negotiated: sip } = buildSipAnswer(
        this.#sipOffer,
        this.#o.policy,
        { address: this.#o.mediaAddress, port: this.rtp.port, rtcpPort: this.rtp.rtcpPort },
        { prefer: [audio.codec, ...sipAnswerPreference(this.#o.policy)] },
      );
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
      this.midCall = new SipMidCall({
        session: this.#o.session,
        rtp: this.rtp,
        mediaAddress: this.#o.mediaAddress,
        policy: this.#o.policy,
        negotiated: sip,
        onRemoteHold: (held) => this.emit('remoteHold', held),
        onData: (data) => this.emit('data', data),
        onTransferred: () => void this.hangup('transferred'),
      });
      this.#o.session.accept(sdp);
    } catch (error) {
      const f = setupFailure(error);
      this.#o.session.reject(f.status, f.reason);
      void this.#end(`call set-up failed: ${f.reason}`);
      throw error;
    }
  }

  /** The browser declined. */
  reject(): void {
    this.#o.session.reject(603, 'Decline');
    void this.#end('rejected');
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
