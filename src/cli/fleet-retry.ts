/**
 * The client's retry decision for the fleet model: what withRetry decides after a failed attempt
 * (retry or give up, and how long to wait), for one call of a simulated agent.
 */
import type { BackoffStep } from '../core/backoff.js';
import { classify, type Verdict } from '../core/classify.js';
import type { RetryBudget } from '../policies/budget.js';
import type { GiveUpReason } from '../policies/retry.js';

/** @internal The resolved retry settings the decision reads (as `retrySettings` returns them). */
export interface RetryDecisionSettings {
  readonly backoff: { first(random: () => number): BackoffStep | undefined };
  readonly maxRetries: number;
  readonly maxElapsed: number;
  readonly maxRetryAfter: number;
  readonly budget: RetryBudget | undefined;
}

/**
 * @internal After attempt `attempt` failed with `error`: the delay and the next backoff step, or
 * why the call gives up. `retryOn` is the client's decision (transient and safe to resend).
 *
 * @example
 * retryDecision(s, new HttpError(503), 1, start, undefined, now, random, retryOn) // { delay, step }
 */
export function retryDecision(
  s: RetryDecisionSettings,
  error: unknown,
  attempt: number,
  start: number,
  previous: BackoffStep | undefined,
  now: number,
  random: () => number,
  retryOn: (error: unknown, verdict: Verdict) => boolean,
): { delay: number; step: BackoffStep } | GiveUpReason {
  // TEMPORARY until the lead's pure retry step lands on main: the same rule as withRetry's nextDelay.
  const verdict = classify(error, { now });
  if (!retryOn(error, verdict)) return verdict.kind === 'transient' ? 'not-retryable' : (verdict.kind as GiveUpReason);
  if (attempt > s.maxRetries) return 'max-retries';
  const step = previous === undefined ? s.backoff.first(random) : previous.next(random);
  if (step === undefined) return 'schedule-exhausted';
  const waitAsked = verdict.retryAfterMs === undefined ? 0 : Math.min(verdict.retryAfterMs, s.maxRetryAfter);
  const delay = Math.max(step.delay, waitAsked);
  if (now + delay - start > s.maxElapsed) return 'max-elapsed';
  if (s.budget !== undefined && !s.budget.tryRetry(now)) return 'budget';
  return { delay, step };
}
