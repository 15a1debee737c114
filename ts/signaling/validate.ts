// Turns one WebSocket text frame into a typed ClientMessage or a typed rejection. Input is
// hostile: the frame is parsed as `unknown` and narrowed field by field. The result is a fresh
// object holding only known fields, so extra keys (including "__proto__" or "constructor") are
// never copied, and only own properties are read, so a polluted Object.prototype cannot supply one.

import { PROTOCOL_VERSION, type ClientMessage, type ErrorCode } from './protocol.js';

/** Longest accepted ids (signIn id, call target, callId, reqId), in UTF-16 units. */
export const MAX_ID_LENGTH = 256;
export const MAX_REQ_ID_LENGTH = 128;
/** An SDP offer/answer from a browser is a few KiB; 64 KiB also bounds the whole frame. */
export const MAX_SDP_LENGTH = 64 * 1024;

export type RejectCode = Extract<ErrorCode, 'malformed' | 'unsupported-version' | 'unknown-type'>;

export type ValidationResult =
  | { ok: true; msg: ClientMessage }
  | { ok: false; code: RejectCode; message: string; reqId?: string };

const CLIENT_TYPES = ['signIn', 'signOut', 'call', 'hold', 'resume', 'data', 'transfer', 'accept', 'reject', 'hangup', 'ping'] as const;
/** User data: at most this many keys, each key and value bounded (they become SIP headers). */
export const MAX_DATA_KEYS = 64;
export const MAX_DATA_VALUE_LENGTH = 1024;
type ClientType = ClientMessage['type'];
// Compile-time check that CLIENT_TYPES lists exactly the union's members.
type MissingTypes = Exclude<ClientType, (typeof CLIENT_TYPES)[number]>;
const allTypesListed: MissingTypes extends never ? true : false = true;
void allTypesListed;

function isClientType(s: string): s is ClientType {
  return (CLIENT_TYPES as readonly string[]).includes(s);
}

type Obj = Record<string, unknown>;

function own(obj: Obj, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Thrown inside validation only; converted to a rejection before leaving this module. */
class Reject {
  constructor(
    readonly code: RejectCode,
    readonly message: string,
  ) {}
}

// Control characters would end up in SIP headers (CRLF injection) and logs.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

function idField(obj: Obj, key: string, max = MAX_ID_LENGTH): string {
  const v = own(obj, key);
  if (typeof v !== 'string' || v.length === 0) throw new Reject('malformed', `field "${key}" must be a non-empty string`);
  if (v.length > max) throw new Reject('malformed', `field "${key}" must be at most ${max} characters`);
  if (CONTROL_RE.test(v)) throw new Reject('malformed', `field "${key}" must not contain control characters`);
  return v;
}

function sdpField(obj: Obj): string {
  const v = own(obj, 'sdp');
  if (typeof v !== 'string' || v.length === 0) throw new Reject('malformed', 'field "sdp" must be a non-empty string');
  if (v.length > MAX_SDP_LENGTH) throw new Reject('malformed', `field "sdp" must be at most ${MAX_SDP_LENGTH} characters`);
  return v;
}

// A key becomes part of a SIP header name (RFC 3261 token characters).
const DATA_KEY_RE = /^[A-Za-z0-9_.!%*+`'~-]{1,64}$/;

function dataField(obj: Obj, required: boolean): Record<string, string> | undefined {
  const v = own(obj, 'data');
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Reject('malformed', 'field "data" must be an object of string values');
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const keys = Object.keys(v);
  if (keys.length > MAX_DATA_KEYS) throw new Reject('malformed', `field "data" must have at most ${MAX_DATA_KEYS} keys`);
  for (const key of keys) {
    if (!DATA_KEY_RE.test(key)) throw new Reject('malformed', `data key ${JSON.stringify(key.slice(0, 64))} must be 1-64 letters, digits or -_.!%*+\`'~`);
    const value = (v as Obj)[key];
    if (typeof value !== 'string') throw new Reject('malformed', `data value of ${JSON.stringify(key)} must be a string`);
    if (value.length > MAX_DATA_VALUE_LENGTH) throw new Reject('malformed', `data value of ${JSON.stringify(key)} must be at most ${MAX_DATA_VALUE_LENGTH} characters`);
    if (CONTROL_RE.test(value)) throw new Reject('malformed', `data value of ${JSON.stringify(key)} must not contain control characters`);
    out[key] = value;
  }
  return { ...out };
}

/** reqId is optional; when present it must be a short string. */
function readReqId(obj: Obj): { reqId?: string; error?: string } {
  if (!Object.hasOwn(obj, 'reqId')) return {};
  const v = obj['reqId'];
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_REQ_ID_LENGTH || CONTROL_RE.test(v)) {
    return { error: `field "reqId" must be a non-empty string of at most ${MAX_REQ_ID_LENGTH} characters without control characters` };
  }
  return { reqId: v };
}

function build(type: ClientType, obj: Obj, reqId: string | undefined): ClientMessage {
  const r = reqId === undefined ? {} : { reqId };
  switch (type) {
    case 'signIn':
      return { v: 1, type, ...r, id: idField(obj, 'id') };
    case 'signOut':
      return { v: 1, type, ...r };
    case 'call': {
      const data = dataField(obj, false);
      return { v: 1, type, ...r, callId: idField(obj, 'callId'), target: idField(obj, 'target'), sdp: sdpField(obj), ...(data === undefined ? {} : { data }) };
    }
    case 'hold':
    case 'resume':
      return { v: 1, type, ...r, callId: idField(obj, 'callId') };
    case 'data':
      return { v: 1, type, ...r, callId: idField(obj, 'callId'), data: dataField(obj, true) ?? {} };
    case 'transfer':
      return { v: 1, type, ...r, callId: idField(obj, 'callId'), target: idField(obj, 'target') };
    case 'accept':
      return { v: 1, type, ...r, callId: idField(obj, 'callId'), sdp: sdpField(obj) };
    case 'reject':
      return { v: 1, type, ...r, callId: idField(obj, 'callId') };
    case 'hangup':
      return { v: 1, type, ...r, callId: idField(obj, 'callId') };
    case 'ping':
      return { v: 1, type, ...r };
    default: {
      const never: never = type;
      throw new Reject('unknown-type', `unknown message type ${JSON.stringify(never)}`);
    }
  }
}

/** Validates an already JSON-parsed value. Never throws. */
export function validateClientMessage(value: unknown): ValidationResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'malformed', message: 'a message must be a JSON object' };
  }
  const obj = value as Obj;
  const { reqId, error } = readReqId(obj);
  const withReq = reqId === undefined ? {} : { reqId };
  if (error !== undefined) return { ok: false, code: 'malformed', message: error };

  const v = own(obj, 'v');
  if (typeof v !== 'number') {
    return { ok: false, code: 'malformed', message: 'field "v" (protocol version) must be a number', ...withReq };
  }
  if (v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'unsupported-version',
      message: `protocol version ${String(v)} is not supported (this server speaks ${PROTOCOL_VERSION})`,
      ...withReq,
    };
  }
  const type = own(obj, 'type');
  if (typeof type !== 'string' || type.length === 0) {
    return { ok: false, code: 'malformed', message: 'field "type" must be a non-empty string', ...withReq };
  }
  if (!isClientType(type)) {
    const shown = type.length > 40 ? `${type.slice(0, 40)}...` : type;
    return { ok: false, code: 'unknown-type', message: `unknown message type ${JSON.stringify(shown)}`, ...withReq };
  }
  try {
    return { ok: true, msg: build(type, obj, reqId) };
  } catch (err) {
    if (err instanceof Reject) return { ok: false, code: err.code, message: `${type}: ${err.message}`, ...withReq };
    return { ok: false, code: 'malformed', message: 'message could not be validated', ...withReq };
  }
}

/** Parses and validates one text frame. Never throws. */
export function parseClientMessage(text: string): ValidationResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'malformed', message: 'frame is not valid JSON' };
  }
  return validateClientMessage(value);
}
