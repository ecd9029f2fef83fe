/**
 * withRetry: the retry engine's public entry. The options are validated once per options object;
 * the loop (retry-loop.ts) and its pure step (retry-step.ts) do the work.
 */
import { signalOption } from '../core/abort.js';
import { backoffOption, exponential, type Backoff } from '../core/backoff.js';
import type { ClassifyOptions, Verdict } from '../core/classify.js';
import { clockOption, type Clock } from '../core/clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import type { EventSink } from '../core/events.js';
import { budgetOption, classifyOption, countOption, describeValue, functionOption, isOptionsObject, nameOption, objectOption, positiveDuration } from '../core/options.js';
import type { RetryBudget } from './budget.js';
import { retryLoop, type RetryContext, type RetrySettings } from './retry-loop.js';
import type { GiveUpReason } from './retry-step.js';

export type { GiveUpReason, RetryContext };

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
  /**
   * Replaces the default decision (retry transient errors only). May return a promise, which is
   * awaited; one that throws or rejects ends the call with that error. Not asked once no retry is left.
   */
  retryOn?: ((error: unknown, verdict: Verdict) => boolean | PromiseLike<boolean>) | undefined;
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

let defaultBackoff: Backoff | undefined;
const FIVE_MINUTES = 300_000;

interface Resolved {
  readonly settings: RetrySettings;
  /** A copy of the options it was resolved from: a mutated options object is resolved again. */
  readonly from: RetryOptions;
}

const resolvedOptions = new WeakMap<RetryOptions, Resolved>();

/**
 * @internal Validates options and applies defaults, once per options object (an application
 * builds its options once and calls with them many times; a mutated object is resolved again).
 * The client calls it in its constructor, so a bad option fails there, not at the first request.
 *
 * @example
 * retrySettings({ maxRetries: -1 }) // RangeError: steadfast: maxRetries must be an integer >= 0 or Infinity; got -1
 */
export function retrySettings(o: RetryOptions): RetrySettings {
  // The options object used last is checked with one comparison, not a WeakMap lookup: a loop of
  // calls with the application's one options object is the case to make cheap.
  let known: Resolved | undefined;
  if (o === lastOptions) known = lastResolved;
  else {
    if (!isOptionsObject(o)) objectOption('retry options', o);
    known = resolvedOptions.get(o);
  }
  if (known !== undefined && unchanged(o, known.from)) return remember(o, known).settings;
  const resolved: Resolved = { settings: resolveRetryOptions(o), from: { ...o } };
  resolvedOptions.set(o, resolved);
  return remember(o, resolved).settings;
}

let lastOptions: RetryOptions | undefined;
let lastResolved: Resolved | undefined;

function remember(o: RetryOptions, resolved: Resolved): Resolved {
  lastOptions = o;
  lastResolved = resolved;
  return resolved;
}

// Unrolled on purpose: this runs on every call with user options, and must cost next to nothing.
function unchanged(o: RetryOptions, f: RetryOptions): boolean {
  return (
    o.backoff === f.backoff &&
    o.maxRetries === f.maxRetries &&
    o.retryOn === f.retryOn &&
    o.signal === f.signal &&
    o.onEvent === f.onEvent &&
    o.clock === f.clock &&
    o.budget === f.budget &&
    o.maxElapsed === f.maxElapsed &&
    o.attemptTimeout === f.attemptTimeout &&
    o.maxRetryAfter === f.maxRetryAfter &&
    o.classify === f.classify &&
    o.name === f.name
  );
}

function resolveRetryOptions(o: RetryOptions): RetrySettings {
  const retryOn = functionOption('retryOn', o.retryOn);
  const s: Omit<RetrySettings, 'timed' | 'wraps'> = {
    // Checked here, at the call: a typo such as `backoff: '5s'` must not surface only after the first failure.
    backoff: backoffOption('backoff', o.backoff) ?? (defaultBackoff ??= exponential({ initial: 500, max: 30_000, jitter: 'full' })),
    maxRetries: o.maxRetries === undefined ? 5 : countOption('maxRetries', o.maxRetries, { allowInfinity: true }),
    maxElapsed: o.maxElapsed === undefined ? Infinity : parseDuration(o.maxElapsed, { option: 'maxElapsed', allowInfinity: true }),
    attemptTimeout: o.attemptTimeout === undefined ? undefined : positiveDuration('attemptTimeout', o.attemptTimeout, { allowInfinity: true }),
    maxRetryAfter:
      o.maxRetryAfter === undefined ? FIVE_MINUTES : parseDuration(o.maxRetryAfter, { option: 'maxRetryAfter', allowInfinity: true }),
    signal: signalOption('signal', o.signal),
    retryOn,
    decides: retryOn !== undefined,
    budget: budgetOption('budget', o.budget),
    classify: classifyOption('classify', o.classify),
    clock: clockOption('clock', o.clock),
    onEvent: functionOption('onEvent', o.onEvent),
    name: nameOption('name', o.name, 'retry'),
  };
  return { ...s, timed: s.budget !== undefined || s.onEvent !== undefined || s.maxElapsed !== Infinity, wraps: s.signal !== undefined || s.attemptTimeout !== undefined };
}

const NO_OPTIONS: RetryOptions = {};
let defaultSettings: RetrySettings | undefined;

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
  let s: RetrySettings;
  try {
    if (typeof fn !== 'function') throw new TypeError(`steadfast: withRetry needs a function to run; got ${describeValue(fn)}`);
    s = options === NO_OPTIONS ? (defaultSettings ??= retrySettings(NO_OPTIONS)) : retrySettings(options);
  } catch (error) {
    return Promise.reject(error);
  }
  return retryLoop(fn, s);
}
