/**
 * simulate: dry-runs a retry policy in virtual time against a list of outcomes.
 */
import { HttpError } from '../core/errors.js';
import { summarizeError, type ErrorSummary, type ResilienceEvent } from '../core/events.js';
import { FakeClock } from './fake-clock.js';
import { parseRetryAfter } from '../core/http-date.js';
import { retrySettings, withRetry, type RetryOptions } from '../policies/retry.js';
import { numberOption, objectOption } from '../core/options.js';

/**
 * What one attempt does: `'ok'`, an HTTP status (2xx succeeds), an error to throw, or a status
 * with a `Retry-After` value and/or how long the attempt takes.
 */
export type SimulatedOutcome = 'ok' | number | Error | { status: number; retryAfter?: string; durationMs?: number };

/** One attempt on the timeline. Times are ms since the start of the run. */
export interface SimulatedAttempt {
  attempt: number;
  /** When the attempt started. */
  at: number;
  ok: boolean;
  status?: number;
  error?: ErrorSummary;
  /** The wait before the next attempt, if one followed. */
  delayMs?: number;
}

/** The result of {@link simulate}. */
export interface SimulationResult {
  ok: boolean;
  attempts: number;
  /** Virtual time from the first attempt to the end. */
  elapsedMs: number;
  timeline: SimulatedAttempt[];
  /** Every event the policy emitted. */
  events: ResilienceEvent[];
  /** Why it stopped, when it gave up. */
  giveUpReason?: string;
}

/**
 * Runs `withRetry` with `options` in virtual time, where attempt n meets `outcomes[n-1]` (the
 * last outcome repeats), and returns the timeline. Nothing waits for real.
 *
 * @example
 * const run = await simulate({ backoff: schedule(['4s', '8s', '16s']), maxRetries: 3 }, [502, 502, 'ok']);
 * run.timeline.map((a) => a.at) // [0, 4000, 12000]
 */
export async function simulate(options: Omit<RetryOptions, 'clock'> & { seed?: number | undefined }, outcomes: readonly SimulatedOutcome[]): Promise<SimulationResult> {
  if (!Array.isArray(outcomes) || outcomes.length === 0) throw new RangeError('steadfast: simulate needs at least one outcome');
  objectOption('simulate options', options);
  const { seed, onEvent, ...retry } = options;
  // Checked before the run: a bad option must throw, not come back as a failed simulation.
  retrySettings({ ...retry, ...(onEvent === undefined ? {} : { onEvent }) });
  const clock = new FakeClock(seed === undefined ? {} : { seed: numberOption('simulate.seed', seed, -Number.MAX_VALUE, Number.MAX_VALUE) });
  const events: ResilienceEvent[] = [];
  const timeline: SimulatedAttempt[] = [];
  const run = withRetry(
    async ({ attempt, signal }) => {
      const outcome = outcomes[Math.min(attempt, outcomes.length) - 1] as SimulatedOutcome;
      const entry: SimulatedAttempt = { attempt, at: clock.now(), ok: false };
      timeline.push(entry);
      // An attempt cut short by attemptTimeout rejects inside play: record that error too.
      const failure = await play(outcome, clock, signal).catch((error: unknown) => error);
      if (failure === undefined) {
        entry.ok = true;
        return;
      }
      entry.error = summarizeError(failure);
      if (failure instanceof HttpError) entry.status = failure.status;
      throw failure;
    },
    {
      ...retry,
      clock,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'retry') {
          const last = timeline.at(-1);
          if (last !== undefined) last.delayMs = event.delayMs;
        }
        onEvent?.(event);
      },
    },
  ).then(
    () => true,
    () => false,
  );
  let settled = false;
  void run.finally(() => (settled = true));
  await clock.runAll();
  await clock.settle();
  // Only an attempt that never ends (durationMs: Infinity and no attemptTimeout) leaves it pending.
  if (!settled) throw new RangeError('steadfast: simulate: an attempt never finished; give it a finite durationMs or set attemptTimeout');
  const ok = await run;
  const giveUp = events.find((e) => e.type === 'give_up');
  const result: SimulationResult = { ok, attempts: timeline.length, elapsedMs: clock.now(), timeline, events };
  if (giveUp !== undefined && giveUp.type === 'give_up') result.giveUpReason = giveUp.reason;
  return result;
}

async function play(outcome: SimulatedOutcome, clock: FakeClock, signal: AbortSignal): Promise<unknown> {
  if (outcome === 'ok') return undefined;
  if (outcome instanceof Error) return outcome;
  const { status, retryAfter, durationMs } = typeof outcome === 'number' ? { status: outcome, retryAfter: undefined, durationMs: 0 } : outcome;
  if (durationMs !== undefined && durationMs > 0) await clock.sleep(durationMs, signal);
  if (status >= 200 && status < 300) return undefined;
  const retryAfterMs = parseRetryAfter(retryAfter, clock.now());
  return new HttpError(status, `HTTP ${status}`, retryAfterMs === undefined ? {} : { retryAfterMs });
}
