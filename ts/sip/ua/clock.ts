// Clocks: the real one (setTimeout, the only place the UA core touches real timers) and a fake
// one for tests that fires timers in deadline order when advanced.

import type { Clock, TimerHandle } from './types.js';

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(delayMs, fire) {
    const t = setTimeout(fire, Math.max(0, delayMs));
    // Sockets keep the process alive, not SIP timers (a registration refresh is 30 min away).
    t.unref();
    return t;
  },
  clearTimer(handle: TimerHandle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

interface FakeTimer {
  readonly id: number;
  readonly deadline: number;
  readonly fire: () => void;
}

/** A manual clock: `advance(ms)` fires due timers in (deadline, arming) order at their deadline. */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, FakeTimer>();

  constructor(start = 1_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fire: () => void): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, deadline: this.#now + Math.max(0, delayMs), fire });
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    if (typeof handle === 'number') this.#timers.delete(handle);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way (including ones armed meanwhile). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.#timers.values()) {
        if (t.deadline <= end && (next === undefined || t.deadline < next.deadline || (t.deadline === next.deadline && t.id < next.id))) next = t;
      }
      if (next === undefined) break;
      this.#timers.delete(next.id);
      this.#now = next.deadline;
      next.fire();
    }
    this.#now = end;
  }
}
