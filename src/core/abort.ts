/**
 * Running work under a caller's signal and a timeout, without leaks. Time comes from a Clock, so
 * timeouts run in virtual time under test.
 */
import { onAbort } from './abort-hub.js';
import type { Clock } from './clock.js';
import { describeValue } from './options.js';
import { isObject, timeoutError } from './errors.js';

/**
 * A signal that never aborts, for callers that passed none. A fresh one each time, never shared:
 * `fetch` leaves a listener on the signal it gets until garbage collection, and on one shared
 * signal those pile up into a MaxListenersExceededWarning after about 1,500 requests.
 *
 * @example
 * await fn(signal ?? neverAborted());
 */
export function neverAborted(): AbortSignal {
  return new AbortController().signal;
}

/**
 * @internal Validates an optional `signal` option when it is received: a wrong value would
 * otherwise surface only at the first attempt, as a TypeError from `addEventListener`.
 *
 * @example
 * const signal = signalOption('poll.signal', o.signal); // AbortSignal | undefined
 */
export function signalOption(option: string, value: AbortSignal | undefined): AbortSignal | undefined {
  if (value !== undefined && !(isObject(value) && typeof value['aborted'] === 'boolean' && typeof value['addEventListener'] === 'function')) {
    throw new TypeError(`steadfast: ${option} must be an AbortSignal; got ${describeValue(value)}`);
  }
  return value;
}

/** Options for {@link runWithSignal}. */
export interface RunWithSignalOptions {
  /** The caller's signal: aborting it rejects at once with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** Abort with a `TimeoutError` after this many ms (undefined or Infinity: no timeout). */
  timeoutMs?: number | undefined;
  clock: Clock;
}

/**
 * Calls `fn` with a signal that aborts when the caller's signal aborts or the timeout passes, and
 * settles as soon as either happens even if `fn` ignores its signal. Every listener and timer is
 * removed when it settles.
 *
 * @example
 * const res = await runWithSignal((signal) => fetch(url, { signal }), { signal, timeoutMs: 5_000, clock: systemClock });
 */
export function runWithSignal<T>(fn: (signal: AbortSignal) => Promise<T>, o: RunWithSignalOptions): Promise<T> {
  const { signal, timeoutMs } = o;
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  const timed = timeoutMs !== undefined && timeoutMs !== Infinity;
  if (signal === undefined && !timed) return invoke(fn, neverAborted());
  // fn gets its own signal, never the caller's: what fn leaves on it (fetch keeps a listener until
  // garbage collection) goes away with the attempt instead of piling up on a shared signal.
  const attempt = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let timer: AbortController | undefined;
    const cleanup = (): void => {
      off?.();
      timer?.abort(SETTLED);
    };
    // We abort the attempt ourselves, so we settle right there: no listener on the attempt's signal.
    const stop = (reason: unknown): void => {
      cleanup();
      attempt.abort(reason);
      reject(reason);
    };
    const off = signal === undefined ? undefined : onAbort(signal, () => stop(signal.reason));
    if (timed) {
      timer = new AbortController();
      o.clock.sleep(timeoutMs, timer.signal).then(
        () => stop(timeoutError(timeoutMs)),
        () => {}, // cancelled because the work settled first
      );
    }
    invoke(fn, attempt.signal).then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

/** The reason a cancelled timeout is aborted with: `abort()` without one builds a DOMException (a stack capture) per call. */
const SETTLED: unique symbol = Symbol('settled');

function invoke<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
  try {
    return Promise.resolve(fn(signal));
  } catch (error) {
    return Promise.reject(error);
  }
}
