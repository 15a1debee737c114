// What outgoing and incoming INVITE sessions share once a dialog exists: in-dialog requests both
// ways (BYE, re-INVITE, UPDATE, INFO, REFER, OPTIONS), ACK of 2xx and its retransmission
// (RFC 3261 §13.2.2.4), the UAS 2xx retransmission until ACK (§13.3.1.4), and RFC 4028 timers.

import { TypedEmitter } from '../../common/TypedEmitter.js';
import { reasonPhrase, type NameAddr, type SipHeader, type SipRequest, type SipResponse } from '../message/index.js';
import type { TransactionId } from '../transaction/index.js';
import type { Dialog } from './Dialog.js';
import type { EndReason, IncomingRefer, IncomingReinvite, InviteSessionEvents, ReinviteResult, SessionState } from './events.js';
import { ALLOWED_METHODS, SUPPORTED_OPTIONS, contentTypeOf, sdpBody, sdpOf, tokens, tokenValues, parseContentTypeText } from './headers.js';
import { SessionTimer, uacRequestHeaders, uacResult, uasNegotiate, minSeHeader, type SessionTimerResult } from './sessionTimer.js';
import type { ClientOutcome, DialogUser, SipStack } from './SipStack.js';
import type { TimerHandle } from './types.js';

interface Uas2xx {
  readonly tx: TransactionId;
  readonly cseq: number;
  readonly response: SipResponse;
  interval: number;
  readonly started: number;
  handle: TimerHandle | undefined;
  /** Called when the ACK arrives. */
  readonly onAck: (req: SipRequest) => void;
}

export abstract class InviteSession extends TypedEmitter<InviteSessionEvents> implements DialogUser {
  state: SessionState = 'calling';
  dialog: Dialog | undefined;
  /** Our last SDP (offer or answer) and the peer's. */
  localSdp: string | undefined;
  remoteSdp: string | undefined;
  /** Methods the peer said it allows (Allow of its INVITE or 2xx). */
  remoteAllow: string[] = [];
  protected readonly timer: SessionTimer;
  #lastAck: { cseq: number; ack: SipRequest } | undefined;
  #uas2xx: Uas2xx | undefined;
  #reinviteOut = false;
  #reinviteIn = false;

  constructor(
    protected readonly stack: SipStack,
    /** User part of our Contact. */
    protected readonly contactUser: string | undefined,
  ) {
    super();
    this.timer = new SessionTimer(stack.clock, () => this.refreshSession(), () => this.end('session-expired', true));
  }

  get established(): boolean {
    return this.state === 'confirmed';
  }

  /** Ends an established session with BYE. */
  bye(): void {
    if (this.state !== 'confirmed') return;
    this.end('local-bye', true);
  }

  /** Sends a re-INVITE with `sdp` (hold: a=sendonly; resume: a=sendrecv), or none (offerless). */
  reinvite(sdp: string | undefined): Promise<ReinviteResult> {
    return new Promise((resolve) => {
      if (this.state !== 'confirmed' || this.dialog === undefined || this.#reinviteOut || this.#reinviteIn) {
        resolve({ ok: false, status: 491, reason: 'Request Pending' });
        return;
      }
      this.#reinviteOut = true;
      const dialog = this.dialog;
      const b = sdpBody(sdp);
      const req = dialog.createRequest('INVITE', { headers: [...this.refreshHeaders(), ...b.headers], body: b.body });
      req.headers.push(this.stack.contactHeader(this.contactUser, this.stack.transportFor(req)));
      let acked = false;
      this.stack.send(req, (o) => {
        if (o.type === 'failure') {
          this.#reinviteOut = false;
          this.failedInDialog(o.status);
          return resolve({ ok: false, status: o.status, reason: o.reason });
        }
        const res = o.response;
        if (res.status < 200) return;
        if (res.status >= 300) {
          this.#reinviteOut = false;
          this.failedInDialog(res.status);
          return resolve({ ok: false, status: res.status, reason: res.reason });
        }
        if (acked) {
          this.reAck(res);
          return;
        }
        acked = true;
        this.#reinviteOut = false;
        dialog.refreshTarget(res);
        const answer = sdpOf(res);
        if (sdp !== undefined) {
          this.localSdp = sdp;
          if (answer !== undefined) this.remoteSdp = answer;
          this.sendAck(req.cseq.seq, undefined);
        } else if (answer !== undefined) {
          // Offerless re-INVITE: the owner answers in the ACK; we answer with our last SDP.
          this.remoteSdp = answer;
          this.sendAck(req.cseq.seq, this.localSdp);
        } else {
          this.sendAck(req.cseq.seq, undefined);
        }
        this.applyTimer(uacResult(res), true);
        resolve({ ok: true, sdp: answer });
      });
    });
  }

  /** Sends INFO (e.g. application/x-www-form-urlencoded mid-call data); resolves with the final status. */
  info(body: Uint8Array | string, type: string): Promise<number> {
    return new Promise((resolve) => {
      const mt = parseContentTypeText(type);
      if (this.state !== 'confirmed' || this.dialog === undefined || mt === undefined) {
        resolve(mt === undefined ? 400 : 481);
        return;
      }
      const req = this.dialog.createRequest('INFO', {
        headers: [{ kind: 'content-type', name: 'Content-Type', value: mt }],
        body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
      });
      this.sendInDialog(req, (status) => resolve(status));
    });
  }

  /**
   * Blind transfer (RFC 3515): asks the peer to call `target`. Resolves with the final status of
   * the REFER itself (202 = accepted); the outcome of the peer's new call arrives as
   * 'transferProgress' events from its NOTIFYs (message/sipfrag, RFC 3515 §2.4.5).
   */
  refer(target: NameAddr, referredBy?: NameAddr): Promise<number> {
    return new Promise((resolve) => {
      if (this.state !== 'confirmed' || this.dialog === undefined) {
        resolve(481);
        return;
      }
      const headers: SipHeader[] = [{ kind: 'address', name: 'Refer-To', value: target }];
      if (referredBy !== undefined) headers.push({ kind: 'address', name: 'Referred-By', value: referredBy });
      this.sendInDialog(this.dialog.createRequest('REFER', { headers }), (status) => resolve(status));
    });
  }

  /**
   * As the transferee of an accepted REFER: reports the new call's progress to the transferor
   * (RFC 3515 §2.4.5: NOTIFY, Event: refer, message/sipfrag); a final status ends the implicit
   * subscription. Resolves with the NOTIFY's final status.
   */
  notifyTransfer(status: number, reason?: string): Promise<number> {
    return new Promise((resolve) => {
      const mt = parseContentTypeText('message/sipfrag');
      if (this.state !== 'confirmed' || this.dialog === undefined || mt === undefined) {
        resolve(481);
        return;
      }
      const req = this.dialog.createRequest('NOTIFY', {
        headers: [
          { kind: 'raw', name: 'Event', value: 'refer' },
          { kind: 'raw', name: 'Subscription-State', value: status >= 200 ? 'terminated;reason=noresource' : 'active;expires=60' },
          { kind: 'content-type', name: 'Content-Type', value: mt },
        ],
        body: Buffer.from(`SIP/2.0 ${status} ${reason ?? reasonPhrase(status)}\r\n`, 'utf8'),
      });
      this.sendInDialog(req, (s) => resolve(s));
    });
  }

  // --- DialogUser -----------------------------------------------------------------------------

  onRequest(tx: TransactionId, req: SipRequest): void {
    const d = this.dialog;
    if (d === undefined || this.state === 'terminated') {
      this.stack.reply(tx, 481);
      return;
    }
    if (!d.acceptRemoteCseq(req)) {
      this.stack.reply(tx, 500, { reason: 'Server Internal Error (CSeq out of order)' });
      return;
    }
    switch (req.method) {
      case 'BYE':
        this.stack.reply(tx, 200);
        this.end('remote-bye', false);
        return;
      case 'INVITE':
        this.onReinvite(tx, req);
        return;
      case 'UPDATE':
        this.onUpdate(tx, req);
        return;
      case 'INFO':
        this.stack.reply(tx, 200);
        this.emit('info', { body: req.body, contentType: contentTypeOf(req) });
        return;
      case 'REFER':
        this.onRefer(tx, req);
        return;
      case 'OPTIONS':
        this.stack.reply(tx, 200, { headers: [tokens('Allow', ALLOWED_METHODS), tokens('Supported', SUPPORTED_OPTIONS)] });
        return;
      case 'NOTIFY':
        this.stack.reply(tx, 200);
        this.onNotify(req);
        return;
      default:
        this.stack.reply(tx, 405, { headers: [tokens('Allow', ALLOWED_METHODS)] });
    }
  }

  onAck(req: SipRequest): void {
    const r = this.#uas2xx;
    if (r === undefined || req.cseq.seq !== r.cseq) return; // a retransmitted ACK
    this.stopUas2xx();
    r.onAck(req);
  }

  onStray2xx(res: SipResponse): void {
    this.reAck(res);
  }

  // --- for subclasses -------------------------------------------------------------------------

  /** Sends (or resends) the ACK for the 2xx to our INVITE with CSeq `cseq` (§13.2.2.4). */
  protected sendAck(cseq: number, sdp: string | undefined): void {
    if (this.dialog === undefined) return;
    const b = sdpBody(sdp);
    const ack = this.dialog.createRequest('ACK', { cseq, headers: b.headers, body: b.body });
    this.#lastAck = { cseq, ack };
    this.stack.sendAck(ack, true);
  }

  /** A retransmitted 2xx: send the same ACK again. */
  protected reAck(res: SipResponse): void {
    const last = this.#lastAck;
    if (last !== undefined && last.cseq === res.cseq.seq) this.stack.sendAck(last.ack, false);
  }

  /** Sends our 2xx to an INVITE and retransmits it until the ACK (T1 doubling to T2, for 64·T1). */
  protected sendUas2xx(tx: TransactionId, response: SipResponse, onAck: (req: SipRequest) => void): void {
    this.stopUas2xx();
    const t1 = this.stack.layer.config.t1;
    const r: Uas2xx = { tx, cseq: response.cseq.seq, response, interval: t1, started: this.stack.clock.now(), handle: undefined, onAck };
    this.#uas2xx = r;
    this.stack.respond(tx, response);
    const arm = (): void => {
      r.handle = this.stack.clock.setTimer(r.interval, () => {
        r.handle = undefined;
        if (this.#uas2xx !== r) return;
        if (this.stack.clock.now() - r.started >= 64 * t1) {
          this.#uas2xx = undefined;
          this.end('ack-timeout', true);
          return;
        }
        this.stack.respond(tx, response);
        r.interval = Math.min(r.interval * 2, this.stack.layer.config.t2);
        arm();
      });
    };
    arm();
  }

  protected stopUas2xx(): void {
    const r = this.#uas2xx;
    if (r?.handle !== undefined) this.stack.clock.clearTimer(r.handle);
    this.#uas2xx = undefined;
  }

  /** Arms the RFC 4028 timer after a negotiation; `asUac` says which side of that transaction we were. */
  protected applyTimer(result: SessionTimerResult | undefined, asUac: boolean): void {
    if (result === undefined || this.state === 'terminated') {
      this.timer.stop();
      return;
    }
    this.timer.start(result.interval, (result.refresher === 'uac') === asUac);
  }

  /** Session-timer headers for a re-INVITE / UPDATE we send while a timer runs. */
  protected refreshHeaders(): SipHeader[] {
    const cfg = this.stack.sessionTimer;
    if (cfg === undefined) return [];
    const out: SipHeader[] = [tokens('Supported', SUPPORTED_OPTIONS)];
    if (this.timer.interval > 0) out.push(...uacRequestHeaders(this.timer.interval, cfg.minSe, this.timer.weRefresh ? 'uac' : 'uas'));
    return out;
  }

  /** Moves to terminated; with `sendBye`, a BYE goes out first. Emits 'ended' once if established. */
  protected end(reason: EndReason, sendBye: boolean): void {
    if (this.state === 'terminated') return;
    const wasConfirmed = this.state === 'confirmed';
    if (sendBye && this.dialog !== undefined) {
      const bye = this.dialog.createRequest('BYE');
      this.stack.send(bye, () => undefined);
    }
    this.state = 'terminated';
    this.cleanup();
    if (wasConfirmed || reason === 'cancelled' || reason === 'ack-timeout') this.emit('ended', reason);
  }

  protected cleanup(): void {
    this.timer.stop();
    this.stopUas2xx();
    if (this.dialog !== undefined) this.stack.removeDialog(this.dialog.key, this);
  }

  /** §12.2.1.2: a 408 or 481 to an in-dialog request ends the dialog. */
  protected failedInDialog(status: number): boolean {
    if (status !== 408 && status !== 481) return false;
    this.end('dialog-gone', status === 408);
    return true;
  }

  protected sendInDialog(req: SipRequest, done: (status: number) => void): void {
    this.stack.send(req, (o: ClientOutcome) => {
      const status = o.type === 'failure' ? o.status : o.response.status;
      if (status < 200) return;
      if (status >= 300) this.failedInDialog(status);
      done(status);
    });
  }

  // --- incoming in-dialog requests ------------------------------------------------------------

  private onReinvite(tx: TransactionId, req: SipRequest): void {
    if (this.#reinviteOut) {
      this.stack.reply(tx, 491); // glare, RFC 3261 §14.2
      return;
    }
    if (this.#reinviteIn || this.state !== 'confirmed') {
      this.stack.reply(tx, 500, { headers: [{ kind: 'raw', name: 'Retry-After', value: String(1 + Math.floor(Math.random() * 10)) }] });
      return;
    }
    const neg = uasNegotiate(req, this.stack.sessionTimer);
    if (neg.kind === 'too-small') {
      this.stack.reply(tx, 422, { headers: [minSeHeader(neg.minSe)] });
      return;
    }
    const dialog = this.dialog;
    if (dialog === undefined) return;
    this.#reinviteIn = true;
    const offer = sdpOf(req);
    let answered = false;
    const answer = (status: number, sdp: string | undefined): void => {
      if (answered) return;
      answered = true;
      if (status >= 300) {
        this.#reinviteIn = false;
        this.stack.reply(tx, status);
        return;
      }
      dialog.refreshTarget(req);
      if (offer !== undefined) this.remoteSdp = offer;
      if (sdp !== undefined) this.localSdp = sdp;
      const b = sdpBody(sdp);
      const res = this.okFor(req, [...neg.headers, ...b.headers], b.body);
      this.sendUas2xx(tx, res, (ack) => {
        this.#reinviteIn = false;
        const ackSdp = sdpOf(ack);
        if (offer === undefined && ackSdp !== undefined) {
          this.remoteSdp = ackSdp;
          this.emit('reinviteAck', ackSdp);
        }
      });
      this.applyTimer(neg.timer, false);
    };
    const request: IncomingReinvite = {
      offer,
      accept: (sdp) => answer(200, sdp),
      reject: (status = 488) => answer(status < 300 ? 488 : status, undefined),
    };
    if (this.listenerCount('reinvite') === 0) answer(200, this.localSdp);
    else this.emit('reinvite', request);
  }

  private onUpdate(tx: TransactionId, req: SipRequest): void {
    if (sdpOf(req) !== undefined) {
      // Offers in UPDATE (RFC 3311) are not supported: only session refreshes.
      this.stack.reply(tx, 488);
      return;
    }
    const neg = uasNegotiate(req, this.stack.sessionTimer);
    if (neg.kind === 'too-small') {
      this.stack.reply(tx, 422, { headers: [minSeHeader(neg.minSe)] });
      return;
    }
    this.dialog?.refreshTarget(req);
    this.stack.respond(tx, this.okFor(req, neg.headers, new Uint8Array(0)));
    this.applyTimer(neg.timer, false);
  }

  /** RFC 3515 §2.4.5: NOTIFY for the refer event carries the transfer's progress as a sipfrag. */
  private onNotify(req: SipRequest): void {
    const event = req.headers.find((h) => h.kind === 'event');
    if (event === undefined || event.kind !== 'event' || event.value.package.toLowerCase() !== 'refer') return;
    const status = /^SIP\/2\.0 (\d{3})/.exec(Buffer.from(req.body).toString('latin1'));
    if (status?.[1] !== undefined) this.emit('transferProgress', Number(status[1]));
  }

  private onRefer(tx: TransactionId, req: SipRequest): void {
    let referTo: NameAddr | undefined;
    let referredBy: NameAddr | undefined;
    for (const h of req.headers) {
      if (h.kind === 'address' && h.name === 'Refer-To') referTo ??= h.value;
      if (h.kind === 'address' && h.name === 'Referred-By') referredBy ??= h.value;
    }
    if (referTo === undefined) {
      this.stack.reply(tx, 400, { reason: 'Bad Request (Refer-To missing)' });
      return;
    }
    if (this.listenerCount('refer') === 0) {
      this.stack.reply(tx, 603);
      return;
    }
    let done = false;
    const refer: IncomingRefer = {
      referTo,
      referredBy,
      accept: () => {
        if (!done) this.stack.reply(tx, 202);
        done = true;
      },
      reject: (status = 603) => {
        if (!done) this.stack.reply(tx, status >= 300 ? status : 603);
        done = true;
      },
    };
    this.emit('refer', refer);
  }

  /** 200 to an in-dialog INVITE/UPDATE with our Contact, Allow, Supported. */
  protected okFor(req: SipRequest, headers: SipHeader[], body: Uint8Array): SipResponse {
    const d = this.dialog;
    const res: SipResponse = {
      type: 'response',
      status: 200,
      reason: 'OK',
      via: structuredClone(req.via),
      from: structuredClone(req.from),
      to: structuredClone(req.to),
      callId: req.callId,
      cseq: { ...req.cseq },
      maxForwards: undefined,
      headers: [
        this.stack.contactHeader(this.contactUser, this.contactTransport()),
        tokens('Allow', ALLOWED_METHODS),
        tokens('Supported', SUPPORTED_OPTIONS),
        ...headers,
      ],
      body,
    };
    if (d !== undefined && !res.to.params.has('tag')) res.to.params.set('tag', d.localTag);
    return res;
  }

  protected abstract contactTransport(): 'udp' | 'tcp' | 'tls';

  protected learnAllow(msg: SipRequest | SipResponse): void {
    const allow = tokenValues(msg, 'Allow').map((m) => m.toUpperCase());
    if (allow.length > 0) this.remoteAllow = allow;
  }

  // --- RFC 4028 refresh -----------------------------------------------------------------------

  private refreshSession(): void {
    if (this.state !== 'confirmed' || this.dialog === undefined) return;
    if (this.remoteAllow.includes('UPDATE')) {
      const req = this.dialog.createRequest('UPDATE', { headers: this.refreshHeaders() });
      req.headers.push(this.stack.contactHeader(this.contactUser, this.stack.transportFor(req)));
      this.stack.send(req, (o) => {
        if (o.type === 'response' && o.response.status < 200) return;
        if (o.type === 'response' && o.response.status < 300) this.applyTimer(uacResult(o.response), true);
        else this.end('session-expired', o.type === 'failure' || o.response.status !== 481);
      });
      return;
    }
    void this.reinvite(this.localSdp).then((r) => {
      if (!r.ok && r.status !== 491 && this.state === 'confirmed') this.end('session-expired', true);
    });
  }
}
