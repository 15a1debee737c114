// Typed errors of the SIP transport. Binding failures map to log event 20010 (SipStackFailed).

import { RtcgateError } from '../../errors.js';
import type { SipPeer, SipTransportKind } from './types.js';

/** A SIP listening port is taken by another process (event 20010). */
export class SipPortInUseError extends RtcgateError {
  readonly code = 'ERR_SIP_PORT_IN_USE';
  readonly event = 20010;
  constructor(
    readonly transport: SipTransportKind,
    readonly host: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`SIP ${transport.toUpperCase()} transport cannot listen on ${host}:${port}: the port is in use (check [rsmp]:[${transport === 'tls' ? 'sip-tls-port' : 'sip-port'}])`, options);
  }
}

/** Binding failed for another reason (bad address, permission, bad TLS certificate). Event 20010 too. */
export class SipListenError extends RtcgateError {
  readonly code = 'ERR_SIP_LISTEN';
  readonly event = 20010;
  constructor(
    readonly transport: SipTransportKind,
    readonly host: string,
    readonly port: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`SIP ${transport.toUpperCase()} transport cannot listen on ${host}:${port}: ${reason}`, options);
  }
}

export type SipSendFailure =
  /** stop() was called. */
  | 'stopped'
  /** The transport kind is not enabled (no UDP socket) or the peer is unusable. */
  | 'unavailable'
  | 'connect-timeout'
  | 'connect-failed'
  /** The connection limit is reached. */
  | 'too-many-connections'
  /** The connection closed or the socket reported an error while writing. */
  | 'socket-error'
  /** Larger than a UDP datagram can carry. */
  | 'too-large';

/** A message could not be handed to the network. Transactions report it as a transport error (RFC 3261 §17.1.4). */
export class SipSendError extends RtcgateError {
  readonly code = 'ERR_SIP_SEND';
  constructor(
    readonly reason: SipSendFailure,
    readonly peer: SipPeer,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot send to ${peer.transport}:${peer.address}:${peer.port}: ${message}`, options);
  }
}
