// pino logger factory. JSON lines on stdout by default; the level comes from [rsmp]:[log-level].

import { pino, type DestinationStream, type Logger } from 'pino';
import { LogEvents, type LogEventName } from './events.js';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level: LogLevel;
  /** Where JSON lines go (default: stdout). Tests pass a memory stream. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  const opts = { level: options.level, name: options.name ?? 'rtcgate', base: { pid: process.pid } };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

type EventLevel = 'info' | 'warn' | 'error' | 'fatal';

/**
 * Logs a catalogued event: `{ event: <id>, ...fields }` with the event text, followed by
 * `detail` when given (e.g. the option name for 20006, the error message for 20013..20015).
 */
export function logEvent(
  logger: Logger,
  level: EventLevel,
  name: LogEventName,
  fields: Record<string, unknown> = {},
  detail?: string,
): void {
  const spec = LogEvents[name];
  const msg = detail === undefined ? spec.text : `${spec.text}: ${detail}`;
  logger[level]({ ...fields, event: spec.id }, msg);
}
