// A small STUN (RFC 5389) writer and reader for tests that play an ICE peer from a plain UDP
// socket: Binding requests with the ICE attributes (RFC 8445 §7.2.2), short-term
// MESSAGE-INTEGRITY and FINGERPRINT, and a reader good enough to tell a response's class,
// error code and mapped address. Not a general STUN stack: no long-term credentials, no
// RFC 8489 SHA-256 integrity.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const kStunHeaderSize = 20; // RFC 5389 §6
export const kMagicCookie = 0x2112a442; // RFC 5389 §6
export const kFingerprintXor = 0x5354554e; // RFC 5389 §15.5 ("STUN")
const kAttributeHeaderSize = 4; // RFC 5389 §15: type(2) length(2)
const kHmacSha1Size = 20; // RFC 5389 §15.4
const kFingerprintValueSize = 4; // RFC 5389 §15.5

/** RFC 5389 §18.2 and RFC 8445 §16.1 attribute types. */
export const StunAttr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  XorMappedAddress: 0x0020,
  Priority: 0x0024, // RFC 8445 §16.1
  UseCandidate: 0x0025, // RFC 8445 §16.1
  Software: 0x8022,
  Fingerprint: 0x8028,
  IceControlled: 0x8029, // RFC 8445 §16.1
  IceControlling: 0x802a, // RFC 8445 §16.1
} as const;

export const kBindingMethod = 0x001; // RFC 5389 §18.1

export type StunClass = 'request' | 'indication' | 'success' | 'error';

// RFC 5389 §6: the class bits C1 (0x0100) and C0 (0x0010) sit between the method bits.
const kClassBits: Record<StunClass, number> = { request: 0x0000, indication: 0x0010, success: 0x0100, error: 0x0110 };

/** RFC 5389 §6: interleave the 12 method bits with the two class bits. */
export function messageType(method: number, cls: StunClass): number {
  return ((method & 0xf80) << 2) | ((method & 0x070) << 1) | (method & 0x00f) | kClassBits[cls];
}

function classOf(type: number): StunClass {
  switch (type & 0x0110) {
    case 0x0000:
      return 'request';
    case 0x0010:
      return 'indication';
    case 0x0100:
      return 'success';
    default:
      return 'error';
  }
}

function methodOf(type: number): number {
  return ((type & 0x3e00) >> 2) | ((type & 0x00e0) >> 1) | (type & 0x000f);
}

// ---- CRC-32 (ISO-HDLC: reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF), the one
// RFC 5389 §15.5 names; Node 20's zlib has no crc32(). ----
const kCrcTable: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (kCrcTable[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** RFC 5389 §15.4: HMAC-SHA1 keyed with the short-term password (§15.4, SASLprep is identity for ICE passwords). */
export function hmacSha1(key: string | Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha1', key).update(data).digest();
}

export interface BindingRequestOptions {
  /** 12 bytes; random when absent. */
  transactionId?: Uint8Array;
  software?: string;
  /** RFC 8445 §7.1.1 PRIORITY of the candidate the check would discover. */
  priority?: number;
  iceControlled?: bigint;
  iceControlling?: bigint;
  useCandidate?: boolean;
  /** RFC 8445 §7.2.2: "<receiver's ufrag>:<sender's ufrag>". */
  username?: string;
  /** Short-term password to compute MESSAGE-INTEGRITY with; no MESSAGE-INTEGRITY when absent. */
  integrityKey?: string | Uint8Array;
  /** Append FINGERPRINT (default true; ICE requires it, RFC 8445 §7.2.2). */
  fingerprint?: boolean;
  /** Byte used for attribute padding (RFC 5389 §15 lets it be anything; RFC 5769 uses 0x20). */
  padByte?: number;
}

/** Assembles a STUN message attribute by attribute, keeping the header length current. */
export class StunBuilder {
  readonly #parts: Buffer[] = [];
  #length = 0;

  constructor(
    readonly type: number,
    readonly transactionId: Uint8Array,
    readonly padByte = 0,
  ) {
    if (transactionId.length !== 12) throw new RangeError('STUN transaction id must be 12 bytes (RFC 5389 §6)');
  }

  add(attrType: number, value: Uint8Array): this {
    const padded = (value.length + 3) & ~3;
    const a = Buffer.alloc(kAttributeHeaderSize + padded, this.padByte);
    a.writeUInt16BE(attrType, 0);
    a.writeUInt16BE(value.length, 2);
    a.set(value, kAttributeHeaderSize);
    this.#parts.push(a);
    this.#length += a.length;
    return this;
  }

  /** The message as it stands, with its length field set to `length` (default: the current one). */
  bytes(length = this.#length): Buffer {
    const header = Buffer.alloc(kStunHeaderSize);
    header.writeUInt16BE(this.type, 0);
    header.writeUInt16BE(length, 2);
    header.writeUInt32BE(kMagicCookie, 4);
    header.set(this.transactionId, 8);
    return Buffer.concat([header, ...this.#parts]);
  }

  /** RFC 5389 §15.4: the HMAC covers the message with its length already counting the integrity attribute. */
  addMessageIntegrity(key: string | Uint8Array): this {
    const covered = this.bytes(this.#length + kAttributeHeaderSize + kHmacSha1Size);
    return this.add(StunAttr.MessageIntegrity, hmacSha1(key, covered));
  }

  /** RFC 5389 §15.5: CRC-32 of the message (length counting FINGERPRINT) XOR 0x5354554e. */
  addFingerprint(): this {
    const covered = this.bytes(this.#length + kAttributeHeaderSize + kFingerprintValueSize);
    const v = Buffer.alloc(4);
    v.writeUInt32BE((crc32(covered) ^ kFingerprintXor) >>> 0, 0);
    return this.add(StunAttr.Fingerprint, v);
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n, 0);
  return b;
}

/**
 * A Binding request. Attributes go in the order SOFTWARE, PRIORITY, ICE-CONTROLLED,
 * ICE-CONTROLLING, USE-CANDIDATE, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT (the RFC 5769 §2.1
 * order for the ones it has).
 */
export function buildBindingRequest(options: BindingRequestOptions = {}): Buffer {
  const b = new StunBuilder(messageType(kBindingMethod, 'request'), options.transactionId ?? randomBytes(12), options.padByte);
  if (options.software !== undefined) b.add(StunAttr.Software, Buffer.from(options.software, 'utf8'));
  if (options.priority !== undefined) b.add(StunAttr.Priority, u32(options.priority));
  if (options.iceControlled !== undefined) b.add(StunAttr.IceControlled, u64(options.iceControlled));
  if (options.iceControlling !== undefined) b.add(StunAttr.IceControlling, u64(options.iceControlling));
  if (options.useCandidate === true) b.add(StunAttr.UseCandidate, new Uint8Array(0));
  if (options.username !== undefined) b.add(StunAttr.Username, Buffer.from(options.username, 'utf8'));
  if (options.integrityKey !== undefined) b.addMessageIntegrity(options.integrityKey);
  if (options.fingerprint ?? true) b.addFingerprint();
  return b.bytes();
}

export interface StunAttribute {
  type: number;
  /** Offset of the attribute header in the message. */
  offset: number;
  value: Buffer;
}

export interface ParsedStun {
  method: number;
  cls: StunClass;
  transactionId: Buffer;
  attributes: StunAttribute[];
  /** RFC 5389 §15.6: class * 100 + number, when an ERROR-CODE is present. */
  errorCode: number | null;
  errorReason: string | null;
  /** RFC 5389 §15.2, IPv4 or IPv6, as "address:port" ("[v6]:port"). */
  xorMappedAddress: string | null;
  username: string | null;
  hasIntegrity: boolean;
  hasFingerprint: boolean;
  /** Recomputes MESSAGE-INTEGRITY with `key`; false when absent or different. */
  verifyIntegrity(key: string | Uint8Array): boolean;
  /** Recomputes FINGERPRINT; false when absent or different. */
  verifyFingerprint(): boolean;
}

function decodeXorAddress(v: Buffer, transactionId: Buffer): string | null {
  if (v.length < 8) return null;
  const family = v[1];
  const port = v.readUInt16BE(2) ^ (kMagicCookie >>> 16);
  if (family === 0x01 && v.length === 8) {
    const a = (v.readUInt32BE(4) ^ kMagicCookie) >>> 0;
    return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}:${port}`;
  }
  if (family === 0x02 && v.length === 20) {
    const mask = Buffer.concat([u32(kMagicCookie), transactionId]);
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((v.readUInt16BE(4 + i) ^ mask.readUInt16BE(i)).toString(16));
    return `[${groups.join(':')}]:${port}`;
  }
  return null;
}

/** Reads a STUN message; null when the bytes are not one (RFC 5389 §6 header and §15 framing). */
export function parseStun(data: Uint8Array): ParsedStun | null {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < kStunHeaderSize) return null;
  const type = buf.readUInt16BE(0);
  const length = buf.readUInt16BE(2);
  if ((type & 0xc000) !== 0 || buf.readUInt32BE(4) !== kMagicCookie) return null;
  if (length % 4 !== 0 || kStunHeaderSize + length !== buf.length) return null;
  const transactionId = Buffer.from(buf.subarray(8, 20));
  const attributes: StunAttribute[] = [];
  let pos = kStunHeaderSize;
  while (pos < buf.length) {
    if (buf.length - pos < kAttributeHeaderSize) return null;
    const attrType = buf.readUInt16BE(pos);
    const len = buf.readUInt16BE(pos + 2);
    const padded = (len + 3) & ~3;
    if (padded > buf.length - pos - kAttributeHeaderSize) return null;
    attributes.push({ type: attrType, offset: pos, value: Buffer.from(buf.subarray(pos + 4, pos + 4 + len)) });
    pos += kAttributeHeaderSize + padded;
  }
  const find = (t: number): StunAttribute | undefined => attributes.find((a) => a.type === t);
  const error = find(StunAttr.ErrorCode);
  let errorCode: number | null = null;
  let errorReason: string | null = null;
  if (error !== undefined && error.value.length >= 4) {
    errorCode = ((error.value[2] ?? 0) & 0x07) * 100 + (error.value[3] ?? 0);
    errorReason = error.value.subarray(4).toString('utf8');
  }
  const xor = find(StunAttr.XorMappedAddress);
  const user = find(StunAttr.Username);
  const integrity = find(StunAttr.MessageIntegrity);
  const fingerprint = find(StunAttr.Fingerprint);
  // The header length as it stood when an attribute at `offset` of `size` bytes was appended.
  const coveredWith = (offset: number, size: number): Buffer => {
    const covered = Buffer.from(buf.subarray(0, offset));
    covered.writeUInt16BE(offset - kStunHeaderSize + kAttributeHeaderSize + size, 2);
    return covered;
  };
  return {
    method: methodOf(type),
    cls: classOf(type),
    transactionId,
    attributes,
    errorCode,
    errorReason,
    xorMappedAddress: xor === undefined ? null : decodeXorAddress(xor.value, transactionId),
    username: user === undefined ? null : user.value.toString('utf8'),
    hasIntegrity: integrity !== undefined,
    hasFingerprint: fingerprint !== undefined,
    verifyIntegrity(key) {
      if (integrity === undefined || integrity.value.length !== kHmacSha1Size) return false;
      const expected = hmacSha1(key, coveredWith(integrity.offset, kHmacSha1Size));
      return timingSafeEqual(expected, integrity.value);
    },
    verifyFingerprint() {
      if (fingerprint === undefined || fingerprint.value.length !== kFingerprintValueSize) return false;
      if (fingerprint.offset + kAttributeHeaderSize + kFingerprintValueSize !== buf.length) return false; // last (§15.5)
      const expected = (crc32(coveredWith(fingerprint.offset, kFingerprintValueSize)) ^ kFingerprintXor) >>> 0;
      return expected === fingerprint.value.readUInt32BE(0);
    },
  };
}
