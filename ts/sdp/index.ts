// The gateway's SDP layer: parse a browser's description, answer or offer as an ICE-lite gateway.
export { parseBrowserOffer, parseBrowserAnswer, parseFmtp } from './parse.js';
export { buildAnswer, buildOffer, negotiateAnswer, candidatePriority } from './build.js';
export type { BuildResult, OfferOptions } from './build.js';
export { SdpError, DEFAULT_POLICY } from './types.js';
export type {
  BrowserAnswer,
  BrowserDescription,
  BrowserOffer,
  CodecInfo,
  CodecPolicy,
  HostCandidate,
  LocalParams,
  MediaDirection,
  MediaSection,
  Negotiated,
  NegotiatedMedia,
  SdpErrorCode,
  SetupRole,
  SsrcGroup,
  SsrcInfo,
} from './types.js';
