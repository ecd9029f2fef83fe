/**
 * After a failed `send` of a row: retry it later (and when), or move it to the dead letters. The
 * retry engine's pure step decides, as it does for the file outbox; the row's stored attempt count
 * stands in for the loop's memory of the previous backoff step, and the wait becomes the row's
 * `available_at` instead of a sleep.
 */
import { stepAt } from '../core/backoff-walk.js';
import type { Backoff } from '../core/backoff.js';
import type { ClassifyOptions, Verdict } from '../core/classify.js';
import { retrySettings } from '../policies/retry.js';
import { retryStep, type RetryPlan } from '../policies/retry-step.js';

/** @internal What to do with a row whose attempt failed. */
export type Decision = { retry: true; delayMs: number; verdict: Verdict } | { retry: false; verdict: Verdict };

// Anything not permanent is retried, as by the file outbox: only a permanent error or a used-up schedule dead-letters.
function notPermanent(_error: unknown, verdict: Verdict): boolean {
  return verdict.kind !== 'permanent';
}

/**
 * @internal The outbox's retry plan: retries without a count or time limit (a finite backoff is
 * the limit), `Retry-After` honoured up to the engine's default `maxRetryAfter` (5 minutes).
 */
export function outboxPlan(backoff: Backoff, classify: ClassifyOptions): RetryPlan {
  return retrySettings({ backoff, classify, maxRetries: Infinity, retryOn: notPermanent });
}

/**
 * @internal Decides after attempt `attempts` (1-based, counted in the row) failed with `error`.
 *
 * @example
 * decide(outboxPlan(constant('1s'), {}), new HttpError(503), 1, { now, random }) // { retry: true, delayMs: 1000, ... }
 */
export function decide(plan: RetryPlan, error: unknown, attempts: number, at: { now: number; random: () => number }): Decision {
  const previous = attempts > 1 ? stepAt(plan.backoff, attempts - 1, at.random) : undefined;
  const step = retryStep(plan, error, { attempt: attempts, elapsedMs: 0, previous, now: at.now, random: at.random });
  if (step.verdict.kind === 'permanent') return { retry: false, verdict: step.verdict };
  if (step.retry) return { retry: true, delayMs: step.delayMs, verdict: step.verdict };
  return { retry: false, verdict: { ...step.verdict, kind: 'permanent', reason: `retries exhausted (${step.verdict.reason})` } };
}
