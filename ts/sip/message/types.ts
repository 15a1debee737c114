// The SIP message model (RFC 3261 §7, §20, §25). Parsed values are plain data: discriminated
// unions, Maps for parameters (names lower-cased, insertion order kept), no classes.

/** Parameters: name (lower case) → value, or null for a parameter without `=value`. */
export type Params = Map<string, string | null>;

/** sip: and sips: URIs (RFC 3261 §19.1). `user`, `password`, parameters and headers are unescaped. */
export interface SipUri {
  type: 'sip';
  /** true for sips: */
  secure: boolean;
  user: string | undefined;
  password: string | undefined;
  /** Hostname, IPv4 address, or IPv6 reference with its brackets ("[2001:db8::1]"). */
  host: string;
  port: number | undefined;
  params: Params;
  headers: Array<[string, string]>;
}

/** tel: URI (RFC 3966), kept as its number and parameters. */
export interface TelUri {
  type: 'tel';
  number: string;
  params: Params;
}

/** Any other absoluteURI, opaque (RFC 3261 §25.1 absoluteURI). */
export interface AbsoluteUri {
  type: 'absolute';
  /** lower case */
  scheme: string;
  /** everything after "scheme:" */
  opaque: string;
}

export type Uri = SipUri | TelUri | AbsoluteUri;

/** name-addr or addr-spec with header parameters (From, To, Contact, Route, Refer-To, ...). */
export interface NameAddr {
  /** Unquoted and unescaped; undefined when absent. */
  displayName: string | undefined;
  uri: Uri;
  /** Header parameters (tag, expires, q, ...); values as written (quoted-strings keep their quotes). */
  params: Params;
}

/** One Via value (RFC 3261 §20.42). */
export interface Via {
  /** protocol-name/version, e.g. "SIP/2.0" (LWS removed). */
  protocol: string;
  /** Upper case: UDP, TCP, TLS, SCTP, WS, WSS, or an extension token. */
  transport: string;
  host: string;
  port: number | undefined;
  /** branch, received, rport (null when sent without value), maddr, ttl, ... */
  params: Params;
}

export interface CSeq {
  seq: number;
  method: string;
}

export interface MediaType {
  /** lower case */
  type: string;
  /** lower case */
  subtype: string;
  params: Params;
}

export interface AuthParamValue {
  value: string;
  /** Whether the value was (or must be) sent as a quoted-string. */
  quoted: boolean;
}

/** A challenge (WWW-/Proxy-Authenticate) or credentials (Authorization/Proxy-Authorization). */
export interface AuthValue {
  /** As written ("Digest"); compare case-insensitively. */
  scheme: string;
  /** auth-param name (lower case) → value (unquoted). */
  params: Map<string, AuthParamValue>;
}

/** RFC 4028 Session-Expires. */
export interface SessionExpires {
  delta: number;
  refresher: 'uac' | 'uas' | undefined;
  /** Other parameters. */
  params: Params;
}

/** RFC 4028 Min-SE. */
export interface MinSe {
  delta: number;
  params: Params;
}

/** RFC 6665 Event. */
export interface EventValue {
  /** event-type, e.g. "refer", "presence.winfo" */
  package: string;
  id: string | undefined;
  /** Other parameters. */
  params: Params;
}

/** RFC 3326 Reason. */
export interface ReasonValue {
  /** "SIP", "Q.850", ... */
  protocol: string;
  cause: number | undefined;
  /** Unquoted text. */
  text: string | undefined;
  /** Other parameters. */
  params: Params;
}

export type AddressHeaderName = 'Refer-To' | 'Referred-By';
export type RouteHeaderName = 'Route' | 'Record-Route';
export type ExpiresHeaderName = 'Expires' | 'Min-Expires';
export type AuthHeaderName = 'WWW-Authenticate' | 'Proxy-Authenticate' | 'Authorization' | 'Proxy-Authorization';
export type TokenListHeaderName = 'Allow' | 'Supported' | 'Require' | 'Proxy-Require' | 'Unsupported' | 'Allow-Events';

/**
 * A header other than the ones every message carries (Via, From, To, Call-ID, CSeq, Max-Forwards,
 * Content-Length live as fields of the message). Comma lists of Contact, Route, Record-Route and
 * Reason become one entry per value; token lists stay one entry per line. Unknown headers are kept
 * verbatim (folding undone) under `raw`, in order.
 */
export type SipHeader =
  | { kind: 'contact'; name: 'Contact'; value: NameAddr | '*' }
  | { kind: 'route'; name: RouteHeaderName; value: NameAddr }
  | { kind: 'address'; name: AddressHeaderName; value: NameAddr }
  | { kind: 'expires'; name: ExpiresHeaderName; value: number }
  | { kind: 'content-type'; name: 'Content-Type'; value: MediaType }
  | { kind: 'auth'; name: AuthHeaderName; value: AuthValue }
  | { kind: 'tokens'; name: TokenListHeaderName; value: string[] }
  | { kind: 'session-expires'; name: 'Session-Expires'; value: SessionExpires }
  | { kind: 'min-se'; name: 'Min-SE'; value: MinSe }
  | { kind: 'event'; name: 'Event'; value: EventValue }
  | { kind: 'reason'; name: 'Reason'; value: ReasonValue }
  | { kind: 'raw'; name: string; value: string };

export type SipHeaderKind = SipHeader['kind'];

interface MessageCommon {
  /** Topmost first. */
  via: Via[];
  from: NameAddr;
  to: NameAddr;
  callId: string;
  cseq: CSeq;
  /** Absent in RFC 2543-era requests and in most responses. */
  maxForwards: number | undefined;
  /** All other headers, in order. Content-Length is derived from `body` when serializing. */
  headers: SipHeader[];
  body: Uint8Array;
}

export interface SipRequest extends MessageCommon {
  type: 'request';
  /** Case-sensitive token (RFC 3261 §7.1). */
  method: string;
  uri: Uri;
}

export interface SipResponse extends MessageCommon {
  type: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

export interface ParsedMessage {
  ok: true;
  message: SipMessage;
  /** Octets after Content-Length that a datagram carried and the parser dropped (RFC 3261 §18.3). */
  truncated: number;
}

/**
 * A message that could not be parsed. `code` is what a UAS answers to a request (400, or 505 for an
 * unsupported SIP version); responses that fail (`kind` 'response') are dropped. The fields that
 * could be salvaged are there so a 400 can be built (see `responseToFailure`).
 */
export interface ParseFailure {
  ok: false;
  code: 400 | 505;
  /** Names the problem; built from fixed text and known header names only, safe as a reason phrase. */
  reason: string;
  /** undefined when not even the start line could be read. */
  kind: 'request' | 'response' | undefined;
  method?: string;
  via?: Via[];
  callId?: string;
  cseq?: CSeq;
  from?: NameAddr;
  to?: NameAddr;
}

export type ParseResult = ParsedMessage | ParseFailure;
