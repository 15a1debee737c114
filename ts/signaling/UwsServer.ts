// HttpWsServer on uWebSockets.js. The module is handed in by createServer(), which loads it with
// a dynamic import only when selected, so nothing here requires the package at compile time.

import { createServer as createNetServer } from 'node:net';
import { ListenError, PortInUseError } from '../errors.js';
import {
  Router,
  STATUS_TEXT,
  normalizeAddress,
  type HttpHandler,
  type HttpWsServer,
  type WsConnection,
  type WsRouteHandlers,
  type WsRouteOptions,
} from './HttpWsServer.js';
import type { UwsApp, UwsHttpRequest, UwsHttpResponse, UwsListenSocket, UwsModule, UwsWebSocket } from './uwsTypes.js';

interface ConnData {
  conn: UwsConnection | null;
  remoteAddress: string;
}

class UwsConnection implements WsConnection {
  closed = false;
  constructor(
    private readonly socket: UwsWebSocket<ConnData>,
    readonly remoteAddress: string,
  ) {}
  send(text: string): void {
    // uWS throws on any use of a closed socket.
    if (!this.closed) this.socket.send(text, false);
  }
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(code, reason);
  }
}

const decoder = new TextDecoder('utf-8');
const textOf = (buf: ArrayBuffer): string => decoder.decode(new Uint8Array(buf));

export class UwsServer implements HttpWsServer {
  readonly kind = 'uws' as const;
  private readonly app: UwsApp;
  private readonly router = new Router();
  private listenSocket: UwsListenSocket | null = null;
  private readonly connections = new Set<UwsConnection>();
  private closed = false;

  constructor(private readonly uws: UwsModule) {
    this.app = uws.App();
  }

  get(path: string, handler: HttpHandler): void {
    this.router.add(path, handler);
  }

  ws(path: string, handlers: WsRouteHandlers, options: WsRouteOptions): void {
    this.app.ws<ConnData>(path, {
      maxPayloadLength: options.maxPayloadBytes,
      idleTimeout: options.idleTimeoutSeconds,
      sendPingsAutomatically: options.idleTimeoutSeconds > 0,
      compression: 0, // uWS.DISABLED
      upgrade: (res, req, context) => {
        // Headers must be read before returning from this callback (uWS request is stack-bound).
        const data: ConnData = { conn: null, remoteAddress: normalizeAddress(textOf(res.getRemoteAddressAsText())) };
        res.upgrade(
          data,
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => {
        const data = ws.getUserData();
        const conn = new UwsConnection(ws, data.remoteAddress);
        data.conn = conn;
        this.connections.add(conn);
        handlers.open(conn);
      },
      message: (ws, message, isBinary) => {
        const conn = ws.getUserData().conn;
        if (conn) handlers.message(conn, textOf(message), isBinary);
      },
      close: (ws, code, message) => {
        const conn = ws.getUserData().conn;
        if (!conn) return;
        conn.closed = true;
        this.connections.delete(conn);
        handlers.close(conn, code, textOf(message));
      },
    });
  }

  listen(host: string, port: number): Promise<number> {
    this.app.any('/*', (res, req) => this.onRequest(res, req));
    return new Promise((resolve, reject) => {
      this.app.listen(host, port, (socket) => {
        if (socket) {
          this.listenSocket = socket;
          resolve(this.uws.us_socket_local_port(socket));
          return;
        }
        // uWS reports failure without errno; ask the kernel the same question to name the cause.
        probeListen(host, port).then(
          (code) => {
            if (code === 'EADDRINUSE') reject(new PortInUseError(host, port));
            else reject(new ListenError(host, port, code ?? 'uWebSockets.js could not listen'));
          },
          () => reject(new ListenError(host, port, 'uWebSockets.js could not listen')),
        );
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.listenSocket) this.uws.us_listen_socket_close(this.listenSocket);
    this.listenSocket = null;
    for (const conn of this.connections) conn.closed = true;
    this.connections.clear();
    // Force-closes every socket, HTTP keep-alive ones included.
    this.app.close();
  }

  private onRequest(res: UwsHttpResponse, req: UwsHttpRequest): void {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const method = req.getMethod().toUpperCase();
    const info = {
      method,
      path: req.getUrl(),
      query: req.getQuery() ?? '',
      remoteAddress: normalizeAddress(textOf(res.getRemoteAddressAsText())),
    };
    void this.router.handle(info).then((spec) => {
      if (aborted) return;
      res.cork(() => {
        res.writeStatus(`${spec.status} ${STATUS_TEXT[spec.status] ?? ''}`.trimEnd());
        for (const [k, v] of Object.entries(spec.headers ?? {})) res.writeHeader(k, v);
        res.writeHeader('Content-Type', spec.contentType);
        res.writeHeader('X-Content-Type-Options', 'nosniff');
        const body = typeof spec.body === 'string' ? spec.body : new Uint8Array(spec.body);
        res.end(method === 'HEAD' ? '' : body);
      });
    });
  }
}

/** Returns the errno code a plain bind of host:port gets now, or null if it would succeed. */
function probeListen(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'unknown error'));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
