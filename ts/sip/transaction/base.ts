// What every transaction shares, and the services the layer gives the state machines. The
// machines never see the layer's maps: they call the context, which queues outputs.

import type { TransactionConfig } from './config.js';
import type {
  MessageBuilders,
  TerminationReason,
  TimerId,
  TimerName,
  TransactionId,
  TransactionSide,
  TransactionState,
  TransactionTypes,
  TransportKind,
  TuEvent,
} from './types.js';

export interface LayerContext<T extends TransactionTypes> {
  readonly now: number;
  readonly config: TransactionConfig;
  readonly builders: MessageBuilders<T>;
  transmitRequest(tx: Transaction<T>, request: T['request'], retransmission: boolean): void;
  transmitResponse(tx: Transaction<T>, response: T['response'], retransmission: boolean): void;
  /** Arms `name` to fire `delay` ms from now, replacing an armed one of the same name. */
  setTimer(tx: Transaction<T>, name: TimerName, delay: number): void;
  clearTimer(tx: Transaction<T>, name: TimerName): void;
  emit(event: TuEvent<T>): void;
  /** Enters Terminated: clears the timers, forgets the transaction, tells the TU. Idempotent. */
  terminate(tx: Transaction<T>, reason: TerminationReason): void;
  /** An INVITE client transaction reached Proceeding with a CANCEL waiting (§9.1). */
  sendPendingCancel(inviteTx: Transaction<T>): void;
}

export abstract class Transaction<T extends TransactionTypes> {
  abstract readonly side: TransactionSide;
  abstract get state(): TransactionState;
  /** Armed timers by name (the layer keeps the reverse map). */
  readonly timers = new Map<TimerName, TimerId>();

  constructor(
    readonly id: TransactionId,
    /** Matching key in the layer's client or server map. */
    readonly key: string,
    readonly method: string,
    readonly transport: TransportKind,
    /** Destination of a client transaction, source of the request of a server one. */
    readonly peer: T['peer'],
  ) {}

  get reliable(): boolean {
    return this.transport === 'reliable';
  }

  abstract onTimer(ctx: LayerContext<T>, name: TimerName): void;
  abstract onTransportError(ctx: LayerContext<T>, error: unknown): void;
  /** Marks the machine Terminated; only the layer's `terminate` calls it. */
  abstract markTerminated(): void;
}

export function isFinal(status: number): boolean {
  return status >= 200;
}
