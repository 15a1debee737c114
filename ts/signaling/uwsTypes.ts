// The slice of the uWebSockets.js API that UwsServer uses, declared here so rtcgate compiles and
// runs without the package (it is an optional peer dependency). Names follow the package's d.ts.

export interface UwsHttpResponse {
  writeStatus(status: string): UwsHttpResponse;
  writeHeader(key: string, value: string): UwsHttpResponse;
  end(body?: string | ArrayBuffer | Uint8Array, closeConnection?: boolean): UwsHttpResponse;
  onAborted(handler: () => void): UwsHttpResponse;
  cork(cb: () => void): UwsHttpResponse;
  getRemoteAddressAsText(): ArrayBuffer;
  upgrade<T>(userData: T, key: string, protocol: string, extensions: string, context: unknown): void;
}

export interface UwsHttpRequest {
  getUrl(): string;
  getQuery(): string | undefined;
  getMethod(): string;
  getHeader(lowerCaseKey: string): string;
}

export interface UwsWebSocket<T> {
  send(message: string | ArrayBuffer | Uint8Array, isBinary?: boolean): number;
  end(code?: number, shortMessage?: string): void;
  close(): void;
  getUserData(): T;
}

export interface UwsWebSocketBehavior<T> {
  maxPayloadLength?: number;
  idleTimeout?: number;
  sendPingsAutomatically?: boolean;
  compression?: number;
  upgrade?: (res: UwsHttpResponse, req: UwsHttpRequest, context: unknown) => void;
  open?: (ws: UwsWebSocket<T>) => void;
  message?: (ws: UwsWebSocket<T>, message: ArrayBuffer, isBinary: boolean) => void;
  close?: (ws: UwsWebSocket<T>, code: number, message: ArrayBuffer) => void;
}

export type UwsListenSocket = object;

export interface UwsApp {
  get(pattern: string, handler: (res: UwsHttpResponse, req: UwsHttpRequest) => void): UwsApp;
  any(pattern: string, handler: (res: UwsHttpResponse, req: UwsHttpRequest) => void): UwsApp;
  ws<T>(pattern: string, behavior: UwsWebSocketBehavior<T>): UwsApp;
  listen(host: string, port: number, cb: (listenSocket: UwsListenSocket | false) => void): UwsApp;
  close(): UwsApp;
}

export interface UwsModule {
  App(): UwsApp;
  us_listen_socket_close(listenSocket: UwsListenSocket): void;
  us_socket_local_port(socket: UwsListenSocket): number;
}

export function isUwsModule(m: unknown): m is UwsModule {
  if (typeof m !== 'object' || m === null) return false;
  return (
    typeof Reflect.get(m, 'App') === 'function' &&
    typeof Reflect.get(m, 'us_listen_socket_close') === 'function' &&
    typeof Reflect.get(m, 'us_socket_local_port') === 'function'
  );
}
