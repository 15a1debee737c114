// HttpWsServer on node:http + the `ws` package (the default implementation).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ListenError, PortInUseError } from '../errors.js';
import {
  Router,
  normalizeAddress,
  type HttpHandler,
  type HttpWsServer,
  type WsConnection,
  type WsRouteHandlers,
  type WsRouteOptions,
} from './HttpWsServer.js';

interface WsRoute {
  handlers: WsRouteHandlers;
  options: WsRouteOptions;
  wss: WebSocketServer;
}

class WsLibConnection implements WsConnection {
  alive = true;
  constructor(
    readonly socket: WebSocket,
    readonly remoteAddress: string,
  ) {}
  send(text: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(text);
  }
  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

export class WsServer implements HttpWsServer {
  readonly kind = 'ws' as const;
  private readonly router = new Router();
  private readonly wsRoutes = new Map<string, WsRoute>();
  private readonly http: Server;
  private readonly connections = new Set<WsLibConnection>();
  private pingTimer: NodeJS.Timeout | null = null;

  constructor() {
    this.http = createServer((req, res) => void this.onRequest(req, res));
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  get(path: string, handler: HttpHandler): void {
    this.router.add(path, handler);
  }

  ws(path: string, handlers: WsRouteHandlers, options: WsRouteOptions): void {
    // noServer: the upgrade is routed by us; perMessageDeflate off (zip bombs, CPU).
    const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false });
    this.wsRoutes.set(path, { handlers, options, wss });
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        if (err.code === 'EADDRINUSE') reject(new PortInUseError(host, port, { cause: err }));
        else reject(new ListenError(host, port, err.code ?? err.message, { cause: err }));
      };
      this.http.once('error', onError);
      this.http.listen(port, host, () => {
        this.http.off('error', onError);
        const addr = this.http.address();
        this.startPings();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
      });
    });
  }

  async close(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    for (const conn of this.connections) conn.socket.terminate();
    for (const route of this.wsRoutes.values()) route.wss.close();
    await new Promise<void>((resolve) => {
      if (!this.http.listening) {
        resolve();
        return;
      }
      this.http.close(() => resolve());
      // Keep-alive sockets would otherwise hold close() open for the keep-alive timeout.
      this.http.closeAllConnections();
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const spec = await this.router.handle({
      method: req.method ?? 'GET',
      path: q >= 0 ? url.slice(0, q) : url,
      query: q >= 0 ? url.slice(q + 1) : '',
      remoteAddress: normalizeAddress(req.socket.remoteAddress ?? ''),
    });
    const body = typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : spec.body;
    res.writeHead(spec.status, {
      ...spec.headers,
      'Content-Type': spec.contentType,
      'Content-Length': String(body.length),
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const route = this.wsRoutes.get(q >= 0 ? url.slice(0, q) : url);
    if (!route) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    route.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new WsLibConnection(ws, normalizeAddress(req.socket.remoteAddress ?? ''));
      this.connections.add(conn);
      ws.on('pong', () => {
        conn.alive = true;
      });
      ws.on('message', (data, isBinary) => route.handlers.message(conn, rawToString(data), isBinary));
      ws.on('close', (code, reason) => {
        this.connections.delete(conn);
        route.handlers.close(conn, code, reason.toString('utf8'));
      });
      ws.on('error', () => {
        // 'close' follows; ws reports protocol violations (bad UTF-8, oversize) here first.
      });
      route.handlers.open(conn);
    });
  }

  /** Drops peers that stopped answering pings (a browser tab that vanished without a FIN). */
  private startPings(): void {
    const idle = Math.min(...[...this.wsRoutes.values()].map((r) => r.options.idleTimeoutSeconds).filter((s) => s > 0));
    if (!Number.isFinite(idle)) return;
    this.pingTimer = setInterval(() => {
      for (const conn of this.connections) {
        if (!conn.alive) {
          conn.socket.terminate();
          continue;
        }
        conn.alive = false;
        conn.socket.ping();
      }
    }, idle * 1000);
    this.pingTimer.unref();
  }
}
