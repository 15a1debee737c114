// Shared types of the SIP transport layer.

export type SipTransportKind = 'udp' | 'tcp' | 'tls';

/** Where a message came from or goes to. Addresses are bare (no IPv6 brackets, no IPv4-mapped prefix). */
export interface SipPeer {
  transport: SipTransportKind;
  address: string;
  port: number;
  /** TCP/TLS: the connection a message arrived on; send() prefers it while it is open. */
  connectionId?: number;
}

export function isReliable(kind: SipTransportKind): boolean {
  return kind !== 'udp';
}

/** RFC 3261 §18.2.2 / §19.1.2: 5060 for UDP and TCP, 5061 for TLS. */
export function defaultPort(kind: SipTransportKind): number {
  return kind === 'tls' ? 5061 : 5060;
}

export function peerKey(p: { transport: SipTransportKind; address: string; port: number }): string {
  return `${p.transport}|${p.address}|${p.port}`;
}
