/**
 * The retry engine's one loop: runs attempts, asks the pure step (retry-step.ts) what follows a
 * failure, sleeps, and gives up by rethrowing the last error unchanged. `withRetry`, the client
 * and the file outbox all enter it; what differs between them is passed in as hooks, never copied.
 */
import { neverAborted, runWithSignal } from '../core/abort.js';
import { onAbort } from '../core/abort-hub.js';
import type { BackoffStep } from '../core/backoff.js';
import type { Verdict } from '../core/classify.js';
import { wallTime, type Clock } from '../core/clock.js';
import { emit, jsonCount, summarizeError, type EventSink } from '../core/events.js';
import type { RetryBudget } from './budget.js';
import { retryStep, type GiveUpReason, type RetryPlan } from './retry-step.js';

/** What each attempt receives. */
export interface RetryContext {
  /** Attempt number, 1-based. */
  attempt: number;
  /** Aborts when the caller's signal aborts or the attempt times out: pass it on to `fetch`. */
  signal: AbortSignal;
}

/** @internal Options resolved and validated once (see `retrySettings`). Durations in ms. */
export interface RetrySettings extends RetryPlan {
  readonly attemptTimeout: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly retryOn: ((error: unknown, verdict: Verdict) => boolean | PromiseLike<boolean>) | undefined;
  readonly budget: RetryBudget | undefined;
  readonly clock: Clock;
  readonly onEvent: EventSink | undefined;
  readonly name: string;
  /** Something measures from the start time (a budget, an event sink, maxElapsed): read the clock before attempt 1. */
  readonly timed: boolean;
  /** Attempts run under the caller's signal or a timeout: each gets its own combined signal. */
  readonly wraps: boolean;
}

/** @internal A retry about to happen, as the `beforeRetry` hook sees it. */
export interface RetryInfo {
  readonly error: unknown;
  /** The attempt that failed. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly verdict: Verdict;
}

/** @internal How a component adapts the loop to itself. Every member is optional. */
export interface RetryHooks {
  /** Attempts get the caller's `signal` as it is, unwrapped and untimed: the caller times its own attempts (the client) or lets them finish (the outbox). */
  readonly rawSignal?: boolean;
  /** A further condition on retrying, asked after the policy and `retryOn` said yes (the client: is the request safe to send again?). */
  allow?(error: unknown, verdict: Verdict): boolean;
  /** Runs once a retry is decided, before its sleep; throwing ends the call with that error. */
  beforeRetry?(info: RetryInfo): void | Promise<void>;
  /** The sleep between attempts. @default the clock's sleep */
  sleep?(ms: number, signal: AbortSignal | undefined): Promise<void>;
  /** Told why the loop stopped, just before the last error (or the caller's abort reason) is thrown. */
  onGiveUp?(reason: GiveUpReason, verdict: Verdict | undefined, error: unknown): void;
}

const NO_HOOKS: RetryHooks = {};

/**
 * @internal Runs `fn` until it succeeds or the policy stops, rethrowing the last error unchanged
 * (or the caller's `signal.reason` once it aborts). The first attempt runs at once, with no async
 * frame and no clock read unless something needs the start time: a success costs one promise reaction.
 *
 * @example
 * const value = await retryLoop((ctx) => fetchOnce(ctx.signal), retrySettings({ maxRetries: 3 }));
 */
export function retryLoop<T>(fn: (ctx: RetryContext) => Promise<T>, s: RetrySettings, hooks: RetryHooks = NO_HOOKS): Promise<T> {
  const signal = s.signal;
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  // The start time is read only when something measures from it.
  let start = 0;
  try {
    if (s.timed) start = s.clock.now();
    if (s.budget !== undefined) s.budget.recordCall(start);
  } catch (error) {
    // A caller's clock or budget that throws rejects the call: a promise-returning function never throws.
    return Promise.reject(error);
  }
  return attemptOnce(fn, s, hooks, 1).then(undefined, (error: unknown) => afterFailure(fn, s, hooks, start, error));
}

/** The loop proper, entered only once an attempt has failed. */
async function afterFailure<T>(fn: (ctx: RetryContext) => Promise<T>, s: RetrySettings, hooks: RetryHooks, start: number, firstError: unknown): Promise<T> {
  const { clock, signal } = s;
  const random = (): number => clock.random();
  let error = firstError;
  let previous: BackoffStep | undefined;
  for (let attempt = 1; ; attempt++) {
    // The caller's abort surfaces as its own reason, whatever the attempt threw.
    if (signal?.aborted === true) return giveUp(s, hooks, attempt, start, 'aborted', undefined, error, signal.reason);
    let now = clock.now();
    // Durations on the monotonic now(); an HTTP-date Retry-After is a calendar time, compared with the wall clock.
    const d = retryStep(s, error, { attempt, elapsedMs: now - start, previous, now: wallTime(clock), random });
    if (!d.retry) return giveUp(s, hooks, attempt, start, d.reason, d.verdict, error, error);
    if (s.retryOn !== undefined) {
      // Awaited only when it is a promise: a rejection ends the call with it (never unhandled).
      let wanted: unknown = s.retryOn(error, d.verdict);
      if (isThenable(wanted)) {
        // The caller's abort ends the wait at once, even if retryOn never answers.
        wanted = await unlessAborted(wanted, signal);
        if (isAborted(signal)) return giveUp(s, hooks, attempt, start, 'aborted', d.verdict, error, signal?.reason);
        // Time passed while it decided: the retry must still fit in maxElapsed.
        now = clock.now();
        if (now - start + d.delayMs > s.maxElapsed) return giveUp(s, hooks, attempt, start, 'max-elapsed', d.verdict, error, error);
      }
      // Truthiness, as p-retry reads shouldRetry: JavaScript callers return what they return.
      if (!wanted) return giveUp(s, hooks, attempt, start, d.verdict.kind === 'transient' ? 'not-retryable' : d.verdict.kind, d.verdict, error, error);
    }
    if (hooks.allow !== undefined && !hooks.allow(error, d.verdict)) return giveUp(s, hooks, attempt, start, 'not-retryable', d.verdict, error, error);
    if (s.budget !== undefined && !s.budget.tryRetry(now)) return giveUp(s, hooks, attempt, start, 'budget', d.verdict, error, error);
    if (hooks.beforeRetry !== undefined) {
      const before = hooks.beforeRetry({ error, attempt, delayMs: d.delayMs, verdict: d.verdict });
      if (isThenable(before)) {
        await before;
        // Aborted meanwhile: no retry event and no attempt (a zero delay has no sleep to notice it).
        if (isAborted(signal)) return giveUp(s, hooks, attempt, start, 'aborted', d.verdict, error, signal?.reason);
      }
    }
    if (s.onEvent !== undefined) {
      emit(s.onEvent, 'retry', s.name, clock, {
        attempt,
        maxRetries: jsonCount(s.maxRetries),
        delayMs: d.delayMs,
        verdict: jsonVerdict(d.verdict),
        error: summarizeError(error),
      });
    }
    if (d.delayMs > 0) {
      try {
        await (hooks.sleep !== undefined ? hooks.sleep(d.delayMs, signal) : clock.sleep(d.delayMs, signal));
      } catch (abortReason) {
        return giveUp(s, hooks, attempt, start, 'aborted', d.verdict, error, abortReason);
      }
    }
    previous = d.step;
    try {
      return await attemptOnce(fn, s, hooks, attempt + 1);
    } catch (e) {
      error = e;
    }
  }
}

function attemptOnce<T>(fn: (ctx: RetryContext) => Promise<T>, s: RetrySettings, hooks: RetryHooks, attempt: number): Promise<T> {
  const signal = s.signal;
  if (s.wraps && hooks.rawSignal !== true) {
    return runWithSignal((attemptSignal) => fn({ attempt, signal: attemptSignal }), { signal, timeoutMs: s.attemptTimeout, clock: s.clock });
  }
  try {
    // Nothing to combine: no listener or timer, and a signal is made only if fn reads it.
    const pending = fn(new LazySignalContext(attempt, signal));
    return pending instanceof Promise ? pending : Promise.resolve(pending);
  } catch (error) {
    return Promise.reject(error);
  }
}

function giveUp(s: RetrySettings, hooks: RetryHooks, attempts: number, start: number, reason: GiveUpReason, verdict: Verdict | undefined, error: unknown, thrown: unknown): never {
  if (s.onEvent !== undefined) {
    const now = s.clock.now();
    emit(s.onEvent, 'give_up', s.name, s.clock, { attempts, elapsedMs: now - start, reason, error: summarizeError(error) });
  }
  hooks.onGiveUp?.(reason, verdict, error);
  throw thrown;
}

/** Settles as `pending` does, or with `undefined` as soon as `signal` aborts; no listener is left either way. */
function unlessAborted(pending: PromiseLike<unknown>, signal: AbortSignal | undefined): Promise<unknown> {
  if (signal === undefined) return Promise.resolve(pending);
  if (signal.aborted) {
    // Aborted by retryOn itself: its 'abort' event is gone, so don't wait for one.
    Promise.resolve(pending).then(undefined, () => {});
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const off = onAbort(signal, () => resolve(undefined));
    // Handled even after an abort: a late rejection must not become an unhandled one.
    Promise.resolve(pending).then(
      (value) => (off(), resolve(value)),
      (error: unknown) => (off(), reject(error)),
    );
  });
}

// A function, so TypeScript does not keep the loop's narrowing of `signal.aborted` across an await.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

// A BrokenCircuitError may carry an Infinity wait, which JSON would turn into null: leave it out.
function jsonVerdict(v: Verdict): Verdict {
  if (v.retryAfterMs === undefined || Number.isFinite(v.retryAfterMs)) return v;
  const { retryAfterMs: _dropped, ...rest } = v;
  return rest;
}

/** An attempt context whose signal costs nothing unless fn asks for it. */
class LazySignalContext implements RetryContext {
  private made: AbortSignal | undefined;
  constructor(
    readonly attempt: number,
    given: AbortSignal | undefined,
  ) {
    this.made = given;
  }
  get signal(): AbortSignal {
    return (this.made ??= neverAborted());
  }
}
