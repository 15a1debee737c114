// Types of the SIP-side SDP layer: plain RTP/AVP (or RTP/SAVP with RFC 4568 SDES keys) as SIP
// phones, PBXs and media servers speak it, and the codec policy built from the [rsmp] options.

import type { MediaDirection } from '../types.js';
import type { SrtpProfileName } from '../../engine/types.js';

export type { MediaDirection };

/** Codec names rtcgate knows, spelled as they go into a=rtpmap. */
export type CodecName = 'PCMU' | 'PCMA' | 'G722' | 'G729' | 'opus' | 'telephone-event' | 'CN' | 'VP8' | 'H264';

/** [rsmp]:[sip-srtp-mode]: none, optional (a second, secure m-line per medium), strict (SRTP only). */
export type SipSrtpMode = 'none' | 'optional' | 'strict';

export type SipSdpErrorCode =
  /** Not SDP, or a line rtcgate depends on is unreadable. */
  | 'malformed'
  /** No m-line, or no audio m-line that can be used. */
  | 'no-media'
  /** No codec both sides allow (maps to SIP 488). */
  | 'no-common-codec'
  /** sip-srtp-mode forbids what the peer offered: plain RTP in strict mode, SRTP in none (488). */
  | 'srtp-policy'
  /** A secure m-line whose a=crypto lines are all unusable (suite, MKI, session parameters). */
  | 'no-usable-crypto'
  /** An answer that does not fit the offer we sent (RFC 3264 §6: m-line count, unknown payload type, tag). */
  | 'answer-mismatch';

/** The one error this layer throws for SDP from the network. */
export class SipSdpError extends Error {
  readonly code: SipSdpErrorCode;
  constructor(code: SipSdpErrorCode, message: string) {
    super(message);
    this.name = 'SipSdpError';
    this.code = code;
  }
}

/** An a=fmtp template from the codecs option; bracketed text is the part an answer takes from the offer. */
export interface FmtpTemplate {
  /** As written in the option, brackets included. */
  raw: string;
  /** Text before, inside and after the one bracket pair ("" when absent). */
  before: string;
  inner: string;
  after: string;
  bracketed: boolean;
}

/** One entry of `codecs`, `sip-added-codecs` or `web-added-codecs`. */
export interface CodecSpec {
  name: CodecName;
  kind: 'audio' | 'video';
  clockRate: number;
  /** True when the option wrote `/rate`: only that rate matches. */
  clockRateGiven: boolean;
  channels: number;
  /** The payload type the option named; undefined means "the default" (static PT or codecs option). */
  payloadType?: number;
  fmtp?: FmtpTemplate;
}

/** A codec entry whose payload type is settled. */
export type ResolvedCodec = CodecSpec & { payloadType: number };

/** One entry of a disallowed list: a name and, optionally, a clock rate. */
export interface CodecMatch {
  name: CodecName;
  clockRate?: number;
}

/** The codec and SRTP policy across the two legs, from the [rsmp] options. */
export interface CodecPolicy {
  /** Supported codecs in preference order, each with a payload type resolved. */
  codecs: ResolvedCodec[];
  /** Appended to offers to the SIP side when transcoding is enabled (payload type and fmtp resolved). */
  sipAdded: ResolvedCodec[];
  webAdded: ResolvedCodec[];
  sipDisallowed: CodecMatch[];
  webDisallowed: CodecMatch[];
  enableTranscoding: boolean;
  sipSrtpMode: SipSrtpMode;
  /** true: RTP/AVP and RTP/SAVP on the SIP side; false: the AVPF profiles (RFC 4585). */
  sipNoAvpf: boolean;
  /** Things that are valid but have no effect (an added codec that `codecs` does not list). */
  warnings: string[];
}

/** One payload type of a SIP m-line. */
export interface SipCodec {
  payloadType: number;
  /** As written in a=rtpmap (or the RFC 3551 static name). */
  name: string;
  clockRate: number;
  channels: number;
  /** Raw a=fmtp ("" when none). */
  fmtp: string;
}

export type CryptoSuite = SrtpProfileName;

/** A usable RFC 4568 a=crypto line. */
export interface SdesCrypto {
  tag: number;
  suite: CryptoSuite;
  /** Master key ‖ master salt (30 bytes for AES_CM_128_HMAC_SHA1_80, 28 for AEAD_AES_128_GCM). */
  keySalt: Uint8Array;
  /** The base64 text after "inline:". */
  inline: string;
  /** Key lifetime in packets (RFC 4568 §6.1), when given. */
  lifetime?: number;
  /** Session parameters as written (e.g. "WSH=64"); only harmless ones are accepted. */
  sessionParams: string[];
}

/** An a=crypto line rtcgate cannot use, and why. */
export interface RejectedCrypto {
  line: string;
  reason: string;
}

export interface SipMedia {
  index: number;
  /** "audio", "video", "image", ... */
  kind: string;
  /** 0: the m-line is rejected or disabled (RFC 3264 §5.1, §6). */
  port: number;
  protocol: string;
  /** RTP/SAVP or RTP/SAVPF. */
  secure: boolean;
  /** RTP/AVPF or RTP/SAVPF (RFC 4585). */
  avpf: boolean;
  formats: string[];
  /** c= of the m-line, else of the session; null when neither is present. */
  address: string | null;
  /** Where the peer wants RTCP: a=rtcp (RFC 3605), else the RTP address and port + 1; the RTP port with rtcp-mux. */
  rtcpAddress: string | null;
  rtcpPort: number;
  rtcpMux: boolean;
  /**
   * The direction the peer means. The RFC 2543 hold (c=0.0.0.0) removes the peer's receive side:
   * sendrecv becomes sendonly and recvonly becomes inactive (RFC 3264 §8.4).
   */
  direction: MediaDirection;
  /** The peer used c=0.0.0.0. */
  nullAddressHold: boolean;
  /** Codecs other than telephone-event, CN and other auxiliary formats, in the peer's order. */
  codecs: SipCodec[];
  /** RFC 4733 telephone-event payload types (PT, clock rate, fmtp event list). */
  telephoneEvents: SipCodec[];
  /** RFC 3389 comfort noise payload types. */
  comfortNoise: SipCodec[];
  crypto: SdesCrypto[];
  rejectedCrypto: RejectedCrypto[];
  ptime?: number;
  maxptime?: number;
}

export interface SipDescription {
  origin: { username: string; sessionId: string; sessionVersion: string; address: string };
  media: SipMedia[];
}

/** What a SIP offer/answer exchange settled for the audio m-line. */
export interface SipNegotiatedAudio {
  /** Index of the accepted m-line (with sip-srtp-mode optional there are two audio m-lines). */
  index: number;
  codec: SipCodec;
  telephoneEvent?: SipCodec;
  comfortNoise?: SipCodec;
  /** Packet time we send with: the peer's a=ptime when sensible, else 20 ms. */
  ptimeMs: number;
  /** Our direction: what we may do (sendrecv, sendonly, recvonly, inactive). */
  direction: MediaDirection;
  remote: { address: string; port: number; rtcpAddress: string; rtcpPort: number; rtcpMux: boolean };
  /** Present when the m-line is SRTP: the suite and both keys. */
  srtp?: { suite: CryptoSuite; tag: number; localKeySalt: Uint8Array; remoteKeySalt: Uint8Array };
}
