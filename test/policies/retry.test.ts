import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { constant, exponential, schedule } from '../../src/core/backoff.js';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { RetryBudget } from '../../src/policies/budget.js';
import type { Clock } from '../../src/core/clock.js';
import type { Verdict } from '../../src/core/classify.js';
import { BrokenCircuitError, HttpError } from '../../src/core/errors.js';
import type { EventOf, ResilienceEvent } from '../../src/core/events.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { http, play } from './retry-helpers.js';
import { withRetry, type RetryOptions } from '../../src/policies/retry.js';
import { watchListeners } from '../signal-listeners.js';

/** A fn that throws `errors` in turn (the last one forever) and records when each attempt began. */
function scripted(clock: FakeClock, errors: unknown[], succeedAfter = Infinity) {
  const times: number[] = [];
  const fn = vi.fn(async ({ attempt }: { attempt: number }) => {
    times.push(clock.now());
    if (attempt > succeedAfter) return `ok after ${attempt - 1}`;
    throw errors[Math.min(attempt, errors.length) - 1];
  });
  return { fn, times };
}

function sink(): { events: ResilienceEvent[]; onEvent: (e: ResilienceEvent) => void } {
  const events: ResilienceEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}
const retries = (events: ResilienceEvent[]): EventOf<'retry'>[] => events.filter((e): e is EventOf<'retry'> => e.type === 'retry');
const giveUps = (events: ResilienceEvent[]): EventOf<'give_up'>[] => events.filter((e): e is EventOf<'give_up'> => e.type === 'give_up');

describe('withRetry: what is retried', () => {
  it('returns the first success and passes 1-based attempt numbers', async () => {
    const clock = new FakeClock();
    const seen: number[] = [];
    const result = await play(
      clock,
      withRetry(
        async ({ attempt }) => {
          seen.push(attempt);
          if (attempt < 3) throw http(503);
          return 'done';
        },
        { clock, backoff: constant('1s') },
      ),
    );
    expect(result).toEqual({ ok: true, value: 'done' });
    expect(seen).toEqual([1, 2, 3]);
    expect(clock.pending).toBe(0);
  });

  it('retries 5xx, network codes and fetch failed; stops at once on a 404 and rejects with that very error', async () => {
    const clock = new FakeClock();
    const notFound = http(404);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const { fn, times } = scripted(clock, [http(502), refused, new TypeError('fetch failed'), notFound, http(503)]);
    const result = await play(clock, withRetry(fn, { clock, backoff: constant('1s'), maxRetries: 10 }));
    expect(result).toEqual({ ok: false, error: notFound });
    expect((result as { error: unknown }).error).toBe(notFound);
    expect(times).toEqual([0, 1000, 2000, 3000]);
  });

  it('rejects with the last attempt’s error object itself, not the first or a wrapper', async () => {
    const clock = new FakeClock();
    const errors = [http(503), http(503), http(503)];
    const { fn } = scripted(clock, errors);
    const result = await play(clock, withRetry(fn, { clock, backoff: constant(10), maxRetries: 2 }));
    expect(result.ok).toBe(false);
    expect((result as { error: unknown }).error).toBe(errors[2]);
  });
});

describe('withRetry: delays', () => {
  it('schedule 4s/8s/16s/32s/64s against always-502: attempts at 0, 4, 12, 28, 60, 124 s, then gives up', async () => {
    const clock = new FakeClock();
    const errors = Array.from({ length: 6 }, () => http(502));
    const { fn, times } = scripted(clock, errors);
    const { events, onEvent } = sink();
    const result = await play(clock, withRetry(fn, { clock, backoff: schedule(['4s', '8s', '16s', '32s', '64s']), maxRetries: 100, onEvent }));
    expect(times).toEqual([0, 4_000, 12_000, 28_000, 60_000, 124_000]);
    expect(fn).toHaveBeenCalledTimes(6);
    expect((result as { error: unknown }).error).toBe(errors[5]);
    expect(giveUps(events)).toMatchObject([{ attempts: 6, elapsedMs: 124_000, reason: 'schedule-exhausted' }]);
  });

  it('waits 5s, 10s, 20s, 40s, 60s, 60s for exponential initial 5s, max 60s, no jitter', async () => {
    const clock = new FakeClock();
    const { fn, times } = scripted(clock, [http(503)]);
    const { events, onEvent } = sink();
    await play(clock, withRetry(fn, { clock, backoff: exponential({ initial: '5s', max: '60s', jitter: 'none' }), maxRetries: 6, onEvent }));
    expect(retries(events).map((e) => e.delayMs)).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(times.slice(1).map((t, i) => t - (times[i] as number))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('defaults to exponential 500ms..30s with full jitter and 5 retries', async () => {
    const clock = new FakeClock({ random: () => 0.5 });
    const { fn } = scripted(clock, [http(503)]);
    const { events, onEvent } = sink();
    const result = await play(clock, withRetry(fn, { clock, onEvent }));
    expect(result.ok).toBe(false);
    expect(fn).toHaveBeenCalledTimes(6);
    expect(retries(events).map((e) => e.delayMs)).toEqual([250, 500, 1_000, 2_000, 4_000]);

    const capped = new FakeClock({ random: () => 0.5 });
    const more = sink();
    await play(capped, withRetry(scripted(capped, [http(503)]).fn, { clock: capped, maxRetries: 8, onEvent: more.onEvent }));
    // Full jitter draws from [0, d]; d stops growing at 30s.
    expect(retries(more.events).map((e) => e.delayMs)).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
  });

  it('waits for Retry-After when it is longer than the backoff delay', async () => {
    const clock = new FakeClock();
    const { fn, times } = scripted(clock, [http(429, 20_000)], 1);
    await play(clock, withRetry(fn, { clock, backoff: constant('1s') }));
    expect(times).toEqual([0, 20_000]);
  });

  it('keeps the backoff delay when it is longer than Retry-After', async () => {
    const clock = new FakeClock();
    const { fn, times } = scripted(clock, [http(503, 10_000)], 1);
    await play(clock, withRetry(fn, { clock, backoff: constant('30s') }));
    expect(times).toEqual([0, 30_000]);
  });

  it('caps Retry-After at maxRetryAfter (default 5m)', async () => {
    const clock = new FakeClock();
    const { fn, times } = scripted(clock, [http(503, 3_600_000)], 1);
    await play(clock, withRetry(fn, { clock, backoff: constant('1s') }));
    expect(times).toEqual([0, 300_000]);

    const clock2 = new FakeClock();
    const second = scripted(clock2, [http(503, 3_600_000)], 1);
    await play(clock2, withRetry(second.fn, { clock: clock2, backoff: constant('1s'), maxRetryAfter: '10s' }));
    expect(second.times).toEqual([0, 10_000]);
  });

  it('a delay of 0 never touches a timer', async () => {
    const sleep = vi.fn(async () => {});
    const spy: Clock = { now: () => 0, random: () => 0.5, sleep };
    let calls = 0;
    const fn = async (): Promise<string> => {
      if (++calls < 4) throw http(503);
      return 'ok';
    };
    await expect(withRetry(fn, { clock: spy, backoff: constant(0) })).resolves.toBe('ok');
    await expect(withRetry(async () => 'x', { clock: spy, signal: new AbortController().signal })).resolves.toBe('x');
    expect(sleep).not.toHaveBeenCalled();

    const clock = new FakeClock();
    const { fn: failing } = scripted(clock, [http(503)]);
    const done = withRetry(failing, { clock, backoff: constant(0), maxRetries: 3 }).catch(() => 'failed');
    expect(clock.pending).toBe(0);
    await clock.settle();
    expect(clock.pending).toBe(0);
    await expect(done).resolves.toBe('failed');
    expect(failing).toHaveBeenCalledTimes(4);
  });
});

describe('withRetry: maxRetries', () => {
  const attemptsFor = async (maxRetries: number | undefined): Promise<number> => {
    const clock = new FakeClock();
    const { fn } = scripted(clock, [http(503)]);
    const options: RetryOptions = { clock, backoff: constant(0) };
    if (maxRetries !== undefined) options.maxRetries = maxRetries;
    await play(clock, withRetry(fn, options));
    return fn.mock.calls.length;
  };

  it('makes 6 attempts by default, 1 with maxRetries 0, 4 with maxRetries 3', async () => {
    expect(await attemptsFor(undefined)).toBe(6);
    expect(await attemptsFor(0)).toBe(1);
    expect(await attemptsFor(3)).toBe(4);
  });

  it('gives up with reason max-retries when the retries run out', async () => {
    const clock = new FakeClock();
    const { events, onEvent } = sink();
    await play(clock, withRetry(scripted(clock, [http(503)]).fn, { clock, backoff: constant('1s'), maxRetries: 2, onEvent }));
    expect(giveUps(events)).toMatchObject([{ attempts: 3, elapsedMs: 2_000, reason: 'max-retries' }]);
  });

  it('keeps retrying with Infinity and reports maxRetries as null', async () => {
    const clock = new FakeClock();
    const { fn } = scripted(clock, [http(503)], 1_000);
    const { events, onEvent } = sink();
    const result = await play(clock, withRetry(fn, { clock, backoff: constant(0), maxRetries: Infinity, onEvent }));
    expect(result).toEqual({ ok: true, value: 'ok after 1000' });
    expect(retries(events)).toHaveLength(1_000);
    expect(retries(events).every((e) => e.maxRetries === null)).toBe(true);
  });

  it.each([-1, 1.5, NaN, '3', -Infinity])('rejects maxRetries %s with a RangeError naming it, before calling fn', async (bad) => {
    const fn = vi.fn(async () => 'x');
    await expect(withRetry(fn, { maxRetries: bad as number })).rejects.toThrow(RangeError);
    await expect(withRetry(fn, { maxRetries: bad as number })).rejects.toThrow(/maxRetries/);
    expect(fn).not.toHaveBeenCalled();
  });

  it('validates the other options at the call, naming them', async () => {
    const fn = vi.fn(async () => 'x');
    await expect(withRetry(fn, { maxElapsed: -1 })).rejects.toThrow(/maxElapsed/);
    await expect(withRetry(fn, { attemptTimeout: 'soon' })).rejects.toThrow(/attemptTimeout/);
    await expect(withRetry(fn, { attemptTimeout: 0 })).rejects.toThrow(/attemptTimeout/);
    await expect(withRetry(fn, { maxRetryAfter: NaN })).rejects.toThrow(/maxRetryAfter/);
    await expect(withRetry(fn, { retryOn: 'yes' as never })).rejects.toThrow(/retryOn/);
    await expect(withRetry(fn, { backoff: '5s' as never })).rejects.toThrow(/backoff/);
    await expect(withRetry(fn, { clock: { now: () => 0 } as never })).rejects.toThrow(/clock/);
    await expect(withRetry(fn, { onEvent: {} as never })).rejects.toThrow(/onEvent/);
    await expect(withRetry(fn, { name: 42 as never })).rejects.toThrow(/name/);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('withRetry: maxElapsed', () => {
  it('starts no retry whose sleep would end past maxElapsed', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const errors = [http(503), http(503), http(503)];
    const { events, onEvent } = sink();
    const fn = async ({ attempt, signal }: { attempt: number; signal: AbortSignal }): Promise<never> => {
      times.push(clock.now());
      await clock.sleep(4_000, signal); // each attempt takes 4s
      throw errors[attempt - 1];
    };
    const result = await play(clock, withRetry(fn, { clock, backoff: constant('10s'), maxElapsed: '25s', onEvent }));
    // 0..4 fails, sleep to 14, 14..18 fails, a sleep to 28 would end past 25s.
    expect(times).toEqual([0, 14_000]);
    expect((result as { error: unknown }).error).toBe(errors[1]);
    expect(giveUps(events)).toMatchObject([{ attempts: 2, elapsedMs: 18_000, reason: 'max-elapsed' }]);
  });

  it('allows a sleep that ends exactly at maxElapsed', async () => {
    const clock = new FakeClock();
    const { fn, times } = scripted(clock, [http(503)]);
    await play(clock, withRetry(fn, { clock, backoff: constant('10s'), maxElapsed: '20s', maxRetries: 10 }));
    expect(times).toEqual([0, 10_000, 20_000]);
  });
});

describe('withRetry: attemptTimeout', () => {
  it('times out an attempt whose fn ignores its signal, and retries it with a fresh signal', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const signals: AbortSignal[] = [];
    const fn = ({ attempt, signal }: { attempt: number; signal: AbortSignal }): Promise<string> => {
      times.push(clock.now());
      signals.push(signal);
      return attempt < 3 ? new Promise<never>(() => {}) : Promise.resolve('third time');
    };
    const result = await play(clock, withRetry(fn, { clock, backoff: constant('1s'), attemptTimeout: '5s' }));
    expect(result).toEqual({ ok: true, value: 'third time' });
    expect(times).toEqual([0, 6_000, 12_000]);
    expect(new Set(signals).size).toBe(3);
    expect((signals[0]?.reason as Error).name).toBe('TimeoutError');
    expect(signals[2]?.aborted).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('treats the TimeoutError as transient and rejects with it once retries run out', async () => {
    const clock = new FakeClock();
    const { events, onEvent } = sink();
    const fn = vi.fn(() => new Promise<never>(() => {}));
    const result = await play(clock, withRetry(fn, { clock, backoff: constant(0), attemptTimeout: 1_000, maxRetries: 2, onEvent }));
    expect(result.ok).toBe(false);
    expect(((result as { error: unknown }).error as Error).name).toBe('TimeoutError');
    expect(fn).toHaveBeenCalledTimes(3);
    expect(retries(events)[0]?.verdict.kind).toBe('transient');
    expect(giveUps(events)).toMatchObject([{ attempts: 3, elapsedMs: 3_000, reason: 'max-retries' }]);
  });

  it('combines the timeout with the caller’s signal: the caller’s abort reaches the attempt', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const reason = new Error('shutting down');
    let attemptSignal: AbortSignal | undefined;
    const done = withRetry(
      ({ signal }) => {
        attemptSignal = signal;
        return new Promise<never>(() => {});
      },
      { clock, attemptTimeout: '10s', signal: controller.signal },
    );
    await clock.advance(2_000);
    controller.abort(reason);
    await expect(done).rejects.toBe(reason);
    expect(attemptSignal?.aborted).toBe(true);
    expect(attemptSignal?.reason).toBe(reason);
    expect(clock.pending).toBe(0);
  });
});

describe('withRetry: retryOn', () => {
  it('can retry a permanent error, and receives the error and its verdict', async () => {
    const clock = new FakeClock();
    const notFound = http(404);
    const { fn } = scripted(clock, [notFound], 1);
    const retryOn = vi.fn((_error: unknown, _verdict: Verdict) => true);
    const result = await play(clock, withRetry(fn, { clock, backoff: constant('1s'), retryOn }));
    expect(result).toEqual({ ok: true, value: 'ok after 1' });
    expect(retryOn).toHaveBeenCalledWith(notFound, expect.objectContaining({ kind: 'permanent', status: 404 }));
    expect(retryOn.mock.calls[0]?.[0]).toBe(notFound);
  });

  it('can refuse a transient error, which then stops at once', async () => {
    const clock = new FakeClock();
    const { events, onEvent } = sink();
    const { fn } = scripted(clock, [http(503)]);
    await play(clock, withRetry(fn, { clock, retryOn: (_e, v) => v.kind !== 'transient', onEvent }));
    expect(fn).toHaveBeenCalledTimes(1);
    expect(giveUps(events)[0]?.reason).toBe('not-retryable');
  });

  // p-retry and ky users write async predicates; a promise used to be taken as "yes" (it is truthy).
  it('awaits a retryOn that returns a promise: a promise of false stops, a promise of true retries', async () => {
    const clock = new FakeClock();
    const no = scripted(clock, [http(503)]);
    const refused = await play(clock, withRetry(no.fn, { clock, backoff: constant('1s'), retryOn: async () => false }));
    expect(refused.ok).toBe(false);
    expect(no.fn).toHaveBeenCalledTimes(1);
    const yes = scripted(clock, [http(404)], 2);
    const retried = await play(clock, withRetry(yes.fn, { clock, backoff: constant('1s'), retryOn: async () => true }));
    expect(retried).toEqual({ ok: true, value: 'ok after 2' });
  });

  it('a retryOn that rejects or throws ends the call with that error, never an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const clock = new FakeClock();
      const broken = new Error('predicate broke');
      const rejecting = scripted(clock, [http(503)]);
      const a = await play(clock, withRetry(rejecting.fn, { clock, retryOn: () => Promise.reject(broken) }));
      expect(a).toEqual({ ok: false, error: broken });
      const throwing = scripted(clock, [http(503)]);
      const b = await play(clock, withRetry(throwing.fn, { clock, retryOn: () => { throw broken; } }));
      expect(b).toEqual({ ok: false, error: broken });
      expect(rejecting.fn).toHaveBeenCalledTimes(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('is not asked once no retry is left (maxRetries, a finished schedule, maxElapsed)', async () => {
    const clock = new FakeClock();
    const asked: number[] = [];
    const retryOn = (_e: unknown, _v: Verdict): boolean => (asked.push(clock.now()), true);
    const a = scripted(clock, [http(503)]);
    await play(clock, withRetry(a.fn, { clock, backoff: constant('1s'), maxRetries: 2, retryOn }));
    expect(a.fn).toHaveBeenCalledTimes(3);
    expect(asked).toHaveLength(2);
    asked.length = 0;
    const b = scripted(clock, [http(503)]);
    await play(clock, withRetry(b.fn, { clock, backoff: schedule(['1s']), retryOn }));
    expect(asked).toHaveLength(1);
    asked.length = 0;
    const c = scripted(clock, [http(503)]);
    await play(clock, withRetry(c.fn, { clock, backoff: constant('10s'), maxElapsed: '5s', retryOn }));
    expect(asked).toHaveLength(0);
  });
});

describe('withRetry: options are resolved once per options object', () => {
  it('a mutated options object is resolved again (a new maxRetries applies to the next call)', async () => {
    const clock = new FakeClock();
    const options: RetryOptions = { clock, backoff: constant('1s'), maxRetries: 1 };
    const first = scripted(clock, [http(503)]);
    await play(clock, withRetry(first.fn, options));
    expect(first.fn).toHaveBeenCalledTimes(2);
    options.maxRetries = 3;
    const second = scripted(clock, [http(503)]);
    await play(clock, withRetry(second.fn, options));
    expect(second.fn).toHaveBeenCalledTimes(4);
    options.maxRetries = -1;
    await expect(withRetry(second.fn, options)).rejects.toThrow(/maxRetries.*-1/);
  });
});

describe('withRetry: budget', () => {
  it('records the call once, asks before each retry, and throws the last error when refused', async () => {
    const clock = new FakeClock({ now: 1_000 });
    let allowance = 2;
    const budget = {
      recordCall: vi.fn((_now?: number) => {}),
      tryRetry: vi.fn((_now?: number) => allowance-- > 0),
    };
    const errors = [http(503), http(503), http(503), http(503)];
    const { fn, times } = scripted(clock, errors);
    const { events, onEvent } = sink();
    const result = await play(clock, withRetry(fn, { clock, backoff: constant('1s'), budget: budget as unknown as RetryBudget, onEvent }));
    expect(budget.recordCall).toHaveBeenCalledTimes(1);
    expect(budget.recordCall).toHaveBeenCalledWith(1_000);
    expect(budget.tryRetry.mock.calls).toEqual([[1_000], [2_000], [3_000]]);
    expect(times).toEqual([1_000, 2_000, 3_000]);
    expect((result as { error: unknown }).error).toBe(errors[2]);
    expect(giveUps(events)[0]?.reason).toBe('budget');
  });

  it('with a real RetryBudget shared by 10 calls, retries stay within ratio * calls + floor', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0, window: '1m', clock });
    const fns = Array.from({ length: 10 }, () => scripted(clock, [http(503)]).fn);
    const runs = fns.map((fn) => play(clock, withRetry(fn, { clock, backoff: constant('1s'), budget, maxRetries: 10 })));
    await Promise.all(runs);
    const attempts = fns.reduce((n, fn) => n + fn.mock.calls.length, 0);
    expect(attempts - 10).toBe(2); // 0.2 * 10 calls
  });
});

describe('withRetry: an open breaker makes it wait for the half-open', () => {
  it('waits the BrokenCircuitError’s retryAfterMs (30s) instead of the 1s backoff', async () => {
    const clock = new FakeClock();
    const { fn, times } = scripted(clock, [new BrokenCircuitError(30_000)], 1);
    const result = await play(clock, withRetry(fn, { clock, backoff: constant('1s') }));
    expect(result).toEqual({ ok: true, value: 'ok after 1' });
    expect(times).toEqual([0, 30_000]);
  });

  it('an isolated breaker gives up at once: it never half-opens by itself, so waiting cannot help', async () => {
    const clock = new FakeClock();
    const { events, onEvent } = sink();
    const isolated = new BrokenCircuitError(Infinity, 'isolated');
    const { fn, times } = scripted(clock, [isolated], 1);
    const outcome = await play(clock, withRetry(fn, { clock, backoff: constant('1s'), onEvent }));
    expect(outcome).toEqual({ ok: false, error: isolated });
    expect(times).toEqual([0]);
    expect(events.map((e) => e.type)).toEqual(['give_up']);
    expect(events[0]).toMatchObject({ reason: 'permanent', attempts: 1 });
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
  });

  it('withRetry(() => breaker.execute(fn)) calls fn only on the half-open trial', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ clock, failureThreshold: 2, openFor: '30s' });
    const calls: number[] = [];
    const inner = async (): Promise<string> => {
      calls.push(clock.now());
      if (calls.length <= 2) throw http(503);
      return 'back';
    };
    let attempts = 0;
    const result = await play(
      clock,
      withRetry(
        () => {
          attempts++;
          return breaker.execute(inner);
        },
        { clock, backoff: constant('1s'), maxRetries: 10 },
      ),
    );
    expect(result).toEqual({ ok: true, value: 'back' });
    // Two failures open it at 1s; the next attempt waits the 30s until the trial instead of hammering.
    expect(calls).toEqual([0, 1_000, 31_000]);
    expect(attempts).toBe(4); // the one refused at 2s waited its retryAfterMs (29s)
  });
});


describe('withRetry: the caller’s signal', () => {
  it('refuses a signal that is not an AbortSignal before calling fn, naming the option', async () => {
    const fn = vi.fn(async () => 'x');
    await expect(withRetry(fn, { signal: { aborted: 'no' } as never, clock: new FakeClock() })).rejects.toThrow(/signal must be an AbortSignal/);
    expect(fn).not.toHaveBeenCalled();
  });

  it('never calls fn when the signal is already aborted, and rejects with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    const fn = vi.fn(async () => 'x');
    await expect(withRetry(fn, { signal: controller.signal, clock: new FakeClock() })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
  });

  it.each([
    ['without attemptTimeout', {}],
    ['with attemptTimeout', { attemptTimeout: '1m' }],
  ])('an abort during an attempt (%s) rejects at once with signal.reason, leaving nothing behind', async (_label, extra) => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal).live;
    const fn = vi.fn(() => new Promise<never>(() => {})); // ignores its signal
    let settled: unknown = 'pending';
    const done = withRetry(fn, { clock, signal: controller.signal, ...extra }).catch((e: unknown) => (settled = e));
    await clock.settle();
    expect(listeners()).toBeGreaterThan(0);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await clock.settle(); // no virtual time passes
    expect(settled).toBe(reason);
    await done;
    expect(listeners()).toBe(0);
    expect(clock.pending).toBe(0);
    await clock.advance(3_600_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('an abort during a sleep rejects at once with signal.reason, with no further attempt, listener or timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal).live;
    const { fn } = scripted(clock, [http(503)]);
    const { events, onEvent } = sink();
    let settled: unknown = 'pending';
    const done = withRetry(fn, { clock, signal: controller.signal, backoff: constant('10s'), onEvent }).catch((e: unknown) => (settled = e));
    await clock.advance(3_000);
    expect(clock.pending).toBe(1); // the 10s sleep
    expect(listeners()).toBe(1);
    controller.abort();
    await clock.settle();
    expect(settled).toBe(controller.signal.reason);
    expect((settled as Error).name).toBe('AbortError');
    await done;
    expect(clock.pending).toBe(0);
    expect(listeners()).toBe(0);
    await clock.advance(60_000);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(giveUps(events)).toMatchObject([{ attempts: 1, elapsedMs: 3_000, reason: 'aborted' }]);
  });

  it('leaves no listener behind after a success, a permanent error or exhausted retries', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal).live;
    const signal = controller.signal;
    await play(clock, withRetry(async () => 1, { clock, signal }));
    await play(clock, withRetry(scripted(clock, [http(404)]).fn, { clock, signal }));
    await play(clock, withRetry(scripted(clock, [http(503)]).fn, { clock, signal, maxRetries: 2, attemptTimeout: '1s' }));
    await play(clock, withRetry(() => new Promise<never>(() => {}), { clock, signal, maxRetries: 2, attemptTimeout: '1s' }));
    expect(listeners()).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('each attempt gets its own signal even without a caller signal, so listeners fetch leaves on it never pile up', async () => {
    const clock = new FakeClock();
    const given = new Set<AbortSignal>();
    for (let i = 0; i < 10; i++) {
      await play(
        clock,
        withRetry(
          async ({ attempt, signal }) => {
            given.add(signal);
            signal.addEventListener('abort', () => {}); // undici's Request keeps one until GC
            if (attempt < 3) throw http(503);
          },
          { clock, backoff: constant(0) },
        ),
      );
    }
    expect(given.size).toBe(30);
  });

  it('an abort wins over retryOn', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const fn = vi.fn(async () => {
      controller.abort();
      throw http(503);
    });
    const result = await play(clock, withRetry(fn, { clock, signal: controller.signal, retryOn: () => true }));
    expect((result as { error: unknown }).error).toBe(controller.signal.reason);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('withRetry: events', () => {
  it('emits retry before each sleep and give_up when it stops, with the documented fields', async () => {
    const clock = new FakeClock({ now: Date.UTC(2026, 0, 1) });
    const { events, onEvent } = sink();
    const sleepsStartedAt: string[] = [];
    const { fn } = scripted(clock, [http(503), http(500), http(404)]);
    await play(
      clock,
      withRetry(fn, {
        clock,
        backoff: constant('5s'),
        name: 'checkin',
        onEvent: (e) => {
          onEvent(e);
          sleepsStartedAt.push(`${e.type}@${clock.pending}`);
        },
      }),
    );
    expect(sleepsStartedAt).toEqual(['retry@0', 'retry@0', 'give_up@0']); // emitted before the sleep is registered
    expect(events).toEqual([
      {
        type: 'retry',
        time: '2026-01-01T00:00:00.000Z',
        name: 'checkin',
        attempt: 1,
        maxRetries: 5,
        delayMs: 5_000,
        verdict: { kind: 'transient', reason: 'HTTP 503', status: 503 },
        error: { name: 'HttpError', message: 'HTTP 503', status: 503 },
      },
      {
        type: 'retry',
        time: '2026-01-01T00:00:05.000Z',
        name: 'checkin',
        attempt: 2,
        maxRetries: 5,
        delayMs: 5_000,
        verdict: { kind: 'transient', reason: 'HTTP 500', status: 500 },
        error: { name: 'HttpError', message: 'HTTP 500', status: 500 },
      },
      {
        type: 'give_up',
        time: '2026-01-01T00:00:10.000Z',
        name: 'checkin',
        attempts: 3,
        elapsedMs: 10_000,
        reason: 'permanent',
        error: { name: 'HttpError', message: 'HTTP 404', status: 404 },
      },
    ]);
  });

  it('events are JSON-safe and carry no URL query or userinfo from the error message', async () => {
    const clock = new FakeClock();
    const { events, onEvent } = sink();
    const leaky = Object.assign(new Error('GET https://bob:hunter2@api.example.com/v1/tasks?token=s3cret failed: connection reset'), {
      code: 'ECONNRESET',
    });
    await play(clock, withRetry(scripted(clock, [leaky, http(503, 2_000)]).fn, { clock, maxRetries: Infinity, backoff: schedule([1, 2]), onEvent }));
    expect(events.map((e) => e.type)).toEqual(['retry', 'retry', 'give_up']);
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
    const text = JSON.stringify(events);
    expect(text).not.toMatch(/hunter2|bob|s3cret|token=/);
    expect(text).toContain('https://api.example.com/v1/tasks');
    expect(retries(events)[0]?.maxRetries).toBeNull();
    expect(retries(events)[1]?.delayMs).toBe(2_000);
  });

  it('emits nothing on a first-attempt success, names itself "retry" by default, and survives a throwing sink', async () => {
    const clock = new FakeClock();
    const { events, onEvent } = sink();
    await withRetry(async () => 1, { clock, onEvent });
    expect(events).toEqual([]);
    await play(clock, withRetry(scripted(clock, [http(404)]).fn, { clock, onEvent }));
    expect(events[0]?.name).toBe('retry');
    const result = await play(
      clock,
      withRetry(scripted(clock, [http(503)], 1).fn, {
        clock,
        onEvent: () => {
          throw new Error('logger down');
        },
      }),
    );
    expect(result).toEqual({ ok: true, value: 'ok after 1' });
  });
});

describe('withRetry: properties', () => {
  it('whenever the caller aborts, it has made exactly the attempts due by then and leaves no timer or listener', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 60_000 }), async (ds, t) => {
        const clock = new FakeClock();
        const controller = new AbortController();
        const listeners = watchListeners(controller.signal).live;
        const errors: HttpError[] = [];
        const fn = vi.fn(async () => {
          const e = http(503);
          errors.push(e);
          throw e;
        });
        let outcome: unknown = 'pending';
        const done = withRetry(fn, { clock, signal: controller.signal, backoff: schedule(ds), maxRetries: 10 }).catch((e: unknown) => (outcome = e));
        await clock.advance(t);
        controller.abort();
        await clock.settle();
        await done;
        const starts = ds.reduce((acc, d) => [...acc, (acc.at(-1) as number) + d], [0]);
        const due = starts.filter((a) => a <= t).length;
        expect(fn).toHaveBeenCalledTimes(due);
        // Once every attempt has been made it has already given up with the last error.
        expect(outcome).toBe(due === starts.length ? errors.at(-1) : controller.signal.reason);
        expect(clock.pending).toBe(0);
        expect(listeners()).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('default backoff: retry n waits within [0, min(30s, 500ms * 2^(n-1))] for any seed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), async (seed) => {
        const clock = new FakeClock({ seed });
        const { events, onEvent } = sink();
        await play(clock, withRetry(scripted(clock, [http(503)]).fn, { clock, maxRetries: 8, onEvent }));
        retries(events).forEach((e, i) => {
          expect(e.delayMs).toBeGreaterThanOrEqual(0);
          expect(e.delayMs).toBeLessThanOrEqual(Math.min(30_000, 500 * 2 ** i));
        });
        expect(retries(events)).toHaveLength(8);
      }),
      { numRuns: 20 },
    );
  });
});
