/**
 * The retry engine's pure step: given a failed attempt, how long to wait before the next one, or
 * why to stop. No clock, no timers: the time and randomness are passed in. The one loop
 * (retry-loop.ts) runs it for withRetry, the client and the file outbox; the PostgreSQL outbox
 * and the poll loop use the same step and wait rule for their own schedules.
 */
import type { Backoff, BackoffStep } from '../core/backoff.js';
import { nextStep } from '../core/backoff-walk.js';
import { classify, type ClassifyOptions, type Verdict } from '../core/classify.js';

/** Why a retry loop stopped (the `reason` of its `give_up` event). */
export type GiveUpReason = 'permanent' | 'aborted' | 'max-retries' | 'schedule-exhausted' | 'max-elapsed' | 'budget' | 'not-retryable';

/** @internal The policy the step applies, already validated. Durations in ms. */
export interface RetryPlan {
  readonly backoff: Backoff;
  /** Retries after the first attempt (`Infinity` allowed). */
  readonly maxRetries: number;
  /** No retry starts whose sleep would end later than this after the first attempt began. */
  readonly maxElapsed: number;
  /** The longest `Retry-After` (or breaker wait) honoured. */
  readonly maxRetryAfter: number;
  readonly classify: ClassifyOptions | undefined;
  /** A `retryOn` decides which failures are worth retrying: the step then leaves that to it. */
  readonly decides: boolean;
}

/** @internal Where a call stands after a failed attempt. */
export interface RetryPosition {
  /** Attempts made so far (the one that just failed included). */
  readonly attempt: number;
  /** Time since the first attempt began, in ms. */
  readonly elapsedMs: number;
  /** The backoff step of the previous retry (`undefined` before the first retry). */
  readonly previous: BackoffStep | undefined;
  /** Epoch ms to resolve an HTTP-date `Retry-After` against. */
  readonly now: number;
  readonly random: () => number;
}

/** @internal What follows a failed attempt. */
export type RetryStep =
  | { readonly retry: true; readonly delayMs: number; readonly step: BackoffStep; readonly verdict: Verdict }
  | { readonly retry: false; readonly reason: GiveUpReason; readonly verdict: Verdict };

/**
 * The one wait rule: the backoff's delay, or the server's own wait (`Retry-After`,
 * `RateLimit-Reset`, an open breaker's) capped at `maxRetryAfter`, whichever is longer.
 *
 * @example
 * retryDelay(1_000, { kind: 'transient', reason: 'HTTP 503', retryAfterMs: 120_000 }, 300_000) // 120_000
 */
export function retryDelay(backoffMs: number, verdict: Pick<Verdict, 'retryAfterMs'>, maxRetryAfter: number): number {
  const asked = verdict.retryAfterMs;
  return asked === undefined ? backoffMs : Math.max(backoffMs, Math.min(asked, maxRetryAfter));
}

/**
 * @internal Decides what follows a failed attempt: the wait before the next one, or why to stop.
 * A `retryOn` (when `plan.decides`) is asked by the caller after this says a retry is still possible,
 * so it is never asked once no retry is left.
 *
 * @example
 * retryStep(plan, new HttpError(503), { attempt: 1, elapsedMs: 0, previous: undefined, now, random })
 * // { retry: true, delayMs: 500, step, verdict: { kind: 'transient', reason: 'HTTP 503', status: 503 } }
 */
export function retryStep(plan: RetryPlan, error: unknown, at: RetryPosition): RetryStep {
  const verdict = classify(error, plan.classify === undefined ? { now: at.now } : { ...plan.classify, now: at.now });
  if (!plan.decides && verdict.kind !== 'transient') return { retry: false, reason: verdict.kind, verdict };
  if (at.attempt > plan.maxRetries) return { retry: false, reason: 'max-retries', verdict };
  const step = nextStep(plan.backoff, at.previous, at.random);
  if (step === undefined) return { retry: false, reason: 'schedule-exhausted', verdict };
  const delayMs = retryDelay(step.delay, verdict, plan.maxRetryAfter);
  if (at.elapsedMs + delayMs > plan.maxElapsed) return { retry: false, reason: 'max-elapsed', verdict };
  return { retry: true, delayMs, step, verdict };
}
