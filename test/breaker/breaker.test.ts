import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponential, schedule } from '../../src/core/backoff.js';
import { CircuitBreaker, type BreakerSnapshot, type CircuitBreakerOptions } from '../../src/breaker/breaker.js';
import { BrokenCircuitError, HttpError } from '../../src/core/errors.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { deferred } from '../deferred.js';

const T0 = 1_700_000_000_000;
const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:80'), { code: 'ECONNREFUSED' });
const fail = (): Promise<never> => Promise.reject(refused());
const ok = (): Promise<string> => Promise.resolve('ok');

function setup(o: CircuitBreakerOptions = {}): { clock: FakeClock; breaker: CircuitBreaker; events: ResilienceEvent[] } {
  const clock = new FakeClock({ now: T0 });
  const events: ResilienceEvent[] = [];
  const breaker = new CircuitBreaker({ name: 'api', clock, onEvent: (e) => events.push(e), ...o });
  return { clock, breaker, events };
}

async function failTimes(breaker: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await breaker.execute(fail).catch(() => {});
}

async function refusal(p: Promise<unknown>): Promise<BrokenCircuitError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BrokenCircuitError);
  return error as BrokenCircuitError;
}

describe('CircuitBreaker: closed', () => {
  it('opens after 5 consecutive transient failures by default and emits breaker_open', async () => {
    const { breaker, events } = setup();
    await failTimes(breaker, 4);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    expect(breaker.opens).toBe(1);
    expect(events).toEqual([{ type: 'breaker_open', time: new Date(T0).toISOString(), name: 'api', failures: 5, openForMs: expect.any(Number) }]);
    // The default open period is drawn in [14s, 28s] (constant 28s, equal jitter): see open-for.test.ts.
    const openForMs = (events[0] as { openForMs: number }).openForMs;
    expect(openForMs).toBeGreaterThanOrEqual(14_000);
    expect(openForMs).toBeLessThanOrEqual(28_000);
  });

  it('draws the default open period anew on every open, spread over [14s, 28s] (issue 13: no waves of trials)', async () => {
    const clock = new FakeClock({ seed: 5 });
    const periods: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      const breaker = new CircuitBreaker({ clock, failureThreshold: 1, onEvent: (e) => e.type === 'breaker_open' && periods.push(e.openForMs) });
      await breaker.execute(() => Promise.reject(refused())).catch(() => {});
    }
    expect(Math.min(...periods)).toBeGreaterThanOrEqual(14_000);
    expect(Math.max(...periods)).toBeLessThanOrEqual(28_000);
    expect(Math.min(...periods)).toBeLessThan(14_500);
    expect(Math.max(...periods)).toBeGreaterThan(27_500);
    expect(new Set(periods).size).toBeGreaterThan(900); // events carry whole ms: a few of 1,000 draws share one
  });

  it('rethrows the caller error unchanged', async () => {
    const { breaker } = setup();
    const error = refused();
    await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    await expect(breaker.execute(() => { throw error; })).rejects.toBe(error);
  });

  it('resets the consecutive count on success', async () => {
    const { breaker } = setup();
    await failTimes(breaker, 4);
    await breaker.execute(ok);
    await failTimes(breaker, 4);
    expect(breaker.state).toBe('closed');
  });

  it('counts HttpError(503) and ECONNREFUSED but not HttpError(404) or a caller AbortError', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    const abort = new DOMException('aborted', 'AbortError');
    for (const error of [new HttpError(404), abort, new HttpError(404), abort]) await breaker.execute(() => Promise.reject(error)).catch(() => {});
    expect(breaker.state).toBe('closed');
    await breaker.execute(() => Promise.reject(new HttpError(503))).catch(() => {});
    await breaker.execute(fail).catch(() => {});
    expect(breaker.state).toBe('open');
  });

  it('counts what a custom isFailure says', async () => {
    const { breaker } = setup({ failureThreshold: 1, isFailure: (e) => e instanceof HttpError && e.status === 404 });
    await breaker.execute(fail).catch(() => {});
    expect(breaker.state).toBe('closed');
    await breaker.execute(() => Promise.reject(new HttpError(404))).catch(() => {});
    expect(breaker.state).toBe('open');
  });

  it('never reads the clock on the closed success path', async () => {
    const clock = new FakeClock({ now: T0 });
    let reads = 0;
    const counting = { now: () => (reads++, clock.now()), sleep: clock.sleep.bind(clock), random: () => clock.random() };
    const breaker = new CircuitBreaker({ clock: counting });
    for (let i = 0; i < 100; i++) await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
    expect(reads).toBe(0);
  });
});

describe('CircuitBreaker: consecutive counting (property)', () => {
  it('opens exactly when failureThreshold transient failures follow each other, 404s neither counting nor resetting', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(fc.constantFrom('ok', 'refused', '404'), { maxLength: 40 }), async (threshold, outcomes) => {
        const breaker = new CircuitBreaker({ failureThreshold: threshold, clock: new FakeClock({ now: T0 }) });
        let run = 0;
        for (const outcome of outcomes) {
          const call = outcome === 'ok' ? ok : outcome === 'refused' ? fail : () => Promise.reject(new HttpError(404));
          await breaker.execute(call).catch(() => {});
          if (outcome === 'ok') run = 0;
          if (outcome === 'refused') run++;
          expect(breaker.state).toBe(run >= threshold ? 'open' : 'closed');
          if (run >= threshold) return;
        }
      }),
    );
  });
});

describe('CircuitBreaker: open', () => {
  it('rejects at once without calling fn, with retryAfterMs = time until half-open', async () => {
    const { breaker, clock } = setup({ failureThreshold: 1, openFor: '30s' });
    await failTimes(breaker, 1);
    await clock.advance(10_000);
    let called = false;
    const error = await refusal(breaker.execute(async () => { called = true; }));
    expect(called).toBe(false);
    expect(error.retryAfterMs).toBe(20_000);
    expect(error.state).toBe('open');
    expect(error.message).toContain('api');
    expect(breaker.retryAfterMs).toBe(20_000);
  });

  it('reads as half-open once openFor has passed, without any timer', async () => {
    const { breaker, clock, events } = setup({ failureThreshold: 1, openFor: '30s' });
    await failTimes(breaker, 1);
    expect(clock.pending).toBe(0);
    await clock.advance(29_999);
    expect(breaker.state).toBe('open');
    await clock.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(breaker.retryAfterMs).toBe(0);
    expect(events.map((e) => e.type)).toEqual(['breaker_open', 'breaker_half_open']);
    expect(clock.pending).toBe(0);
  });

  it('ignores failures of calls that started before it opened: simultaneous failures still half-open after openFor', async () => {
    const { breaker, clock, events } = setup({ failureThreshold: 5, openFor: '10s' });
    const rejecters: Array<() => void> = [];
    const calls = Array.from({ length: 20 }, () =>
      breaker.execute(() => new Promise<never>((_, reject) => rejecters.push(() => reject(refused())))).catch(() => {}),
    );
    rejecters.slice(0, 5).forEach((r) => r());
    await clock.settle();
    expect(breaker.state).toBe('open');
    await clock.advance(5_000);
    rejecters.slice(5).forEach((r) => r()); // the other 15 fail later, while it is open
    await Promise.all(calls);
    expect(events.filter((e) => e.type === 'breaker_open')).toHaveLength(1);
    await clock.advance(5_000);
    expect(breaker.state).toBe('half-open');
  });
});

describe('CircuitBreaker: half-open', () => {
  async function halfOpen(o: CircuitBreakerOptions = {}): Promise<ReturnType<typeof setup>> {
    const s = setup({ failureThreshold: 1, openFor: '10s', ...o });
    await failTimes(s.breaker, 1);
    await s.clock.advance(10_000);
    return s;
  }

  it('lets exactly halfOpenMaxCalls of 100 concurrent callers reach fn; the rest get BrokenCircuitError', async () => {
    const { breaker } = await halfOpen({ halfOpenMaxCalls: 3 });
    let reached = 0;
    const gate = deferred<void>();
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => breaker.execute(async () => { reached++; await gate.promise; return 'ok'; })).map((p, i) => {
        if (i === 99) gate.resolve();
        return p;
      }),
    );
    expect(reached).toBe(3);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as BrokenCircuitError);
    expect(refused).toHaveLength(97);
    for (const e of refused) {
      expect(e).toBeInstanceOf(BrokenCircuitError);
      expect(e.state).toBe('half-open');
      expect(e.retryAfterMs).toBe(10_000); // until the trials time out
    }
    expect(breaker.state).toBe('closed');
  });

  it('closes when the trials succeed and reports the downtime since it opened', async () => {
    const { breaker, clock, events } = await halfOpen({ halfOpenMaxCalls: 2 });
    await clock.advance(500);
    await breaker.execute(ok);
    expect(breaker.state).toBe('half-open');
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
    expect(events.at(-1)).toMatchObject({ type: 'breaker_closed', name: 'api', downtimeMs: 10_500 });
  });

  it('re-opens for another openFor when a trial fails, and reports downtime from the first open', async () => {
    const { breaker, clock, events } = await halfOpen();
    await breaker.execute(fail).catch(() => {});
    expect(breaker.state).toBe('open');
    expect(breaker.retryAfterMs).toBe(10_000);
    await clock.advance(10_000);
    await breaker.execute(ok);
    expect(events.map((e) => e.type)).toEqual(['breaker_open', 'breaker_half_open', 'breaker_open', 'breaker_half_open', 'breaker_closed']);
    expect(events.at(-1)).toMatchObject({ downtimeMs: 20_000 });
    expect(breaker.opens).toBe(2);
  });

  it('frees the slot of a trial that never settles after halfOpenTimeout, treats it as failed and ignores its late result', async () => {
    const { breaker, clock } = await halfOpen({ halfOpenTimeout: '2s' });
    const hung = deferred<string>();
    const trial = breaker.execute(() => hung.promise);
    await clock.advance(1_999);
    expect((await refusal(breaker.execute(ok))).retryAfterMs).toBe(1);
    await clock.advance(1);
    expect(breaker.state).toBe('open'); // the hung trial counted as a failure
    await clock.advance(10_000);
    expect(breaker.state).toBe('half-open');
    hung.resolve('late');
    await expect(trial).resolves.toBe('late');
    expect(breaker.state).toBe('half-open'); // the late success didn't close it
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
  });

  it('times a hung trial out after the current openFor by default, so the breaker is never wedged', async () => {
    const { breaker, clock } = await halfOpen({ openFor: '10s' });
    void breaker.execute(() => new Promise(() => {}));
    await clock.advance(9_999);
    expect(breaker.state).toBe('half-open');
    await refusal(breaker.execute(ok));
    await clock.advance(1);
    expect(breaker.state).toBe('open');
    await clock.advance(10_000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(clock.pending).toBe(0);
  });

  it('gives a hung trial at least 1s by default, even when openFor is shorter', async () => {
    const { breaker, clock } = setup({ failureThreshold: 1, openFor: '100ms' });
    await breaker.execute(fail).catch(() => {});
    await clock.advance(100);
    void breaker.execute(() => new Promise(() => {}));
    await clock.advance(999);
    expect(breaker.state).toBe('half-open');
    expect((await refusal(breaker.execute(ok))).retryAfterMs).toBe(1);
    await clock.advance(1);
    expect(breaker.state).toBe('open');
  });

  it('closes on a trial answered with a 404 (the server is up) but not on a caller abort', async () => {
    const { breaker } = await halfOpen();
    await breaker.execute(() => Promise.reject(new DOMException('aborted', 'AbortError'))).catch(() => {});
    expect(breaker.state).toBe('half-open');
    await breaker.execute(() => Promise.reject(new HttpError(404))).catch(() => {});
    expect(breaker.state).toBe('closed');
  });

  it('tryHalfOpen() half-opens an open breaker at once, and refuses for closed or isolated ones', async () => {
    const { breaker } = setup({ failureThreshold: 1 });
    expect(breaker.tryHalfOpen()).toBe(false);
    await failTimes(breaker, 1);
    expect(breaker.tryHalfOpen()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryHalfOpen()).toBe(true);
    breaker.isolate();
    expect(breaker.tryHalfOpen()).toBe(false);
  });
});

describe('CircuitBreaker: openFor as a Backoff', () => {
  it('grows the open time on each consecutive re-open: 1s, 2s, 4s, 8s, 8s, and starts over after closing', async () => {
    const { breaker, clock, events } = setup({ failureThreshold: 1, openFor: exponential({ initial: '1s', max: '8s', jitter: 'none' }) });
    for (let i = 0; i < 5; i++) {
      await breaker.execute(fail).catch(() => {});
      await clock.advance(breaker.retryAfterMs);
    }
    await breaker.execute(ok);
    await breaker.execute(fail).catch(() => {});
    const opens = events.filter((e) => e.type === 'breaker_open').map((e) => e.openForMs);
    expect(opens).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 1_000]);
  });

  it('times a hung trial out after the current, grown open period (2s after one re-open), not the first one', async () => {
    const { breaker, clock, events } = setup({ failureThreshold: 1, openFor: exponential({ initial: '1s', max: '8s', jitter: 'none' }) });
    await breaker.execute(fail).catch(() => {});
    await clock.advance(1_000);
    await breaker.execute(fail).catch(() => {}); // the trial fails: re-opened for 2s
    await clock.advance(2_000);
    void breaker.execute(() => new Promise(() => {}));
    await clock.advance(1_999);
    expect(breaker.state).toBe('half-open');
    await clock.advance(1);
    expect(breaker.state).toBe('open');
    expect(events.filter((e) => e.type === 'breaker_open').map((e) => e.openForMs)).toEqual([1_000, 2_000, 4_000]);
  });

  it('draws jitter from the clock and keeps the last delay once a schedule is used up', async () => {
    const { breaker, clock, events } = setup({ failureThreshold: 1, openFor: exponential({ initial: '1s', max: '8s' }) });
    clock.random = () => 0.5;
    for (let i = 0; i < 3; i++) {
      await breaker.execute(fail).catch(() => {});
      await clock.advance(breaker.retryAfterMs);
    }
    expect(events.filter((e) => e.type === 'breaker_open').map((e) => e.openForMs)).toEqual([500, 1_000, 2_000]);

    const s = setup({ failureThreshold: 1, openFor: schedule(['1s', '3s']) });
    for (let i = 0; i < 4; i++) {
      await s.breaker.execute(fail).catch(() => {});
      await s.clock.advance(s.breaker.retryAfterMs);
    }
    expect(s.events.filter((e) => e.type === 'breaker_open').map((e) => e.openForMs)).toEqual([1_000, 3_000, 3_000, 3_000]);
  });
});

describe('CircuitBreaker: isolate and reset', () => {
  it('isolate() refuses every call with state isolated and retryAfterMs Infinity until reset()', async () => {
    const { breaker, clock, events } = setup();
    breaker.isolate();
    expect(breaker.state).toBe('isolated');
    await clock.advance(86_400_000);
    let called = false;
    const error = await refusal(breaker.execute(async () => { called = true; }));
    expect(called).toBe(false);
    expect(error.state).toBe('isolated');
    expect(error.retryAfterMs).toBe(Infinity);
    expect(breaker.retryAfterMs).toBe(Infinity);
    breaker.reset();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(events.map((e) => e.type)).toEqual(['breaker_isolated', 'breaker_closed']);
    expect(events[1]).toMatchObject({ downtimeMs: 86_400_000 });
  });

  it('reset() closes an open breaker and forgets counted failures', async () => {
    const { breaker } = setup({ failureThreshold: 2 });
    await failTimes(breaker, 2);
    breaker.reset();
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    breaker.reset();
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('closed');
  });
});

describe('CircuitBreaker: rate mode', () => {
  it('opens only once minimumCalls calls were seen in the window and the failure rate reaches failureRate', async () => {
    const { breaker, clock } = setup({ failureRate: 0.5, minimumCalls: 10, window: '10s' });
    await failTimes(breaker, 9);
    expect(breaker.state).toBe('closed'); // 9 calls < minimumCalls
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');

    const s = setup({ failureRate: 0.5, minimumCalls: 4, window: '10s' });
    for (let i = 0; i < 6; i++) await s.breaker.execute(ok);
    await failTimes(s.breaker, 5); // 5 / 11 < 0.5
    expect(s.breaker.state).toBe('closed');
    await failTimes(s.breaker, 1); // 6 / 12 = 0.5
    expect(s.breaker.state).toBe('open');
    void clock;
  });

  it('forgets calls that slid out of the window', async () => {
    const { breaker, clock } = setup({ failureRate: 0.5, minimumCalls: 4, window: '10s' });
    await failTimes(breaker, 3);
    await clock.advance(10_000);
    await breaker.execute(ok);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed'); // only 3 calls in the window
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it('opens once on simultaneous failures at the threshold and still half-opens after openFor', async () => {
    const { breaker, clock, events } = setup({ failureRate: 0.5, minimumCalls: 10, openFor: '5s' });
    const gate = deferred<void>();
    const calls = Array.from({ length: 50 }, () => breaker.execute(() => gate.promise.then(fail)).catch(() => {}));
    gate.resolve();
    await Promise.all(calls);
    expect(events.filter((e) => e.type === 'breaker_open')).toEqual([expect.objectContaining({ failures: 10 })]);
    await clock.advance(5_000);
    expect(breaker.state).toBe('half-open');
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
  });
});

describe('CircuitBreaker: snapshot and initialState', () => {
  const roundTrip = (s: BreakerSnapshot): BreakerSnapshot => JSON.parse(JSON.stringify(s)) as BreakerSnapshot;

  it('restores an open breaker for only the remaining part of its open period', async () => {
    const { breaker, clock } = setup({ failureThreshold: 1, openFor: '30s' });
    await failTimes(breaker, 1);
    await clock.advance(10_000);
    const saved = roundTrip(breaker.snapshot());
    expect(saved).toEqual({ version: 1, state: 'open', failures: 1, opens: 1, downSince: T0, halfOpenAt: T0 + 30_000, openForMs: 30_000, reopens: 0 });
    const restored = new CircuitBreaker({ clock, initialState: saved });
    expect(restored.state).toBe('open');
    expect(restored.retryAfterMs).toBe(20_000);
    await clock.advance(20_000);
    expect(restored.state).toBe('half-open');
    expect(restored.opens).toBe(1);
  });

  it('reads a restored open breaker whose period already passed as half-open, not open for another period', async () => {
    const { breaker, clock } = setup({ failureThreshold: 1, openFor: '30s' });
    await failTimes(breaker, 1);
    const saved = roundTrip(breaker.snapshot());
    const later = new FakeClock({ now: T0 + 3_600_000 });
    const restored = new CircuitBreaker({ clock: later, initialState: saved });
    expect(restored.state).toBe('half-open');
    await restored.execute(ok);
    expect(restored.state).toBe('closed');
    void clock;
  });

  it('round-trips closed and isolated states and keeps the backoff growth across a restore', async () => {
    const closed = setup().breaker;
    expect(new CircuitBreaker({ initialState: roundTrip(closed.snapshot()) }).state).toBe('closed');
    const iso = setup().breaker;
    iso.isolate();
    expect(new CircuitBreaker({ initialState: roundTrip(iso.snapshot()) }).state).toBe('isolated');

    const openFor = exponential({ initial: '1s', max: '60s', jitter: 'none' });
    const { breaker, clock } = setup({ failureThreshold: 1, openFor });
    for (let i = 0; i < 3; i++) {
      await breaker.execute(fail).catch(() => {});
      await clock.advance(breaker.retryAfterMs);
    }
    const events: ResilienceEvent[] = [];
    const restored = new CircuitBreaker({ clock, openFor, onEvent: (e) => events.push(e), initialState: roundTrip(breaker.snapshot()) });
    await restored.execute(fail).catch(() => {});
    expect(events.at(-1)).toMatchObject({ type: 'breaker_open', openForMs: 8_000 });
  });

  it('restores a used-up schedule at its last delay, however many re-opens were saved', async () => {
    const clock = new FakeClock({ now: T0 });
    const events: ResilienceEvent[] = [];
    const saved: BreakerSnapshot = { version: 1, state: 'half-open', failures: 9, opens: 9, downSince: T0 - 60_000, halfOpenAt: T0, openForMs: 3_000, reopens: 8 };
    const breaker = new CircuitBreaker({ clock, openFor: schedule(['1s', '3s']), onEvent: (e) => events.push(e), initialState: saved });
    await breaker.execute(fail).catch(() => {});
    expect(events).toEqual([expect.objectContaining({ type: 'breaker_open', failures: 10, openForMs: 3_000 })]);
    await clock.advance(3_000);
    await breaker.execute(ok);
    expect(events.at(-1)).toMatchObject({ type: 'breaker_closed', downtimeMs: 63_000 });
  });

  it('snapshots the state as it reads now: an open breaker past its period is half-open', async () => {
    const { breaker, clock } = setup({ failureThreshold: 1, openFor: '1s' });
    await failTimes(breaker, 1);
    await clock.advance(1_000);
    expect(breaker.snapshot()).toMatchObject({ state: 'half-open', halfOpenAt: T0 + 1_000 });
  });

  it('rejects a malformed snapshot with a TypeError naming the bad field', () => {
    const good = setup().breaker.snapshot();
    expect(() => new CircuitBreaker({ initialState: { ...good, version: 2 } as unknown as BreakerSnapshot })).toThrow(/initialState.*version is 2/);
    expect(() => new CircuitBreaker({ initialState: { ...good, state: 'ajar' } as unknown as BreakerSnapshot })).toThrow(/state is "ajar"/);
    expect(() => new CircuitBreaker({ initialState: { ...good, state: 'open', halfOpenAt: null } })).toThrow(/halfOpenAt is null/);
    expect(() => new CircuitBreaker({ initialState: 'open' as unknown as BreakerSnapshot })).toThrow(TypeError);
    expect(() => new CircuitBreaker({ initialState: { ...good, failures: -1 } })).toThrow(/failures is -1/);
  });
});

describe('CircuitBreaker: options', () => {
  it.each([
    [{ failureThreshold: 0 }, /failureThreshold must be an integer >= 1; got 0/],
    [{ failureThreshold: 2.5 }, /failureThreshold.*2\.5/],
    [{ failureRate: 0 }, /failureRate must be a number in \(0, 1\]; got 0/],
    [{ failureRate: 1.5 }, /failureRate.*1\.5/],
    [{ minimumCalls: 0 }, /minimumCalls.*0/],
    [{ window: '0s' }, /window must be > 0; got "0s"/],
    [{ window: 'soon' }, /window.*"soon"/],
    [{ openFor: -1 }, /openFor.*-1/],
    [{ openFor: 'later' }, /openFor.*"later"/],
    [{ halfOpenMaxCalls: 0 }, /halfOpenMaxCalls.*0/],
    [{ halfOpenTimeout: 0 }, /halfOpenTimeout must be > 0; got 0/],
    [{ halfOpenTimeout: Infinity }, /halfOpenTimeout.*Infinity/],
  ] as Array<[CircuitBreakerOptions, RegExp]>)('throws a RangeError at construction for %j', (o, message) => {
    expect(() => new CircuitBreaker(o)).toThrow(RangeError);
    expect(() => new CircuitBreaker(o)).toThrow(message);
  });

  it('throws a TypeError for callbacks, clock and name of the wrong type', () => {
    expect(() => new CircuitBreaker({ isFailure: true as unknown as () => boolean })).toThrow(/isFailure must be a function; got true/);
    expect(() => new CircuitBreaker({ onEvent: 'log' as unknown as () => void })).toThrow(/onEvent must be a function/);
    expect(() => new CircuitBreaker({ clock: {} as FakeClock })).toThrow(/clock must be a Clock/);
    expect(() => new CircuitBreaker({ name: '' })).toThrow(/name must be a non-empty string/);
  });

  it('treats a throwing isFailure as a failure and still rethrows the caller error', async () => {
    const { breaker } = setup({ failureThreshold: 1, isFailure: () => { throw new Error('bug'); } });
    const error = refused();
    await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    expect(breaker.state).toBe('open');
  });
});
