/**
 * After a failed `send` of a row: retry it later (and when), or move it to the dead letters.
 * Pure: the row's stored attempt count stands in for the loop's memory of earlier failures.
 */
import type { Backoff, BackoffStep } from '../core/backoff.js';
import { classify, type ClassifyOptions, type Verdict } from '../core/classify.js';

/** The longest `Retry-After` (or breaker wait) honoured, as in the file outbox: 5 minutes. */
const MAX_RETRY_AFTER = 300_000;

/** @internal What to do with a row whose attempt failed. */
export type Decision = { retry: true; delayMs: number; verdict: Verdict } | { retry: false; verdict: Verdict };

/**
 * @internal The step of `backoff` for consecutive failure `n` (1-based): the wait before retry n;
 * `undefined` once a finite backoff is used up.
 */
export function stepAt(backoff: Backoff, n: number, random: () => number): BackoffStep | undefined {
  let step = backoff.first(random);
  for (let i = 1; i < n && step !== undefined; i++) step = step.next(random);
  return step;
}

/**
 * @internal Decides after attempt `attempts` failed with `error`: permanent errors and a used-up
 * backoff dead-letter; otherwise wait max(backoff step, `Retry-After` capped at 5 minutes).
 *
 * @example
 * decide(new HttpError(503), 1, { backoff, classify: {}, now: 0, random }) // { retry: true, delayMs: 1000, ... }
 */
export function decide(error: unknown, attempts: number, o: { backoff: Backoff; classify: ClassifyOptions; now: number; random: () => number }): Decision {
  const verdict = classify(error, { ...o.classify, now: o.now });
  if (verdict.kind === 'permanent') return { retry: false, verdict };
  const step = stepAt(o.backoff, attempts, o.random);
  if (step === undefined) return { retry: false, verdict: { ...verdict, kind: 'permanent', reason: `retries exhausted (${verdict.reason})` } };
  return { retry: true, delayMs: Math.max(step.delay, Math.min(verdict.retryAfterMs ?? 0, MAX_RETRY_AFTER)), verdict };
}
