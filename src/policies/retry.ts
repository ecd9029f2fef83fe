/**
 * withRetry: the retry loop. Policy math lives in backoff/classify; this file only executes it,
 * with time, randomness and telemetry injected.
 */
import { neverAborted, runWithSignal, signalOption } from '../core/abort.js';
import { backoffOption, exponential, type Backoff, type BackoffStep } from '../core/backoff.js';
import type { RetryBudget } from './budget.js';
import { classify, type ClassifyOptions, type Verdict } from '../core/classify.js';
import { clockOption, type Clock } from '../core/clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import { budgetOption, classifyOption, countOption, describeValue, functionOption, nameOption, objectOption, positiveDuration } from '../core/options.js';
import { emit, jsonCount, summarizeError, type EventSink } from '../core/events.js';

/** What each attempt receives. */
export interface RetryContext {
  /** Attempt number, 1-based. */
  attempt: number;
  /** Aborts when the caller's signal aborts or the attempt times out: pass it on to `fetch`. */
  signal: AbortSignal;
}

/** Options for {@link withRetry}. All durations are ms or strings such as `"5s"`. */
export interface RetryOptions {
  /** Delays between attempts. @default exponential 500ms..30s, full jitter */
  backoff?: Backoff | undefined;
  /** Retries after the first attempt; `0` = one attempt, `Infinity` allowed. @default 5 */
  maxRetries?: number | undefined;
  /** No retry starts whose sleep would end later than this after the first attempt began. @default Infinity */
  maxElapsed?: Duration | undefined;
  /** Each attempt gets its own timeout (a `TimeoutError`, which is retried). @default none */
  attemptTimeout?: Duration | undefined;
  /** Caps how long a `Retry-After` (or an open breaker) may make us wait. @default '5m' */
  maxRetryAfter?: Duration | undefined;
  /** Aborts a sleep or an attempt at once; the promise rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** Overrides the default decision (retry transient errors only). */
  retryOn?: ((error: unknown, verdict: Verdict) => boolean) | undefined;
  /** Shared retry budget that caps retry amplification during an outage. */
  budget?: RetryBudget | undefined;
  /** Adjusts classification (extra codes, statuses, patterns, `unknown`). */
  classify?: ClassifyOptions | undefined;
  /** Time, timers and randomness; a `FakeClock` in tests. @default systemClock */
  clock?: Clock | undefined;
  /** Receives `retry` (before each sleep) and `give_up` events. @default none */
  onEvent?: EventSink | undefined;
  /** Name used in events. @default 'retry' */
  name?: string | undefined;
}

/** Why {@link withRetry} stopped (the `reason` of its `give_up` event). */
export type GiveUpReason = 'permanent' | 'aborted' | 'max-retries' | 'schedule-exhausted' | 'max-elapsed' | 'budget' | 'not-retryable';

interface Settings {
  backoff: Backoff;
  maxRetries: number;
  maxElapsed: number;
  attemptTimeout: number | undefined;
  maxRetryAfter: number;
  signal: AbortSignal | undefined;
  retryOn: RetryOptions['retryOn'];
  budget: RetryBudget | undefined;
  classify: ClassifyOptions | undefined;
  clock: Clock;
  onEvent: EventSink | undefined;
  name: string;
}

let defaultBackoff: Backoff | undefined;
const FIVE_MINUTES = 300_000;

/**
 * @internal Validates options once, at the call that receives them (the client calls it in its
 * constructor, so a bad option fails there rather than at the first request).
 *
 * @example
 * retrySettings({ maxRetries: -1 }) // RangeError: steadfast: maxRetries must be an integer >= 0 or Infinity; got -1
 */
export function retrySettings(o: RetryOptions): Settings {
  objectOption('retry options', o);
  return {
    // Checked here, at the call: a typo such as `backoff: '5s'` must not surface only after the first failure.
    backoff: backoffOption('backoff', o.backoff) ?? (defaultBackoff ??= exponential({ initial: 500, max: 30_000, jitter: 'full' })),
    maxRetries: o.maxRetries === undefined ? 5 : countOption('maxRetries', o.maxRetries, { allowInfinity: true }),
    maxElapsed: o.maxElapsed === undefined ? Infinity : parseDuration(o.maxElapsed, { option: 'maxElapsed', allowInfinity: true }),
    attemptTimeout: o.attemptTimeout === undefined ? undefined : positiveDuration('attemptTimeout', o.attemptTimeout, { allowInfinity: true }),
    maxRetryAfter:
      o.maxRetryAfter === undefined ? FIVE_MINUTES : parseDuration(o.maxRetryAfter, { option: 'maxRetryAfter', allowInfinity: true }),
    signal: signalOption('signal', o.signal),
    retryOn: functionOption('retryOn', o.retryOn),
    budget: budgetOption('budget', o.budget),
    classify: classifyOption('classify', o.classify),
    clock: clockOption('clock', o.clock),
    onEvent: functionOption('onEvent', o.onEvent),
    name: nameOption('name', o.name, 'retry'),
  };
}

// A BrokenCircuitError may carry an Infinity wait, which JSON would turn into null: leave it out.
function jsonVerdict(v: Verdict): Verdict {
  if (v.retryAfterMs === undefined || Number.isFinite(v.retryAfterMs)) return v;
  const { retryAfterMs: _dropped, ...rest } = v;
  return rest;
}

const NO_OPTIONS: RetryOptions = {};

/**
 * Calls `fn` until it succeeds, retrying transient failures with backoff. Rejects with the last
 * attempt's error, unchanged, once an error is permanent or a limit is reached.
 *
 * @example
 * const res = await withRetry(({ signal }) => fetch(url, { signal }).then(okOrThrow), {
 *   backoff: exponential({ initial: '1s', max: '30s' }),
 *   maxRetries: 5,
 *   attemptTimeout: '10s',
 * });
 */
export function withRetry<T>(fn: (ctx: RetryContext) => Promise<T>, options: RetryOptions = NO_OPTIONS): Promise<T> {
  let s: Settings;
  try {
    if (typeof fn !== 'function') throw new TypeError(`steadfast: withRetry needs a function to run; got ${describeValue(fn)}`);
    s = options === NO_OPTIONS ? (defaultSettings ??= retrySettings(NO_OPTIONS)) : retrySettings(options);
  } catch (error) {
    return Promise.reject(error);
  }
  // Fast path: nothing needs the start time, a signal or a timer, so the first attempt runs bare
  // (no async frame, no clock read) and the loop only starts once it fails.
  if (s.signal === undefined && s.attemptTimeout === undefined && s.budget === undefined && s.onEvent === undefined && s.maxElapsed === Infinity) {
    let first: Promise<T>;
    try {
      first = fn(new LazySignalContext(1));
      if (!(first instanceof Promise)) first = Promise.resolve(first);
    } catch (error) {
      first = Promise.reject(error);
    }
    // start = 0 is never read on this path: no onEvent reports elapsed time and maxElapsed is Infinity.
    return first.then(undefined, (error: unknown) => retryLoop(fn, s, 0, true, error));
  }
  return retryLoop(fn, s, s.clock.now(), false, undefined);
}

let defaultSettings: Settings | undefined;

/** The loop proper; `firstFailed` when the fast path already ran attempt 1 and it threw `firstError`. */
async function retryLoop<T>(
  fn: (ctx: RetryContext) => Promise<T>,
  s: Settings,
  start: number,
  firstFailed: boolean,
  firstError: unknown,
): Promise<T> {
  const { clock, signal } = s;
  if (!firstFailed) {
    if (signal?.aborted === true) throw signal.reason;
    s.budget?.recordCall(start);
  }
  let step: BackoffStep | undefined;
  let error = firstError;
  let failed = firstFailed;
  for (let attempt = 1; ; attempt++) {
    if (!failed) {
      try {
        // Nothing to combine: no listener or timer, and the signal is made only if fn reads it.
        if (signal === undefined && s.attemptTimeout === undefined) return await fn(new LazySignalContext(attempt));
        return await runWithSignal((attemptSignal) => fn({ attempt, signal: attemptSignal }), {
          signal,
          timeoutMs: s.attemptTimeout,
          clock,
        });
      } catch (e) {
        error = e;
      }
    }
    failed = false;
    const outcome = nextDelay(s, error, attempt, start, step);
    if (typeof outcome === 'string') {
      if (s.onEvent !== undefined) giveUp(s, s.onEvent, attempt, start, outcome, error);
      // The caller's abort surfaces as its own reason, whatever the attempt threw.
      throw outcome === 'aborted' && isAborted(signal) ? signal?.reason : error;
    }
    step = outcome.step;
    if (outcome.delay > 0) {
      try {
        await clock.sleep(outcome.delay, signal);
      } catch (abortReason) {
        if (s.onEvent !== undefined) giveUp(s, s.onEvent, attempt, start, 'aborted', error);
        throw abortReason;
      }
    }
  }
}

function giveUp(s: Settings, sink: EventSink, attempts: number, start: number, reason: GiveUpReason, error: unknown): void {
  const now = s.clock.now();
  emit(sink, 'give_up', s.name, now, { attempts, elapsedMs: now - start, reason, error: summarizeError(error) });
}

/** Decides what follows a failed attempt: a delay and the next backoff step, or why we stop. */
function nextDelay(
  s: Settings,
  error: unknown,
  attempt: number,
  start: number,
  previous: BackoffStep | undefined,
): { delay: number; step: BackoffStep } | GiveUpReason {
  if (isAborted(s.signal)) return 'aborted';
  const now = s.clock.now();
  const verdict = classify(error, s.classify === undefined ? { now } : { ...s.classify, now });
  const retryable = s.retryOn !== undefined ? s.retryOn(error, verdict) : verdict.kind === 'transient';
  if (!retryable) return verdict.kind === 'transient' ? 'not-retryable' : verdict.kind;
  if (attempt > s.maxRetries) return 'max-retries';
  const random = (): number => s.clock.random();
  const step = previous === undefined ? s.backoff.first(random) : previous.next(random);
  if (step === undefined) return 'schedule-exhausted';
  const waitAsked = verdict.retryAfterMs === undefined ? 0 : Math.min(verdict.retryAfterMs, s.maxRetryAfter);
  const delay = Math.max(step.delay, waitAsked);
  if (now + delay - start > s.maxElapsed) return 'max-elapsed';
  if (s.budget !== undefined && !s.budget.tryRetry(now)) return 'budget';
  if (s.onEvent !== undefined) {
    emit(s.onEvent, 'retry', s.name, now, {
      attempt,
      maxRetries: jsonCount(s.maxRetries),
      delayMs: delay,
      verdict: jsonVerdict(verdict),
      error: summarizeError(error),
    });
  }
  return { delay, step };
}

// A function, so TypeScript does not keep a narrowing of `signal.aborted` across awaits.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** An attempt context whose never-aborting signal costs nothing unless fn asks for it. */
class LazySignalContext implements RetryContext {
  private made: AbortSignal | undefined = undefined;
  constructor(readonly attempt: number) {}
  get signal(): AbortSignal {
    return (this.made ??= neverAborted());
  }
}
