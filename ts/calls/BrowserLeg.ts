// The browser side of any call: answer the browser's offer as an ICE-lite, DTLS-passive
// endpoint on one media port, and connect the native endpoint with what was negotiated.
import { randomInt } from 'node:crypto';

import type { Endpoint, Engine, WebRtcEndpoint } from '../engine/Engine.js';
import type { MediaRoute } from '../engine/types.js';
import { buildAnswer, parseBrowserOffer, type CodecPolicy, type Negotiated } from '../sdp/index.js';

export function randomSsrc(): number {
  return randomInt(1, 2 ** 32 - 1);
}

export interface BrowserLegOptions {
  engine: Engine;
  offerSdp: string;
  /** Addresses announced as host candidates ([rsmp]:[web-ice-addresses]). */
  iceAddresses: readonly string[];
  /** echo: media comes back to the browser; bridge: it goes to the bridge the leg joins. */
  routeKind: MediaRoute['kind'];
  policy?: Partial<CodecPolicy>;
  /** Put the endpoint on this endpoint's worker. */
  affinity?: Endpoint;
}

export interface BrowserLeg {
  endpoint: WebRtcEndpoint;
  answerSdp: string;
  negotiated: Negotiated;
  audioSsrc: number;
  videoSsrc: number;
}

/** Throws SdpError for an offer it cannot answer, or Error when no media port is free. */
export function answerBrowser(options: BrowserLegOptions): BrowserLeg {
  const offer = parseBrowserOffer(options.offerSdp);
  const endpoint = options.engine.createWebRtcEndpoint(options.affinity);
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
      ...(options.policy === undefined ? {} : { policy: options.policy }),
    });
    const audio = negotiated.audio;
    const route: MediaRoute = {
      kind: options.routeKind,
      audioPayloadTypes: audio ? [audio.payloadType, ...(audio.telephoneEventPt === undefined ? [] : [audio.telephoneEventPt])] : [],
      videoPayloadTypes: negotiated.video ? [negotiated.video.payloadType] : [],
      audioSsrc,
      videoSsrc,
      audioClockRate: audio?.clockRate ?? 48000,
      videoClockRate: negotiated.video?.clockRate ?? 90000,
    };
    endpoint.connect({
      iceUfrag: negotiated.remote.iceUfrag,
      icePwd: negotiated.remote.icePwd,
      fingerprint: negotiated.remote.fingerprint,
      dtlsRole: negotiated.dtlsRole,
      route,
    });
    return { endpoint, answerSdp: sdp, negotiated, audioSsrc, videoSsrc };
  } catch (error) {
    void endpoint.close();
    throw error;
  }
}
