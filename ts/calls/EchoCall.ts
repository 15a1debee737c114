// A loop-back call ("self"): the browser's media goes through the whole engine path (ICE-lite,
// DTLS-SRTP, SRTP unprotect, RTP, SRTP protect) and comes back to it under the gateway's SSRCs.
import { randomInt } from 'node:crypto';

import { TypedEmitter } from '../common/TypedEmitter.js';
import type { Engine, WebRtcEndpoint } from '../engine/Engine.js';
import type { CloseReason, MediaRoute } from '../engine/types.js';
import { buildAnswer, parseBrowserOffer, type Negotiated } from '../sdp/index.js';
import type { CallState } from '../signaling/protocol.js';

export type EchoCallEvents = {
  state: [state: CallState, reason?: string];
  listenerError: [error: unknown, event: string];
};

export interface EchoCallOptions {
  engine: Engine;
  callId: string;
  offerSdp: string;
  /** Addresses announced as host candidates ([rsmp]:[web-ice-addresses]). */
  iceAddresses: readonly string[];
}

function randomSsrc(): number {
  return randomInt(1, 2 ** 32 - 1);
}

export class EchoCall extends TypedEmitter<EchoCallEvents> {
  readonly callId: string;
  readonly answerSdp: string;
  readonly negotiated: Negotiated;
  readonly endpoint: WebRtcEndpoint;
  readonly startedAt = performance.now();
  /** Milliseconds from the offer to DTLS connected, once connected. */
  setupMs: number | null = null;
  state: CallState = 'connecting';
  #hangupReason: string | null = null;

  /** Throws SdpError for an offer it cannot answer, or Error when no media port is free. */
  constructor(options: EchoCallOptions) {
    super();
    this.callId = options.callId;
    const offer = parseBrowserOffer(options.offerSdp);
    const endpoint = options.engine.createWebRtcEndpoint();
    try {
      const audioSsrc = randomSsrc();
      const videoSsrc = randomSsrc();
      const { sdp, negotiated } = buildAnswer(offer, {
        iceUfrag: endpoint.iceUfrag,
        icePwd: endpoint.icePwd,
        fingerprint: options.engine.fingerprint,
        candidates: options.iceAddresses.map((ip) => ({ ip, port: endpoint.port })),
        audioSsrc,
        videoSsrc,
        cname: `rtcgate-${endpoint.id}`,
      });
      const route: MediaRoute = {
        kind: 'echo',
        audioPayloadTypes: negotiated.audio
          ? [negotiated.audio.payloadType, ...(negotiated.audio.telephoneEventPt === undefined ? [] : [negotiated.audio.telephoneEventPt])]
          : [],
        videoPayloadTypes: negotiated.video ? [negotiated.video.payloadType] : [],
        audioSsrc,
        videoSsrc,
        audioClockRate: negotiated.audio?.clockRate ?? 48000,
        videoClockRate: negotiated.video?.clockRate ?? 90000,
      };
      endpoint.connect({
        iceUfrag: negotiated.remote.iceUfrag,
        icePwd: negotiated.remote.icePwd,
        fingerprint: negotiated.remote.fingerprint,
        dtlsRole: negotiated.dtlsRole,
        route,
      });
      this.answerSdp = sdp;
      this.negotiated = negotiated;
      this.endpoint = endpoint;
    } catch (error) {
      void endpoint.close();
      throw error;
    }
    endpoint.on('dtls-state', (state) => {
      if (state === 'connected' && this.state === 'connecting') {
        this.setupMs = performance.now() - this.startedAt;
        this.#setState('connected');
      }
    });
    endpoint.on('closed', (reason) => this.#setState('ended', this.#hangupReason ?? describeClose(reason)));
  }

  /** Ends the call; resolves once the media port is back in the pool. */
  async hangup(reason = 'hangup'): Promise<void> {
    this.#hangupReason ??= reason;
    await this.endpoint.close();
  }

  #setState(state: CallState, reason?: string): void {
    if (this.state === state || this.state === 'ended') return;
    this.state = state;
    this.emit('state', state, reason);
  }
}

function describeClose(reason: CloseReason): string {
  switch (reason) {
    case 'closed':
      return 'hangup';
    case 'consent-timeout':
      return 'media timeout: no ICE consent for the configured consent-timeout';
    case 'setup-timeout':
      return 'media set-up timeout: ICE or DTLS did not complete within the consent timeout';
    case 'dtls-failed':
      return 'DTLS handshake failed';
    case 'engine-stopped':
      return 'gateway stopping';
  }
}
