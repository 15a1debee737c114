// Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6). CANCEL runs on one of these too.

import { Transaction, type LayerContext } from './base.js';
import type { NonInviteClientState, TimerName, TransactionTypes, TransportKind } from './types.js';

export class NonInviteClientTransaction<T extends TransactionTypes> extends Transaction<T> {
  readonly side = 'client';
  private current: NonInviteClientState = 'Trying';
  /** Interval of the next Timer E: T1, doubling up to T2 in Trying, T2 in Proceeding (§17.1.2.2). */
  private intervalE = 0;

  constructor(
    id: string,
    key: string,
    readonly request: T['request'],
    transport: TransportKind,
    destination: T['peer'],
  ) {
    super(id, key, request.method, transport, destination);
  }

  get state(): NonInviteClientState {
    return this.current;
  }

  markTerminated(): void {
    this.current = 'Terminated';
  }

  start(ctx: LayerContext<T>): void {
    ctx.transmitRequest(this, this.request, false);
    if (!this.reliable) {
      this.intervalE = ctx.config.t1;
      ctx.setTimer(this, 'E', this.intervalE);
    }
    ctx.setTimer(this, 'F', 64 * ctx.config.t1);
  }

  onResponse(ctx: LayerContext<T>, response: T['response']): void {
    if (this.current !== 'Trying' && this.current !== 'Proceeding') return; // Completed absorbs retransmissions
    if (response.status < 200) {
      this.current = 'Proceeding';
      ctx.emit({ type: 'response', transaction: this.id, method: this.method, response });
      return;
    }
    ctx.clearTimer(this, 'E');
    ctx.clearTimer(this, 'F');
    ctx.emit({ type: 'response', transaction: this.id, method: this.method, response });
    this.current = 'Completed';
    // Timer K: T4 on unreliable transports to absorb retransmitted responses, 0 on reliable ones.
    if (this.reliable || ctx.config.t4 === 0) ctx.terminate(this, 'normal');
    else ctx.setTimer(this, 'K', ctx.config.t4);
  }

  onTimer(ctx: LayerContext<T>, name: TimerName): void {
    switch (name) {
      case 'E':
        if (this.current === 'Trying') {
          ctx.transmitRequest(this, this.request, true);
          this.intervalE = Math.min(2 * this.intervalE, ctx.config.t2);
          ctx.setTimer(this, 'E', this.intervalE);
        } else if (this.current === 'Proceeding') {
          ctx.transmitRequest(this, this.request, true);
          this.intervalE = ctx.config.t2;
          ctx.setTimer(this, 'E', this.intervalE);
        }
        return;
      case 'F':
        if (this.current !== 'Trying' && this.current !== 'Proceeding') return;
        ctx.clearTimer(this, 'E');
        ctx.emit({ type: 'timeout', transaction: this.id, method: this.method, timer: 'F', status: 408 });
        ctx.terminate(this, 'timeout');
        return;
      case 'K':
        if (this.current === 'Completed') ctx.terminate(this, 'normal');
        return;
      default:
        return;
    }
  }

  onTransportError(ctx: LayerContext<T>, error: unknown): void {
    if (this.current === 'Terminated') return;
    ctx.emit({ type: 'transportError', transaction: this.id, method: this.method, error });
    ctx.terminate(this, 'transport-error');
  }
}
