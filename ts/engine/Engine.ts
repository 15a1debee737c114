// The typed engine API: an Engine owns the native worker threads and the media port pools.
// Each endpoint object mirrors one native endpoint: a WebRtcEndpoint (ICE-lite + DTLS-SRTP + RTP
// on one port, the browser side) or an RtpEndpoint (plain RTP/RTCP, the SIP side). A Bridge
// joins two endpoints of the same worker, relaying or transcoding between them.
import { TypedEmitter } from '../common/TypedEmitter.js';
import { loadAddon } from './loadAddon.js';
import type {
  BridgeParams,
  BridgeStats,
  CloseReason,
  ConnectParams,
  DtlsState,
  EndpointStats,
  EngineEvent,
  EngineOptions,
  IceState,
  NativeEngine,
  RemoteFingerprint,
  RtpEndpointOptions,
  RtpEndpointUpdate,
  SrtpProfileName,
} from './types.js';

export type EngineEvents = {
  log: [level: 'debug' | 'info' | 'warn' | 'error', tag: string, message: string, endpointId?: number];
  listenerError: [error: unknown, event: string];
};

export type EndpointEvents = {
  closed: [reason: CloseReason];
  /** RTP legs: symmetric RTP moved the destination of a flow to where the peer's packets come from. */
  latched: [flow: 'rtp' | 'rtcp', address: string];
  listenerError: [error: unknown, event: string];
};

export type WebRtcEndpointEvents = EndpointEvents & {
  'ice-state': [state: IceState, selectedAddress: string | null];
  'dtls-state': [state: DtlsState, srtpProfile: SrtpProfileName | null];
};

export type BridgeEvents = {
  closed: [reason: string];
  listenerError: [error: unknown, event: string];
};

export class EngineStoppedError extends Error {
  readonly code = 'engine-stopped';
}

type EndpointEvent = Extract<EngineEvent, { endpointId: number }>;

/** What both kinds of endpoint share: statistics, closing, the port(s) they hold. */
export abstract class Endpoint<E extends EndpointEvents = EndpointEvents> extends TypedEmitter<E> {
  closeReason: CloseReason | null = null;
  /** The last statistics the engine reported (updated by getStats() and at close). */
  lastStats: EndpointStats | null = null;
  readonly #statsWaiters: Array<(s: EndpointStats) => void> = [];

  constructor(
    readonly engine: Engine,
    readonly id: number,
    readonly port: number,
  ) {
    super();
  }

  get closed(): boolean {
    return this.closeReason !== null;
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

  /** Closes the endpoint (and any bridge it is in) and resolves when its ports are free again. */
  close(): Promise<CloseReason> {
    if (this.closeReason) return Promise.resolve(this.closeReason);
    return new Promise((resolve) => {
      (this as Endpoint).once('closed', resolve);
      this.engine.native().closeEndpoint(this.id);
    });
  }

  /** @internal Routes a native event addressed to this endpoint. */
  handle(event: EndpointEvent): void {
    switch (event.type) {
      case 'stats': {
        this.lastStats = event.stats;
        for (const w of this.#statsWaiters.splice(0)) w(event.stats);
        break;
      }
      case 'closed':
        this.closeReason = event.reason;
        (this as Endpoint).emit('closed', event.reason);
        break;
      case 'latched':
        (this as Endpoint).emit('latched', event.flow, event.address);
        break;
      default:
        this.handleOwn(event);
    }
  }

  protected handleOwn(event: EndpointEvent): void {
    void event;
  }
}

export class WebRtcEndpoint extends Endpoint<WebRtcEndpointEvents> {
  iceState: IceState = 'new';
  dtlsState: DtlsState = 'new';
  selectedAddress: string | null = null;
  srtpProfile: SrtpProfileName | null = null;

  constructor(
    engine: Engine,
    id: number,
    port: number,
    readonly iceUfrag: string,
    readonly icePwd: string,
  ) {
    super(engine, id, port);
  }

  /** Gives the endpoint the browser's ICE credentials, fingerprint and media route. */
  connect(params: ConnectParams): void {
    this.engine.native().connectWebRtcEndpoint(this.id, params);
  }

  protected override handleOwn(event: EndpointEvent): void {
    if (event.type === 'ice-state') {
      this.iceState = event.state;
      this.selectedAddress = event.selectedAddress;
      this.emit('ice-state', event.state, event.selectedAddress);
    } else if (event.type === 'dtls-state') {
      this.dtlsState = event.state;
      this.srtpProfile = event.srtpProfile;
      this.emit('dtls-state', event.state, event.srtpProfile);
    }
  }
}

export class RtpEndpoint extends Endpoint {
  constructor(
    engine: Engine,
    id: number,
    port: number,
    /** Equal to port with rtcp-mux. */
    readonly rtcpPort: number,
    /** The SSRC the gateway sends with on this leg. */
    readonly ssrc: number,
  ) {
    super(engine, id, port);
  }

  /** The peer's media address from its SDP (c= and m=, a=rtcp); again on every re-INVITE. */
  setRemote(ip: string, port: number, rtcpPort?: number): void {
    this.engine.native().setRtpRemote(this.id, rtcpPort === undefined ? { ip, port } : { ip, port, rtcpPort });
  }

  /** Applies what a re-INVITE changed (codec clock rate, SDES keys, media timeout). */
  update(update: RtpEndpointUpdate): void {
    this.engine.native().updateRtpEndpoint(this.id, update);
  }
}

export class Bridge extends TypedEmitter<BridgeEvents> {
  closeReason: string | null = null;
  lastStats: BridgeStats | null = null;
  readonly #statsWaiters: Array<(s: BridgeStats) => void> = [];

  constructor(
    readonly engine: Engine,
    readonly id: number,
    readonly params: BridgeParams,
  ) {
    super();
  }

  getStats(timeoutMs = 2000): Promise<BridgeStats> {
    if (this.closeReason !== null && this.lastStats) return Promise.resolve(this.lastStats);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bridge ${this.id}: no stats in ${timeoutMs} ms`)), timeoutMs);
      this.#statsWaiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
      this.engine.native().requestBridgeStats(this.id);
    });
  }

  /**
   * Renegotiation (a codec change on either leg): replaces this bridge by one with the new
   * formats on the same legs. The worker runs both commands in order, so no packet reaches a
   * leg between the two bridges without a sink for longer than that.
   */
  replace(params: Omit<BridgeParams, 'legA' | 'legB'>): Bridge {
    const next = { ...params, legA: this.params.legA, legB: this.params.legB };
    void this.destroy();
    return this.engine.createBridge(next);
  }

  /** Unjoins the legs (they stay open); resolves with the reason once done. */
  destroy(): Promise<string> {
    if (this.closeReason !== null) return Promise.resolve(this.closeReason);
    return new Promise((resolve) => {
      this.once('closed', resolve);
      this.engine.native().destroyBridge(this.id);
    });
  }

  /** @internal */
  handle(event: Extract<EngineEvent, { bridgeId: number }>): void {
    if (event.type === 'bridge-stats') {
      this.lastStats = event.stats;
      for (const w of this.#statsWaiters.splice(0)) w(event.stats);
    } else {
      this.closeReason = event.reason;
      this.emit('closed', event.reason);
    }
  }
}

export class Engine extends TypedEmitter<EngineEvents> {
  readonly #native: NativeEngine;
  readonly #endpoints = new Map<number, Endpoint<EndpointEvents> | WebRtcEndpoint>();
  readonly #bridges = new Map<number, Bridge>();
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

  /**
   * Takes a browser-side media port and starts an endpoint; throws when the range is
   * exhausted. `affinity`: put it on the worker of that endpoint (to bridge the two).
   */
  createWebRtcEndpoint(affinity?: Endpoint<EndpointEvents> | WebRtcEndpoint): WebRtcEndpoint {
    const info = this.native().createWebRtcEndpoint(affinity?.id ?? 0);
    const endpoint = new WebRtcEndpoint(this, info.id, info.port, info.iceUfrag, info.icePwd);
    this.#endpoints.set(info.id, endpoint);
    return endpoint;
  }

  /** Takes a SIP-side port (pair) and starts a plain RTP endpoint; throws when the range is full. */
  createRtpEndpoint(options: RtpEndpointOptions): RtpEndpoint {
    const info = this.native().createRtpEndpoint(options);
    const endpoint = new RtpEndpoint(this, info.id, info.port, info.rtcpPort, options.ssrc);
    this.#endpoints.set(info.id, endpoint);
    return endpoint;
  }

  /**
   * Joins two endpoints created on the same worker (see `affinity`). A failure on the worker
   * (a leg gone, a codec refused) arrives as the bridge's 'closed' event with the reason.
   */
  createBridge(params: BridgeParams): Bridge {
    const id = this.native().createBridge(params);
    const bridge = new Bridge(this, id, params);
    this.#bridges.set(id, bridge);
    return bridge;
  }

  get endpoints(): ReadonlyMap<number, Endpoint<EndpointEvents> | WebRtcEndpoint> {
    return this.#endpoints;
  }

  get bridges(): ReadonlyMap<number, Bridge> {
    return this.#bridges;
  }

  portsInUse(): number {
    return this.native().portsInUse();
  }

  portsTotal(): number {
    return this.native().portsTotal();
  }

  sipPortsInUse(): number {
    return this.native().sipPortsInUse();
  }

  sipPortsTotal(): number {
    return this.native().sipPortsTotal();
  }

  /** Closes every endpoint (reason 'engine-stopped') and joins the worker threads. */
  stop(): void {
    if (this.#stopped) return;
    this.#native.stop();
    this.#stopped = true;
  }

  #onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'log':
        this.emit('log', event.level, event.tag, event.message, event.endpointId);
        return;
      case 'bridge-stats':
      case 'bridge-closed': {
        const bridge = this.#bridges.get(event.bridgeId);
        if (!bridge) return;
        bridge.handle(event);
        if (event.type === 'bridge-closed') this.#bridges.delete(event.bridgeId);
        return;
      }
      default: {
        const endpoint = this.#endpoints.get(event.endpointId);
        if (!endpoint) return;
        endpoint.handle(event);
        if (event.type === 'closed') this.#endpoints.delete(event.endpointId);
      }
    }
  }
}
