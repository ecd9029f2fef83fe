/**
 * A "fast-forward" clock for tests against real servers: `sleep(ms)` records `ms`, moves `now()`
 * forward by `ms` and resolves on the next macrotask, so a 4s..64s retry schedule plays against
 * a real socket in milliseconds. Use it with `timeout: Infinity` (a per-attempt timeout would
 * fast-forward too).
 */
import type { Clock } from '../../../src/core/clock.js';

export interface FastForwardClock extends Clock {
  /** Every sleep requested, in ms, in order. */
  readonly sleeps: number[];
}

export function fastForwardClock(): FastForwardClock {
  let offset = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now() + offset,
    random: () => 0.5,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted === true) return Promise.reject(signal.reason);
      sleeps.push(ms);
      offset += ms;
      return new Promise((resolve, reject) => {
        const onAbort = (): void => {
          clearImmediate(timer);
          reject(signal?.reason);
        };
        const timer = setImmediate(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
