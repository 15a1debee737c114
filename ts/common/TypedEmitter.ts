// A typed event emitter: event name → listener argument tuple, checked at compile time.
// A listener that throws is reported on 'listenerError' instead of unwinding into the emitter,
// so one bad subscriber cannot corrupt the state of the object that emits.
import { EventEmitter } from 'node:events';

export type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }

  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): void {
    for (const listener of this.#emitter.listeners(event)) {
      try {
        (listener as (...a: E[K]) => void)(...args);
      } catch (error) {
        if (event !== 'listenerError') this.#emitter.emit('listenerError', error, event);
      }
    }
  }
}
