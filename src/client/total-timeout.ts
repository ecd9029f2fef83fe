/**
 * `totalTimeout`: one deadline over a whole client call (bulkhead wait, attempts, retry sleeps,
 * waiting out an open breaker). The retry step refuses a retry whose sleep would end past it
 * (`maxElapsed`), an attempt that would outlive it is timed to it, and a call waiting for a
 * bulkhead slot stops waiting at it. No timer runs for a call that never gets near its deadline.
 */
import { onAbort } from '../core/abort-hub.js';
import type { Clock } from '../core/clock.js';
import type { Bulkhead } from '../policies/bulkhead.js';
import type { RetrySettings } from '../policies/retry-loop.js';

/** The default `totalTimeout`: 60 s (see `ResilientClientOptions.totalTimeout`). */
export const DEFAULT_TOTAL_TIMEOUT = 60_000;

/**
 * @internal The error a call ends with when its `totalTimeout` passes: a `TimeoutError`
 * `DOMException` (transient, like every timeout) whose message names the deadline and whose
 * `cause` is the last attempt's error, if any.
 *
 * @example
 * totalTimeoutError(60_000, lastError).message // "request deadline reached (totalTimeout 60000ms)"
 */
export function totalTimeoutError(totalMs: number, cause: unknown): Error {
  if (deadlineErrors.has(cause as object)) return cause as Error; // already the deadline's
  const error = new DOMException(`request deadline reached (totalTimeout ${totalMs}ms)`, 'TimeoutError');
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  deadlineErrors.add(error);
  return error;
}

const deadlineErrors = new WeakSet<object>();

/**
 * @internal Runs `run` through `bulkhead`, waiting for a slot no longer than `remainingMs` (then
 * rejecting with the deadline error) nor past `signal`. A timer exists only while the call waits.
 */
export function throughBulkhead<T>(
  bulkhead: Bulkhead,
  run: () => Promise<T>,
  o: { signal: AbortSignal | undefined; remainingMs: number; totalMs: number; clock: Clock },
): Promise<T> {
  if (o.remainingMs === Infinity || bulkhead.running < bulkhead.maxConcurrent) return bulkhead.execute(run, o.signal);
  const waiting = new AbortController();
  const timer = new AbortController();
  const off = o.signal === undefined ? undefined : onAbort(o.signal, () => waiting.abort(o.signal?.reason));
  const stopWaiting = (): void => {
    off?.();
    timer.abort();
  };
  o.clock.sleep(o.remainingMs, timer.signal).then(
    () => waiting.abort(totalTimeoutError(o.totalMs, undefined)),
    () => {}, // got a slot (or the call ended) first
  );
  return bulkhead
    .execute(() => {
      stopWaiting();
      return run();
    }, waiting.signal)
    .finally(stopWaiting);
}

/**
 * @internal The loop's settings with `maxElapsed` bounded by the deadline, so no retry starts
 * whose sleep would end past it; `timed`, so the loop reads the start time it is measured from.
 */
export function withDeadline(s: RetrySettings, totalMs: number): RetrySettings {
  return totalMs < s.maxElapsed ? { ...s, maxElapsed: totalMs, timed: true } : s;
}

/** @internal The caller's own `retry.maxElapsed` when shorter than the deadline (it then stopped the call, not the deadline); else Infinity. */
export function callerMaxElapsed(s: RetrySettings, totalMs: number): number {
  return s.maxElapsed < totalMs ? s.maxElapsed : Infinity;
}
