// Errors thrown by rtcgate's control plane. Each has a stable `code` callers can switch on, and
// the ones that map to an operator-facing log event carry its id (see ts/log/events.ts).

import type { ErrorCode } from './signaling/protocol.js';

export abstract class RtcgateError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Prefix of every configuration error; operators grep logs for it (event 20006). */
export const INVALID_OPTION_TEXT = 'Invalid or missing value for the option';

/** An option is unknown, missing, or its value does not validate. */
export class ConfigError extends RtcgateError {
  readonly code = 'ERR_CONFIG';
  readonly event = 20006;
  constructor(
    readonly option: string,
    readonly detail: string,
    readonly section: string = 'rsmp',
  ) {
    super(`${INVALID_OPTION_TEXT}: [${section}]:[${option}] — ${detail}`);
  }
}

/** Bad command line usage (not an option value): unknown command, missing argument. */
export class UsageError extends RtcgateError {
  readonly code = 'ERR_USAGE';
}

/** The signaling HTTP/WebSocket server could not bind its port (event 20011). */
export class PortInUseError extends RtcgateError {
  readonly code = 'ERR_PORT_IN_USE';
  readonly event = 20011;
  constructor(
    readonly host: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`signaling server cannot listen on ${host}:${port}: the port is in use (check [rsmp]:[http-port])`, options);
  }
}

/** Listening failed for another reason than EADDRINUSE (bad address, permission). Event 20011 too. */
export class ListenError extends RtcgateError {
  readonly code = 'ERR_LISTEN';
  readonly event = 20011;
  constructor(
    readonly host: string,
    readonly port: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`signaling server cannot listen on ${host}:${port}: ${reason}`, options);
  }
}

/** The selected HTTP/WebSocket implementation cannot be loaded (e.g. signaling=uws without the package). */
export class AdapterUnavailableError extends RtcgateError {
  readonly code = 'ERR_ADAPTER_UNAVAILABLE';
}

/** A client broke the signaling protocol; `protocolCode` is what goes into the `error` reply. */
export class SignalingProtocolError extends RtcgateError {
  readonly code = 'ERR_SIGNALING_PROTOCOL';
  constructor(
    readonly protocolCode: ErrorCode,
    message: string,
    readonly reqId?: string,
  ) {
    super(message);
  }
}

/** Exhaustiveness guard for switches over discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
