// Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8). CANCEL runs on one of these too.

import { Transaction, type LayerContext } from './base.js';
import type { NonInviteServerState, TimerName, TransactionTypes, TransportKind } from './types.js';

export class NonInviteServerTransaction<T extends TransactionTypes> extends Transaction<T> {
  readonly side = 'server';
  private current: NonInviteServerState = 'Trying';
  private last: T['response'] | undefined;

  constructor(
    id: string,
    key: string,
    readonly request: T['request'],
    transport: TransportKind,
    source: T['peer'],
  ) {
    super(id, key, request.method, transport, source);
  }

  get state(): NonInviteServerState {
    return this.current;
  }

  markTerminated(): void {
    this.current = 'Terminated';
  }

  onRetransmission(ctx: LayerContext<T>): void {
    // Trying: discarded (the TU has not answered yet). Later: the last response again.
    if ((this.current === 'Proceeding' || this.current === 'Completed') && this.last !== undefined) {
      ctx.transmitResponse(this, this.last, true);
    }
  }

  onTuResponse(ctx: LayerContext<T>, response: T['response']): void {
    if (this.current !== 'Trying' && this.current !== 'Proceeding') {
      // §17.2.2: other final responses from the TU are discarded in Completed.
      ctx.emit({ type: 'responseDiscarded', transaction: this.id, status: response.status, state: this.current });
      return;
    }
    this.last = response;
    ctx.transmitResponse(this, response, false);
    if (response.status < 200) {
      this.current = 'Proceeding';
      return;
    }
    this.current = 'Completed';
    // Timer J: 64*T1 on unreliable transports to answer retransmissions, 0 on reliable ones.
    if (this.reliable) ctx.terminate(this, 'normal');
    else ctx.setTimer(this, 'J', 64 * ctx.config.t1);
  }

  onTimer(ctx: LayerContext<T>, name: TimerName): void {
    if (name === 'J' && this.current === 'Completed') ctx.terminate(this, 'normal');
  }

  onTransportError(ctx: LayerContext<T>, error: unknown): void {
    if (this.current === 'Terminated') return;
    ctx.emit({ type: 'transportError', transaction: this.id, method: this.method, error });
    ctx.terminate(this, 'transport-error');
  }
}
