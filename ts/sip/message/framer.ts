// Message framing on stream transports (TCP, TLS; RFC 3261 §18.3): messages are cut by their
// Content-Length, which is mandatory there. CRLF keep-alives between messages (RFC 5626 §3.5.1)
// are reported: a double CRLF is a ping to answer with a single CRLF, a single CRLF is a pong.
// Sans-IO: push bytes in, get outputs back; the owner of the socket sends and closes.

import { RtcgateError } from '../../errors.js';

export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;

export type FramingErrorReason = 'too-large' | 'missing-content-length' | 'bad-content-length';

/** The stream cannot be framed any more; the connection must be closed. */
export class SipFramingError extends RtcgateError {
  readonly code = 'ERR_SIP_FRAMING';
  constructor(
    readonly reason: FramingErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export type FramerOutput =
  /** One complete message (start line to end of body), ready for parseMessage(bytes, { transport: 'stream' }). */
  | { type: 'message'; bytes: Buffer }
  /** CRLFCRLF received: answer with a single CRLF (RFC 5626 §3.5.1). */
  | { type: 'ping' }
  /** A single CRLF received between messages: the answer to our ping. */
  | { type: 'pong' }
  /** Fatal: nothing more is framed after it. */
  | { type: 'error'; error: SipFramingError };

export interface StreamFramerOptions {
  /** Largest message (headers + body) accepted, in octets. Default 64 KiB. */
  maxMessageSize?: number;
}

const CR = 13;
const LF = 10;
const EMPTY = Buffer.alloc(0);

export class StreamFramer {
  readonly maxMessageSize: number;
  #buf: Buffer = EMPTY;
  #state: 'idle' | 'head' | 'body' | 'failed' = 'idle';
  /** Where the search for the end of the headers resumes. */
  #scanFrom = 0;
  /** Length of the current message once its headers are complete. */
  #need = 0;
  /** The last input ended on a lone CRLF reported as a pong: a CRLF right after completes a ping. */
  #loneCrlf = false;

  constructor(options: StreamFramerOptions = {}) {
    const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    if (!Number.isInteger(max) || max < 64) throw new Error(`maxMessageSize must be an integer >= 64, got ${max}`);
    this.maxMessageSize = max;
  }

  /** Octets held while waiting for the rest of a message. */
  get buffered(): number {
    return this.#buf.length;
  }

  get failed(): boolean {
    return this.#state === 'failed';
  }

  push(chunk: Uint8Array): FramerOutput[] {
    const out: FramerOutput[] = [];
    if (this.#state === 'failed' || chunk.length === 0) return out;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#buf = this.#buf.length === 0 ? bytes : Buffer.concat([this.#buf, bytes]);
    const continuesLoneCrlf = this.#loneCrlf;
    this.#loneCrlf = false;
    let first = true;
    for (;;) {
      const buf = this.#buf;
      if (this.#state === 'idle') {
        if (buf.length === 0) break;
        const c0 = buf[0];
        if (c0 === CR || c0 === LF) {
          if (c0 === CR && buf.length === 1) break; // wait for the LF
          if (c0 === CR && buf[1] === LF) {
            if (buf.length >= 4 && buf[2] === CR && buf[3] === LF) {
              out.push({ type: 'ping' });
              this.#consume(4);
            } else if (buf.length === 3 && buf[2] === CR) {
              break; // maybe a ping: wait for its last octet
            } else if (first && continuesLoneCrlf) {
              // The two halves of a ping split across reads.
              out.push({ type: 'ping' });
              this.#consume(2);
            } else {
              out.push({ type: 'pong' });
              this.#consume(2);
              if (this.#buf.length === 0) this.#loneCrlf = true;
            }
          } else {
            this.#consume(1); // a stray CR or LF: ignored (RFC 3261 §7.5)
          }
          first = false;
          continue;
        }
        this.#state = 'head';
        this.#scanFrom = 0;
      }
      first = false;
      if (this.#state === 'head') {
        const end = buf.indexOf('\r\n\r\n', Math.max(0, this.#scanFrom - 3), 'latin1');
        if (end < 0) {
          if (buf.length > this.maxMessageSize) return this.#fail(out, 'too-large', `headers exceed ${this.maxMessageSize} octets`);
          this.#scanFrom = buf.length;
          break;
        }
        const cl = contentLength(buf.toString('latin1', 0, end));
        if (cl === 'missing') return this.#fail(out, 'missing-content-length', 'Content-Length is mandatory on stream transports');
        if (cl === 'bad') return this.#fail(out, 'bad-content-length', 'malformed or repeated Content-Length');
        const total = end + 4 + cl;
        if (total > this.maxMessageSize) return this.#fail(out, 'too-large', `message of ${total} octets exceeds ${this.maxMessageSize}`);
        this.#need = total;
        this.#state = 'body';
      }
      if (this.#state === 'body') {
        if (buf.length < this.#need) break;
        out.push({ type: 'message', bytes: Buffer.from(buf.subarray(0, this.#need)) });
        this.#consume(this.#need);
        this.#state = 'idle';
      }
    }
    // Do not keep a large backing store alive for a few leftover octets.
    if (this.#buf.length > 0 && this.#buf.buffer.byteLength > 4 * this.#buf.length + 4096) this.#buf = Buffer.from(this.#buf);
    return out;
  }

  #consume(n: number): void {
    this.#buf = n >= this.#buf.length ? EMPTY : this.#buf.subarray(n);
  }

  #fail(out: FramerOutput[], reason: FramingErrorReason, message: string): FramerOutput[] {
    this.#state = 'failed';
    this.#buf = EMPTY;
    out.push({ type: 'error', error: new SipFramingError(reason, message) });
    return out;
  }
}

/** Content-Length (or "l") of a header section, unfolding continuation lines. */
function contentLength(head: string): number | 'missing' | 'bad' {
  const lines = head.split('\r\n');
  let value: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    let line = lines[i] as string;
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1] as string)) line += ' ' + (lines[++i] as string);
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length' && name !== 'l') continue;
    if (value !== undefined) return 'bad';
    value = line.slice(colon + 1).trim();
  }
  if (value === undefined) return 'missing';
  if (!/^[0-9]{1,9}$/.test(value)) return 'bad';
  return Number(value);
}
