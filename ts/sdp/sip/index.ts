// The SIP side's SDP (RTP/AVP, RTP/SAVP with SDES) and the codec policy across the two legs.
export {
  DEFAULT_CODECS,
  DEFAULT_CODEC_POLICY,
  DEFAULT_SIP_ADDED_CODECS,
  DEFAULT_SIP_DISALLOWED_CODECS,
  DEFAULT_WEB_ADDED_CODECS,
  DEFAULT_WEB_DISALLOWED_CODECS,
  canonicalCodecName,
  codecPolicyFromOptions,
  createCodecPolicy,
  fmtpForAnswer,
  fmtpForOffer,
  parseAddedCodecsOption,
  parseBooleanOption,
  parseCodecsOption,
  parseDisallowedCodecsOption,
  parseSipSrtpModeOption,
  sipAllows,
  webAllows,
} from './options.js';
export type { CodecOptionName, CodecPolicyInput } from './options.js';
export { formatCryptoAttribute, generateSdesKey, parseCryptoAttribute, srtpOptions, SUPPORTED_SUITES } from './crypto.js';
export type { CryptoParse } from './crypto.js';
export { parseSipSdp } from './parse.js';
export { buildSipAnswer, buildSipOffer, intersect, negotiateSipAnswer, reverse } from './build.js';
export type { OfferedMedia, SipAnswer, SipAnswerOptions, SipLocal, SipOffer, SipOfferOptions, WebCodecLike } from './build.js';
export { negotiateBridge, sipAnswerPreference, sipLegSrtp, webCodecPreference } from './negotiate.js';
export type { BridgePlan, BridgeRefusalCode, WebNegotiatedLike } from './negotiate.js';
export { SipSdpError } from './types.js';
export type {
  CodecMatch,
  CodecName,
  CodecPolicy,
  CodecSpec,
  CryptoSuite,
  FmtpTemplate,
  RejectedCrypto,
  ResolvedCodec,
  SdesCrypto,
  SipCodec,
  SipDescription,
  SipMedia,
  SipNegotiatedAudio,
  SipSdpErrorCode,
  SipSrtpMode,
} from './types.js';
