/**
 * The one place that reads real time, real timers and `Math.random`. Everything else gets a
 * {@link Clock} so tests can run in virtual time.
 */

/** Options for {@link Clock.sleep}. */
export interface SleepOptions {
  /** Don't keep the process alive just for this timer (periodic background work). @default false */
  unref?: boolean;
}

/**
 * Time and randomness, injected into every component.
 *
 * @example
 * const clock: Clock = { now: () => 0, sleep: async () => {}, random: () => 0.5 };
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts, leaving no listener behind. */
  sleep(ms: number, signal?: AbortSignal, options?: SleepOptions): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

/**
 * The real clock: `Date.now`, `setTimeout`, `Math.random`.
 *
 * @example
 * await systemClock.sleep(1_000, AbortSignal.timeout(500)); // rejects with a TimeoutError after 500ms
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep(ms: number, signal?: AbortSignal, options?: SleepOptions): Promise<void> {
    if (signal === undefined) {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        if (options?.unref === true) unrefTimer(timer);
      });
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      if (options?.unref === true) unrefTimer(timer);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  },
};

function unrefTimer(timer: unknown): void {
  // Node and Bun return a Timeout object with unref(); browsers return a number.
  if (typeof timer === 'object' && timer !== null && 'unref' in timer && typeof timer.unref === 'function') timer.unref();
}

/** @internal Lets pending promise callbacks (and I/O callbacks) run: one real macrotask turn. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
