// A thin seam between rtcgate's signaling and the HTTP/WebSocket library underneath, so the same
// SignalingServer runs on `ws` (pure JS, default) or uWebSockets.js. Routing is done here in JS
// (Router) rather than by each library, so both behave identically.

export interface HttpRequestInfo {
  method: string;
  /** Path without the query string, e.g. "/sdk/rtcgate.js". */
  path: string;
  query: string;
  remoteAddress: string;
}

export interface HttpResponseSpec {
  status: number;
  contentType: string;
  body: string | Buffer;
  headers?: Readonly<Record<string, string>>;
}

export type HttpHandler = (req: HttpRequestInfo) => HttpResponseSpec | Promise<HttpResponseSpec>;

export interface WsConnection {
  /** Queues a text frame; a no-op once the connection is closed. */
  send(text: string): void;
  close(code: number, reason: string): void;
  readonly remoteAddress: string;
}

export interface WsRouteHandlers {
  open(conn: WsConnection): void;
  /** `data` is the frame decoded as UTF-8; `isBinary` tells the caller to reject it if it wants text. */
  message(conn: WsConnection, data: string, isBinary: boolean): void;
  close(conn: WsConnection, code: number, reason: string): void;
}

export interface WsRouteOptions {
  /** Frames above this are refused by the transport itself (connection closed with 1009). */
  maxPayloadBytes: number;
  /** Seconds of silence before a ping; a peer that does not answer is dropped. 0 disables. */
  idleTimeoutSeconds: number;
}

export interface HttpWsServer {
  readonly kind: 'ws' | 'uws';
  /** Routes must be added before listen(). `path` is exact, or a prefix when it ends in "/*". */
  get(path: string, handler: HttpHandler): void;
  ws(path: string, handlers: WsRouteHandlers, options: WsRouteOptions): void;
  /** Resolves with the bound port (useful with port 0); rejects with PortInUseError or ListenError. */
  listen(host: string, port: number): Promise<number>;
  /** Stops listening and drops every connection, keep-alive HTTP ones included. */
  close(): Promise<void>;
}

export const DEFAULT_WS_ROUTE_OPTIONS: WsRouteOptions = { maxPayloadBytes: 1024 * 1024, idleTimeoutSeconds: 60 };

/** Shared routing so both adapters answer 404/405 the same way. */
export class Router {
  private readonly exact = new Map<string, HttpHandler>();
  private readonly prefixes: Array<{ prefix: string; handler: HttpHandler }> = [];

  add(path: string, handler: HttpHandler): void {
    if (path.endsWith('/*')) {
      this.prefixes.push({ prefix: path.slice(0, -1), handler });
      this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    } else {
      this.exact.set(path, handler);
    }
  }

  async handle(req: HttpRequestInfo): Promise<HttpResponseSpec> {
    const handler = this.exact.get(req.path) ?? this.prefixes.find((p) => req.path.startsWith(p.prefix))?.handler;
    if (!handler) return textResponse(404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return textResponse(405, 'method not allowed', { Allow: 'GET, HEAD' });
    try {
      return await handler(req);
    } catch {
      return textResponse(500, 'internal error');
    }
  }
}

export function textResponse(status: number, body: string, headers?: Record<string, string>): HttpResponseSpec {
  return { status, contentType: 'text/plain; charset=utf-8', body, ...(headers ? { headers } : {}) };
}

/** "::ffff:127.0.0.1" and uWS's long IPv4-mapped form both become "127.0.0.1". */
export function normalizeAddress(addr: string): string {
  const short = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (short?.[1]) return short[1];
  const long = /^(?:0{1,4}:){5}ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(addr);
  if (long?.[1] && long[2]) {
    const hi = parseInt(long[1], 16);
    const lo = parseInt(long[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return addr;
}

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
};
