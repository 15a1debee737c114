// Typed rejections of the digest module. A challenge comes from the network, so every way it can
// be wrong has a `reason` the caller can count and log; nothing else is ever thrown by the parser.

import { RtcgateError } from '../../errors.js';

export type DigestChallengeReason =
  | 'too-long' // the header value exceeds MAX_CHALLENGE_LENGTH
  | 'syntax' // not `scheme 1*SP param *(COMMA param)` with tokens and quoted-strings (RFC 3261 §25.1)
  | 'not-digest' // a well-formed challenge of another scheme (Basic, AKA-only servers, ...)
  | 'duplicate-param' // a directive given twice (RFC 7235 §2.2: each name at most once)
  | 'missing-realm'
  | 'missing-nonce'
  | 'unsupported-algorithm' // algorithm other than MD5, MD5-sess, SHA-256, SHA-256-sess
  | 'unsupported-qop' // qop present but offers neither auth nor auth-int
  | 'no-usable-challenge'; // a 401/407 carried no Digest challenge we can answer

/** A WWW-Authenticate / Proxy-Authenticate value we cannot use. */
export class DigestChallengeError extends RtcgateError {
  readonly code = 'ERR_SIP_DIGEST_CHALLENGE';
  constructor(
    readonly reason: DigestChallengeReason,
    detail: string,
    /** Per-header reasons when `reason` is 'no-usable-challenge'. */
    readonly causes: readonly DigestChallengeError[] = [],
  ) {
    super(`digest challenge rejected (${reason}): ${detail}`);
  }
}
