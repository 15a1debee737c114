// Event and result types of InviteSession.

import type { NameAddr } from '../message/index.js';

export type SessionState = 'calling' | 'early' | 'confirmed' | 'terminated';

export type EndReason =
  | 'local-bye'
  | 'remote-bye'
  /** RFC 4028: no refresh arrived in time (we sent BYE), or our refresh failed. */
  | 'session-expired'
  /** RFC 3261 §13.3.1.4: our 2xx was never ACKed (we sent BYE). */
  | 'ack-timeout'
  /** The call was answered after we cancelled it (ACK + BYE). */
  | 'cancelled'
  /** An in-dialog request got 408/481: the dialog is gone (RFC 3261 §12.2.1.2). */
  | 'dialog-gone';

export interface InfoMessage {
  readonly body: Uint8Array;
  readonly contentType: string | undefined;
}

/** A re-INVITE from the peer: the owner answers with its SDP (hold/resume) or refuses it. */
export interface IncomingReinvite {
  /** undefined for an offerless re-INVITE: our answer is then an offer, the ACK brings the answer. */
  readonly offer: string | undefined;
  accept(sdp: string): void;
  reject(status?: number): void;
}

/** A REFER from the peer (RFC 3515). NOTIFY with sipfrag progress is not sent (yet). */
export interface IncomingRefer {
  readonly referTo: NameAddr;
  readonly referredBy: NameAddr | undefined;
  /** 202 Accepted. */
  accept(): void;
  reject(status?: number): void;
}

export type ReinviteResult =
  | { readonly ok: true; readonly sdp: string | undefined }
  | { readonly ok: false; readonly status: number; readonly reason: string };

export type InviteSessionEvents = {
  /** Outgoing: 1xx (sdp of a 183 with early media). */
  provisional: [status: number, reason: string, sdp: string | undefined];
  /** Outgoing: 2xx. For an offerless INVITE the sdp is the offer: answer it with `ack(sdp)`. */
  answered: [sdp: string | undefined];
  /** Outgoing: the INVITE failed (final non-2xx, timeout, auth refused). */
  failed: [status: number, reason: string];
  /** Incoming: the ACK arrived (sdp: the answer when our 200 carried the offer). */
  confirmed: [sdp: string | undefined];
  /** Incoming: CANCEL before we answered; 487 went out. */
  cancelled: [];
  /** An established session is over. */
  ended: [reason: EndReason];
  reinvite: [request: IncomingReinvite];
  /** An ACK of a re-INVITE brought an SDP answer (offerless re-INVITE). */
  reinviteAck: [sdp: string];
  info: [info: InfoMessage];
  refer: [request: IncomingRefer];
  /** Our REFER's progress: the status line of the peer's new call (NOTIFY sipfrag). */
  transferProgress: [status: number];
};
