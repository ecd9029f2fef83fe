/**
 * poll's delays (pure): the jittered interval after a success, and the wait after a failure,
 * which honours the server's own wait (`retryAfterMs`). The poll loop and the fleet model both
 * call these, so the simulation measures exactly what `poll` does.
 */
import { exponential, type Backoff } from '../core/backoff.js';
import type { BackoffWalk } from '../core/backoff-walk.js';
import { classify, type Verdict } from '../core/classify.js';
import { retryDelay } from './retry-step.js';

/**
 * The defaults `poll` uses: after the n-th consecutive failure wait exponential 1s..12s with equal
 * jitter (between half and all of `min(12s, 1s * 2^(n-1))`), and vary each interval by ±10%.
 *
 * @example
 * pollDefaults.backoff.baseDelay(4) // 8000: the 4th consecutive failure waits 4s..8s (equal jitter)
 * pollDefaults.backoff.maxDelay     // 12000: no failure waits longer than 12s
 * pollDefaults.jitter               // 0.1: intervals vary by ±10%
 */
export const pollDefaults: { readonly backoff: Backoff; readonly jitter: number } = /* @__PURE__ */ Object.freeze({
  // Chosen by scripts/choose-poll-defaults.ts (issue 6): a 12s cap bounds the last agent, equal jitter's 0.75× mean delay keeps load under capacity.
  backoff: /* @__PURE__ */ exponential({ initial: '1s', max: '12s', jitter: 'equal' }),
  jitter: 0.1,
});

/** poll's default cap on a server-requested wait, in ms (`maxRetryAfter`, like withRetry's). */
export const DEFAULT_POLL_MAX_RETRY_AFTER = 300_000;

/**
 * @internal The wait after a success: `interval * (1 ± jitter)`, one draw of `random` unless jitter is 0.
 *
 * @example
 * intervalDelay(30_000, 0.1, () => 1) // 33_000
 */
export function intervalDelay(intervalMs: number, jitter: number, random: () => number): number {
  return jitter === 0 ? intervalMs : Math.max(0, intervalMs * (1 + jitter * (2 * random() - 1)));
}

/** @internal What {@link failureDelay} needs of the loop's settings. */
export interface FailureDelaySettings {
  readonly intervalMs: number;
  readonly maxRetryAfterMs: number;
}

/**
 * @internal The wait after a failure: the next backoff step, or longer when the error carries the
 * server's own wait (what `classify` reads: `Retry-After`, an open breaker's), capped at `maxRetryAfterMs`.
 * A backoff that yields nothing, or throws, falls back to the interval: the loop never gives up.
 *
 * @example
 * failureDelay(walk, new HttpError(503, 'busy', { retryAfterMs: 120_000 }), s, now, random) // 120_000
 */
export function failureDelay(walk: BackoffWalk, error: unknown, s: FailureDelaySettings, now: number, random: () => number): number {
  let step: number;
  try {
    const d = walk.next(random);
    step = d !== undefined && Number.isFinite(d) && d >= 0 ? d : s.intervalMs;
  } catch {
    // A user-supplied Backoff that throws must not end a loop that never gives up.
    step = s.intervalMs;
  }
  let verdict: Pick<Verdict, 'retryAfterMs'>;
  try {
    verdict = classify(error, { now });
  } catch {
    verdict = {}; // an error whose getters throw asks for no wait
  }
  return retryDelay(step, verdict, s.maxRetryAfterMs); // the one wait rule, as the retry engine's
}
