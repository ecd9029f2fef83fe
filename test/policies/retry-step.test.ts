import { describe, expect, it } from 'vitest';
import { constant, exponential, schedule } from '../../src/core/backoff.js';
import { BrokenCircuitError, HttpError } from '../../src/core/errors.js';
import { retryDelay, retryStep, type RetryPlan } from '../../src/policies/retry-step.js';

const plan = (o: Partial<RetryPlan> = {}): RetryPlan => ({
  backoff: exponential({ initial: '1s', max: '1m', jitter: 'none' }),
  maxRetries: 5,
  maxElapsed: Infinity,
  maxRetryAfter: 300_000,
  classify: undefined,
  decides: false,
  ...o,
});
const at = (attempt: number, o: { elapsedMs?: number } = {}) => ({ attempt, elapsedMs: o.elapsedMs ?? 0, previous: undefined, now: 0, random: () => 0.5 });

describe('retryStep: the pure step of the one retry engine', () => {
  it('retries a transient failure after the backoff delay and hands back the step to continue from', () => {
    const first = retryStep(plan(), new HttpError(503), at(1));
    expect(first).toMatchObject({ retry: true, delayMs: 1_000, verdict: { kind: 'transient', status: 503 } });
    const second = first.retry ? retryStep(plan(), new HttpError(503), { ...at(2), previous: first.step }) : undefined;
    expect(second).toMatchObject({ retry: true, delayMs: 2_000 });
  });

  it('stops at once on a permanent error, unless a retryOn decides', () => {
    expect(retryStep(plan(), new HttpError(404), at(1))).toMatchObject({ retry: false, reason: 'permanent' });
    expect(retryStep(plan({ decides: true }), new HttpError(404), at(1))).toMatchObject({ retry: true, delayMs: 1_000 });
  });

  it('stops with max-retries, schedule-exhausted and max-elapsed, in that order of checks', () => {
    expect(retryStep(plan({ maxRetries: 2 }), new HttpError(503), at(3))).toMatchObject({ retry: false, reason: 'max-retries' });
    const s = schedule(['1s']);
    const one = retryStep(plan({ backoff: s }), new HttpError(503), at(1));
    expect(one.retry && retryStep(plan({ backoff: s }), new HttpError(503), { ...at(2), previous: one.step })).toMatchObject({ retry: false, reason: 'schedule-exhausted' });
    expect(retryStep(plan({ maxElapsed: 10_000 }), new HttpError(503), at(1, { elapsedMs: 9_500 }))).toMatchObject({ retry: false, reason: 'max-elapsed' });
    expect(retryStep(plan({ maxElapsed: 10_000 }), new HttpError(503), at(1, { elapsedMs: 9_000 }))).toMatchObject({ retry: true, delayMs: 1_000 });
  });

  it('waits for the server (Retry-After, an open breaker) when that is longer, capped by maxRetryAfter', () => {
    const slow = new HttpError(503, 'busy', { retryAfterMs: 120_000 });
    expect(retryStep(plan(), slow, at(1))).toMatchObject({ retry: true, delayMs: 120_000 });
    expect(retryStep(plan({ maxRetryAfter: 60_000 }), slow, at(1))).toMatchObject({ retry: true, delayMs: 60_000 });
    expect(retryStep(plan({ backoff: constant('30s') }), new BrokenCircuitError(12_000), at(1))).toMatchObject({ retry: true, delayMs: 30_000 });
  });
});

describe('retryDelay: the one wait rule', () => {
  it('is max(backoff, min(retryAfter, cap))', () => {
    expect(retryDelay(1_000, {}, 300_000)).toBe(1_000);
    expect(retryDelay(1_000, { retryAfterMs: 500 }, 300_000)).toBe(1_000);
    expect(retryDelay(1_000, { retryAfterMs: 120_000 }, 300_000)).toBe(120_000);
    expect(retryDelay(1_000, { retryAfterMs: 900_000 }, 300_000)).toBe(300_000);
    expect(retryDelay(1_000, { retryAfterMs: Infinity }, 300_000)).toBe(300_000);
  });
});
