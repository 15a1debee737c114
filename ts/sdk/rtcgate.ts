// rtcgate browser SDK, served as /sdk/rtcgate.js. One self-contained ES module: the protocol is
// imported for types only, so the emitted file has no runtime imports.
//
//   const gw = await connect();
//   await gw.signIn('Anon');
//   const call = await gw.call('self', { audio: true, video: false });
//   call.on('state', (s) => console.log(s));
//
// The gateway is ICE-lite (RFC 8445 §2.5): it answers with its host candidates and the browser
// runs the connectivity checks, so descriptions are sent at once, without waiting for gathering.

import type { CallState, ClientMessage, ErrorCode, ServerMessage } from '../signaling/protocol.js';

/** Same value as PROTOCOL_VERSION in ts/signaling/protocol.ts (inlined to keep this file import-free). */
const kProtocolVersion = 1;
/** How long a request waits for its reply before failing with code 'timeout'. */
const kRequestTimeoutMs = 10_000;
/** How long call() waits for an answer, ringing or a failure before it gives up. */
const kCallSetupTimeoutMs = 90_000;

export type { CallState, ErrorCode };

// ---------------------------------------------------------------------------------------------
// A tiny typed event emitter: event name → argument tuple.

type Handler<A extends unknown[]> = (...args: A) => void;

export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  #handlers: { [K in keyof E]?: Set<Handler<E[K]>> } = {};

  /** Adds a handler; returns a function that removes it. */
  on<K extends keyof E>(event: K, handler: Handler<E[K]>): () => void {
    const set = this.#handlers[event] ?? new Set<Handler<E[K]>>();
    this.#handlers[event] = set;
    set.add(handler);
    return () => this.off(event, handler);
  }

  once<K extends keyof E>(event: K, handler: Handler<E[K]>): () => void {
    const off = this.on(event, (...args: E[K]) => {
      off();
      handler(...args);
    });
    return off;
  }

  off<K extends keyof E>(event: K, handler: Handler<E[K]>): void {
    this.#handlers[event]?.delete(handler);
  }

  /** A throwing handler is reported and does not stop the others or corrupt our state. */
  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const handler of [...(this.#handlers[event] ?? [])]) {
      try {
        handler(...args);
      } catch (err) {
        console.error(`rtcgate: '${String(event)}' handler threw`, err);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

export type GatewayErrorCode = ErrorCode | 'closed' | 'timeout' | 'protocol' | 'media' | 'ended';

/** A failed request: `code` is the gateway's ErrorCode, or one of the SDK's own codes. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  constructor(code: GatewayErrorCode, message: string) {
    super(message);
    this.name = 'GatewayError';
    this.code = code;
  }
}

export interface ConnectOptions {
  /** WebSocket URL; default: `/ws` on the page's origin, wss:// on https pages. */
  url?: string;
}

export interface MediaOptions {
  audio?: boolean;
  video?: boolean;
  /** Context data for the far end (sent with the call as SIP headers; outgoing calls only). */
  data?: Record<string, string>;
  /** Use this stream instead of calling getUserMedia (its tracks are not stopped by the SDK). */
  stream?: MediaStream;
}

export interface GatewayEvents {
  incoming: [call: Call];
  close: [code: number, reason: string];
  /** Errors that belong to no request and no call. */
  error: [error: GatewayError];
}

export interface CallEvents {
  state: [state: CallState, reason: string | undefined];
  /** The far end put the call on hold (true) or took it off hold (false). */
  remoteHold: [held: boolean];
  /** Mid-call data from the far end. */
  data: [data: Record<string, string>];
  track: [track: MediaStreamTrack, stream: MediaStream];
  error: [error: GatewayError];
}

type ClientPayload = ClientMessage extends infer M ? (M extends ClientMessage ? Omit<M, 'v' | 'reqId'> : never) : never;
type ServerType = ServerMessage['type'];

interface Pending {
  expect: ServerType[];
  resolve: (msg: ServerMessage) => void;
  reject: (err: GatewayError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Opens the signaling WebSocket and resolves once the gateway said hello. */
export function connect(options: ConnectOptions = {}): Promise<Gateway> {
  const url = options.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  return new Promise<Gateway>((resolve, reject) => {
    const ws = new WebSocket(url);
    const gateway = new Gateway(ws);
    const timer = setTimeout(() => {
      ws.close();
      reject(new GatewayError('timeout', `no hello from ${url}`));
    }, kRequestTimeoutMs);
    gateway.ready.then(
      () => {
        clearTimeout(timer);
        resolve(gateway);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export class Gateway extends Emitter<GatewayEvents> {
  /** Resolves on the gateway's hello; rejects if the socket fails first. */
  readonly ready: Promise<void>;
  /** Server name from the hello. */
  server = '';
  /** Our id once signed in. */
  id: string | undefined;
  readonly #ws: WebSocket;
  readonly #pending = new Map<string, Pending>();
  readonly #calls = new Map<string, Call>();
  #nextReq = 1;
  #closed = false;

  constructor(ws: WebSocket) {
    super();
    this.#ws = ws;
    this.ready = new Promise<void>((resolve, reject) => {
      ws.addEventListener('message', (ev: MessageEvent) => {
        const msg = parseServerMessage(ev.data);
        if (msg === undefined) {
          this.emit('error', new GatewayError('protocol', 'unreadable message from the gateway'));
          return;
        }
        if (msg.type === 'hello') {
          this.server = msg.server;
          if (msg.protocol !== kProtocolVersion) reject(new GatewayError('unsupported-version', `gateway speaks protocol ${msg.protocol}`));
          else resolve();
          return;
        }
        this.#dispatch(msg);
      });
      ws.addEventListener('close', (ev: CloseEvent) => {
        reject(new GatewayError('closed', `WebSocket closed (${ev.code})`));
        this.#onClose(ev.code, ev.reason);
      });
    });
    // Rejections of `ready` are reported through connect(); do not let them surface as unhandled here.
    this.ready.catch(() => undefined);
  }

  get calls(): Call[] {
    return [...this.#calls.values()];
  }

  async signIn(id: string): Promise<{ id: string; anonymous: boolean }> {
    const reply = await this.request({ type: 'signIn', id }, ['signedIn']);
    if (reply.type !== 'signedIn') throw new GatewayError('protocol', `unexpected ${reply.type}`);
    this.id = reply.id;
    return { id: reply.id, anonymous: reply.anonymous };
  }

  async signOut(): Promise<void> {
    await this.request({ type: 'signOut' }, ['signedOut']);
    this.id = undefined;
  }

  /** Round-trip time of a ping, in milliseconds. */
  async ping(): Promise<number> {
    const start = performance.now();
    await this.request({ type: 'ping' }, ['pong']);
    return performance.now() - start;
  }

  /** Calls `target` ("self" for the echo). Resolves once the gateway answered or reported ringing. */
  async call(target: string, options: MediaOptions = {}): Promise<Call> {
    const call = new Call(this, newCallId(), 'outgoing', target, 'connecting');
    this.#calls.set(call.id, call);
    try {
      await call.setUpMedia(options);
      const pc = call.peerConnection;
      await pc.setLocalDescription(await pc.createOffer());
      const sdp = pc.localDescription?.sdp ?? '';
      // The reply is `answer`, possibly after callState 'ringing' when the target is a person.
      const answered = this.request(
        { type: 'call', callId: call.id, target, sdp, ...(options.data === undefined ? {} : { data: options.data }) },
        ['answer'],
        0,
      );
      answered.catch(() => undefined); // handled below or through call.fail(); never unhandled
      // A SIP call may take long before anything comes back (a proxy failing over waits 64×T1):
      // wait for the answer, ringing, or the end of the call, up to a generous limit.
      let offState: (() => void) | undefined;
      const progress = new Promise<void>((resolve, reject) => {
        offState = call.on('state', (s, reason) => {
          if (s === 'ringing') resolve();
          if (s === 'ended') reject(new GatewayError('ended', reason ?? 'the call ended before it was answered'));
        });
      });
      progress.catch(() => undefined);
      const first = await Promise.race([answered, progress, timeout(kCallSetupTimeoutMs)]).finally(() => offState?.());
      if (first === 'timeout') {
        this.send({ type: 'hangup', callId: call.id });
        throw new GatewayError('timeout', `no answer to call ${call.id} within ${kCallSetupTimeoutMs / 1000} s`);
      }
      const applyAnswer = async (msg: ServerMessage): Promise<void> => {
        if (msg.type === 'answer') await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      };
      if (first !== undefined) await applyAnswer(first);
      else answered.then(applyAnswer).catch((err: unknown) => call.fail(toGatewayError(err)));
      return call;
    } catch (err) {
      const error = toGatewayError(err);
      // Tell the gateway, so that it releases the call (and its SIP side) too.
      if (call.state !== 'ended') this.send({ type: 'hangup', callId: call.id });
      call.end(error.message, true);
      throw error;
    }
  }

  /** Closes the signaling socket; every call ends. */
  close(): void {
    this.#ws.close(1000, 'client closed');
  }

  /** Sends a request and waits for one of `expect` (or an error) with the same reqId. timeoutMs 0: no limit. */
  request(payload: ClientPayload, expect: ServerType[], timeoutMs = kRequestTimeoutMs): Promise<ServerMessage> {
    if (this.#closed) return Promise.reject(new GatewayError('closed', 'the gateway connection is closed'));
    const reqId = `r${this.#nextReq++}`;
    return new Promise<ServerMessage>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.#pending.delete(reqId);
              reject(new GatewayError('timeout', `no reply to ${payload.type} within ${timeoutMs} ms`));
            }, timeoutMs)
          : undefined;
      this.#pending.set(reqId, { expect, resolve, reject, timer });
      this.send({ ...payload, reqId });
    });
  }

  /** Sends a message nobody waits a reply for (errors then reach the call or the gateway's 'error'). */
  send(payload: ClientPayload & { reqId?: string }): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(JSON.stringify({ v: kProtocolVersion, ...payload }));
  }

  /** @internal */
  forgetCall(call: Call): void {
    this.#calls.delete(call.id);
  }

  #dispatch(msg: ServerMessage): void {
    const reqId = 'reqId' in msg ? msg.reqId : undefined;
    const pending = reqId !== undefined ? this.#pending.get(reqId) : undefined;
    if (pending !== undefined && reqId !== undefined && (msg.type === 'error' || pending.expect.includes(msg.type))) {
      this.#pending.delete(reqId);
      if (pending.timer !== undefined) clearTimeout(pending.timer);
      if (msg.type === 'error') pending.reject(new GatewayError(msg.code, msg.message));
      else pending.resolve(msg);
      return;
    }
    switch (msg.type) {
      case 'incoming': {
        const call = new Call(this, msg.callId, 'incoming', msg.from, 'ringing', msg.sdp);
        this.#calls.set(call.id, call);
        this.emit('incoming', call);
        return;
      }
      case 'callState':
        this.#calls.get(msg.callId)?.setState(msg.state, msg.reason);
        return;
      case 'remoteHold':
        this.#calls.get(msg.callId)?.notify('remoteHold', msg.held);
        return;
      case 'data':
        this.#calls.get(msg.callId)?.notify('data', msg.data);
        return;
      case 'error': {
        const error = new GatewayError(msg.code, msg.message);
        const call = msg.callId !== undefined ? this.#calls.get(msg.callId) : undefined;
        if (call !== undefined) call.fail(error);
        else this.emit('error', error);
        return;
      }
      case 'hello':
      case 'signedIn':
      case 'signedOut':
      case 'answer':
      case 'pong':
      case 'done':
        return; // a late reply to a request that timed out
      default:
        assertNever(msg);
    }
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [reqId, p] of this.#pending) {
      if (p.timer !== undefined) clearTimeout(p.timer);
      p.reject(new GatewayError('closed', 'the gateway connection closed'));
      this.#pending.delete(reqId);
    }
    for (const call of [...this.#calls.values()]) call.end('signaling closed', false);
    this.emit('close', code, reason);
  }
}

export class Call extends Emitter<CallEvents> {
  readonly id: string;
  readonly direction: 'outgoing' | 'incoming';
  /** The target we called, or who calls us. */
  readonly peer: string;
  state: CallState;
  /** Why the call ended, once it has. */
  endReason: string | undefined;
  localStream: MediaStream | undefined;
  readonly remoteStream: MediaStream = new MediaStream();
  readonly #gateway: Gateway;
  readonly #remoteOffer: string | undefined;
  #pc: RTCPeerConnection | undefined;
  #ownsLocalStream = false;

  /** @internal Calls are made by Gateway.call() and the 'incoming' event. */
  constructor(gateway: Gateway, id: string, direction: 'outgoing' | 'incoming', peer: string, state: CallState, remoteOffer?: string) {
    super();
    this.#gateway = gateway;
    this.id = id;
    this.direction = direction;
    this.peer = peer;
    this.state = state;
    this.#remoteOffer = remoteOffer;
  }

  get peerConnection(): RTCPeerConnection {
    if (this.#pc === undefined) throw new GatewayError('media', 'the call has no peer connection yet');
    return this.#pc;
  }

  /** Accepts an incoming call: media, then our answer to the gateway's offer. */
  async answer(options: MediaOptions = {}): Promise<void> {
    if (this.direction !== 'incoming' || this.#remoteOffer === undefined) throw new GatewayError('protocol', 'only incoming calls are answered');
    if (this.state !== 'ringing') throw new GatewayError('protocol', `cannot answer a call in state ${this.state}`);
    try {
      await this.setUpMedia(options);
      const pc = this.peerConnection;
      await pc.setRemoteDescription({ type: 'offer', sdp: this.#remoteOffer });
      await pc.setLocalDescription(await pc.createAnswer());
      this.setState('connecting', undefined);
      this.#gateway.send({ type: 'accept', callId: this.id, sdp: pc.localDescription?.sdp ?? '' });
    } catch (err) {
      const error = toGatewayError(err);
      this.#gateway.send({ type: 'reject', callId: this.id });
      this.end(error.message, false);
      throw error;
    }
  }

  reject(): void {
    if (this.state === 'ended') return;
    this.#gateway.send({ type: 'reject', callId: this.id });
    this.end('rejected', false);
  }

  hangup(): void {
    if (this.state === 'ended') return;
    this.#gateway.send({ type: 'hangup', callId: this.id });
    this.end('hangup', false);
  }

  /** @internal An event the gateway reported for this call. */
  notify<K extends 'remoteHold' | 'data'>(event: K, ...args: CallEvents[K]): void {
    this.emit(event, ...args);
  }

  /** Puts the far end on hold (SIP re-INVITE sendonly) and mutes what we send. */
  async hold(): Promise<void> {
    await this.#gateway.request({ type: 'hold', callId: this.id }, ['done']);
    for (const t of this.localStream?.getAudioTracks() ?? []) t.enabled = false;
  }

  /** Takes the call off hold. */
  async resume(): Promise<void> {
    await this.#gateway.request({ type: 'resume', callId: this.id }, ['done']);
    for (const t of this.localStream?.getAudioTracks() ?? []) t.enabled = true;
  }

  /** Sends DTMF as RFC 4733 telephone-events (RTCDTMFSender): digits 0-9 * # A-D and ",". */
  sendDtmf(digits: string, durationMs = 100, gapMs = 70): void {
    const sender = this.peerConnection.getSenders().find((s) => s.track?.kind === 'audio');
    if (!sender?.dtmf) throw new GatewayError('media', 'this call has no audio sender to send DTMF with');
    sender.dtmf.insertDTMF(digits, durationMs, gapMs);
  }

  /** Blind transfer: asks the far end to call `target` (SIP REFER); the call ends once it connected. */
  async transfer(target: string): Promise<void> {
    await this.#gateway.request({ type: 'transfer', callId: this.id, target }, ['done']);
  }

  /** Sends key/value data to the far end (SIP INFO). */
  async sendData(data: Record<string, string>): Promise<void> {
    await this.#gateway.request({ type: 'data', callId: this.id, data }, ['done']);
  }

  /** @internal getUserMedia (unless a stream is given) and the peer connection with our tracks. */
  async setUpMedia(options: MediaOptions): Promise<void> {
    const audio = options.audio ?? true;
    const video = options.video ?? false;
    if (options.stream !== undefined) {
      this.localStream = options.stream;
    } else {
      try {
        this.localStream = await navigator.mediaDevices.getUserMedia({ audio, video });
      } catch (err) {
        throw new GatewayError('media', `getUserMedia failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.#ownsLocalStream = true;
    }
    if (this.state === 'ended') {
      this.#stopLocal();
      throw new GatewayError('closed', `call ended: ${this.endReason ?? ''}`);
    }
    // The gateway multiplexes everything on one port (RFC 8843, RFC 5761).
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.#pc = pc;
    for (const track of this.localStream.getTracks()) {
      if ((track.kind === 'audio' && audio) || (track.kind === 'video' && video)) pc.addTrack(track, this.localStream);
    }
    pc.addEventListener('track', (ev: RTCTrackEvent) => {
      this.remoteStream.addTrack(ev.track);
      this.emit('track', ev.track, this.remoteStream);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' && this.state !== 'ended') {
        this.#gateway.send({ type: 'hangup', callId: this.id });
        this.end('media connection failed', false);
      }
    });
  }

  /** @internal Applies a callState from the gateway. */
  setState(state: CallState, reason: string | undefined): void {
    if (this.state === 'ended') return;
    if (state === 'ended') {
      this.end(reason ?? 'ended by the gateway', false);
      return;
    }
    if (state === this.state) return;
    this.state = state;
    this.emit('state', state, reason);
  }

  /** @internal An error the gateway reported for this call ends it. */
  fail(error: GatewayError): void {
    this.emit('error', error);
    this.end(error.message, false);
  }

  /** @internal */
  end(reason: string, quiet: boolean): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endReason = reason;
    this.#pc?.close();
    this.#stopLocal();
    this.#gateway.forgetCall(this);
    if (!quiet) this.emit('state', 'ended', reason);
  }

  #stopLocal(): void {
    if (this.#ownsLocalStream) for (const t of this.localStream?.getTracks() ?? []) t.stop();
  }
}

// ---------------------------------------------------------------------------------------------

function newCallId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `c${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}

function timeout(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms));
}

function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('media', err instanceof Error ? err.message : String(err));
}

function assertNever(value: never): never {
  throw new GatewayError('protocol', `unhandled message ${JSON.stringify(value)}`);
}

const kCallStates: readonly string[] = ['connecting', 'ringing', 'connected', 'ended'];

/** Validates a frame into a ServerMessage; undefined when it is not one. */
function parseServerMessage(data: unknown): ServerMessage | undefined {
  if (typeof data !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m['v'] !== kProtocolVersion || typeof m['type'] !== 'string') return undefined;
  const str = (k: string): boolean => typeof m[k] === 'string';
  const optStr = (k: string): boolean => m[k] === undefined || typeof m[k] === 'string';
  if (!optStr('reqId')) return undefined;
  let ok: boolean;
  switch (m['type']) {
    case 'hello':
      ok = typeof m['protocol'] === 'number' && str('server');
      break;
    case 'signedIn':
      ok = str('id') && typeof m['anonymous'] === 'boolean';
      break;
    case 'signedOut':
    case 'pong':
      ok = true;
      break;
    case 'answer':
      ok = str('callId') && str('sdp');
      break;
    case 'incoming':
      ok = str('callId') && str('from') && str('sdp');
      break;
    case 'callState':
      ok = str('callId') && kCallStates.includes(String(m['state'])) && optStr('reason');
      break;
    case 'error':
      ok = str('code') && str('message') && optStr('callId');
      break;
    case 'remoteHold':
      ok = str('callId') && typeof m['held'] === 'boolean';
      break;
    case 'data':
      ok = str('callId') && typeof m['data'] === 'object' && m['data'] !== null && Object.values(m['data']).every((x) => typeof x === 'string');
      break;
    case 'done':
      ok = str('callId');
      break;
    default:
      ok = false;
  }
  return ok ? (m as unknown as ServerMessage) : undefined;
}
