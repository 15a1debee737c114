// INVITE client transaction, RFC 3261 §17.1.1 (Figure 5) with the RFC 6026 §7.2 Accepted state.

import { Transaction, type LayerContext } from './base.js';
import type { InviteClientState, TimerName, TransactionTypes, TransportKind } from './types.js';

export class InviteClientTransaction<T extends TransactionTypes> extends Transaction<T> {
  readonly side = 'client';
  private current: InviteClientState = 'Calling';
  /** Interval of the next Timer A; starts at T1, doubles on every firing (§17.1.1.2, no T2 cap). */
  private intervalA = 0;
  /** The ACK sent for the non-2xx final response, resent for each retransmission of it. */
  private ack: T['request'] | undefined;
  /** A CANCEL asked for before any provisional response, held until one arrives (§9.1). */
  pendingCancel: T['request'] | undefined;
  /** The CANCEL's client transaction once sent. */
  cancelTransaction: string | undefined;

  constructor(
    id: string,
    key: string,
    readonly request: T['request'],
    transport: TransportKind,
    destination: T['peer'],
  ) {
    super(id, key, 'INVITE', transport, destination);
  }

  get state(): InviteClientState {
    return this.current;
  }

  markTerminated(): void {
    this.current = 'Terminated';
  }

  start(ctx: LayerContext<T>): void {
    ctx.transmitRequest(this, this.request, false);
    if (!this.reliable) {
      this.intervalA = ctx.config.t1;
      ctx.setTimer(this, 'A', this.intervalA);
    }
    ctx.setTimer(this, 'B', 64 * ctx.config.t1);
  }

  onResponse(ctx: LayerContext<T>, response: T['response']): void {
    const status = response.status;
    switch (this.current) {
      case 'Calling':
      case 'Proceeding':
        if (status < 200) {
          if (this.current === 'Calling') {
            // Timer B only guards Calling; in Proceeding the TU decides how long to wait.
            this.current = 'Proceeding';
            ctx.clearTimer(this, 'A');
            ctx.clearTimer(this, 'B');
          }
          ctx.emit({ type: 'response', transaction: this.id, method: this.method, response });
          if (this.pendingCancel !== undefined) ctx.sendPendingCancel(this);
          return;
        }
        ctx.clearTimer(this, 'A');
        ctx.clearTimer(this, 'B');
        this.dropPendingCancel(ctx, 'final-response');
        if (status < 300) {
          // The 2xx goes to the TU, which ACKs it outside the transaction (§13.2.2.4).
          ctx.emit({ type: 'response', transaction: this.id, method: this.method, response });
          if (ctx.config.rfc6026) {
            this.current = 'Accepted';
            ctx.setTimer(this, 'M', 64 * ctx.config.t1);
          } else {
            ctx.terminate(this, 'normal');
          }
          return;
        }
        this.ack = ctx.builders.ack(this.request, response);
        ctx.transmitRequest(this, this.ack, false);
        ctx.emit({ type: 'response', transaction: this.id, method: this.method, response });
        this.current = 'Completed';
        if (this.reliable || ctx.config.timerD === 0) ctx.terminate(this, 'normal');
        else ctx.setTimer(this, 'D', ctx.config.timerD);
        return;
      case 'Accepted':
        // RFC 6026 §7.2: retransmitted or forked 2xx go to the TU (which ACKs them again).
        if (status >= 200 && status < 300) ctx.emit({ type: 'response', transaction: this.id, method: this.method, response });
        return;
      case 'Completed':
        // A retransmitted final response means our ACK was lost: resend it, do not bother the TU.
        if (status >= 300 && this.ack !== undefined) ctx.transmitRequest(this, this.ack, true);
        return;
      case 'Terminated':
        return;
    }
  }

  onTimer(ctx: LayerContext<T>, name: TimerName): void {
    switch (name) {
      case 'A':
        if (this.current !== 'Calling') return;
        ctx.transmitRequest(this, this.request, true);
        this.intervalA *= 2;
        ctx.setTimer(this, 'A', this.intervalA);
        return;
      case 'B':
        if (this.current !== 'Calling') return;
        this.dropPendingCancel(ctx, 'terminated');
        ctx.emit({ type: 'timeout', transaction: this.id, method: this.method, timer: 'B', status: 408 });
        ctx.terminate(this, 'timeout');
        return;
      case 'D':
        if (this.current === 'Completed') ctx.terminate(this, 'normal');
        return;
      case 'M':
        if (this.current === 'Accepted') ctx.terminate(this, 'normal');
        return;
      default:
        return;
    }
  }

  onTransportError(ctx: LayerContext<T>, error: unknown): void {
    if (this.current === 'Terminated') return;
    this.dropPendingCancel(ctx, 'terminated');
    ctx.emit({ type: 'transportError', transaction: this.id, method: this.method, error });
    ctx.terminate(this, 'transport-error');
  }

  private dropPendingCancel(ctx: LayerContext<T>, reason: 'final-response' | 'terminated'): void {
    if (this.pendingCancel === undefined) return;
    this.pendingCancel = undefined;
    ctx.emit({ type: 'cancelDropped', transaction: this.id, reason });
  }
}
