/**
 * The one retry engine under review (issue 11): the order of its checks, what give_up says, the
 * caller's abort, async retryOn, the loop's hooks, the options cache and the backoff walker.
 * Everything runs in virtual time on a FakeClock.
 */
import { describe, expect, it, vi } from 'vitest';
import { constant, exponential, linear, schedule, type Backoff } from '../../src/core/backoff.js';
import { BackoffWalk, stepAt } from '../../src/core/backoff-walk.js';
import type { Verdict } from '../../src/core/classify.js';
import type { EventOf, ResilienceEvent } from '../../src/core/events.js';
import { seededRandom } from '../../src/core/random.js';
import { RetryBudget } from '../../src/policies/budget.js';
import { retryLoop, type RetryHooks } from '../../src/policies/retry-loop.js';
import type { GiveUpReason } from '../../src/policies/retry-step.js';
import { retrySettings, withRetry, type RetryOptions } from '../../src/policies/retry.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { http, play, type Outcome } from './retry-helpers.js';
import { watchListeners } from '../signal-listeners.js';

/** A fn that throws `errors` in turn (the last one forever). */
function failing(errors: unknown[]): { fn: (ctx: { attempt: number }) => Promise<never>; calls: () => number } {
  let calls = 0;
  return {
    fn: async ({ attempt }) => {
      calls++;
      throw errors[Math.min(attempt, errors.length) - 1];
    },
    calls: () => calls,
  };
}

function recorder(): { events: ResilienceEvent[]; onEvent: (e: ResilienceEvent) => void; giveUps: () => EventOf<'give_up'>[]; retries: () => EventOf<'retry'>[] } {
  const events: ResilienceEvent[] = [];
  return {
    events,
    onEvent: (e) => events.push(e),
    giveUps: () => events.filter((e): e is EventOf<'give_up'> => e.type === 'give_up'),
    retries: () => events.filter((e): e is EventOf<'retry'> => e.type === 'retry'),
  };
}

/** A retryOn that answers only when the test says so. */
function pendingRetryOn(): { retryOn: () => Promise<boolean>; answer: (v: boolean) => void; asked: () => number } {
  let answer: (v: boolean) => void = () => {};
  let asked = 0;
  return {
    retryOn: () => {
      asked++;
      return new Promise<boolean>((resolve) => (answer = resolve));
    },
    answer: (v) => answer(v),
    asked: () => asked,
  };
}

/** Lets every pending promise reaction run (no timers move). */
const drain = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('retry engine: the order of the checks after a failed attempt', () => {
  async function reasonFor(o: RetryOptions, errors: unknown[]): Promise<{ reason: GiveUpReason; attempts: number; calls: number; error: unknown }> {
    const clock = (o.clock as FakeClock | undefined) ?? new FakeClock();
    const rec = recorder();
    const f = failing(errors);
    const result = await play(clock, withRetry(f.fn, { clock, onEvent: rec.onEvent, ...o }));
    expect(result.ok).toBe(false);
    const [g] = rec.giveUps();
    if (g === undefined) throw new Error('no give_up event');
    return { reason: g.reason as GiveUpReason, attempts: g.attempts, calls: f.calls(), error: (result as { error: unknown }).error };
  }

  it('a permanent error stops with reason permanent even when maxRetries is 0 (permanent is checked before max-retries)', async () => {
    const notFound = http(404);
    expect(await reasonFor({ maxRetries: 0 }, [notFound])).toEqual({ reason: 'permanent', attempts: 1, calls: 1, error: notFound });
  });

  it('max-retries is checked before the schedule: maxRetries 1 with a one-step schedule stops with max-retries', async () => {
    expect(await reasonFor({ maxRetries: 1, backoff: schedule(['1s']) }, [http(503)])).toMatchObject({ reason: 'max-retries', attempts: 2, calls: 2 });
  });

  it('the schedule is checked before maxElapsed: a used-up schedule says schedule-exhausted', async () => {
    expect(await reasonFor({ backoff: schedule(['1s']), maxElapsed: '1500ms' }, [http(503)])).toMatchObject({ reason: 'schedule-exhausted', calls: 2 });
  });

  it('maxElapsed is checked before retryOn and the budget: neither is asked, nothing is spent', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ clock });
    const tryRetry = vi.spyOn(budget, 'tryRetry');
    const retryOn = vi.fn(() => true);
    expect(await reasonFor({ clock, backoff: constant('10s'), maxElapsed: '5s', retryOn, budget }, [http(503)])).toMatchObject({ reason: 'max-elapsed', calls: 1 });
    expect(retryOn).not.toHaveBeenCalled();
    expect(tryRetry).not.toHaveBeenCalled();
  });

  it('a retryOn that refuses is asked before the budget, which then spends nothing', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ clock });
    const tryRetry = vi.spyOn(budget, 'tryRetry');
    expect(await reasonFor({ clock, retryOn: () => false, budget }, [http(503)])).toMatchObject({ reason: 'not-retryable', calls: 1 });
    expect(tryRetry).not.toHaveBeenCalled();
  });

  it('a retryOn refusing a permanent error reports permanent, not not-retryable', async () => {
    expect(await reasonFor({ retryOn: (_e, v) => v.kind === 'transient' }, [http(400)])).toMatchObject({ reason: 'permanent', calls: 1 });
  });

  it('a budget that refuses stops with reason budget and rethrows the last error unchanged', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ clock, ratio: 0, minPerSecond: 0 });
    const last = http(503);
    expect(await reasonFor({ clock, budget }, [last])).toEqual({ reason: 'budget', attempts: 1, calls: 1, error: last });
  });

  it('give_up carries attempts, elapsedMs from the first attempt, the reason and the summarized last error', async () => {
    const clock = new FakeClock({ now: Date.UTC(2026, 0, 1) });
    const rec = recorder();
    const f = failing([http(503), http(502), http(400)]);
    await play(clock, withRetry(f.fn, { clock, backoff: constant('2s'), onEvent: rec.onEvent, name: 'sync' }));
    expect(rec.giveUps()).toEqual([
      { type: 'give_up', time: new Date(Date.UTC(2026, 0, 1) + 4_000).toISOString(), name: 'sync', attempts: 3, elapsedMs: 4_000, reason: 'permanent', error: { name: 'HttpError', message: 'HTTP 400', status: 400 } },
    ]);
    expect(rec.retries().map((e) => [e.attempt, e.delayMs, e.verdict.kind])).toEqual([
      [1, 2_000, 'transient'],
      [2, 2_000, 'transient'],
    ]);
  });
});

describe('retry engine: a caller’s clock or budget that throws', () => {
  it('rejects the call instead of throwing from withRetry (callers chain .catch on it)', async () => {
    const broken = new Error('clock broke');
    const clock = new FakeClock();
    const badClock = { now: () => { throw broken; }, sleep: clock.sleep.bind(clock), random: () => 0.5 };
    let promise: Promise<unknown> | undefined;
    expect(() => (promise = withRetry(async () => 'ok', { clock: badClock, maxElapsed: '1m' }))).not.toThrow();
    await expect(promise).rejects.toBe(broken);
    const budget = new RetryBudget({ clock });
    budget.recordCall = () => {
      throw broken;
    };
    expect(() => (promise = withRetry(async () => 'ok', { clock, budget }))).not.toThrow();
    await expect(promise).rejects.toBe(broken);
  });
});

describe('retry engine: the caller’s signal', () => {
  it('an abort during an attempt rejects with signal.reason at once, whatever the attempt throws later, with give_up reason aborted', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const rec = recorder();
    const watch = watchListeners(controller.signal);
    const result = await play(
      clock,
      withRetry(
        async () => {
          controller.abort(reason);
          throw http(400); // permanent, but the abort decides
        },
        { clock, signal: controller.signal, onEvent: rec.onEvent },
      ),
    );
    expect(result).toEqual({ ok: false, error: reason });
    // The attempt was cut by the abort, so the abort's reason is also its error.
    expect(rec.giveUps()).toMatchObject([{ reason: 'aborted', attempts: 1, error: { message: 'shutting down' } }]);
    expect(watch.live()).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('an abort while an async retryOn is pending rejects at once with signal.reason: no retry event, no budget spent, no listener left', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const budget = new RetryBudget({ clock });
    const tryRetry = vi.spyOn(budget, 'tryRetry');
    const watch = watchListeners(controller.signal);
    const rec = recorder();
    const judge = pendingRetryOn();
    const f = failing([http(503)]);
    let settled: Outcome<never> | undefined;
    void withRetry(f.fn, { clock, signal: controller.signal, retryOn: judge.retryOn, budget, onEvent: rec.onEvent }).then(
      (value) => (settled = { ok: true, value }),
      (error: unknown) => (settled = { ok: false, error }),
    );
    await drain();
    expect(judge.asked()).toBe(1);
    controller.abort('bye');
    await drain();
    // The retryOn never answers (a hung predicate): the abort alone ends the call.
    expect(settled).toEqual({ ok: false, error: 'bye' });
    expect(rec.retries()).toEqual([]);
    expect(rec.giveUps()).toMatchObject([{ reason: 'aborted', attempts: 1 }]);
    expect(tryRetry).not.toHaveBeenCalled();
    expect(watch.live()).toBe(0);
    expect(clock.pending).toBe(0);
    judge.answer(true); // a late answer changes nothing
    await drain();
    expect(f.calls()).toBe(1);
  });

  it('a retryOn that rejects after the caller aborted is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const clock = new FakeClock();
      const controller = new AbortController();
      let fail: (e: unknown) => void = () => {};
      const call = withRetry(failing([http(503)]).fn, { clock, signal: controller.signal, retryOn: () => new Promise<boolean>((_, reject) => (fail = reject)) });
      await drain();
      controller.abort('bye');
      await expect(call).rejects.toBe('bye');
      fail(new Error('late'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a retryOn that answers after the call was aborted starts no attempt and rejects with signal.reason', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const f = failing([http(503)]);
    // retryOn itself aborts, then says yes: the loop looks at the signal again before going on.
    const result = await play(
      clock,
      withRetry(f.fn, {
        clock,
        signal: controller.signal,
        backoff: constant(0),
        retryOn: async () => {
          controller.abort('stop');
          return true;
        },
      }),
    );
    expect(result).toEqual({ ok: false, error: 'stop' });
    expect(f.calls()).toBe(1);
  });

  it('leaves no listener on a shared signal after many calls that went through an async retryOn', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const watch = watchListeners(controller.signal);
    for (let i = 0; i < 50; i++) {
      const f = failing([http(503)]);
      await play(clock, withRetry(f.fn, { clock, signal: controller.signal, maxRetries: 1, backoff: constant('1s'), retryOn: async () => true }));
    }
    expect(watch.live()).toBe(0);
    expect(clock.pending).toBe(0);
  });
});

describe('retry engine: async retryOn', () => {
  it('is awaited: a retry starts only once it says yes, and its wait is measured from then', async () => {
    const clock = new FakeClock();
    const judge = pendingRetryOn();
    const times: number[] = [];
    const fn = async ({ attempt }: { attempt: number }): Promise<string> => {
      times.push(clock.now());
      if (attempt === 1) throw http(503);
      return 'ok';
    };
    const result = withRetry(fn, { clock, backoff: constant('1s'), retryOn: judge.retryOn });
    await drain();
    await clock.advance(5_000); // retryOn takes 5s of virtual time to answer
    judge.answer(true);
    await drain();
    await clock.advance(1_000);
    expect(await result).toBe('ok');
    expect(times).toEqual([0, 6_000]);
  });

  it('a retryOn that took past maxElapsed to answer yes starts no retry (max-elapsed)', async () => {
    const clock = new FakeClock();
    const judge = pendingRetryOn();
    const rec = recorder();
    const f = failing([http(503)]);
    const call = withRetry(f.fn, { clock, backoff: constant('1s'), maxElapsed: '10s', retryOn: judge.retryOn, onEvent: rec.onEvent });
    await drain();
    await clock.advance(9_500);
    judge.answer(true);
    await drain();
    const result = await play(clock, call);
    expect(result.ok).toBe(false);
    expect(f.calls()).toBe(1);
    expect(rec.retries()).toEqual([]);
    expect(rec.giveUps()).toMatchObject([{ reason: 'max-elapsed', attempts: 1, elapsedMs: 9_500 }]);
  });

  it('a thenable whose then throws, or whose then getter throws, ends the call with that error', async () => {
    const clock = new FakeClock();
    const broken = new Error('then broke');
    const throwingThen = { then: () => { throw broken; } };
    const throwingGetter = Object.defineProperty({}, 'then', { get: () => { throw broken; } });
    for (const answer of [throwingThen, throwingGetter]) {
      const f = failing([http(503)]);
      const result = await play(clock, withRetry(f.fn, { clock, retryOn: () => answer as PromiseLike<boolean> }));
      expect(result).toEqual({ ok: false, error: broken });
      expect(f.calls()).toBe(1);
    }
    expect(clock.pending).toBe(0);
  });

  it('a thenable that calls back (not a native promise) is followed', async () => {
    const clock = new FakeClock();
    const yes: PromiseLike<boolean> = { then: (resolve) => (resolve?.(true), undefined) as never };
    let calls = 0;
    const result = await play(clock, withRetry(async () => (++calls < 3 ? Promise.reject(http(503)) : 'ok'), { clock, retryOn: () => yes }));
    expect(result).toEqual({ ok: true, value: 'ok' });
  });

  it('a truthy answer retries and a falsy one stops, as p-retry reads shouldRetry (JavaScript callers return what they return)', async () => {
    const clock = new FakeClock();
    const loose = (v: unknown) => (() => v) as unknown as NonNullable<RetryOptions['retryOn']>;
    let calls = 0;
    const retried = await play(clock, withRetry(async () => (++calls < 2 ? Promise.reject(http(400)) : 'ok'), { clock, retryOn: loose(1) }));
    expect(retried).toEqual({ ok: true, value: 'ok' });
    const f = failing([http(503)]);
    const stopped = await play(clock, withRetry(f.fn, { clock, retryOn: loose(undefined) }));
    expect(stopped.ok).toBe(false);
    expect(f.calls()).toBe(1);
  });
});

describe('retry engine: the loop’s hooks', () => {
  const settings = (clock: FakeClock, o: RetryOptions = {}) => retrySettings({ clock, backoff: constant('1s'), ...o });

  it('beforeRetry throwing ends the call with its error: no sleep, no further attempt, no timer', async () => {
    const clock = new FakeClock();
    const broken = new Error('hook broke');
    const f = failing([http(503)]);
    const result = await play(clock, retryLoop(f.fn, settings(clock), { beforeRetry: () => { throw broken; } }));
    expect(result).toEqual({ ok: false, error: broken });
    expect(f.calls()).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('beforeRetry rejecting ends the call with its error, never an unhandled rejection', async () => {
    const clock = new FakeClock();
    const broken = new Error('async hook broke');
    const f = failing([http(503)]);
    const result = await play(clock, retryLoop(f.fn, settings(clock), { beforeRetry: async () => Promise.reject(broken) }));
    expect(result).toEqual({ ok: false, error: broken });
    expect(f.calls()).toBe(1);
  });

  it('an abort while beforeRetry is pending starts no attempt and rejects with signal.reason', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const f = failing([http(503)]);
    const hooks: RetryHooks = {
      rawSignal: true,
      beforeRetry: async () => {
        controller.abort('gone');
      },
    };
    const result = await play(clock, retryLoop(f.fn, settings(clock, { signal: controller.signal, backoff: constant(0) }), hooks));
    expect(result).toEqual({ ok: false, error: 'gone' });
    expect(f.calls()).toBe(1);
  });

  it('onGiveUp is told the reason and verdict before the last error is thrown; allow refusing says not-retryable', async () => {
    const clock = new FakeClock();
    const told: [GiveUpReason, string | undefined][] = [];
    const onGiveUp = (reason: GiveUpReason, verdict: Verdict | undefined): void => void told.push([reason, verdict?.kind]);
    await play(clock, retryLoop(failing([http(400)]).fn, settings(clock), { onGiveUp }));
    await play(clock, retryLoop(failing([http(503)]).fn, settings(clock, { backoff: schedule(['1s']) }), { onGiveUp }));
    await play(clock, retryLoop(failing([http(503)]).fn, settings(clock), { onGiveUp, allow: () => false }));
    expect(told).toEqual([
      ['permanent', 'permanent'],
      ['schedule-exhausted', 'transient'],
      ['not-retryable', 'transient'],
    ]);
  });

  it('rawSignal hands attempts the caller’s signal itself and sets no timer, even with attemptTimeout', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const value = await play(
      clock,
      retryLoop(async ({ signal }) => (seen.push(signal), clock.pending), settings(clock, { signal: controller.signal, attemptTimeout: '1s' }), { rawSignal: true }),
    );
    expect(value).toEqual({ ok: true, value: 0 });
    expect(seen).toEqual([controller.signal]);
  });

  it('a custom sleep hook is used for the wait, and its rejection counts as the abort', async () => {
    const clock = new FakeClock();
    const slept: number[] = [];
    const f = failing([http(503)]);
    const result = await play(
      clock,
      retryLoop(f.fn, settings(clock, { maxRetries: 2 }), {
        sleep: async (ms) => {
          slept.push(ms);
          if (slept.length === 2) throw new Error('woken');
        },
      }),
    );
    expect(slept).toEqual([1_000, 1_000]);
    expect((result as { error: Error }).error.message).toBe('woken');
    expect(f.calls()).toBe(2);
  });
});

describe('retry engine: options resolved once per options object', () => {
  /** Every RetryOptions field: the compiler fails here if a new option is added and not listed. */
  const FIELDS = ['backoff', 'maxRetries', 'maxElapsed', 'attemptTimeout', 'maxRetryAfter', 'signal', 'retryOn', 'budget', 'classify', 'clock', 'onEvent', 'name'] as const;
  type Missing = Exclude<keyof RetryOptions, (typeof FIELDS)[number]>;
  const allListed: [Missing] extends [never] ? true : Missing = true;

  it('resolves an unchanged object once, and again after any one of its fields changes', () => {
    expect(allListed).toBe(true);
    const clock = new FakeClock();
    const changes: { [K in (typeof FIELDS)[number]]-?: RetryOptions[K] } = {
      backoff: constant('2s'),
      maxRetries: 2,
      maxElapsed: '1m',
      attemptTimeout: '3s',
      maxRetryAfter: '1m',
      signal: new AbortController().signal,
      retryOn: () => true,
      budget: new RetryBudget({ clock }),
      classify: { unknown: 'permanent' },
      clock: new FakeClock(),
      onEvent: () => {},
      name: 'renamed',
    };
    for (const field of FIELDS) {
      const o: RetryOptions = { clock };
      const before = retrySettings(o);
      expect(retrySettings(o)).toBe(before);
      (o as Record<string, unknown>)[field] = changes[field];
      const after = retrySettings(o);
      expect(after, field).not.toBe(before);
      expect(retrySettings(o), field).toBe(after);
    }
  });

  it('the same object called with a new signal each time: each call honours its own signal', async () => {
    const clock = new FakeClock();
    const o: RetryOptions = { clock, backoff: constant('1s'), maxRetries: Infinity };
    const first = new AbortController();
    const second = new AbortController();
    o.signal = first.signal;
    const a = withRetry(failing([http(503)]).fn, o);
    o.signal = second.signal;
    const b = withRetry(failing([http(503)]).fn, o);
    const results = Promise.allSettled([a, b]);
    await clock.advance(3_000);
    second.abort('second');
    await clock.advance(3_000);
    first.abort('first');
    expect(await results).toEqual([
      { status: 'rejected', reason: 'first' },
      { status: 'rejected', reason: 'second' },
    ]);
  });

  it('accepts frozen options objects and caches them', () => {
    const o = Object.freeze({ clock: new FakeClock(), maxRetries: 1 });
    expect(retrySettings(o)).toBe(retrySettings(o));
    expect(retrySettings(o).maxRetries).toBe(1);
  });

  it('reads a Proxy’s current values: a proxy whose target changed is resolved again', () => {
    const target: RetryOptions = { clock: new FakeClock(), maxRetries: 1 };
    const proxy = new Proxy(target, {});
    expect(retrySettings(proxy).maxRetries).toBe(1);
    target.maxRetries = 4;
    expect(retrySettings(proxy).maxRetries).toBe(4);
  });

  it('a Proxy with only a get trap (no own keys) still resolves to what it answers, call after call', () => {
    let maxRetries = 1;
    const proxy = new Proxy({} as RetryOptions, { get: (_t, key) => (key === 'maxRetries' ? maxRetries : undefined) });
    expect(retrySettings(proxy).maxRetries).toBe(1);
    maxRetries = 3;
    expect(retrySettings(proxy).maxRetries).toBe(3);
  });

  it('a bad value is refused on every call, never cached', () => {
    const o = { maxRetries: -1 } as RetryOptions;
    expect(() => retrySettings(o)).toThrow(/maxRetries.*-1/);
    expect(() => retrySettings(o)).toThrow(RangeError);
  });
});

describe('retry engine: the backoff walker', () => {
  const random = (): number => 0.5;

  it('stepAt walks to retry n and stops at a finished schedule’s last step', () => {
    const b = exponential({ initial: '1s', max: '1m', jitter: 'none' });
    expect([1, 2, 3, 4, 7, 8].map((n) => stepAt(b, n, random)?.delay)).toEqual([1_000, 2_000, 4_000, 8_000, 60_000, 60_000]);
    const s = schedule(['1s', '5s']);
    expect(stepAt(s, 9, random)).toMatchObject({ retry: 2, delay: 5_000 });
  });

  it('stepAt for a huge or non-finite n answers at once with the capped delay (no overflow, no NaN)', () => {
    const b = exponential({ initial: '1s', max: '1m', jitter: 'none' });
    for (const n of [10_000, 1e9, Number.MAX_SAFE_INTEGER, Infinity]) {
      const started = performance.now();
      const step = stepAt(b, n, random);
      expect(performance.now() - started).toBeLessThan(500);
      expect(step?.delay, String(n)).toBe(60_000);
    }
  });

  it('stepAt for a huge n reaches the cap of a slowly growing backoff that is not flat by retry 10,000', () => {
    // 100ms steps reach 1h only at retry 36,000.
    const slow = linear({ initial: '100ms', step: '100ms', max: '1h' });
    expect(stepAt(slow, 50_000, random)?.delay).toBe(3_600_000);
    expect(stepAt(slow, 20_000, random)?.delay).toBe(2_000_000);
    const gentle = exponential({ initial: '1ms', max: '1h', multiplier: 1.0001, jitter: 'none' });
    expect(stepAt(gentle, 1e6, random)?.delay).toBe(3_600_000);
  });

  it('BackoffWalk keeps the last delay of a finished schedule, with fresh jitter each time', () => {
    const random = seededRandom(7);
    const walk = new BackoffWalk(schedule(['1s', '10s'], { jitter: 0.5 }));
    const seen = Array.from({ length: 8 }, () => walk.next(random) as number);
    expect(seen[0]).toBeGreaterThanOrEqual(500);
    expect(seen[0]).toBeLessThanOrEqual(1_500);
    const tail = seen.slice(1);
    for (const d of tail) {
      expect(d).toBeGreaterThanOrEqual(5_000);
      expect(d).toBeLessThanOrEqual(15_000);
    }
    expect(new Set(tail).size).toBe(tail.length); // not one draw repeated
  });

  it('BackoffWalk re-draws a one-step schedule from its start, and a decorrelated tail stays within [initial, max]', () => {
    const random = seededRandom(3);
    const one = new BackoffWalk(schedule(['2s'], { jitter: 'full' }));
    const draws = Array.from({ length: 5 }, () => one.next(random) as number);
    expect(new Set(draws).size).toBe(5);
    for (const d of draws) expect(d).toBeLessThanOrEqual(2_000);
    const dec = new BackoffWalk(exponential({ initial: '1s', max: '8s', jitter: 'decorrelated' }));
    for (let i = 0; i < 200; i++) {
      const d = dec.next(random) as number;
      expect(d).toBeGreaterThanOrEqual(1_000);
      expect(d).toBeLessThanOrEqual(8_000);
    }
  });

  it('BackoffWalk.retry counts every failure walked, past the end of a finite schedule too', () => {
    const walk = new BackoffWalk(schedule(['1s', '5s']));
    for (let i = 0; i < 5; i++) walk.next(random);
    expect(walk.retry).toBe(5);
  });

  it('BackoffWalk.reset starts over from the first delay', () => {
    const walk = new BackoffWalk(constant('1s') as Backoff);
    walk.next(random);
    walk.next(random);
    expect(walk.retry).toBe(2);
    walk.reset();
    expect(walk.retry).toBe(0);
    expect(walk.next(random)).toBe(1_000);
    expect(walk.retry).toBe(1);
  });
});
