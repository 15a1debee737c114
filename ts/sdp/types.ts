// Types of the gateway's SDP offer/answer layer (RFC 3264 / RFC 8829 JSEP as browsers speak it).
// A parsed description keeps only what rtcgate acts on; everything else in the SDP is ignored.

import type { DtlsRole, RemoteFingerprint } from '../engine/types.js';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
/** RFC 4145 §4 / RFC 5763 §5: the DTLS connection role a description announces. */
export type SetupRole = 'actpass' | 'active' | 'passive';

export type SdpErrorCode =
  | 'malformed'
  | 'no-media'
  | 'no-mid'
  | 'no-ice-credentials'
  | 'no-fingerprint'
  | 'unsupported-fingerprint'
  | 'bad-setup'
  | 'no-rtcp-mux'
  | 'no-bundle'
  | 'no-common-codec'
  | 'bad-candidate';

/** The one error this module throws: `code` is stable, `message` names the m-line and the problem. */
export class SdpError extends Error {
  readonly code: SdpErrorCode;
  constructor(code: SdpErrorCode, message: string) {
    super(message);
    this.name = 'SdpError';
    this.code = code;
  }
}

export interface CodecInfo {
  payloadType: number;
  /** Encoding name as written in a=rtpmap (case kept: "opus", "VP8", "H264"). */
  name: string;
  clockRate: number;
  /** Audio channels from a=rtpmap (1 when absent); 1 for video. */
  channels: number;
  /** Raw a=fmtp parameter string ("" when none). */
  fmtp: string;
  /** a=fmtp parsed into key → value (keys lower-cased). */
  params: Record<string, string>;
  /** a=rtcp-fb values for this payload type, including `*` ones: "nack", "nack pli", "ccm fir", "goog-remb", ... */
  feedback: string[];
}

export interface SsrcInfo {
  ssrc: number;
  cname?: string;
  /** "a=ssrc:N msid:stream track" (Plan B leftovers Chrome still writes). */
  msid?: string;
}

export interface SsrcGroup {
  /** "FID" (rtx), "FEC-FR", "SIM". */
  semantics: string;
  ssrcs: number[];
}

export interface MediaSection {
  /** Position of the m-line (answers must keep the offer's order, RFC 3264 §6). */
  index: number;
  /** "audio" | "video" | "application" | anything else the peer wrote. */
  kind: string;
  mid: string;
  port: number;
  protocol: string;
  /** The m-line's format list as written (payload types, or "webrtc-datachannel"). */
  formats: string[];
  direction: MediaDirection;
  rtcpMux: boolean;
  codecs: CodecInfo[];
  ssrcs: SsrcInfo[];
  ssrcGroups: SsrcGroup[];
  /** a=msid (RFC 8830): stream id and optional track id. */
  msid?: { stream: string; track?: string };
  iceUfrag?: string;
  icePwd?: string;
  fingerprint?: RemoteFingerprint;
  setup?: SetupRole;
}

/** What parseBrowserOffer / parseBrowserAnswer return. */
export interface BrowserDescription {
  /** ICE credentials of the (first) transport: media-level values win over session-level ones. */
  iceUfrag: string;
  icePwd: string;
  iceLite: boolean;
  /** The sha-256 fingerprint (RFC 8122 §5; value in upper-case hex with colons). */
  fingerprint: RemoteFingerprint;
  setup: SetupRole;
  /** mids of the first a=group:BUNDLE, in order ([] when the peer offered no BUNDLE group). */
  bundle: string[];
  media: MediaSection[];
}

export type BrowserOffer = BrowserDescription;
export type BrowserAnswer = BrowserDescription;

export interface CodecPolicy {
  /** Preference order; "telephone-event" is never chosen as the main codec but enables RFC 4733. */
  audioCodecs: string[];
  videoCodecs: string[];
}

export const DEFAULT_POLICY: CodecPolicy = {
  audioCodecs: ['opus', 'PCMU', 'PCMA', 'telephone-event'],
  videoCodecs: ['VP8', 'H264'],
};

export interface HostCandidate {
  ip: string;
  port: number;
}

/** The gateway side of a WebRTC leg. */
export interface LocalParams {
  iceUfrag: string;
  icePwd: string;
  fingerprint: RemoteFingerprint;
  /** UDP host candidates; the first one also fills c= and the m-line port. */
  candidates: HostCandidate[];
  audioSsrc: number;
  videoSsrc: number;
  cname: string;
  policy?: Partial<CodecPolicy>;
  /** a=msid stream id for what we send (default "rtcgate"). */
  streamId?: string;
}

export interface NegotiatedMedia {
  mid: string;
  payloadType: number;
  codec: string;
  clockRate: number;
  channels: number;
  /** Our direction in the negotiated session (what we wrote in the answer, or the reverse of the browser's answer). */
  direction: MediaDirection;
  /** RFC 4733 telephone-event payload type at the codec's clock rate, when negotiated. */
  telephoneEventPt?: number;
  /** Raw fmtp of the chosen codec ("" when none). */
  fmtp: string;
  /** rtcp-fb values in effect for the chosen codec (video: "nack", "nack pli", "ccm fir", maybe "goog-remb"). */
  feedback: string[];
  /** SSRCs the browser announced on this m-line (may be empty: Firefox and unified plan allow that). */
  remoteSsrcs: number[];
}

export interface Negotiated {
  audio?: NegotiatedMedia;
  video?: NegotiatedMedia;
  remote: {
    iceUfrag: string;
    icePwd: string;
    fingerprint: RemoteFingerprint;
    setup: SetupRole;
  };
  /** Our DTLS role: 'server' when we are passive (we answered actpass/active with passive). */
  dtlsRole: DtlsRole;
}
