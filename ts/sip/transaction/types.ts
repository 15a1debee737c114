// The transaction layer's view of SIP messages, its inputs and its outputs (RFC 3261 §17).
//
// The layer does not import the message model: it needs only the few fields below, read as
// plain properties (getters do too), and it builds the three messages it must originate itself
// (ACK for a non-2xx final response, 100 Trying, CANCEL) through callbacks given by the owner.
// The owner picks its concrete message and address types through `TransactionTypes`, and gets
// them back, unchanged, in the outputs.

/** How a message travelled or will travel. Only this decides retransmissions (RFC 3261 §17.1.1.2). */
export type TransportKind = 'reliable' | 'unreliable';

/** The RFC 3261 branch prefix (§8.1.1.7); requests without it are RFC 2543 and are rejected here. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** What the layer reads from a request. */
export interface SipRequestLike {
  /** Request method as on the wire (case-sensitive, RFC 3261 §7.1). */
  readonly method: string;
  /** `branch` parameter of the top Via, undefined when absent. */
  readonly branch: string | undefined;
  /**
   * sent-by of the top Via (`host[:port]`), normalised by the parser (the layer lower-cases it
   * but fills in no default port). Part of the server-side key (§17.2.3).
   */
  readonly sentBy: string;
  /** Method of the CSeq header. */
  readonly cseqMethod: string;
}

/** What the layer reads from a response. */
export interface SipResponseLike {
  /** Status code, 100–699. */
  readonly status: number;
  /** `branch` parameter of the top Via, undefined when absent. */
  readonly branch: string | undefined;
  /** Method of the CSeq header: with the branch, it picks the client transaction (§17.1.3). */
  readonly cseqMethod: string;
}

/** The owner's concrete types. `peer` is an opaque address: where a message came from or goes to. */
export interface TransactionTypes {
  readonly request: SipRequestLike;
  readonly response: SipResponseLike;
  readonly peer: unknown;
}

/** A plain address, used when the owner has no type of its own. */
export interface Endpoint {
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
}

export interface DefaultTransactionTypes extends TransactionTypes {
  readonly request: SipRequestLike;
  readonly response: SipResponseLike;
  readonly peer: Endpoint;
}

/** The messages the layer itself originates; the owner builds them. */
export interface MessageBuilders<T extends TransactionTypes> {
  /**
   * ACK for a 300–699 response to `invite`, sent inside the INVITE client transaction
   * (RFC 3261 §17.1.1.3): Request-URI, Call-ID, From, CSeq number and Route of the INVITE, one Via
   * equal to the INVITE's top Via (same branch), To of the response, CSeq method ACK.
   */
  ack(invite: T['request'], response: T['response']): T['request'];
  /** 100 (Trying) for `invite` (RFC 3261 §8.2.6.1: To without a tag, Timestamp copied). */
  trying(invite: T['request']): T['response'];
  /**
   * CANCEL for `invite` (RFC 3261 §9.1): same Request-URI, Call-ID, To, From, CSeq number, Route
   * and top Via (same branch) as the INVITE, CSeq method CANCEL.
   */
  cancel(invite: T['request']): T['request'];
}

/** Opaque id of a transaction, unique for the layer's lifetime (never reused). */
export type TransactionId = string;
/** Opaque id of one arming of a timer, unique for the layer's lifetime. */
export type TimerId = number;

/**
 * RFC 3261 Table 4 timers, RFC 6026 L and M, and `Trying`: the 200 ms after which an INVITE
 * server transaction answers 100 itself if the TU has not answered (§17.2.1).
 */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'K' | 'G' | 'H' | 'I' | 'J' | 'L' | 'M' | 'Trying';

export type TransactionSide = 'client' | 'server';

export type InviteClientState = 'Calling' | 'Proceeding' | 'Accepted' | 'Completed' | 'Terminated';
export type NonInviteClientState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';
export type InviteServerState = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';
export type NonInviteServerState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';
export type TransactionState = InviteClientState | NonInviteClientState | InviteServerState | NonInviteServerState;

// ---------------------------------------------------------------------------------------------
// Inputs

export type TransactionInput<T extends TransactionTypes = DefaultTransactionTypes> =
  /** A request arrived from the transport. */
  | { readonly type: 'receiveRequest'; readonly request: T['request']; readonly transport: TransportKind; readonly source: T['peer'] }
  /** A response arrived from the transport. */
  | { readonly type: 'receiveResponse'; readonly response: T['response']; readonly transport: TransportKind; readonly source: T['peer'] }
  /** The TU starts a client transaction (any method but ACK; the TU sends ACK for 2xx itself, §13.2.2.4). */
  | { readonly type: 'sendRequest'; readonly request: T['request']; readonly transport: TransportKind; readonly destination: T['peer'] }
  /** The TU answers on a server transaction. */
  | { readonly type: 'sendResponse'; readonly transaction: TransactionId; readonly response: T['response'] }
  /** The TU cancels an INVITE client transaction (§9.1): sent now, or held until a provisional arrives. */
  | { readonly type: 'cancel'; readonly transaction: TransactionId }
  /** A timer the layer armed has expired. Stale or unknown ids are ignored. */
  | { readonly type: 'timer'; readonly timer: TimerId }
  /** The transport failed to send a message of this transaction (§17.1.4, §17.2.4). */
  | { readonly type: 'transportError'; readonly transaction: TransactionId; readonly error?: unknown };

// ---------------------------------------------------------------------------------------------
// Outputs

export type TerminationReason = 'normal' | 'timeout' | 'transport-error';

export type RejectReason =
  /** No branch, or one without the magic cookie: RFC 2543 matching (§17.2.3) is not supported. */
  | 'rfc2543'
  /** Request method and CSeq method differ (the TU usually answers 400). */
  | 'cseq-method'
  /** `maxServerTransactions` reached (the TU usually answers 503 statelessly). */
  | 'overload';

export type StrayReason = 'no-branch' | 'no-transaction' | 'bad-status';

export type TuEvent<T extends TransactionTypes = DefaultTransactionTypes> =
  /** A new server transaction for a request other than ACK and CANCEL. */
  | {
      readonly type: 'request';
      readonly transaction: TransactionId;
      readonly request: T['request'];
      readonly transport: TransportKind;
      readonly source: T['peer'];
    }
  /**
   * A new server transaction for a CANCEL (§9.2). `invite` is the INVITE server transaction it
   * matches (§17.2.3 with method INVITE), if any; the TU answers the CANCEL (200, or 481 when
   * `invite` is undefined) and, when `inviteAnswered` is false, the INVITE with 487.
   */
  | {
      readonly type: 'cancel';
      readonly transaction: TransactionId;
      readonly request: T['request'];
      readonly transport: TransportKind;
      readonly source: T['peer'];
      readonly invite: TransactionId | undefined;
      readonly inviteAnswered: boolean;
    }
  /**
   * An ACK for the TU: one that matches no INVITE server transaction (ACK for a 2xx, a transaction
   * of its own, §17.2.3/§13.3.1.4), or one that reached an INVITE server transaction in the RFC
   * 6026 Accepted state (`transaction` set).
   */
  | {
      readonly type: 'ack';
      readonly transaction: TransactionId | undefined;
      readonly request: T['request'];
      readonly transport: TransportKind;
      readonly source: T['peer'];
    }
  /** A response on a client transaction; 2xx to INVITE included (the TU/dialog ACKs it, §13.2.2.4). */
  | { readonly type: 'response'; readonly transaction: TransactionId; readonly method: string; readonly response: T['response'] }
  /** Timer B or F: the TU treats it as a 408 (Request Timeout) response (§8.1.3.1). */
  | { readonly type: 'timeout'; readonly transaction: TransactionId; readonly method: string; readonly timer: 'B' | 'F'; readonly status: 408 }
  /** Timer H: the non-2xx final response of an INVITE server transaction was never ACKed (§17.2.1). */
  | { readonly type: 'ackTimeout'; readonly transaction: TransactionId; readonly timer: 'H' }
  | { readonly type: 'transportError'; readonly transaction: TransactionId; readonly method: string; readonly error: unknown }
  /** The transaction is gone: its id is unknown from now on. Emitted once per transaction. */
  | {
      readonly type: 'terminated';
      readonly transaction: TransactionId;
      readonly side: TransactionSide;
      readonly method: string;
      readonly reason: TerminationReason;
    }
  /** A response that matches no client transaction (§17.1.3, RFC 6026 §7.1.2: dropped; for counting). */
  | { readonly type: 'strayResponse'; readonly response: T['response']; readonly source: T['peer']; readonly reason: StrayReason }
  /** A request the layer will not handle; no transaction was created. */
  | {
      readonly type: 'rejected';
      readonly request: T['request'];
      readonly transport: TransportKind;
      readonly source: T['peer'];
      readonly reason: RejectReason;
    }
  /** The CANCEL the TU asked for went out on its own client transaction `cancel` (§9.1). */
  | { readonly type: 'cancelSent'; readonly transaction: TransactionId; readonly cancel: TransactionId }
  /** The CANCEL the TU asked for was not sent: the INVITE got a final response or ended first. */
  | { readonly type: 'cancelDropped'; readonly transaction: TransactionId; readonly reason: 'final-response' | 'terminated' }
  /** The TU passed a response the transaction's state does not allow; it was discarded (§17.2.2). */
  | { readonly type: 'responseDiscarded'; readonly transaction: TransactionId; readonly status: number; readonly state: TransactionState };

export type TransactionOutput<T extends TransactionTypes = DefaultTransactionTypes> =
  | {
      readonly type: 'transmitRequest';
      readonly transaction: TransactionId;
      readonly request: T['request'];
      readonly transport: TransportKind;
      readonly destination: T['peer'];
      /** True for a retransmission of a request already sent (Timer A/E, or an ACK resent). */
      readonly retransmission: boolean;
    }
  | {
      readonly type: 'transmitResponse';
      readonly transaction: TransactionId;
      readonly response: T['response'];
      readonly transport: TransportKind;
      /**
       * The source of the request. The transport applies RFC 3261 §18.2.2 / RFC 3581 (received,
       * rport, maddr) itself; on reliable transports it reuses the request's connection.
       */
      readonly destination: T['peer'];
      readonly retransmission: boolean;
    }
  /** Arm a timer: feed `{ type: 'timer', timer }` at `deadline` (ms, same clock as `now`). */
  | { readonly type: 'setTimer'; readonly timer: TimerId; readonly name: TimerName; readonly transaction: TransactionId; readonly deadline: number }
  /** Disarm a timer armed earlier (firing it anyway is harmless: it is ignored). */
  | { readonly type: 'clearTimer'; readonly timer: TimerId; readonly name: TimerName; readonly transaction: TransactionId }
  | { readonly type: 'tu'; readonly event: TuEvent<T> };

/** What one input produced. */
export interface TransactionStep<T extends TransactionTypes = DefaultTransactionTypes> {
  /** In order: transmissions, timer changes and TU events. */
  readonly outputs: readonly TransactionOutput<T>[];
  /**
   * The transaction the input created or reached: the new client transaction for `sendRequest`,
   * the CANCEL's client transaction for `cancel` (undefined while it waits for a provisional), the
   * matched or created server transaction for a request; undefined for stray input.
   */
  readonly transaction: TransactionId | undefined;
}
