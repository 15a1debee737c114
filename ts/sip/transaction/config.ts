// Timer values of RFC 3261 §17 (Table 4) and RFC 6026, all in milliseconds.

export interface TransactionConfig {
  /** RTT estimate, RFC 3261 §17.1.1.1; default 500 ms. Timers B, F, H, J, L, M are 64*T1. */
  readonly t1: number;
  /** Cap of the non-INVITE request and INVITE response retransmission interval; default 4 s. */
  readonly t2: number;
  /** Longest time a message stays in the network; default 5 s (Timers I and K on unreliable transports). */
  readonly t4: number;
  /** Timer D on unreliable transports: "at least 32 s" (§17.1.1.2); 0 on reliable ones. */
  readonly timerD: number;
  /** Delay before an INVITE server transaction sends 100 itself (§17.2.1: 200 ms); 0 = at once. */
  readonly tryingDelay: number;
  /** RFC 6026 Accepted states (Timers L and M) for 2xx to INVITE; false = plain RFC 3261. */
  readonly rfc6026: boolean;
  /** Server transactions alive at once before new requests are `rejected` with 'overload'. */
  readonly maxServerTransactions: number;
}

export const DEFAULT_TRANSACTION_CONFIG: TransactionConfig = {
  t1: 500,
  t2: 4000,
  t4: 5000,
  timerD: 32_000,
  tryingDelay: 200,
  rfc6026: true,
  maxServerTransactions: 100_000,
};

const MAX_MS = 3_600_000;

function checkMs(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > MAX_MS) {
    throw new Error(`SIP transaction timer ${name} must be an integer number of milliseconds in ${min}..${MAX_MS}, got ${String(value)}`);
  }
}

/** Fills in defaults and validates; throws a plain Error naming the bad field. */
export function resolveTransactionConfig(partial: Partial<TransactionConfig> = {}): TransactionConfig {
  const c: TransactionConfig = { ...DEFAULT_TRANSACTION_CONFIG, ...partial };
  checkMs('t1', c.t1, 1);
  checkMs('t2', c.t2, 1);
  checkMs('t4', c.t4, 0);
  checkMs('timerD', c.timerD, 0);
  checkMs('tryingDelay', c.tryingDelay, 0);
  if (c.t2 < c.t1) throw new Error(`SIP transaction timer t2 (${c.t2} ms) must not be below t1 (${c.t1} ms)`);
  if (!Number.isInteger(c.maxServerTransactions) || c.maxServerTransactions < 1) {
    throw new Error(`maxServerTransactions must be a positive integer, got ${String(c.maxServerTransactions)}`);
  }
  return c;
}

/**
 * Parses a timer option value given in milliseconds ("500", "4000"); for the config table if the
 * lead exposes T1/T2/T4. Throws a plain Error with a clear message.
 */
export function parseTimerMs(text: string): number {
  const t = text.trim();
  if (!/^\d{1,7}$/.test(t)) throw new Error(`expected a whole number of milliseconds, got "${text}"`);
  const v = Number(t);
  if (v < 1 || v > MAX_MS) throw new Error(`expected 1..${MAX_MS} ms, got ${v}`);
  return v;
}
