// The browser-facing signaling endpoint on top of an HttpWsServer:
//   GET /ping          -> "up"
//   GET /              -> the demo page;  GET /demo/* -> its assets
//   GET /sdk/rtcgate.js -> the SDK bundle
//   WS  /ws            -> JSON signaling (protocol.ts), validated, then handed to a SignalingHandler.
// Transport concerns stay here (hello, ping/pong, size and rate limits, bad frames); call logic
// lives in the handler.

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import { assertNever } from '../errors.js';
import { logEvent } from '../log/logger.js';
import {
  DEFAULT_WS_ROUTE_OPTIONS,
  textResponse,
  type HttpRequestInfo,
  type HttpResponseSpec,
  type HttpWsServer,
  type WsConnection,
} from './HttpWsServer.js';
import { PROTOCOL_VERSION, type ClientMessage, type ErrorCode, type ServerMessage } from './protocol.js';
import { parseClientMessage } from './validate.js';

export interface ClientSession {
  readonly id: string;
  readonly remoteAddress: string;
  send(msg: ServerMessage): void;
  close(): void;
}

/** Implemented by call orchestration (ts/calls). `ping` never reaches it: the server answers pongs. */
export interface SignalingHandler {
  onConnect(session: ClientSession): void;
  onMessage(session: ClientSession, msg: Exclude<ClientMessage, { type: 'ping' }>): void | Promise<void>;
  onDisconnect(session: ClientSession): void;
}

export interface SignalingServerOptions {
  server: HttpWsServer;
  handler: SignalingHandler;
  logger: Logger;
  /** dist/demo/index.html; other files of its folder are served under /demo/. */
  demoPagePath: string;
  /** dist/sdk/rtcgate.js */
  sdkBundlePath: string;
  /** Sent in `hello` (default "rtcgate"). */
  serverName?: string;
  /** Text frames above this get a `too-large` error (default 64 KiB). */
  maxMessageBytes?: number;
  /** Token bucket per connection: sustained frames per second and burst (default 20/s, 50). */
  ratePerSecond?: number;
  rateBurst?: number;
  /** A connection with this many rejected frames is closed with 1008 (default 100). */
  maxRejections?: number;
  /** Clock for the rate limiter (ms); injectable for tests. */
  now?: () => number;
}

export interface SignalingStats {
  connectionsOpen: number;
  connectionsTotal: number;
  messagesAccepted: number;
  rejected: Record<RejectionKind, number>;
}

type RejectionKind = 'malformed' | 'unsupported-version' | 'unknown-type' | 'too-large' | 'rate-limited' | 'binary';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
};

export const WS_CLOSE_POLICY = 1008; // RFC 6455 §7.4.1
export const WS_CLOSE_GOING_AWAY = 1001;

class Session implements ClientSession {
  readonly id = randomUUID();
  tokens: number;
  lastRefill: number;
  rejections = 0;
  open = true;
  constructor(
    readonly conn: WsConnection,
    burst: number,
    now: number,
    private readonly log: Logger,
  ) {
    this.tokens = burst;
    this.lastRefill = now;
  }
  get remoteAddress(): string {
    return this.conn.remoteAddress;
  }
  send(msg: ServerMessage): void {
    if (!this.open) return;
    try {
      this.conn.send(JSON.stringify(msg));
    } catch (err) {
      this.log.warn({ session: this.id, err }, 'send failed');
    }
  }
  close(): void {
    if (!this.open) return;
    this.conn.close(1000, 'bye');
  }
}

export class SignalingServer {
  private readonly server: HttpWsServer;
  private readonly handler: SignalingHandler;
  private readonly log: Logger;
  private readonly maxMessageBytes: number;
  private readonly ratePerSecond: number;
  private readonly rateBurst: number;
  private readonly maxRejections: number;
  private readonly now: () => number;
  private readonly serverName: string;
  private readonly sessions = new Map<WsConnection, Session>();
  private readonly demoDir: string;
  private readonly demoPagePath: string;
  private readonly sdkBundlePath: string;
  private stats_: SignalingStats = {
    connectionsOpen: 0,
    connectionsTotal: 0,
    messagesAccepted: 0,
    rejected: { malformed: 0, 'unsupported-version': 0, 'unknown-type': 0, 'too-large': 0, 'rate-limited': 0, binary: 0 },
  };

  constructor(options: SignalingServerOptions) {
    this.server = options.server;
    this.handler = options.handler;
    this.log = options.logger.child({ mod: 'signaling' });
    this.maxMessageBytes = options.maxMessageBytes ?? 64 * 1024;
    this.ratePerSecond = options.ratePerSecond ?? 20;
    this.rateBurst = options.rateBurst ?? 50;
    this.maxRejections = options.maxRejections ?? 100;
    this.now = options.now ?? Date.now;
    this.serverName = options.serverName ?? 'rtcgate';
    this.demoPagePath = resolve(options.demoPagePath);
    this.demoDir = resolve(this.demoPagePath, '..');
    this.sdkBundlePath = resolve(options.sdkBundlePath);

    this.server.get('/ping', () => textResponse(200, 'up'));
    this.server.get('/', () => this.serveFile(this.demoPagePath));
    this.server.get('/index.html', () => this.serveFile(this.demoPagePath));
    this.server.get('/sdk/rtcgate.js', () => this.serveFile(this.sdkBundlePath));
    // Browsers ask for it on every page load; an empty answer keeps their consoles quiet.
    this.server.get('/favicon.ico', () => ({ status: 204, contentType: 'image/x-icon', body: '' }));
    this.server.get('/demo/*', (req) => this.serveDemoAsset(req));
    this.server.ws(
      '/ws',
      {
        open: (conn) => this.onOpen(conn),
        message: (conn, data, isBinary) => this.onFrame(conn, data, isBinary),
        close: (conn) => this.onClose(conn),
      },
      // The transport's hard limit sits above ours so oversize frames get an error reply first.
      { ...DEFAULT_WS_ROUTE_OPTIONS, maxPayloadBytes: Math.max(DEFAULT_WS_ROUTE_OPTIONS.maxPayloadBytes, this.maxMessageBytes * 4) },
    );
  }

  /** Resolves with the bound port; rejects with PortInUseError / ListenError (event 20011). */
  start(host: string, port: number): Promise<number> {
    return this.server.listen(host, port);
  }

  /** Closes every WebSocket (handler sees onDisconnect) and the listener. */
  async stop(): Promise<void> {
    for (const [conn, session] of [...this.sessions]) {
      this.onClose(conn);
      session.open = false;
      conn.close(WS_CLOSE_GOING_AWAY, 'server stopping');
    }
    await this.server.close();
  }

  stats(): SignalingStats {
    return { ...this.stats_, connectionsOpen: this.sessions.size, rejected: { ...this.stats_.rejected } };
  }

  private onOpen(conn: WsConnection): void {
    const session = new Session(conn, this.rateBurst, this.now(), this.log);
    this.sessions.set(conn, session);
    this.stats_.connectionsTotal++;
    this.log.debug({ session: session.id, remote: conn.remoteAddress }, 'client connected');
    session.send({ v: 1, type: 'hello', protocol: PROTOCOL_VERSION, server: this.serverName });
    try {
      this.handler.onConnect(session);
    } catch (err) {
      this.log.error({ session: session.id, err }, 'onConnect failed');
    }
  }

  private onClose(conn: WsConnection): void {
    const session = this.sessions.get(conn);
    if (!session) return;
    this.sessions.delete(conn);
    session.open = false;
    this.log.debug({ session: session.id }, 'client disconnected');
    try {
      this.handler.onDisconnect(session);
    } catch (err) {
      this.log.error({ session: session.id, err }, 'onDisconnect failed');
    }
  }

  private onFrame(conn: WsConnection, data: string, isBinary: boolean): void {
    const session = this.sessions.get(conn);
    if (!session) return;
    if (!this.takeToken(session)) {
      this.reject(session, 'rate-limited', 'rate-limited', `more than ${this.ratePerSecond} messages per second`);
      return;
    }
    if (isBinary) {
      this.reject(session, 'binary', 'malformed', 'binary frames are not accepted; send JSON text');
      return;
    }
    const bytes = Buffer.byteLength(data, 'utf8');
    if (bytes > this.maxMessageBytes) {
      this.reject(session, 'too-large', 'too-large', `message of ${bytes} bytes exceeds the limit of ${this.maxMessageBytes}`);
      return;
    }
    const result = parseClientMessage(data);
    if (!result.ok) {
      this.reject(session, result.code, result.code, result.message, result.reqId);
      return;
    }
    this.stats_.messagesAccepted++;
    this.dispatch(session, result.msg);
  }

  private dispatch(session: Session, msg: ClientMessage): void {
    switch (msg.type) {
      case 'ping':
        session.send({ v: 1, type: 'pong', ...(msg.reqId === undefined ? {} : { reqId: msg.reqId }) });
        return;
      case 'signIn':
      case 'signOut':
      case 'call':
      case 'hold':
      case 'resume':
      case 'data':
      case 'transfer':
      case 'accept':
      case 'reject':
      case 'hangup':
        this.callHandler(session, msg);
        return;
      default:
        assertNever(msg, 'client message');
    }
  }

  private callHandler(session: Session, msg: Exclude<ClientMessage, { type: 'ping' }>): void {
    const fail = (err: unknown): void => {
      logEvent(this.log, 'error', 'SignalingError', { session: session.id, type: msg.type, err }, 'handler failed');
      session.send({
        v: 1,
        type: 'error',
        ...(msg.reqId === undefined ? {} : { reqId: msg.reqId }),
        ...('callId' in msg ? { callId: msg.callId } : {}),
        code: 'internal',
        message: `${msg.type} failed inside the gateway`,
      });
    };
    try {
      const pending = this.handler.onMessage(session, msg);
      if (pending instanceof Promise) pending.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  private takeToken(session: Session): boolean {
    const now = this.now();
    const elapsed = Math.max(0, now - session.lastRefill) / 1000;
    session.lastRefill = now;
    session.tokens = Math.min(this.rateBurst, session.tokens + elapsed * this.ratePerSecond);
    if (session.tokens < 1) return false;
    session.tokens -= 1;
    return true;
  }

  private reject(session: Session, kind: RejectionKind, code: ErrorCode, message: string, reqId?: string): void {
    this.stats_.rejected[kind]++;
    session.rejections++;
    this.log.debug({ session: session.id, code, reason: message }, 'frame rejected');
    session.send({ v: 1, type: 'error', ...(reqId === undefined ? {} : { reqId }), code, message });
    if (session.rejections >= this.maxRejections) {
      this.log.warn({ session: session.id, rejections: session.rejections }, 'closing connection: too many bad frames');
      session.conn.close(WS_CLOSE_POLICY, 'too many invalid messages');
    }
  }

  private async serveFile(path: string): Promise<HttpResponseSpec> {
    const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
    try {
      return { status: 200, contentType: type, body: await readFile(path), headers: { 'Cache-Control': 'no-cache' } };
    } catch {
      return textResponse(404, 'not found');
    }
  }

  private serveDemoAsset(req: HttpRequestInfo): Promise<HttpResponseSpec> | HttpResponseSpec {
    const rel = req.path.slice('/demo/'.length);
    // Plain names only: no "..", no encoded characters, no hidden files.
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(rel) || rel.includes('..')) {
      return textResponse(404, 'not found');
    }
    const full = resolve(this.demoDir, rel);
    if (!full.startsWith(this.demoDir + sep)) return textResponse(404, 'not found');
    return this.serveFile(full);
  }
}
