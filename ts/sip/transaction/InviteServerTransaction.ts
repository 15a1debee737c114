// INVITE server transaction, RFC 3261 §17.2.1 (Figure 7) with the RFC 6026 §7.1 Accepted state.

import { Transaction, type LayerContext } from './base.js';
import type { InviteServerState, TimerName, TransactionTypes, TransportKind } from './types.js';

export class InviteServerTransaction<T extends TransactionTypes> extends Transaction<T> {
  readonly side = 'server';
  private current: InviteServerState = 'Proceeding';
  /** The most recent response sent: resent for each retransmitted INVITE (§17.2.1). */
  private last: T['response'] | undefined;
  /** Interval of the next Timer G: T1, doubling up to T2. */
  private intervalG = 0;

  constructor(
    id: string,
    key: string,
    readonly request: T['request'],
    transport: TransportKind,
    source: T['peer'],
  ) {
    super(id, key, 'INVITE', transport, source);
  }

  get state(): InviteServerState {
    return this.current;
  }

  /** True once a final response went out (the TU's 487 after a CANCEL comes too late then). */
  get answered(): boolean {
    return this.current !== 'Proceeding' && this.current !== 'Terminated';
  }

  markTerminated(): void {
    this.current = 'Terminated';
  }

  /** Called right after the TU was given the request. */
  start(ctx: LayerContext<T>): void {
    if (ctx.config.tryingDelay === 0) this.sendTrying(ctx);
    else ctx.setTimer(this, 'Trying', ctx.config.tryingDelay);
  }

  onRetransmission(ctx: LayerContext<T>): void {
    switch (this.current) {
      case 'Proceeding':
        if (this.last !== undefined) ctx.transmitResponse(this, this.last, true);
        else this.sendTrying(ctx); // the client is retrying: do not wait for the 200 ms
        return;
      case 'Completed':
        if (this.last !== undefined) ctx.transmitResponse(this, this.last, true);
        return;
      case 'Confirmed':
      case 'Accepted': // RFC 6026 §7.1: absorbed; the TU retransmits its 2xx itself
      case 'Terminated':
        return;
    }
  }

  onAck(ctx: LayerContext<T>, ack: T['request'], source: T['peer'], transport: TransportKind): void {
    switch (this.current) {
      case 'Completed':
        this.current = 'Confirmed';
        ctx.clearTimer(this, 'G');
        ctx.clearTimer(this, 'H');
        // Timer I absorbs further ACK retransmissions: T4 on unreliable transports, 0 on reliable.
        if (this.reliable || ctx.config.t4 === 0) ctx.terminate(this, 'normal');
        else ctx.setTimer(this, 'I', ctx.config.t4);
        return;
      case 'Accepted':
        ctx.emit({ type: 'ack', transaction: this.id, request: ack, transport, source });
        return;
      case 'Proceeding': // an ACK before any final response is meaningless: drop it
      case 'Confirmed':
      case 'Terminated':
        return;
    }
  }

  onTuResponse(ctx: LayerContext<T>, response: T['response']): void {
    const status = response.status;
    switch (this.current) {
      case 'Proceeding':
        ctx.clearTimer(this, 'Trying');
        this.last = response;
        ctx.transmitResponse(this, response, false);
        if (status < 200) return;
        if (status < 300) {
          if (ctx.config.rfc6026) {
            this.current = 'Accepted';
            ctx.setTimer(this, 'L', 64 * ctx.config.t1);
          } else {
            ctx.terminate(this, 'normal');
          }
          return;
        }
        this.current = 'Completed';
        if (!this.reliable) {
          this.intervalG = ctx.config.t1;
          ctx.setTimer(this, 'G', this.intervalG);
        }
        ctx.setTimer(this, 'H', 64 * ctx.config.t1);
        return;
      case 'Accepted':
        // RFC 6026 §7.1: the TU's 2xx retransmissions (and 2xx on other forks) pass through.
        if (status >= 200 && status < 300) {
          ctx.transmitResponse(this, response, false);
          return;
        }
        break;
      case 'Completed':
      case 'Confirmed':
      case 'Terminated':
        break;
    }
    ctx.emit({ type: 'responseDiscarded', transaction: this.id, status, state: this.current });
  }

  onTimer(ctx: LayerContext<T>, name: TimerName): void {
    switch (name) {
      case 'Trying':
        if (this.current === 'Proceeding' && this.last === undefined) this.sendTrying(ctx);
        return;
      case 'G':
        if (this.current !== 'Completed' || this.last === undefined) return;
        ctx.transmitResponse(this, this.last, true);
        this.intervalG = Math.min(2 * this.intervalG, ctx.config.t2);
        ctx.setTimer(this, 'G', this.intervalG);
        return;
      case 'H':
        if (this.current !== 'Completed') return;
        ctx.clearTimer(this, 'G');
        ctx.emit({ type: 'ackTimeout', transaction: this.id, timer: 'H' });
        ctx.terminate(this, 'timeout');
        return;
      case 'I':
        if (this.current === 'Confirmed') ctx.terminate(this, 'normal');
        return;
      case 'L':
        if (this.current === 'Accepted') ctx.terminate(this, 'normal');
        return;
      default:
        return;
    }
  }

  onTransportError(ctx: LayerContext<T>, error: unknown): void {
    switch (this.current) {
      case 'Proceeding':
      case 'Completed':
        ctx.emit({ type: 'transportError', transaction: this.id, method: this.method, error });
        ctx.terminate(this, 'transport-error');
        return;
      case 'Accepted':
        // RFC 6026 §7.1: a failed 2xx send is reported, but the transaction stays to absorb
        // retransmitted INVITEs until Timer L.
        ctx.emit({ type: 'transportError', transaction: this.id, method: this.method, error });
        return;
      case 'Confirmed':
      case 'Terminated':
        return;
    }
  }

  private sendTrying(ctx: LayerContext<T>): void {
    ctx.clearTimer(this, 'Trying');
    const trying = ctx.builders.trying(this.request);
    this.last = trying;
    ctx.transmitResponse(this, trying, false);
  }
}
