// Browser → SIP: the browser's offer becomes an INVITE with a SIP-side offer; the SIP answer
// decides the codec, then the browser gets its answer and the two legs are bridged.
import { TypedEmitter } from '../common/TypedEmitter.js';
import type { Bridge, Engine, RtpEndpoint, WebRtcEndpoint } from '../engine/Engine.js';
import type { TranscoderOptions } from '../engine/types.js';
import { buildAnswer, parseBrowserOffer, type BrowserOffer } from '../sdp/index.js';
import { buildSipOffer, type SipOffer } from '../sdp/sip/build.js';
import { webCodecPreference } from '../sdp/sip/negotiate.js';
import { negotiateSipAnswer } from '../sdp/sip/build.js';
import { parseSipSdp } from '../sdp/sip/parse.js';
import type { CodecPolicy as SipCodecPolicy } from '../sdp/sip/types.js';
import type { SipHeader, Uri } from '../sip/message/index.js';
import type { OutgoingSession, SipStack } from '../sip/ua/index.js';
import type { CallState } from '../signaling/protocol.js';
import { randomSsrc } from './BrowserLeg.js';
import type { GatewayCall, GatewayCallEvents } from './GatewayCall.js';
import { createSipRtpEndpoint, joinLegs, setupFailure, startMidCall } from './SipLeg.js';
import type { SipMidCall } from './SipMidCall.js';

export interface OutboundSipCallOptions {
  engine: Engine;
  stack: SipStack;
  callId: string;
  /** The caller's id (From user). */
  from: string;
  fromHost: string;
  target: Uri;
  offerSdp: string;
  iceAddresses: readonly string[];
  mediaAddress: string;
  policy: SipCodecPolicy;
  transcoder: TranscoderOptions;
  headers: readonly SipHeader[];
  /** Sends the browser its SDP answer (once the SIP side answered). */
  sendAnswer: (sdp: string) => void;
}

export class OutboundSipCall extends TypedEmitter<GatewayCallEvents> implements GatewayCall {
  readonly callId: string;
  state: CallState = 'connecting';
  endpoint: WebRtcEndpoint;
  rtp: RtpEndpoint;
  bridge: Bridge | undefined;
  midCall: SipMidCall | undefined;
  session: OutgoingSession;
  readonly startedAt = performance.now();
  setupMs: number | null = null;
  readonly #offer: BrowserOffer;
  readonly #sipOffer: SipOffer;
  readonly #o: OutboundSipCallOptions;
  readonly #audioSsrc = randomSsrc();
  #ending = false;

  /** Throws SdpError / SipSdpError / Error (no port) before anything is sent. */
  constructor(o: OutboundSipCallOptions) {
    super();
    this.#o = o;
    this.callId = o.callId;
    this.#offer = parseBrowserOffer(o.offerSdp);
    this.endpoint = o.engine.createWebRtcEndpoint();
    try {
      this.rtp = createSipRtpEndpoint(o.engine, this.endpoint);
    } catch (error) {
      void this.endpoint.close();
      throw error;
    }
    try {
      const audio = this.#offer.media.find((m) => m.kind === 'audio');
      this.#sipOffer = buildSipOffer(
        { address: o.mediaAddress, port: this.rtp.port, rtcpPort: this.rtp.rtcpPort },
        o.policy,
        { webCodecs: audio ? audio.codecs : [] },
      );
    } catch (error) {
      void this.#closeMedia();
      throw error;
    }
    this.session = o.stack.invite({
      target: o.target,
      from: { displayName: undefined, uri: { type: 'sip', secure: false, user: o.from, password: undefined, host: o.fromHost, port: undefined, params: new Map(), headers: [] }, params: new Map() },
      sdp: this.#sipOffer.sdp,
      headers: o.headers,
      contactUser: o.from,
    });
    this.session.on('provisional', (status) => {
      if (status === 180 || status === 183) this.#setState('ringing');
    });
    this.session.on('answered', (sdp) => this.#onAnswered(sdp));
    this.session.on('failed', (status, reason) => void this.#end(`SIP ${status} ${reason}`));
    this.session.on('ended', (reason) => void this.#end(reason === 'remote-bye' ? 'hangup by the SIP side' : reason));
    this.endpoint.on('dtls-state', (state) => {
      if (state === 'connected' && this.state !== 'ended') {
        this.setupMs = performance.now() - this.startedAt;
        this.#setState('connected');
      }
    });
    this.endpoint.on('closed', () => void this.#end('media closed'));
  }

  /** @internal Mid-call events (SipMidCall) reach the call's listeners. */
  report<K extends 'remoteHold' | 'data'>(event: K, ...args: GatewayCallEvents[K]): void {
    this.emit(event, ...args);
  }

  async hangup(reason = 'hangup'): Promise<void> {
    this.session.hangup();
    await this.#end(reason);
  }

  #onAnswered(sipSdp: string | undefined): void {
    try {
      if (sipSdp === undefined) throw new Error('the SIP side answered without SDP');
      const sip = negotiateSipAnswer(this.#sipOffer, parseSipSdp(sipSdp));
      const { sdp, negotiated } = buildAnswer(this.#offer, {
        iceUfrag: this.endpoint.iceUfrag,
        icePwd: this.endpoint.icePwd,
        fingerprint: this.#o.engine.fingerprint,
        candidates: this.#o.iceAddresses.map((ip) => ({ ip, port: this.endpoint.port })),
        audioSsrc: this.#audioSsrc,
        videoSsrc: randomSsrc(),
        cname: `rtcgate-${this.endpoint.id}`,
        policy: { ...webCodecPreference(this.#o.policy, [sip.codec]), videoCodecs: [] },
      });
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
      this.midCall = startMidCall(this, { session: this.session, rtp: this.rtp, mediaAddress: this.#o.mediaAddress, policy: this.#o.policy, negotiated: sip });
      this.#o.sendAnswer(sdp);
    } catch (error) {
      const f = setupFailure(error);
      const ended = this.#end(`call set-up failed: ${f.reason}`);
      this.session.hangup();
      void ended;
    }
  }

  async #closeMedia(): Promise<void> {
    await Promise.all([this.endpoint.close(), this.rtp?.close()]);
  }

  async #end(reason: string): Promise<void> {
    if (this.#ending) return;
    this.#ending = true;
    await this.#closeMedia();
    this.#setState('ended', reason);
  }

  #setState(state: CallState, reason?: string): void {
    if (this.state === state || this.state === 'ended') return;
    this.state = state;
    this.emit('state', state, reason);
  }
}
