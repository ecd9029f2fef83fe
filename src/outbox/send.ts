/**
 * One delivery attempt of the outbox and the wait before the next: `send` under `sendTimeout`
 * (through the breaker), then the backoff step or the server's `Retry-After`, whichever is longer.
 */
import { runWithSignal } from '../core/abort.js';
import type { Backoff, BackoffStep } from '../core/backoff.js';
import type { Verdict } from '../core/classify.js';
import type { ResolvedOutboxOptions } from './options.js';
import { toItem, type Entry } from './queue.js';

/** The longest `Retry-After` (or breaker wait) honoured before the next attempt: 5 minutes. */
const MAX_RETRY_AFTER = 300_000;

/**
 * One `send` of the head item (through the breaker, if any), under `sendTimeout`. Resolves with
 * its error, or undefined on success. It settles the moment the timeout passes, even if `send`
 * never does: an abandoned `send` that settles later is ignored (its item stays waiting, so it
 * can't be acknowledged by it).
 */
export async function sendOnce(
  entry: Entry,
  o: Pick<ResolvedOutboxOptions, 'send' | 'breaker' | 'sendTimeout' | 'clock'>,
): Promise<{ error: unknown } | undefined> {
  // Each attempt gets its own signal (listeners `send` or fetch leave on it can't pile up), aborted
  // only by sendTimeout: stop() lets the delivery in flight finish, and the timeout bounds that wait.
  // The timeout runs inside the breaker, so a hung send counts as a failure there.
  const send = (): Promise<void> => {
    entry.attempts++;
    const item = toItem(entry);
    return runWithSignal((attempt) => o.send(item, { signal: attempt }), { timeoutMs: o.sendTimeout, clock: o.clock });
  };
  try {
    await (o.breaker === undefined ? send() : o.breaker.execute(send));
    return undefined;
  } catch (error) {
    return { error };
  }
}

/**
 * @internal The step for one more consecutive failure: the backoff's first after a success
 * (`step` undefined), else the one after `step`; `undefined` once a finite backoff is used up.
 */
export function nextStep(backoff: Backoff, step: BackoffStep | undefined, random: () => number): BackoffStep | undefined {
  return step === undefined ? backoff.first(random) : step.next(random);
}

/** @internal The wait before the next attempt: the backoff delay, or the server's `Retry-After` (at most 5 minutes) if longer. */
export function retryDelay(step: BackoffStep | undefined, verdict: Verdict): number {
  return Math.max(step?.delay ?? 0, Math.min(verdict.retryAfterMs ?? 0, MAX_RETRY_AFTER));
}
