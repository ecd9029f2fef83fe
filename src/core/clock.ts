/**
 * The one place that reads real time, real timers and `Math.random`. Everything else gets a
 * {@link Clock} so tests can run in virtual time.
 */
import { onAbort } from './abort-hub.js';
import { describeValue } from './options.js';

/** Options for {@link Clock.sleep}. */
export interface SleepOptions {
  /** Don't keep the process alive just for this timer (periodic background work). @default false */
  unref?: boolean | undefined;
}

/**
 * Time and randomness, injected into every component.
 *
 * @example
 * const clock: Clock = { now: () => 0, sleep: async () => {}, random: () => 0.5 };
 */
export interface Clock {
  /**
   * Milliseconds on a monotonic scale, for every duration: never steps when the wall clock does
   * (NTP, a resumed VM). `systemClock` puts it on the epoch scale (`performance.timeOrigin +
   * performance.now()`), so it reads like `Date.now()` but may drift from it.
   */
  now(): number;
  /**
   * Wall time, epoch ms: for events' `time`, HTTP dates and times stored across restarts only.
   * Absent means `now()` is also wall time.
   */
  wallNow?(): number;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts, leaving no listener behind. */
  sleep(ms: number, signal?: AbortSignal, options?: SleepOptions): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

// performance.now() is monotonic; timeOrigin is fixed when the process starts.
const origin = performance.timeOrigin;

/**
 * The real clock: a monotonic `now()` (`performance.timeOrigin + performance.now()`), `Date.now`
 * as `wallNow()`, `setTimeout`, `Math.random`.
 *
 * @example
 * await systemClock.sleep(1_000, AbortSignal.timeout(500)); // rejects with a TimeoutError after 500ms
 */
export const systemClock: Clock & { wallNow(): number } = {
  now: () => Math.floor(origin + performance.now()),
  wallNow: () => Date.now(),
  random: () => Math.random(),
  sleep(ms: number, signal?: AbortSignal, options?: SleepOptions): Promise<void> {
    const unref = options?.unref === true;
    if (signal === undefined && ms <= MAX_TIMER) {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        if (unref) unrefTimer(timer);
      });
    }
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // NaN and negatives mean 0, as for setTimeout.
      let left = ms > 0 ? ms : 0;
      const done = (): void => {
        off?.();
        resolve();
      };
      // setTimeout overflows past 2^31-1 ms and fires after 1ms: wait in chunks. Infinity waits for the signal.
      const arm = (): void => {
        if (left === Infinity) return;
        const chunk = Math.min(left, MAX_TIMER);
        left -= chunk;
        timer = setTimeout(left > 0 ? arm : done, chunk);
        if (unref) unrefTimer(timer);
      };
      const off =
        signal === undefined
          ? undefined
          : onAbort(signal, () => {
              clearTimeout(timer);
              reject(signal.reason);
            });
      arm();
    });
  },
};

/** The longest delay setTimeout accepts (about 24.8 days). */
const MAX_TIMER = 2_147_483_647;

function unrefTimer(timer: unknown): void {
  // Node and Bun return a Timeout object with unref(); browsers return a number.
  if (typeof timer === 'object' && timer !== null && 'unref' in timer && typeof timer.unref === 'function') timer.unref();
}

/**
 * A clock's wall time, epoch ms: `wallNow()` if it has one, else `now()`. For what must mean a
 * calendar time (event times, HTTP dates, times stored across restarts), never for durations.
 *
 * @example
 * const enqueuedAt = wallTime(clock); // stored in the file, read back after a restart
 */
export function wallTime(clock: Pick<Clock, 'now' | 'wallNow'>): number {
  return clock.wallNow === undefined ? clock.now() : clock.wallNow();
}

/**
 * How far a clock's wall time is ahead of its monotonic `now()`, in ms (0 without `wallNow`):
 * converts a monotonic time to an epoch time that can be saved (`t + offset`) and back.
 *
 * @example
 * const savedAt = openedAt + wallOffset(clock); // epoch ms, meaningful after a restart
 */
export function wallOffset(clock: Pick<Clock, 'now' | 'wallNow'>): number {
  return clock.wallNow === undefined ? 0 : clock.wallNow() - clock.now();
}

const ALL_METHODS: readonly (keyof Clock)[] = ['now', 'sleep', 'random'];

/**
 * @internal Validates a `clock` option and applies the default (`systemClock`). `uses` lists the
 * methods the component calls, so a breaker (which never sleeps) accepts a clock without `sleep`.
 *
 * @example
 * const clock = clockOption('poll.clock', o.clock);                        // needs now, sleep, random
 * const clock = clockOption('clock', o.clock, ['now', 'random']);          // a breaker never sleeps
 */
export function clockOption(option: string, clock: Clock | undefined, uses: readonly (keyof Clock)[] = ALL_METHODS): Clock {
  if (clock === undefined) return systemClock;
  const given = clock as Partial<Record<keyof Clock, unknown>> | null;
  let ok = typeof given === 'object' && given !== null;
  for (let i = 0; ok && i < uses.length; i++) ok = typeof given?.[uses[i] as keyof Clock] === 'function';
  if (!ok) {
    const names = uses.map((m) => `${m}()`);
    const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
    throw new TypeError(`steadfast: ${option} must be a Clock with ${list}; got ${describeValue(clock)}`);
  }
  return clock;
}

// Captured when this module loads, before a test framework can replace the globals: FakeClock's
// settle() needs a real event-loop turn (promise callbacks and I/O run), which a frozen
// setTimeout under vi.useFakeTimers() or node:test's mock.timers never gives.
const realSetTimeout: typeof setTimeout = globalThis.setTimeout;

/**
 * @internal Lets pending promise callbacks (and I/O callbacks) run: one real macrotask turn, even
 * while a test framework's fake timers are on.
 *
 * @example
 * await nextMacrotask(); // every .then() queued so far has run
 */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, 0));
}
