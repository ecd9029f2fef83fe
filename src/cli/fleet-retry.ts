/**
 * The client's retry decision for the fleet model: what the retry engine decides after a failed
 * attempt of a client call, in the engine's own order (policies/retry-loop.ts): the pure step,
 * then the client's `retryOn` (transient and safe to resend), then the budget.
 */
import type { BackoffStep } from '../core/backoff.js';
import type { Verdict } from '../core/classify.js';
import type { RetryBudget } from '../policies/budget.js';
import { retryStep, type RetryPlan } from '../policies/retry-step.js';

/** @internal The plan (from `retrySettings`) and the client's budget. */
export interface RetryDecisionSettings {
  readonly plan: RetryPlan;
  readonly budget: RetryBudget | undefined;
}

/**
 * @internal After attempt `attempt` failed with `error`: the delay and the backoff step, or `undefined` to give up.
 *
 * @example
 * retryDecision(s, new HttpError(503), 1, 0, undefined, now, random, retryOn) // { delay: 212, step }
 */
export function retryDecision(
  s: RetryDecisionSettings,
  error: unknown,
  attempt: number,
  elapsedMs: number,
  previous: BackoffStep | undefined,
  now: number,
  random: () => number,
  retryOn: (error: unknown, verdict: Verdict) => boolean,
): { delay: number; step: BackoffStep } | undefined {
  const d = retryStep(s.plan, error, { attempt, elapsedMs, previous, now, random });
  if (!d.retry || !retryOn(error, d.verdict)) return undefined;
  if (s.budget !== undefined && !s.budget.tryRetry(now)) return undefined;
  return { delay: d.delayMs, step: d.step };
}
