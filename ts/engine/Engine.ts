// The typed engine API: an Engine owns the native worker threads and the media port pool;
// each WebRtcEndpoint mirrors one native endpoint (ICE-lite + DTLS-SRTP + RTP on one port).
import { TypedEmitter } from '../common/TypedEmitter.js';
import { loadAddon } from './loadAddon.js';
import type {
  CloseReason,
  ConnectParams,
  DtlsState,
  EndpointStats,
  EngineEvent,
  EngineOptions,
  IceState,
  NativeEngine,
  RemoteFingerprint,
  SrtpProfileName,
} from './types.js';

export type EngineEvents = {
  log: [level: 'debug' | 'info' | 'warn' | 'error', tag: string, message: string, endpointId?: number];
  listenerError: [error: unknown, event: string];
};

export type WebRtcEndpointEvents = {
  'ice-state': [state: IceState, selectedAddress: string | null];
  'dtls-state': [state: DtlsState, srtpProfile: SrtpProfileName | null];
  closed: [reason: CloseReason];
  listenerError: [error: unknown, event: string];
};

export class EngineStoppedError extends Error {
  readonly code = 'engine-stopped';
}

export class WebRtcEndpoint extends TypedEmitter<WebRtcEndpointEvents> {
  iceState: IceState = 'new';
  dtlsState: DtlsState = 'new';
  selectedAddress: string | null = null;
  srtpProfile: SrtpProfileName | null = null;
  closeReason: CloseReason | null = null;
  /** The last statistics the engine reported (updated by getStats() and at close). */
  lastStats: EndpointStats | null = null;
  readonly #statsWaiters: Array<(s: EndpointStats) => void> = [];

  constructor(
    readonly engine: Engine,
    readonly id: number,
    readonly port: number,
    readonly iceUfrag: string,
    readonly icePwd: string,
  ) {
    super();
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  /** Gives the endpoint the browser's ICE credentials, fingerprint and media route. */
  connect(params: ConnectParams): void {
    this.engine.native().connectWebRtcEndpoint(this.id, params);
  }

  /** Asks the worker for fresh statistics; resolves with the last known ones once closed. */
  getStats(timeoutMs = 2000): Promise<EndpointStats> {
    if (this.closed && this.lastStats) return Promise.resolve(this.lastStats);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`endpoint ${this.id}: no stats in ${timeoutMs} ms`)), timeoutMs);
      this.#statsWaiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
      this.engine.native().requestStats(this.id);
    });
  }

  /** Closes the endpoint and resolves when its port is back in the pool. */
  close(): Promise<CloseReason> {
    if (this.closeReason) return Promise.resolve(this.closeReason);
    return new Promise((resolve) => {
      this.once('closed', resolve);
      this.engine.native().closeEndpoint(this.id);
    });
  }

  /** @internal Routes a native event addressed to this endpoint. */
  handle(event: EngineEvent): void {
    switch (event.type) {
      case 'ice-state':
        this.iceState = event.state;
        this.selectedAddress = event.selectedAddress;
        this.emit('ice-state', event.state, event.selectedAddress);
        break;
      case 'dtls-state':
        this.dtlsState = event.state;
        this.srtpProfile = event.srtpProfile;
        this.emit('dtls-state', event.state, event.srtpProfile);
        break;
      case 'stats': {
        this.lastStats = event.stats;
        const waiters = this.#statsWaiters.splice(0);
        for (const w of waiters) w(event.stats);
        break;
      }
      case 'closed':
        this.closeReason = event.reason;
        this.emit('closed', event.reason);
        break;
      case 'log':
        break;
    }
  }
}

export class Engine extends TypedEmitter<EngineEvents> {
  readonly #native: NativeEngine;
  readonly #endpoints = new Map<number, WebRtcEndpoint>();
  #stopped = false;

  constructor(readonly options: EngineOptions) {
    super();
    const addon = loadAddon();
    this.#native = new addon.Engine(options, (event) => this.#onEvent(event));
  }

  /** @internal */
  native(): NativeEngine {
    if (this.#stopped) throw new EngineStoppedError('rtcgate engine is stopped');
    return this.#native;
  }

  get fingerprint(): RemoteFingerprint {
    return this.native().fingerprint();
  }

  /** Takes a media port and starts an endpoint; throws when the port range is exhausted. */
  createWebRtcEndpoint(): WebRtcEndpoint {
    const info = this.native().createWebRtcEndpoint();
    const endpoint = new WebRtcEndpoint(this, info.id, info.port, info.iceUfrag, info.icePwd);
    this.#endpoints.set(info.id, endpoint);
    return endpoint;
  }

  get endpoints(): ReadonlyMap<number, WebRtcEndpoint> {
    return this.#endpoints;
  }

  portsInUse(): number {
    return this.native().portsInUse();
  }

  portsTotal(): number {
    return this.native().portsTotal();
  }

  /** Closes every endpoint (reason 'engine-stopped') and joins the worker threads. */
  stop(): void {
    if (this.#stopped) return;
    this.#native.stop();
    this.#stopped = true;
  }

  #onEvent(event: EngineEvent): void {
    if (event.type === 'log') {
      this.emit('log', event.level, event.tag, event.message, event.endpointId);
      return;
    }
    const endpoint = this.#endpoints.get(event.endpointId);
    if (!endpoint) return;
    endpoint.handle(event);
    if (event.type === 'closed') this.#endpoints.delete(event.endpointId);
  }
}
