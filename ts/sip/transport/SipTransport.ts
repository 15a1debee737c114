// The SIP transport layer (RFC 3261 §18): UDP, TCP and TLS sockets, the only place in ts/sip that
// does I/O. Received bytes go through the sans-IO `ingest` (routing.ts); streams are cut by one
// StreamFramer per connection. Everything above it sees typed messages and SipPeer values.

import dgram from 'node:dgram';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { TypedEmitter } from '../../common/TypedEmitter.js';
import { assertNever } from '../../errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE, StreamFramer, serialize } from '../message/index.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/index.js';
import { SipListenError, SipPortInUseError, SipSendError, type SipSendFailure } from './errors.js';
import { RateLimitedLog } from './ratelimit.js';
import { ingest, normalizeAddress, responseTarget } from './routing.js';
import { peerKey, type SipPeer, type SipTransportKind } from './types.js';

export interface SipTransportTlsOptions {
  /** PEM certificate chain of the server side (sip-tls-cert, read by the caller). */
  cert?: string;
  /** PEM private key (sip-tls-cert-key). */
  key?: string;
  /** PEM CA bundle trusted for outgoing TLS connections (sip-tls-trusted-ca); default: Node's roots. */
  ca?: string;
  /** Verify the certificates of outgoing TLS peers (default true). */
  rejectUnauthorized?: boolean;
}

export interface SipTransportOptions {
  /** Bind address, e.g. 0.0.0.0, :: or one interface address. */
  host: string;
  /** undefined: transport disabled; 0: an ephemeral port. */
  udpPort?: number;
  tcpPort?: number;
  /** Needs tls.cert and tls.key. */
  tlsPort?: number;
  tls?: SipTransportTlsOptions;
  /** [rsmp]:[sip-address]: the host put into Via/Contact when multi-homed or NATed. */
  advertisedAddress?: string;
  /** Largest message accepted, datagram or stream (default 64 KiB). */
  maxMessageSize?: number;
  /** TCP + TLS connections, both directions, handshakes included (default 1000). */
  maxConnections?: number;
  /** A connection without traffic for this long is closed (default 5 min). */
  idleTimeoutMs?: number;
  /** Outgoing TCP connect + TLS handshake (default 5 s). */
  connectTimeoutMs?: number;
  logger: Logger;
}

export type ConnectionCloseReason = 'remote' | 'idle' | 'framing-error' | 'error' | 'stopped';

export type SipTransportEvents = {
  /** A parsed message; on requests the top Via carries received/rport as RFC 3261 §18.2.1 / RFC 3581 §4 ask. */
  message: [msg: SipMessage, source: SipPeer];
  /** A socket or server failed after start (the transport keeps running what still works). */
  error: [error: Error, transport: SipTransportKind];
  /** A TCP/TLS connection closed; flows bound to it (RFC 5626) are gone. */
  connectionClosed: [peer: SipPeer, reason: ConnectionCloseReason];
  /** A listener threw (see TypedEmitter). */
  listenerError: [error: unknown, event: string];
};

export interface SipTransportStats {
  /** Messages parsed and delivered. */
  received: number;
  /** Messages handed to the network by send()/sendResponse(). */
  sent: number;
  parseErrors: number;
  /** 400/505 answers to unparseable requests. */
  badInputAnswered: number;
  oversize: number;
  /** CRLF datagrams, pings and pongs. */
  keepAlives: number;
  pingsAnswered: number;
  framingErrors: number;
  sendErrors: number;
  connectionsOpen: number;
  connectionsAccepted: number;
  connectionsOutgoing: number;
  connectionsRejected: number;
  connectionsIdleClosed: number;
  tlsHandshakeErrors: number;
}

type StreamKind = 'tcp' | 'tls';

interface Connection {
  readonly id: number;
  readonly kind: StreamKind;
  readonly socket: net.Socket;
  readonly framer: StreamFramer;
  readonly peer: SipPeer;
  readonly keys: string[];
  closed: boolean;
  closeReason: ConnectionCloseReason | undefined;
}

const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');
/** Largest UDP payload over IPv4. */
const MAX_DATAGRAM = 65_507;
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Octets queued for a peer that does not read; beyond this the connection is closed. */
const MAX_WRITE_BACKLOG = 1024 * 1024;

export class SipTransport extends TypedEmitter<SipTransportEvents> {
  readonly localPorts: { udp?: number; tcp?: number; tls?: number } = {};
  readonly #opts: Required<Pick<SipTransportOptions, 'maxMessageSize' | 'maxConnections' | 'idleTimeoutMs' | 'connectTimeoutMs'>> & SipTransportOptions;
  readonly #log: Logger;
  readonly #rlog: RateLimitedLog;
  #udp: dgram.Socket | undefined;
  #tcpServer: net.Server | undefined;
  #tlsServer: tls.Server | undefined;
  /** Every TCP-level socket we own (accepted, connecting, connected): the connection limit counts these. */
  readonly #sockets = new Set<net.Socket>();
  readonly #connections = new Map<number, Connection>();
  readonly #byPeer = new Map<string, Connection>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  #nextId = 0;
  #stopped = false;
  #stopping: Promise<void> | undefined;
  #viaHost = '127.0.0.1';
  readonly #stats: Omit<SipTransportStats, 'connectionsOpen'> = {
    received: 0,
    sent: 0,
    parseErrors: 0,
    badInputAnswered: 0,
    oversize: 0,
    keepAlives: 0,
    pingsAnswered: 0,
    framingErrors: 0,
    sendErrors: 0,
    connectionsAccepted: 0,
    connectionsOutgoing: 0,
    connectionsRejected: 0,
    connectionsIdleClosed: 0,
    tlsHandshakeErrors: 0,
  };

  private constructor(options: SipTransportOptions) {
    super();
    this.#opts = {
      maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
      maxConnections: 1000,
      idleTimeoutMs: 300_000,
      connectTimeoutMs: 5_000,
      ...options,
    };
    this.#log = options.logger;
    this.#rlog = new RateLimitedLog(options.logger);
  }

  /** Binds every configured transport; on failure closes what was bound and throws SipPortInUseError / SipListenError. */
  static async start(options: SipTransportOptions): Promise<SipTransport> {
    const t = new SipTransport(options);
    try {
      await t.#listen();
    } catch (err) {
      await t.stop();
      throw err;
    }
    return t;
  }

  /** The host for Via sent-by and Contact: sip-address, else the bind address, else the first external IPv4. */
  viaHost(): string {
    return this.#viaHost;
  }

  /** The port for Via/Contact on `kind`; a transport that does not listen falls back to one that does. */
  viaPort(kind: SipTransportKind): number {
    return this.localPorts[kind] ?? this.localPorts.tcp ?? this.localPorts.udp ?? this.localPorts.tls ?? 5060;
  }

  stats(): SipTransportStats {
    return { ...this.#stats, connectionsOpen: this.#connections.size };
  }

  /** Serializes and sends. TCP/TLS reuse the peer's connection (by connectionId, else address:port) or connect. */
  async send(msg: SipMessage, to: SipPeer): Promise<void> {
    await this.#sendBytes(serialize(msg), to);
    this.#stats.sent++;
  }

  /**
   * Sends a response where RFC 3261 §18.2.2 and RFC 3581 §4 say: on the request's connection for
   * TCP/TLS, to received/rport (else sent-by) of the top Via for UDP.
   */
  async sendResponse(res: SipResponse, request: SipRequest, source: SipPeer): Promise<void> {
    await this.send(res, responseTarget(res.via[0] ?? request.via[0], source));
  }

  /** An RFC 5626 §3.5.1 keep-alive: CRLFCRLF on an existing or new connection (or in a datagram). */
  async sendKeepAlive(to: SipPeer): Promise<void> {
    await this.#sendBytes(CRLFCRLF, to);
  }

  /** Closes the sockets, the servers and every connection. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#stopped = true;
    for (const conn of this.#connections.values()) this.#close(conn, 'stopped');
    for (const s of this.#sockets) s.destroy();
    const waits: Array<Promise<void>> = [];
    const udp = this.#udp;
    if (udp !== undefined) waits.push(new Promise((resolve) => udp.close(() => resolve())));
    for (const server of [this.#tcpServer, this.#tlsServer]) {
      if (server?.listening === true) waits.push(new Promise((resolve) => server.close(() => resolve())));
    }
    this.#udp = undefined;
    this.#tcpServer = undefined;
    this.#tlsServer = undefined;
    await Promise.all(waits);
  }

  // ---- binding

  async #listen(): Promise<void> {
    const { host, udpPort, tcpPort, tlsPort } = this.#opts;
    if (udpPort !== undefined) {
      const udp = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
      this.#udp = udp;
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => reject(listenError('udp', host, udpPort, err));
        udp.once('error', onError);
        udp.bind({ address: host, port: udpPort, exclusive: true }, () => {
          udp.off('error', onError);
          resolve();
        });
      });
      udp.on('error', (err) => this.#socketError('udp', err));
      udp.on('message', (bytes, rinfo) => this.#onDatagram(bytes, rinfo));
      this.localPorts.udp = udp.address().port;
    }
    if (tcpPort !== undefined) {
      const server = net.createServer({ noDelay: true });
      this.#tcpServer = server;
      server.on('connection', (socket) => {
        if (this.#admit(socket)) this.#register(socket, 'tcp');
      });
      this.localPorts.tcp = await listenServer(server, 'tcp', host, tcpPort);
    }
    if (tlsPort !== undefined) {
      const cert = this.#opts.tls?.cert;
      const key = this.#opts.tls?.key;
      if (cert === undefined || key === undefined) throw new SipListenError('tls', host, tlsPort, 'a TLS port needs a certificate and a key ([rsmp]:[sip-tls-cert], [sip-tls-cert-key])');
      let server: tls.Server;
      try {
        server = tls.createServer({ cert, key, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS });
      } catch (err) {
        throw new SipListenError('tls', host, tlsPort, `bad certificate or key: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      this.#tlsServer = server;
      // 'connection' sees the raw TCP socket before the handshake: the limit applies to handshakes too.
      server.on('connection', (socket: net.Socket) => void this.#admit(socket));
      server.on('secureConnection', (socket: tls.TLSSocket) => this.#register(socket, 'tls'));
      server.on('tlsClientError', (err, socket) => {
        this.#stats.tlsHandshakeErrors++;
        this.#rlog.warn('tls-handshake', { remote: socket.remoteAddress, err: err.message }, 'SIP TLS handshake failed');
      });
      this.localPorts.tls = await listenServer(server, 'tls', host, tlsPort);
    }
    this.#viaHost = pickViaHost(this.#opts.advertisedAddress, host);
    this.#log.info({ host, ports: this.localPorts, viaHost: this.#viaHost }, 'SIP transport listening');
  }

  #socketError(kind: SipTransportKind, err: Error): void {
    this.#log.error({ err, transport: kind }, 'SIP socket error');
    this.emit('error', err, kind);
  }

  // ---- receiving

  #onDatagram(bytes: Buffer, rinfo: dgram.RemoteInfo): void {
    const source: SipPeer = { transport: 'udp', address: normalizeAddress(rinfo.address), port: rinfo.port };
    this.#deliver(bytes, source, 'datagram');
  }

  #deliver(bytes: Buffer, source: SipPeer, framing: 'datagram' | 'stream'): void {
    const r = ingest(bytes, source, { framing, maxMessageSize: this.#opts.maxMessageSize });
    switch (r.type) {
      case 'keepalive':
        this.#stats.keepAlives++;
        return;
      case 'oversize':
        this.#stats.oversize++;
        this.#rlog.warn('oversize', { source, size: r.size }, 'SIP datagram too large: dropped');
        return;
      case 'bad': {
        this.#stats.parseErrors++;
        const answered = r.response !== undefined;
        this.#rlog.warn('parse', { source, status: r.failure.code, reason: r.failure.reason, answered }, 'unparseable SIP message');
        if (r.response === undefined) return;
        this.#stats.badInputAnswered++;
        // Back to the packet's source (its connection on TCP/TLS), not to what the Via claims.
        this.#sendBytes(serialize(r.response), { ...source }).catch((err: unknown) => {
          this.#log.debug({ err, source }, 'cannot answer an unparseable message');
        });
        return;
      }
      case 'message':
        this.#stats.received++;
        this.emit('message', r.message, { ...source });
        return;
      default:
        assertNever(r, 'ingest result');
    }
  }

  #admit(socket: net.Socket): boolean {
    if (this.#stopped || this.#sockets.size >= this.#opts.maxConnections) {
      this.#stats.connectionsRejected++;
      this.#rlog.warn('conn-limit', { remote: socket.remoteAddress, max: this.#opts.maxConnections }, 'SIP connection refused: limit reached');
      socket.destroy();
      return false;
    }
    this.#track(socket);
    this.#stats.connectionsAccepted++;
    return true;
  }

  #track(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #register(socket: net.Socket, kind: StreamKind, destinationKey?: string): Connection {
    const id = ++this.#nextId;
    const peer: SipPeer = { transport: kind, address: normalizeAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0, connectionId: id };
    const keys = [peerKey(peer)];
    if (destinationKey !== undefined && destinationKey !== keys[0]) keys.push(destinationKey);
    const conn: Connection = {
      id,
      kind,
      socket,
      framer: new StreamFramer({ maxMessageSize: this.#opts.maxMessageSize }),
      peer,
      keys,
      closed: false,
      closeReason: undefined,
    };
    if (this.#stopped || socket.destroyed) {
      socket.destroy();
      conn.closed = true;
      return conn;
    }
    this.#connections.set(id, conn);
    for (const k of keys) this.#byPeer.set(k, conn);
    socket.setNoDelay(true);
    socket.setTimeout(this.#opts.idleTimeoutMs);
    socket.on('timeout', () => {
      this.#stats.connectionsIdleClosed++;
      this.#close(conn, 'idle');
    });
    socket.on('data', (chunk: Buffer) => this.#onStreamData(conn, chunk));
    socket.on('error', (err) => {
      conn.closeReason ??= 'error';
      this.#log.debug({ err, peer }, 'SIP connection error');
    });
    socket.on('close', () => this.#unregister(conn));
    this.#log.debug({ peer }, 'SIP connection open');
    return conn;
  }

  #onStreamData(conn: Connection, chunk: Buffer): void {
    for (const out of conn.framer.push(chunk)) {
      if (conn.closed) return;
      switch (out.type) {
        case 'message':
          this.#deliver(out.bytes, conn.peer, 'stream');
          break;
        case 'ping':
          this.#stats.keepAlives++;
          this.#stats.pingsAnswered++;
          conn.socket.write(CRLF); // RFC 5626 §3.5.1: pong
          break;
        case 'pong':
          this.#stats.keepAlives++;
          break;
        case 'error':
          this.#stats.framingErrors++;
          this.#rlog.warn('framing', { peer: conn.peer, reason: out.error.reason }, `SIP stream framing error, closing: ${out.error.message}`);
          this.#close(conn, 'framing-error');
          return;
        default:
          assertNever(out, 'framer output');
      }
    }
  }

  #close(conn: Connection, reason: ConnectionCloseReason): void {
    if (conn.closed) return;
    conn.closeReason ??= reason;
    conn.socket.destroy();
    this.#unregister(conn);
  }

  #unregister(conn: Connection): void {
    if (!this.#connections.has(conn.id)) return;
    conn.closed = true;
    this.#connections.delete(conn.id);
    for (const k of conn.keys) if (this.#byPeer.get(k) === conn) this.#byPeer.delete(k);
    const reason = conn.closeReason ?? 'remote';
    this.#log.debug({ peer: conn.peer, reason }, 'SIP connection closed');
    this.emit('connectionClosed', { ...conn.peer }, reason);
  }

  // ---- sending

  async #sendBytes(bytes: Buffer, to: SipPeer): Promise<void> {
    try {
      if (this.#stopped) throw new SipSendError('stopped', to, 'the transport is stopped');
      if (to.transport === 'udp') await this.#sendDatagram(bytes, to);
      else await this.#write(await this.#connectionFor(to, to.transport), bytes, to);
    } catch (err) {
      this.#stats.sendErrors++;
      throw err;
    }
  }

  #sendDatagram(bytes: Buffer, to: SipPeer): Promise<void> {
    const udp = this.#udp;
    if (udp === undefined) return Promise.reject(new SipSendError('unavailable', to, 'UDP is not enabled'));
    if (bytes.length > MAX_DATAGRAM) return Promise.reject(new SipSendError('too-large', to, `${bytes.length} octets do not fit a datagram`));
    return new Promise((resolve, reject) => {
      udp.send(bytes, to.port, to.address, (err) => {
        if (err) reject(new SipSendError('socket-error', to, err.message, { cause: err }));
        else resolve();
      });
    });
  }

  #write(conn: Connection, bytes: Buffer, to: SipPeer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (conn.closed) {
        reject(new SipSendError('socket-error', to, 'the connection closed'));
        return;
      }
      if (conn.socket.writableLength > MAX_WRITE_BACKLOG) {
        this.#rlog.warn('backlog', { peer: conn.peer, queued: conn.socket.writableLength }, 'SIP peer does not read: closing the connection');
        this.#close(conn, 'error');
        reject(new SipSendError('socket-error', to, 'the peer does not read'));
        return;
      }
      conn.socket.write(bytes, (err) => {
        if (err) reject(new SipSendError('socket-error', to, err.message, { cause: err }));
        else resolve();
      });
    });
  }

  #connectionFor(to: SipPeer, kind: StreamKind): Promise<Connection> {
    if (to.connectionId !== undefined) {
      const c = this.#connections.get(to.connectionId);
      if (c !== undefined && !c.closed && c.kind === kind) return Promise.resolve(c);
    }
    const key = peerKey({ transport: kind, address: normalizeAddress(to.address), port: to.port });
    const open = this.#byPeer.get(key);
    if (open !== undefined && !open.closed) return Promise.resolve(open);
    const pending = this.#connecting.get(key);
    if (pending !== undefined) return pending;
    if (this.#sockets.size >= this.#opts.maxConnections) {
      this.#stats.connectionsRejected++;
      return Promise.reject(new SipSendError('too-many-connections', to, `${this.#opts.maxConnections} connections open`));
    }
    const p = this.#connect(to, kind, key).finally(() => this.#connecting.delete(key));
    this.#connecting.set(key, p);
    return p;
  }

  #connect(to: SipPeer, kind: StreamKind, key: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const host = normalizeAddress(to.address);
      const socket =
        kind === 'tcp'
          ? net.connect({ host, port: to.port })
          : tls.connect({
              host,
              port: to.port,
              ...(net.isIP(host) === 0 ? { servername: host } : {}),
              ...(this.#opts.tls?.ca !== undefined ? { ca: this.#opts.tls.ca } : {}),
              rejectUnauthorized: this.#opts.tls?.rejectUnauthorized ?? true,
            });
      this.#track(socket);
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (reason: SipSendFailure, message: string, cause?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(new SipSendError(this.#stopped ? 'stopped' : reason, to, message, { cause }));
      };
      timer = setTimeout(() => fail('connect-timeout', `no ${kind.toUpperCase()} connection within ${this.#opts.connectTimeoutMs} ms`), this.#opts.connectTimeoutMs);
      const onError = (err: Error): void => fail('connect-failed', err.message, err);
      socket.once('error', onError);
      socket.once('close', () => fail('connect-failed', 'closed while connecting'));
      socket.once(kind === 'tcp' ? 'connect' : 'secureConnect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('error', onError);
        if (this.#stopped) {
          socket.destroy();
          reject(new SipSendError('stopped', to, 'the transport is stopped'));
          return;
        }
        this.#stats.connectionsOutgoing++;
        resolve(this.#register(socket, kind, key));
      });
    });
  }
}

function listenError(kind: SipTransportKind, host: string, port: number, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new SipPortInUseError(kind, host, port, { cause: err });
  return new SipListenError(kind, host, port, err instanceof Error ? err.message : String(err), { cause: err });
}

function listenServer(server: net.Server, kind: SipTransportKind, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(listenError(kind, host, port, err));
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}

function pickViaHost(advertised: string | undefined, bind: string): string {
  const bracket = (a: string): string => (net.isIPv6(a) ? `[${a}]` : a);
  if (advertised !== undefined && advertised !== '') return bracket(advertised);
  if (bind !== '0.0.0.0' && bind !== '::' && bind !== '') return bracket(bind);
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) if (ni.family === 'IPv4' && !ni.internal) return ni.address;
  }
  return '127.0.0.1';
}
