// Test support: a minimal message model satisfying the layer's structural interfaces, and a
// driver that runs a TransactionLayer on a fake clock, firing its timers in deadline order.
// Used by this module's tests; handy for the TU's tests until the real message model is joined.

import { TransactionLayer } from './TransactionLayer.js';
import type { TransactionConfig } from './config.js';
import type {
  Endpoint,
  MessageBuilders,
  TimerId,
  TimerName,
  TransactionId,
  TransactionInput,
  TransactionOutput,
  TransactionStep,
  TuEvent,
} from './types.js';

export interface FakeRequest {
  readonly method: string;
  readonly branch: string | undefined;
  readonly sentBy: string;
  readonly cseqMethod: string;
  /** Free text for assertions (e.g. which builder made it). */
  readonly note?: string;
}

export interface FakeResponse {
  readonly status: number;
  readonly branch: string | undefined;
  readonly cseqMethod: string;
  readonly note?: string;
}

export interface FakeTypes {
  readonly request: FakeRequest;
  readonly response: FakeResponse;
  readonly peer: Endpoint;
}

export const fakeBuilders: MessageBuilders<FakeTypes> = {
  ack: (invite, response) => ({ method: 'ACK', branch: invite.branch, sentBy: invite.sentBy, cseqMethod: 'ACK', note: `ack-${response.status}` }),
  trying: (invite) => ({ status: 100, branch: invite.branch, cseqMethod: 'INVITE', note: 'trying' }),
  cancel: (invite) => ({ method: 'CANCEL', branch: invite.branch, sentBy: invite.sentBy, cseqMethod: 'CANCEL', note: 'cancel' }),
};

export function request(method: string, branch: string | undefined, sentBy = 'client.example:5060'): FakeRequest {
  return { method, branch, sentBy, cseqMethod: method };
}

export function response(status: number, branch: string | undefined, cseqMethod: string): FakeResponse {
  return { status, branch, cseqMethod };
}

export const PEER: Endpoint = { protocol: 'UDP', host: '127.0.0.1', port: 5070 };

export interface Logged {
  readonly at: number;
  readonly output: TransactionOutput<FakeTypes>;
}

/** Min-heap of (deadline, timer id): ties fire in arming order, so runs are deterministic. */
class TimerHeap {
  private readonly items: Array<{ deadline: number; timer: TimerId }> = [];
  get size(): number {
    return this.items.length;
  }
  peek(): { deadline: number; timer: TimerId } | undefined {
    return this.items[0];
  }
  push(item: { deadline: number; timer: TimerId }): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): { deadline: number; timer: TimerId } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
  private less(x: { deadline: number; timer: TimerId }, y: { deadline: number; timer: TimerId }): boolean {
    return x.deadline < y.deadline || (x.deadline === y.deadline && x.timer < y.timer);
  }
}

/** Runs a layer on a fake clock and records every output with the time it was produced. */
export class Harness {
  now = 0;
  readonly layer: TransactionLayer<FakeTypes>;
  readonly log: Logged[] = [];
  /** Armed timers as the owner sees them. */
  readonly armed = new Map<TimerId, { readonly name: TimerName; readonly transaction: TransactionId; readonly deadline: number }>();
  private readonly heap = new TimerHeap();
  /** Keep the log (tests); the flood test turns it off to stay fast. */
  record = true;

  constructor(config: Partial<TransactionConfig> = {}) {
    this.layer = new TransactionLayer<FakeTypes>(fakeBuilders, config);
  }

  feed(input: TransactionInput<FakeTypes>): TransactionStep<FakeTypes> {
    const step = this.layer.handle(this.now, input);
    this.apply(step);
    return step;
  }

  /** Moves the clock to `to`, firing every timer due on the way at its exact deadline. */
  advance(to: number): void {
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined || top.deadline > to) break;
      this.heap.pop();
      if (!this.armed.has(top.timer)) continue; // cleared
      this.armed.delete(top.timer);
      this.now = top.deadline;
      this.apply(this.layer.handle(this.now, { type: 'timer', timer: top.timer }));
    }
    this.now = to;
  }

  /** Transmissions (requests and responses) since `from`, as [time, label] pairs. */
  sent(from = 0): Array<{ at: number; what: string; retransmission: boolean; transaction: TransactionId }> {
    const out: Array<{ at: number; what: string; retransmission: boolean; transaction: TransactionId }> = [];
    for (const { at, output: o } of this.log) {
      if (at < from) continue;
      if (o.type === 'transmitRequest') {
        out.push({ at, what: `${o.request.method} ${o.request.branch ?? '-'}`, retransmission: o.retransmission, transaction: o.transaction });
      } else if (o.type === 'transmitResponse') {
        out.push({ at, what: `${o.response.status} ${o.response.cseqMethod}`, retransmission: o.retransmission, transaction: o.transaction });
      }
    }
    return out;
  }

  /** TU events since `from`, with their time. */
  events(from = 0): Array<{ at: number; event: TuEvent<FakeTypes> }> {
    const out: Array<{ at: number; event: TuEvent<FakeTypes> }> = [];
    for (const { at, output } of this.log) if (at >= from && output.type === 'tu') out.push({ at, event: output.event });
    return out;
  }

  private apply(step: TransactionStep<FakeTypes>): void {
    for (const output of step.outputs) {
      if (this.record) this.log.push({ at: this.now, output });
      if (output.type === 'setTimer') {
        this.armed.set(output.timer, { name: output.name, transaction: output.transaction, deadline: output.deadline });
        this.heap.push({ deadline: output.deadline, timer: output.timer });
      } else if (output.type === 'clearTimer') {
        this.armed.delete(output.timer);
      }
    }
  }
}
