// An incoming call (UAS, RFC 3261 §13.3): ringing (180, or 183 with early media), accept with our
// SDP (an answer, or an offer when the INVITE had none: the ACK brings the answer), reject, and
// CANCEL (487). The 2xx is retransmitted until the ACK; no ACK in 64·T1 ends the call with BYE.

import { createResponse, newTag, type SipHeader, type SipRequest } from '../message/index.js';
import type { TransactionId } from '../transaction/index.js';
import { Dialog } from './Dialog.js';
import { ALLOWED_METHODS, SUPPORTED_OPTIONS, sdpBody, sdpOf, tokens } from './headers.js';
import { InviteSession } from './InviteSession.js';
import type { SessionTimerResult } from './sessionTimer.js';
import type { SipStack } from './SipStack.js';
import type { SipPeer, SipTransportKind } from './types.js';

export class IncomingSession extends InviteSession {
  /** The SDP offer of the INVITE; undefined for an offerless INVITE (3pcc). */
  readonly offer: string | undefined;
  readonly localTag = newTag();
  #final = false;

  constructor(
    stack: SipStack,
    readonly transaction: TransactionId,
    readonly request: SipRequest,
    readonly source: SipPeer,
    private readonly negotiated: SessionTimerResult | undefined,
    private readonly timerHeaders: SipHeader[],
  ) {
    super(stack, request.uri.type === 'sip' ? request.uri.user : undefined);
    this.offer = sdpOf(request);
    this.remoteSdp = this.offer;
    this.learnAllow(request);
  }

  protected contactTransport(): SipTransportKind {
    return this.source.transport;
  }

  /** 180 Ringing, or 183 Session Progress with early media SDP. */
  ringing(sdp?: string): void {
    if (this.#final || this.state === 'terminated') return;
    const b = sdpBody(sdp);
    this.ensureDialog('early');
    if (sdp !== undefined) this.localSdp = sdp;
    this.state = 'early';
    this.stack.reply(this.transaction, sdp === undefined ? 180 : 183, {
      toTag: this.localTag,
      headers: [this.stack.contactHeader(this.contactUser, this.source.transport), ...b.headers],
      body: b.body,
    });
  }

  /** 200 OK with our SDP (the answer; or the offer when the INVITE had none). */
  accept(sdp: string): void {
    if (this.#final || this.state === 'terminated') return;
    this.#final = true;
    const d = this.ensureDialog('confirmed');
    if (d === undefined) return;
    d.state = 'confirmed';
    this.localSdp = sdp;
    const b = sdpBody(sdp);
    const res = createResponse(this.request, 200, undefined, {
      toTag: this.localTag,
      headers: [
        this.stack.contactHeader(this.contactUser, this.source.transport),
        tokens('Allow', ALLOWED_METHODS),
        tokens('Supported', SUPPORTED_OPTIONS),
        ...this.timerHeaders,
        ...b.headers,
      ],
      body: b.body,
    });
    this.state = 'confirmed';
    this.sendUas2xx(this.transaction, res, (ack) => {
      const answer = sdpOf(ack);
      if (this.offer === undefined && answer !== undefined) this.remoteSdp = answer;
      this.emit('confirmed', this.offer === undefined ? answer : undefined);
    });
    this.applyTimer(this.negotiated, false);
  }

  /** A final non-2xx (486 Busy Here by default). */
  reject(status = 486, reason?: string): void {
    if (this.#final || this.state === 'terminated') return;
    this.#final = true;
    this.stack.reply(this.transaction, status < 300 ? 500 : status, { toTag: this.localTag, ...(reason !== undefined ? { reason } : {}) });
    this.state = 'terminated';
    this.cleanup();
  }

  /** Ends the call whatever its state: BYE once answered, 480 before. */
  hangup(): void {
    if (this.state === 'confirmed') this.bye();
    else this.reject(480);
  }

  /** @internal CANCEL matched our INVITE before the final response (RFC 3261 §9.2). */
  onCancel(): void {
    if (this.#final || this.state === 'terminated') return;
    this.#final = true;
    this.stack.reply(this.transaction, 487, { toTag: this.localTag });
    this.state = 'terminated';
    this.cleanup();
    this.emit('cancelled');
  }

  private ensureDialog(state: 'early' | 'confirmed'): Dialog | undefined {
    if (this.dialog === undefined) {
      const d = Dialog.asUas(this.request, this.localTag, state);
      if (d === undefined) return undefined;
      this.dialog = d;
      this.stack.addDialog(d.key, this);
    }
    return this.dialog;
  }
}
