// Rate-limited logging for bad input: a flood of garbage must not become a flood of log lines.
// Per key, at most `burst` lines per `windowMs`; the next line after a quiet spell says how many
// were suppressed.

import type { Logger } from 'pino';

export class RateLimitedLog {
  readonly #logger: Logger;
  readonly #burst: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #keys = new Map<string, { windowStart: number; count: number; suppressed: number }>();

  constructor(logger: Logger, options: { burst?: number; windowMs?: number; now?: () => number } = {}) {
    this.#logger = logger;
    this.#burst = options.burst ?? 10;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  warn(key: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.#now();
    let k = this.#keys.get(key);
    if (k === undefined || now - k.windowStart >= this.#windowMs) {
      const suppressed = k?.suppressed ?? 0;
      k = { windowStart: now, count: 0, suppressed: 0 };
      this.#keys.set(key, k);
      if (this.#keys.size > 1000) this.#keys.clear(); // keys are fixed categories; this is a guard
      if (suppressed > 0) fields = { ...fields, suppressed };
    }
    if (k.count >= this.#burst) {
      k.suppressed++;
      return;
    }
    k.count++;
    this.#logger.warn(fields, msg);
  }
}
