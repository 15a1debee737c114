// A raw SIP sender/receiver for hostile-input tests: sends whatever bytes it is given over UDP
// (node:dgram) or TCP (node:net) to 127.0.0.1 and collects what comes back, parsed with our own
// ts/sip/message parser (TCP cut by its StreamFramer). No transactions, no retransmissions: the
// tests see exactly what the gateway put on the wire.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';

import { StreamFramer, parseMessage, type SipResponse } from '../../../ts/sip/message/index.js';

/** What arrived: a parsed response, or something our parser refused (kept raw for the message). */
export type Received = { ok: true; response: SipResponse; raw: string } | { ok: false; raw: string };

abstract class Collector {
  readonly inbox: Received[] = [];
  #waiters: Array<() => void> = [];

  protected push(bytes: Buffer, transport: 'datagram' | 'stream'): void {
    const raw = bytes.toString('latin1');
    const parsed = parseMessage(bytes, { transport });
    if (parsed.ok && parsed.message.type === 'response') this.inbox.push({ ok: true, response: parsed.message, raw });
    else this.inbox.push({ ok: false, raw });
    this.wake();
  }

  protected wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Empties the inbox (what came before is not looked at again). */
  clear(): void {
    this.inbox.length = 0;
  }

  /** Resolves when `cond` holds on the inbox, or with false after `ms`. */
  async until(cond: (inbox: readonly Received[]) => boolean, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!cond(this.inbox)) {
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Responses whose Call-ID is `callId`, in arrival order. */
  responsesFor(callId: string): SipResponse[] {
    return this.inbox.flatMap((r) => (r.ok && r.response.callId === callId ? [r.response] : []));
  }

  /** Waits until a final (>= 200) response for `callId` arrived; returns every response for it so far. */
  async finalFor(callId: string, ms: number): Promise<SipResponse[]> {
    await this.until(() => this.responsesFor(callId).some((r) => r.status >= 200), ms);
    return this.responsesFor(callId);
  }
}

export class UdpSipClient extends Collector {
  readonly #socket: dgram.Socket;
  port = 0;

  private constructor(socket: dgram.Socket) {
    super();
    this.#socket = socket;
    socket.on('message', (bytes) => this.push(bytes, 'datagram'));
  }

  static async open(): Promise<UdpSipClient> {
    const socket = dgram.createSocket('udp4');
    const c = new UdpSipClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // A flood may fill our send buffer: report, do not throw from the event.
    socket.on('error', () => undefined);
    c.port = socket.address().port;
    return c;
  }

  send(bytes: string | Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.send(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, port, '127.0.0.1', (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

export class TcpSipClient extends Collector {
  readonly #socket: net.Socket;
  readonly #framer = new StreamFramer({ maxMessageSize: 1024 * 1024 });
  /** The server closed (or reset) the connection. */
  closedByPeer = false;
  #closing = false;
  readonly closed: Promise<void>;
  port = 0;

  private constructor(socket: net.Socket) {
    super();
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const out of this.#framer.push(chunk)) {
        if (out.type === 'message') this.push(out.bytes, 'stream');
        else if (out.type === 'error') this.inbox.push({ ok: false, raw: `framing error: ${out.error.message}` });
      }
      this.wake();
    });
    // ECONNRESET/EPIPE when the gateway drops us mid-write: that is what some tests look for.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        if (!this.#closing) this.closedByPeer = true;
        this.wake();
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<TcpSipClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.setNoDelay(true);
    const c = new TcpSipClient(socket);
    c.port = socket.localPort ?? 0;
    return c;
  }

  /** Writes; a write to a connection the gateway closed resolves false instead of throwing. */
  send(bytes: string | Buffer): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.#socket.destroyed) return resolve(false);
      this.#socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, (err) => resolve(err == null));
    });
  }

  /** Resolves true once the gateway closed the connection, false after `ms`. */
  async waitClosed(ms: number): Promise<boolean> {
    return this.until(() => this.closedByPeer, ms);
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#socket.destroy();
    await this.closed;
  }
}

export interface RequestSpec {
  method: string;
  uri: string;
  transport: 'UDP' | 'TCP';
  /** The client's own port, for the Via sent-by. */
  port: number;
  callId?: string;
  cseq?: number;
  /** CSeq method when it differs from `method`. */
  cseqMethod?: string;
  fromTag?: string;
  toTag?: string;
  branch?: string;
  body?: string;
  /** Header names (case-insensitive) left out, e.g. 'Call-ID'. */
  omit?: string[];
  /** Extra header lines, verbatim ("Name: value"). */
  extra?: string[];
  /** Replaces the Content-Length line's value (e.g. "abc"); null leaves the header out. */
  contentLength?: string | null;
  /** Replaces the whole request line. */
  requestLine?: string;
}

export function token(): string {
  return randomBytes(6).toString('hex');
}

/** A well-formed request built line by line, so tests can break exactly one thing. */
export function request(spec: RequestSpec): { text: string; callId: string; branch: string } {
  const callId = spec.callId ?? `${token()}@hostile.test`;
  const branch = spec.branch ?? `z9hG4bK${token()}`;
  const body = spec.body ?? '';
  const omit = new Set((spec.omit ?? []).map((h) => h.toLowerCase()));
  const lines: Array<[string, string]> = [
    ['Via', `SIP/2.0/${spec.transport} 127.0.0.1:${spec.port};branch=${branch};rport`],
    ['Max-Forwards', '70'],
    ['From', `<sip:hostile@127.0.0.1:${spec.port}>;tag=${spec.fromTag ?? token()}`],
    ['To', `<${spec.uri}>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}`],
    ['Call-ID', callId],
    ['CSeq', `${spec.cseq ?? 1} ${spec.cseqMethod ?? spec.method}`],
    ['Contact', `<sip:hostile@127.0.0.1:${spec.port};transport=${spec.transport.toLowerCase()}>`],
  ];
  let head = `${spec.requestLine ?? `${spec.method} ${spec.uri} SIP/2.0`}\r\n`;
  for (const [name, value] of lines) if (!omit.has(name.toLowerCase())) head += `${name}: ${value}\r\n`;
  for (const line of spec.extra ?? []) head += `${line}\r\n`;
  if (spec.contentLength !== null && !omit.has('content-length')) head += `Content-Length: ${spec.contentLength ?? String(Buffer.byteLength(body, 'latin1'))}\r\n`;
  return { text: `${head}\r\n${body}`, callId, branch };
}

/** Status codes of responses, in arrival order. */
export function statuses(responses: readonly SipResponse[]): number[] {
  return responses.map((r) => r.status);
}
