// The UA core's view of its surroundings: the transport (declared here, implemented by
// ts/sip/transport, so this module does not import it) and the clock.

import type { SipMessage, SipRequest, SipResponse } from '../message/index.js';

export type SipTransportKind = 'udp' | 'tcp' | 'tls';

/** Where a message came from or goes to. `connectionId` pins a TCP/TLS connection. */
export interface SipPeer {
  transport: SipTransportKind;
  address: string;
  port: number;
  connectionId?: number;
}

/** What the stack needs from a transport (ts/sip/transport implements it). */
export interface SipTransportLike {
  send(msg: SipMessage, to: SipPeer): Promise<void>;
  /** Sends a response to a request per RFC 3261 §18.2.2 / RFC 3581 (received, rport, connection reuse). */
  sendResponse(res: SipResponse, req: SipRequest, source: SipPeer): Promise<void>;
  /** Host written into Via and Contact (the advertised `sip-address`). */
  viaHost(): string;
  viaPort(kind: SipTransportKind): number;
  on(event: 'message', listener: (msg: SipMessage, source: SipPeer) => void): unknown;
}

/** Opaque handle of an armed timer. */
export type TimerHandle = unknown;

/**
 * Time and timers, in milliseconds. `systemClock` uses setTimeout; tests inject `FakeClock`.
 * Every timer of the stack, its transactions, dialogs and registrations goes through one Clock.
 */
export interface Clock {
  now(): number;
  setTimer(delayMs: number, fire: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** RFC 3261 reliable transports carry no retransmissions (§17.1.1.2). */
export function isReliable(kind: SipTransportKind): boolean {
  return kind !== 'udp';
}

/** Default port of a transport (RFC 3261 §19.1.2). */
export function defaultPort(kind: SipTransportKind): number {
  return kind === 'tls' ? 5061 : 5060;
}
