// RFC 4568 SDES: a=crypto lines (parse, write), key generation, and the mapping to the engine's
// RtpEndpointOptions.srtp. Suites are the two the engine runs: AES_CM_128_HMAC_SHA1_80 (RFC 4568
// §6.2) and AEAD_AES_128_GCM (RFC 7714 §12).

import { randomBytes } from 'node:crypto';
import type { RtpEndpointOptions } from '../../engine/types.js';
import type { CryptoSuite, RejectedCrypto, SdesCrypto } from './types.js';

/** Master key and salt lengths in bytes: RFC 3711 §8.2 (16 + 14) and RFC 7714 §12 (16 + 12). */
const kKeySaltLength: Readonly<Record<CryptoSuite, number>> = {
  AES_CM_128_HMAC_SHA1_80: 30,
  AEAD_AES_128_GCM: 28,
};
export const SUPPORTED_SUITES: readonly CryptoSuite[] = ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'];

/** RFC 4568 §9.1: tag = 1*9DIGIT. */
const kMaxTag = 999_999_999;
/** RFC 4568 §6.1: lifetime is at most 2^48 for the AES-CM suites; we also accept the 2^n form. */
const kMaxLifetimeExp = 48;
/** Session parameters that change nothing libsrtp needs to know (RFC 4568 §6.3.7 WSH, §6.3.6 FEC_ORDER). */
const kHarmlessSessionParams = /^(WSH=\d+|FEC_ORDER=(FEC_SRTP|SRTP_FEC))$/;

export type CryptoParse = { ok: true; crypto: SdesCrypto } | { ok: false; rejected: RejectedCrypto };

/** Parses the value of one a=crypto attribute (the text after "a=crypto:"). Never throws. */
export function parseCryptoAttribute(value: string): CryptoParse {
  const line = `a=crypto:${value}`;
  const reject = (reason: string): CryptoParse => ({ ok: false, rejected: { line, reason } });
  const fields = value.trim().split(/[ \t]+/);
  const [tagText, suiteText, keyParams, ...sessionParams] = fields;
  if (tagText === undefined || !/^\d{1,9}$/.test(tagText)) return reject('tag is not 1-9 digits');
  const tag = Number(tagText);
  if (tag > kMaxTag) return reject('tag out of range');
  if (suiteText === undefined) return reject('no crypto suite');
  const suite = SUPPORTED_SUITES.find((s) => s === suiteText);
  if (suite === undefined) return reject(`suite ${suiteText} is not supported (rtcgate runs ${SUPPORTED_SUITES.join(', ')})`);
  if (keyParams === undefined) return reject('no key parameters');
  // RFC 4568 §9.1: several key-params separated by ";" — each needs its own MKI, which we refuse.
  if (keyParams.includes(';')) return reject('several master keys (needs MKI, not supported)');
  const m = /^inline:([A-Za-z0-9+/]+={0,2})(?:\|([^|]*))?(?:\|([^|]*))?$/.exec(keyParams);
  if (m?.[1] === undefined) return reject('key parameters are not "inline:<base64>[|lifetime][|MKI:length]"');
  const inline = m[1];
  const keySalt = decodeBase64Strict(inline);
  if (keySalt === undefined) return reject('inline key is not valid base64');
  if (keySalt.length !== kKeySaltLength[suite]) {
    return reject(`inline key is ${keySalt.length} bytes; ${suite} needs ${kKeySaltLength[suite]} (master key and salt)`);
  }
  let lifetime: number | undefined;
  let mki: string | undefined;
  for (const extra of [m[2], m[3]]) {
    if (extra === undefined) continue;
    if (extra.includes(':')) {
      if (mki !== undefined) return reject('two MKI fields');
      mki = extra;
    } else {
      if (lifetime !== undefined || mki !== undefined) return reject('lifetime after MKI, or two lifetimes');
      const parsed = parseLifetime(extra);
      if (parsed === undefined) return reject(`lifetime "${extra}" is not a number or 2^n (n ≤ ${kMaxLifetimeExp})`);
      lifetime = parsed;
    }
  }
  if (mki !== undefined) {
    if (!/^\d{1,10}:\d{1,3}$/.test(mki)) return reject(`MKI "${mki}" is not value:length`);
    return reject('MKI is used (not supported: rtcgate runs one master key per direction)');
  }
  const bad = sessionParams.find((p) => !kHarmlessSessionParams.test(p));
  if (bad !== undefined) return reject(`session parameter ${bad} is not supported`);
  const crypto: SdesCrypto = { tag, suite, keySalt, inline, sessionParams };
  if (lifetime !== undefined) crypto.lifetime = lifetime;
  return { ok: true, crypto };
}

function parseLifetime(text: string): number | undefined {
  const pow = /^2\^(\d{1,2})$/.exec(text);
  if (pow?.[1] !== undefined) {
    const n = Number(pow[1]);
    return n <= kMaxLifetimeExp ? 2 ** n : undefined;
  }
  if (!/^\d{1,15}$/.test(text)) return undefined;
  const v = Number(text);
  return v > 0 && v <= 2 ** kMaxLifetimeExp ? v : undefined;
}

function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Buffer.from ignores stray characters; re-encoding proves the text was canonical base64.
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

/** The value of an a=crypto attribute for our key (no lifetime, no MKI, no session parameters). */
export function formatCryptoAttribute(c: { tag: number; suite: CryptoSuite; keySalt: Uint8Array }): string {
  return `${c.tag} ${c.suite} inline:${Buffer.from(c.keySalt).toString('base64')}`;
}

/** A fresh master key ‖ salt for the suite (crypto.randomBytes unless `random` is given, for tests). */
export function generateSdesKey(
  suite: CryptoSuite,
  tag: number,
  random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n)),
): SdesCrypto {
  const keySalt = random(kKeySaltLength[suite]);
  if (keySalt.length !== kKeySaltLength[suite]) throw new Error(`random source returned ${keySalt.length} bytes, wanted ${kKeySaltLength[suite]}`);
  return { tag, suite, keySalt, inline: Buffer.from(keySalt).toString('base64'), sessionParams: [] };
}

/** RtpEndpointOptions.srtp: our key protects what we send, theirs what we receive (RFC 4568 §6.1). */
export function srtpOptions(local: { suite: CryptoSuite; keySalt: Uint8Array }, remote: { suite: CryptoSuite; keySalt: Uint8Array }): NonNullable<RtpEndpointOptions['srtp']> {
  if (local.suite !== remote.suite) throw new Error(`SDES suites differ: ours ${local.suite}, theirs ${remote.suite}`);
  return { profile: local.suite, localKeySalt: local.keySalt, remoteKeySalt: remote.keySalt };
}
