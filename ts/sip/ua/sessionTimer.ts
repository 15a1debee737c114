// RFC 4028 session timers: negotiation on both sides, and the timer that refreshes (refresher) or
// ends (the other side) the session.

import type { SipHeader, SipRequest, SipResponse } from '../message/index.js';
import { tokens, tokenValues } from './headers.js';
import type { Clock, TimerHandle } from './types.js';

export interface SessionTimerConfig {
  /** Session-Expires we ask for, seconds (RFC 4028 §4 recommends 1800). */
  readonly expires: number;
  /** Smallest interval we accept, seconds (§4: at least 90). */
  readonly minSe: number;
}

export const DEFAULT_SESSION_TIMER: SessionTimerConfig = { expires: 1800, minSe: 90 };

/** RFC 4028 §4: Min-SE never below 90 s. */
export const MIN_SE_FLOOR = 90;

export type Refresher = 'uac' | 'uas';

/** The outcome of a negotiation: interval (s) and who refreshes, relative to the transaction. */
export interface SessionTimerResult {
  readonly interval: number;
  readonly refresher: Refresher;
}

function sessionExpiresOf(msg: SipRequest | SipResponse): { delta: number; refresher: Refresher | undefined } | undefined {
  for (const h of msg.headers) if (h.kind === 'session-expires') return { delta: h.value.delta, refresher: h.value.refresher };
  return undefined;
}

function minSeOf(msg: SipRequest | SipResponse): number | undefined {
  for (const h of msg.headers) if (h.kind === 'min-se') return h.value.delta;
  return undefined;
}

export function sessionExpiresHeader(delta: number, refresher?: Refresher): SipHeader {
  return { kind: 'session-expires', name: 'Session-Expires', value: { delta, refresher, params: new Map() } };
}

export function minSeHeader(delta: number): SipHeader {
  return { kind: 'min-se', name: 'Min-SE', value: { delta, params: new Map() } };
}

/** Headers of an INVITE (or refresh) we send as UAC (§7.1). */
export function uacRequestHeaders(interval: number, minSe: number, refresher?: Refresher): SipHeader[] {
  return [sessionExpiresHeader(interval, refresher), minSeHeader(minSe)];
}

/** The UAC reads the 2xx (§7.2): no Session-Expires means no session timer. */
export function uacResult(res: SipResponse): SessionTimerResult | undefined {
  const se = sessionExpiresOf(res);
  if (se === undefined) return undefined;
  return { interval: se.delta, refresher: se.refresher ?? 'uac' };
}

/** The interval a 422 asks for (§7.4): its Min-SE, never below our own floor. */
export function retryIntervalAfter422(res: SipResponse, cfg: SessionTimerConfig): number | undefined {
  const m = minSeOf(res);
  return m === undefined ? undefined : Math.max(m, cfg.minSe);
}

export type UasNegotiation =
  | { readonly kind: 'too-small'; readonly minSe: number }
  | { readonly kind: 'ok'; readonly timer: SessionTimerResult | undefined; readonly headers: SipHeader[] };

/** The UAS side (§9): reject a too small interval with 422, else pick interval and refresher. */
export function uasNegotiate(req: SipRequest, cfg: SessionTimerConfig | undefined): UasNegotiation {
  if (cfg === undefined) return { kind: 'ok', timer: undefined, headers: [] };
  const uacSupports = tokenValues(req, 'Supported').includes('timer');
  const se = sessionExpiresOf(req);
  if (se !== undefined && se.delta < cfg.minSe) return { kind: 'too-small', minSe: cfg.minSe };
  let timer: SessionTimerResult;
  if (se !== undefined) {
    const floor = Math.max(minSeOf(req) ?? MIN_SE_FLOOR, MIN_SE_FLOOR);
    timer = { interval: Math.max(Math.min(se.delta, cfg.expires), floor), refresher: se.refresher ?? (uacSupports ? 'uac' : 'uas') };
  } else {
    // The UAC asked for nothing: we run the timer ourselves (§9, refresher=uas).
    timer = { interval: cfg.expires, refresher: 'uas' };
  }
  const headers = [sessionExpiresHeader(timer.interval, timer.refresher)];
  if (uacSupports) headers.push(tokens('Require', ['timer']));
  return { kind: 'ok', timer, headers };
}

/**
 * The armed half: the refresher refreshes at interval/2 (§7.2, §9); the other side sends BYE when
 * no refresh came by interval − min(32, interval/3) (§10).
 */
export class SessionTimer {
  #handle: TimerHandle | undefined;
  interval = 0;
  weRefresh = false;

  constructor(
    private readonly clock: Clock,
    private readonly onRefresh: () => void,
    private readonly onExpired: () => void,
  ) {}

  get active(): boolean {
    return this.#handle !== undefined;
  }

  start(interval: number, weRefresh: boolean): void {
    this.stop();
    this.interval = interval;
    this.weRefresh = weRefresh;
    const seconds = weRefresh ? interval / 2 : interval - Math.min(32, interval / 3);
    this.#handle = this.clock.setTimer(seconds * 1000, () => {
      this.#handle = undefined;
      if (weRefresh) this.onRefresh();
      else this.onExpired();
    });
  }

  stop(): void {
    if (this.#handle !== undefined) this.clock.clearTimer(this.#handle);
    this.#handle = undefined;
  }
}
