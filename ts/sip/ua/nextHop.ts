// Next hop of a request (RFC 3261 §8.1.2, RFC 3263 without SRV/NAPTR for now): the outbound proxy
// when one is configured, else the first Route, else the Request-URI; host, port and transport
// from that URI; names resolved to an IPv4 address (DNS A) by an injectable resolver.

import { lookup } from 'node:dns/promises';
import { bareHost, hostType, type SipRequest, type SipUri, type Uri } from '../message/index.js';
import { defaultPort, type SipPeer, type SipTransportKind } from './types.js';

/** One `sip-proxy` address. */
export interface ProxyAddress {
  readonly host: string;
  readonly port: number;
  readonly transport: SipTransportKind;
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/**
 * Parses `sip-proxy`: one or two `host[:port][;transport=udp|tcp|tls]` separated by commas
 * (port 5060, or 5061 for TLS, when omitted). Throws a plain Error with a clear message.
 */
export function parseSipProxy(text: string): ProxyAddress[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s.length === 0)) throw new Error(`expected host[:port] (comma separated, at most two), got "${text}"`);
  if (items.length > 2) throw new Error(`at most two SIP proxy addresses are supported, got ${items.length}`);
  return items.map((item) => {
    const [hp = '', ...params] = item.split(';');
    let transport: SipTransportKind = 'udp';
    for (const p of params) {
      const m = /^transport=(udp|tcp|tls)$/i.exec(p.trim());
      if (m === null) throw new Error(`unknown parameter "${p}" in SIP proxy address "${item}" (only transport=udp|tcp|tls)`);
      transport = (m[1] as string).toLowerCase() as SipTransportKind;
    }
    const m = HOST_PORT.exec(hp.trim());
    if (m === null) throw new Error(`"${item}" is not host[:port]`);
    const port = m[2] === undefined ? defaultPort(transport) : Number(m[2]);
    if (port < 1 || port > 65535) throw new Error(`port ${port} of "${item}" is outside 1..65535`);
    return { host: m[1] as string, port, transport };
  });
}

/** Host name → IPv4 address. */
export type HostResolver = (host: string) => Promise<string>;

export const dnsResolver: HostResolver = async (host) => (await lookup(host, { family: 4 })).address;

/** Transport named by a SIP URI (§19.1.1 `transport` param; sips: means TLS). */
export function uriTransport(uri: SipUri, fallback: SipTransportKind = 'udp'): SipTransportKind {
  const t = uri.params.get('transport')?.toLowerCase();
  if (uri.secure) return 'tls';
  if (t === 'tcp' || t === 'tls' || t === 'udp') return t;
  return fallback;
}

export interface HopTarget {
  readonly host: string;
  readonly port: number;
  readonly transport: SipTransportKind;
}

/** The URI a request is sent towards (before the outbound proxy), or undefined for tel:/other URIs. */
export function hopTargetOf(req: SipRequest): HopTarget | undefined {
  const route = req.headers.find((h) => h.kind === 'route' && h.name === 'Route');
  const uri: Uri = route !== undefined && route.kind === 'route' ? route.value.uri : req.uri;
  if (uri.type !== 'sip') return undefined;
  const maddr = uri.params.get('maddr');
  const transport = uriTransport(uri);
  return { host: maddr ?? uri.host, port: uri.port ?? defaultPort(transport), transport };
}

/** Host → peer, synchronously when the host is numeric. */
export function toPeer(target: HopTarget, resolve: HostResolver): SipPeer | Promise<SipPeer> {
  const kind = hostType(target.host);
  if (kind !== 'domain') return { transport: target.transport, address: bareHost(target.host), port: target.port };
  return resolve(target.host).then((address) => ({ transport: target.transport, address, port: target.port }));
}

/** Picks the active proxy; a timeout moves to the other one (warm failover, `sip-proxy` with two addresses). */
export class ProxySelector {
  #index = 0;
  constructor(readonly proxies: readonly ProxyAddress[]) {}
  current(): ProxyAddress | undefined {
    return this.proxies[this.#index];
  }
  /** A request sent to `p` timed out: use the other address from now on. */
  failed(p: ProxyAddress): void {
    if (this.proxies.length > 1 && this.proxies[this.#index] === p) this.#index = (this.#index + 1) % this.proxies.length;
  }
}
