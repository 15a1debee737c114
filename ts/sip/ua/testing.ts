// Test support: an in-memory network on a FakeClock. Messages are serialized and parsed on the
// way (the real codec), delivered after `latency` ms, and may be dropped by a filter.

import { parseMessage, serialize, type SipMessage, type SipRequest, type SipResponse } from '../message/index.js';
import type { FakeClock } from './clock.js';
import type { SipPeer, SipTransportKind, SipTransportLike } from './types.js';

export interface Sent {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly msg: SipMessage;
  readonly dropped: boolean;
}

export function label(msg: SipMessage): string {
  return msg.type === 'request' ? msg.method : `${msg.status} ${msg.cseq.method}`;
}

export class FakeNetwork {
  readonly log: Sent[] = [];
  latency = 5;
  /** Return true to drop a message. */
  drop: ((msg: SipMessage, from: string, to: string) => boolean) | undefined;
  readonly #nodes = new Map<string, FakeTransport>();

  constructor(readonly clock: FakeClock) {}

  add(address: string, port: number): FakeTransport {
    const t = new FakeTransport(this, address, port);
    this.#nodes.set(`${address}:${port}`, t);
    return t;
  }

  /** Labels ("INVITE", "200 INVITE") of what went from `from` (host:port), dropped ones included. */
  sent(from?: string): string[] {
    return this.log.filter((s) => from === undefined || s.from === from).map((s) => label(s.msg));
  }

  transmit(from: FakeTransport, msg: SipMessage, to: SipPeer): void {
    const bytes = serialize(msg);
    const fromKey = `${from.address}:${from.port}`;
    const toKey = `${to.address}:${to.port}`;
    const dropped = this.drop?.(msg, fromKey, toKey) ?? false;
    this.log.push({ at: this.clock.now(), from: fromKey, to: toKey, msg, dropped });
    if (dropped) return;
    this.clock.setTimer(this.latency, () => {
      const node = this.#nodes.get(toKey);
      if (node === undefined) return;
      const parsed = parseMessage(bytes);
      if (!parsed.ok) throw new Error(`fake network: message failed to parse: ${parsed.reason}\n${bytes.toString()}`);
      node.deliver(parsed.message, { transport: 'udp', address: from.address, port: from.port });
    });
  }
}

export class FakeTransport implements SipTransportLike {
  #listener: ((msg: SipMessage, source: SipPeer) => void) | undefined;
  constructor(
    private readonly net: FakeNetwork,
    readonly address: string,
    readonly port: number,
  ) {}
  send(msg: SipMessage, to: SipPeer): Promise<void> {
    this.net.transmit(this, msg, to);
    return Promise.resolve();
  }
  sendResponse(res: SipResponse, _req: SipRequest, source: SipPeer): Promise<void> {
    this.net.transmit(this, res, source);
    return Promise.resolve();
  }
  viaHost(): string {
    return this.address;
  }
  viaPort(_kind: SipTransportKind): number {
    return this.port;
  }
  on(_event: 'message', listener: (msg: SipMessage, source: SipPeer) => void): this {
    this.#listener = listener;
    return this;
  }
  deliver(msg: SipMessage, source: SipPeer): void {
    this.#listener?.(msg, source);
  }
}
