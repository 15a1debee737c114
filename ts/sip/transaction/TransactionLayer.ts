// The RFC 3261 §17 transaction layer, sans-IO. The owner feeds `handle(now, input)` with what
// the transport received, what the TU wants to send and which timer expired; it gets back the
// messages to transmit, the timers to arm or clear and the events for the TU, in order. Nothing
// here reads a clock, touches a socket or arms a timer.
//
// Ownership: the layer owns its transactions (maps below); a transaction leaves every map the
// moment it enters Terminated (§17.1.1.2: "destroyed the instant it enters Terminated"), and
// `stats()` lets tests prove nothing is left behind.

import { assertNever } from '../../errors.js';
import { Transaction, type LayerContext } from './base.js';
import { resolveTransactionConfig, type TransactionConfig } from './config.js';
import { TransactionUsageError } from './errors.js';
import { InviteClientTransaction } from './InviteClientTransaction.js';
import { InviteServerTransaction } from './InviteServerTransaction.js';
import { NonInviteClientTransaction } from './NonInviteClientTransaction.js';
import { NonInviteServerTransaction } from './NonInviteServerTransaction.js';
import {
  MAGIC_COOKIE,
  type DefaultTransactionTypes,
  type MessageBuilders,
  type TerminationReason,
  type TimerId,
  type TimerName,
  type TransactionId,
  type TransactionInput,
  type TransactionOutput,
  type TransactionState,
  type TransactionStep,
  type TransactionTypes,
  type TransportKind,
  type TuEvent,
} from './types.js';

type ClientTx<T extends TransactionTypes> = InviteClientTransaction<T> | NonInviteClientTransaction<T>;
type ServerTx<T extends TransactionTypes> = InviteServerTransaction<T> | NonInviteServerTransaction<T>;

/** §17.1.3: a response matches the client transaction with its top-Via branch and CSeq method. */
export function clientKey(branch: string, method: string): string {
  return `${branch}\u0000${method}`;
}

/** §17.2.3: branch, sent-by and method, ACK counting as INVITE (CANCEL stays CANCEL). */
export function serverKey(branch: string, sentBy: string, method: string): string {
  return `${branch}\u0000${sentBy.toLowerCase()}\u0000${method === 'ACK' ? 'INVITE' : method}`;
}

/** An RFC 3261 branch (§8.1.1.7); anything else would need RFC 2543 matching. */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}

export interface TransactionLayerStats {
  readonly clientTransactions: number;
  readonly serverTransactions: number;
  readonly transactions: number;
  readonly timers: number;
}

export class TransactionLayer<T extends TransactionTypes = DefaultTransactionTypes> {
  readonly config: TransactionConfig;
  private readonly clients = new Map<string, ClientTx<T>>();
  private readonly servers = new Map<string, ServerTx<T>>();
  private readonly byId = new Map<TransactionId, ClientTx<T> | ServerTx<T>>();
  private readonly timers = new Map<TimerId, { readonly tx: Transaction<T>; readonly name: TimerName }>();
  private nextTimerId = 1;
  private nextTxNumber = 1;
  private nowMs = 0;
  private out: TransactionOutput<T>[] = [];
  private busy = false;
  private readonly ctx: LayerContext<T>;

  constructor(
    private readonly builders: MessageBuilders<T>,
    config: Partial<TransactionConfig> = {},
  ) {
    this.config = resolveTransactionConfig(config);
    const layer = this;
    this.ctx = {
      get now() {
        return layer.nowMs;
      },
      config: this.config,
      builders,
      transmitRequest: (tx, request, retransmission) =>
        this.out.push({ type: 'transmitRequest', transaction: tx.id, request, transport: tx.transport, destination: tx.peer, retransmission }),
      transmitResponse: (tx, response, retransmission) =>
        this.out.push({ type: 'transmitResponse', transaction: tx.id, response, transport: tx.transport, destination: tx.peer, retransmission }),
      setTimer: (tx, name, delay) => this.setTimer(tx, name, delay),
      clearTimer: (tx, name) => this.clearTimer(tx, name),
      emit: (event) => this.emit(event),
      terminate: (tx, reason) => this.terminate(tx, reason),
      sendPendingCancel: (tx) => this.sendPendingCancel(tx),
    };
  }

  /** Feeds one input; returns everything it caused. Throws only `TransactionUsageError` (TU misuse). */
  handle(now: number, input: TransactionInput<T>): TransactionStep<T> {
    if (this.busy) throw new Error('TransactionLayer.handle re-entered from a builder');
    if (!Number.isFinite(now)) throw new Error(`TransactionLayer.handle: now must be a finite number of ms, got ${String(now)}`);
    this.busy = true;
    this.nowMs = now;
    this.out = [];
    try {
      const transaction = this.dispatch(input);
      return { outputs: this.out, transaction };
    } finally {
      this.out = [];
      this.busy = false;
    }
  }

  has(id: TransactionId): boolean {
    return this.byId.has(id);
  }

  /** State of a live transaction, undefined once it has terminated. */
  stateOf(id: TransactionId): TransactionState | undefined {
    return this.byId.get(id)?.state;
  }

  stats(): TransactionLayerStats {
    return {
      clientTransactions: this.clients.size,
      serverTransactions: this.servers.size,
      transactions: this.byId.size,
      timers: this.timers.size,
    };
  }

  private dispatch(input: TransactionInput<T>): TransactionId | undefined {
    switch (input.type) {
      case 'receiveRequest':
        return this.receiveRequest(input.request, input.transport, input.source);
      case 'receiveResponse':
        return this.receiveResponse(input.response, input.source);
      case 'sendRequest':
        return this.sendRequest(input.request, input.transport, input.destination);
      case 'sendResponse':
        return this.sendResponse(input.transaction, input.response);
      case 'cancel':
        return this.cancel(input.transaction);
      case 'timer':
        return this.fireTimer(input.timer);
      case 'transportError': {
        const tx = this.byId.get(input.transaction);
        if (tx === undefined) return undefined; // late report for a finished transaction
        tx.onTransportError(this.ctx, input.error);
        return tx.id;
      }
      default:
        return assertNever(input, 'transaction input');
    }
  }

  // --- network side ---------------------------------------------------------------------------

  private receiveRequest(request: T['request'], transport: TransportKind, source: T['peer']): TransactionId | undefined {
    const branch = request.branch;
    if (!isRfc3261Branch(branch)) {
      this.emit({ type: 'rejected', request, transport, source, reason: 'rfc2543' });
      return undefined;
    }
    if (request.method !== request.cseqMethod) {
      this.emit({ type: 'rejected', request, transport, source, reason: 'cseq-method' });
      return undefined;
    }
    const key = serverKey(branch, request.sentBy, request.method);
    const existing = this.servers.get(key);
    if (request.method === 'ACK') {
      if (existing instanceof InviteServerTransaction) {
        existing.onAck(this.ctx, request, source, transport);
        return existing.id;
      }
      // ACK for a 2xx: its own transaction, for the TU/dialog (§17.2.3 last paragraph, §13.3.1.4).
      this.emit({ type: 'ack', transaction: undefined, request, transport, source });
      return undefined;
    }
    if (existing !== undefined) {
      existing.onRetransmission(this.ctx);
      return existing.id;
    }
    if (this.servers.size >= this.config.maxServerTransactions) {
      this.emit({ type: 'rejected', request, transport, source, reason: 'overload' });
      return undefined;
    }
    const id = `s${this.nextTxNumber++}`;
    if (request.method === 'INVITE') {
      const tx = new InviteServerTransaction<T>(id, key, request, transport, source);
      this.register(this.servers, tx);
      this.emit({ type: 'request', transaction: id, request, transport, source });
      tx.start(this.ctx);
      return id;
    }
    const tx = new NonInviteServerTransaction<T>(id, key, request, transport, source);
    this.register(this.servers, tx);
    if (request.method === 'CANCEL') {
      // §9.2: the CANCEL matches the INVITE server transaction it would have matched as INVITE.
      const invite = this.servers.get(serverKey(branch, request.sentBy, 'INVITE'));
      const inviteTx = invite instanceof InviteServerTransaction ? invite : undefined;
      this.emit({
        type: 'cancel',
        transaction: id,
        request,
        transport,
        source,
        invite: inviteTx?.id,
        inviteAnswered: inviteTx?.answered ?? false,
      });
    } else {
      this.emit({ type: 'request', transaction: id, request, transport, source });
    }
    return id;
  }

  private receiveResponse(response: T['response'], source: T['peer']): TransactionId | undefined {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      this.emit({ type: 'strayResponse', response, source, reason: 'bad-status' });
      return undefined;
    }
    if (response.branch === undefined) {
      this.emit({ type: 'strayResponse', response, source, reason: 'no-branch' });
      return undefined;
    }
    const tx = this.clients.get(clientKey(response.branch, response.cseqMethod));
    if (tx === undefined) {
      // RFC 6026 §7.1.2 (updating §18.1.2): responses matching no transaction are discarded.
      this.emit({ type: 'strayResponse', response, source, reason: 'no-transaction' });
      return undefined;
    }
    tx.onResponse(this.ctx, response);
    return tx.id;
  }

  // --- TU side --------------------------------------------------------------------------------

  private sendRequest(request: T['request'], transport: TransportKind, destination: T['peer']): TransactionId {
    const key = this.checkClientRequest(request);
    const id = `c${this.nextTxNumber++}`;
    if (request.method === 'INVITE') {
      const tx = new InviteClientTransaction<T>(id, key, request, transport, destination);
      this.register(this.clients, tx);
      tx.start(this.ctx);
    } else {
      const tx = new NonInviteClientTransaction<T>(id, key, request, transport, destination);
      this.register(this.clients, tx);
      tx.start(this.ctx);
    }
    return id;
  }

  private checkClientRequest(request: T['request']): string {
    if (request.method === 'ACK') {
      throw new TransactionUsageError('ack-not-a-transaction', 'send ACK for a 2xx straight to the transport (RFC 3261 §17.1.1.3)');
    }
    if (request.method !== request.cseqMethod) {
      throw new TransactionUsageError('cseq-method', `method ${request.method} but CSeq method ${request.cseqMethod}`);
    }
    if (!isRfc3261Branch(request.branch)) {
      throw new TransactionUsageError('bad-branch', `top Via branch must start with ${MAGIC_COOKIE}, got ${String(request.branch)}`);
    }
    const key = clientKey(request.branch, request.method);
    if (this.clients.has(key)) {
      throw new TransactionUsageError('duplicate', `a ${request.method} client transaction with branch ${request.branch} exists`);
    }
    return key;
  }

  private sendResponse(id: TransactionId, response: T['response']): TransactionId {
    const tx = this.byId.get(id);
    if (tx === undefined) throw new TransactionUsageError('unknown-transaction', `no live transaction ${id}`);
    if (tx.side !== 'server') throw new TransactionUsageError('wrong-side', `${id} is a client transaction`);
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      throw new TransactionUsageError('bad-status', `status ${String(status)} is not in 100..699`);
    }
    tx.onTuResponse(this.ctx, response);
    return id;
  }

  private cancel(id: TransactionId): TransactionId | undefined {
    const tx = this.byId.get(id);
    if (tx === undefined) throw new TransactionUsageError('unknown-transaction', `no live transaction ${id}`);
    if (!(tx instanceof InviteClientTransaction)) {
      throw new TransactionUsageError('wrong-side', `${id} is not an INVITE client transaction`);
    }
    if (tx.cancelTransaction !== undefined || tx.pendingCancel !== undefined) return tx.cancelTransaction;
    const state = tx.state;
    switch (state) {
      case 'Calling':
      case 'Proceeding': {
        const cancel = this.builders.cancel(tx.request);
        if (cancel.method !== 'CANCEL' || cancel.cseqMethod !== 'CANCEL' || !isRfc3261Branch(cancel.branch) || cancel.branch !== tx.request.branch) {
          throw new TransactionUsageError('bad-builder', 'builders.cancel must return a CANCEL with the INVITE\'s branch (RFC 3261 §9.1)');
        }
        if (this.clients.has(clientKey(cancel.branch, 'CANCEL'))) {
          throw new TransactionUsageError('duplicate', `a CANCEL client transaction with branch ${cancel.branch} exists`);
        }
        tx.pendingCancel = cancel;
        // §9.1: no CANCEL before a provisional response; it goes out with the first one.
        if (state === 'Proceeding') this.sendPendingCancel(tx);
        return tx.cancelTransaction;
      }
      case 'Accepted':
      case 'Completed':
      case 'Terminated':
        this.emit({ type: 'cancelDropped', transaction: id, reason: 'final-response' });
        return undefined;
      default:
        return assertNever(state, 'INVITE client state');
    }
  }

  private sendPendingCancel(inviteTx: Transaction<T>): void {
    if (!(inviteTx instanceof InviteClientTransaction)) return;
    const cancel = inviteTx.pendingCancel;
    if (cancel === undefined) return;
    inviteTx.pendingCancel = undefined;
    const key = clientKey(inviteTx.request.branch ?? '', 'CANCEL');
    if (this.clients.has(key)) return; // the TU sent one itself meanwhile
    const id = `c${this.nextTxNumber++}`;
    const tx = new NonInviteClientTransaction<T>(id, key, cancel, inviteTx.transport, inviteTx.peer);
    this.register(this.clients, tx);
    inviteTx.cancelTransaction = id;
    this.emit({ type: 'cancelSent', transaction: inviteTx.id, cancel: id });
    tx.start(this.ctx);
  }

  // --- timers and bookkeeping -----------------------------------------------------------------

  private fireTimer(timer: TimerId): TransactionId | undefined {
    const entry = this.timers.get(timer);
    if (entry === undefined) return undefined; // cleared or already fired: stale
    this.timers.delete(timer);
    if (entry.tx.timers.get(entry.name) === timer) entry.tx.timers.delete(entry.name);
    entry.tx.onTimer(this.ctx, entry.name);
    return entry.tx.id;
  }

  private setTimer(tx: Transaction<T>, name: TimerName, delay: number): void {
    this.clearTimer(tx, name);
    const timer = this.nextTimerId++;
    this.timers.set(timer, { tx, name });
    tx.timers.set(name, timer);
    this.out.push({ type: 'setTimer', timer, name, transaction: tx.id, deadline: this.nowMs + delay });
  }

  private clearTimer(tx: Transaction<T>, name: TimerName): void {
    const timer = tx.timers.get(name);
    if (timer === undefined) return;
    tx.timers.delete(name);
    this.timers.delete(timer);
    this.out.push({ type: 'clearTimer', timer, name, transaction: tx.id });
  }

  private emit(event: TuEvent<T>): void {
    this.out.push({ type: 'tu', event });
  }

  private register<X extends ClientTx<T> | ServerTx<T>>(map: Map<string, X>, tx: X): void {
    map.set(tx.key, tx);
    this.byId.set(tx.id, tx);
  }

  private terminate(tx: Transaction<T>, reason: TerminationReason): void {
    if (tx.state === 'Terminated') return;
    tx.markTerminated();
    for (const name of [...tx.timers.keys()]) this.clearTimer(tx, name);
    if (tx.side === 'client') {
      if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
    } else if (this.servers.get(tx.key) === tx) {
      this.servers.delete(tx.key);
    }
    this.byId.delete(tx.id);
    this.emit({ type: 'terminated', transaction: tx.id, side: tx.side, method: tx.method, reason });
  }
}
