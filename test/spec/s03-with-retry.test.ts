/**
 * SPEC §3 withRetry.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import { HttpError, RetryBudget, constant, formatEvent, withRetry, type ResilienceEvent } from 'steadfast';
import { FakeClock } from 'steadfast/testing';
import { fetchFailed, collect, settleLater } from './helpers.js';

describe('SPEC §3 withRetry', () => {
  const fixed = constant('1s', { jitter: 'none' });

  it('"A permanent error stops at once"; rejects with the last error, identity kept', async () => {
    const clock = new FakeClock();
    const error = new HttpError(404);
    let attempts = 0;
    const run = settleLater(withRetry(async () => { attempts++; throw error; }, { clock, backoff: fixed }));
    await clock.runAll();
    expect(run.error()).toBe(error);
    expect(attempts).toBe(1);
  });

  it('"rejects with the last attempt\'s error, unchanged" after retries run out', async () => {
    const clock = new FakeClock();
    const errors: Error[] = [];
    const run = settleLater(withRetry(async ({ attempt }) => {
      const e = new Error(`connection refused #${attempt}`);
      errors.push(e);
      throw e;
    }, { clock, backoff: fixed, maxRetries: 3 }));
    await clock.runAll();
    expect(errors).toHaveLength(4);
    expect(run.error()).toBe(errors[3]);
  });

  it('"maxRetries ... default 5"', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    const run = settleLater(withRetry(async () => { attempts++; throw new Error('timeout'); }, { clock, backoff: fixed }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    expect(attempts).toBe(6);
  });

  it('"0 = one attempt"', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    await expect(withRetry(async () => { attempts++; throw new Error('timeout'); }, { clock, maxRetries: 0 })).rejects.toThrow('timeout');
    expect(attempts).toBe(1);
  });

  it('"default exponential 500ms..30s, full jitter": first delay in [0, 500ms], later ones ≤ 30s', async () => {
    const clock = new FakeClock({ seed: 7 });
    const log = collect();
    const run = settleLater(withRetry(async () => { throw new Error('timeout'); }, { clock, maxRetries: 12, onEvent: log.sink }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    const d = log.of('retry').map((e) => e.delayMs);
    expect(d).toHaveLength(12);
    expect(d[0]).toBeLessThanOrEqual(500);
    expect(d[1]).toBeLessThanOrEqual(1_000);
    expect(d.every((x) => x >= 0 && x <= 30_000)).toBe(true);
  });

  it('attempt numbers are 1-based and ctx.signal is an AbortSignal', async () => {
    const clock = new FakeClock();
    const seen: number[] = [];
    const run = settleLater(withRetry(async ({ attempt, signal }) => {
      expect(signal).toBeInstanceOf(AbortSignal);
      seen.push(attempt);
      if (attempt < 3) throw new Error('timeout');
      return 'ok';
    }, { clock, backoff: fixed }));
    await clock.runAll();
    expect(run.value()).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('"Delay before retry n = max(backoff delay, retryAfterMs capped at maxRetryAfter)"', async () => {
    const clock = new FakeClock();
    const log = collect();
    const outcomes = [new HttpError(503, undefined, { retryAfterMs: 20_000 }), new HttpError(503, undefined, { retryAfterMs: 500 }), new HttpError(429, undefined, { retryAfterMs: 3_600_000 })];
    const run = settleLater(withRetry(async ({ attempt }) => {
      const e = outcomes[attempt - 1];
      if (e !== undefined) throw e;
      return 'ok';
    }, { clock, backoff: fixed, maxRetryAfter: '1m', onEvent: log.sink }));
    await clock.runAll();
    expect(run.value()).toBe('ok');
    expect(log.of('retry').map((e) => e.delayMs)).toEqual([20_000, 1_000, 60_000]);
  });

  it('"maxRetryAfter default 5m": a Retry-After of one hour waits 5 minutes', async () => {
    const clock = new FakeClock();
    const log = collect();
    const run = settleLater(withRetry(async ({ attempt }) => {
      if (attempt === 1) throw new HttpError(503, undefined, { retryAfterMs: 3_600_000 });
    }, { clock, backoff: fixed, onEvent: log.sink }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    expect(log.of('retry')[0]?.delayMs).toBe(300_000);
  });

  it('"signal aborts a sleep at once; the promise rejects with signal.reason"', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    const run = settleLater(withRetry(async () => { throw new Error('timeout'); }, { clock, backoff: constant('1h'), signal: abort.signal }));
    await clock.advance(1_000);
    expect(run.done()).toBe(false);
    const reason = new Error('shutting down');
    abort.abort(reason);
    await clock.settle();
    expect(run.error()).toBe(reason);
    expect(clock.pending).toBe(0);
  });

  it('"signal aborts an attempt at once" even when fn ignores its signal', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    const run = settleLater(withRetry(() => new Promise<never>(() => {}), { clock, signal: abort.signal }));
    await clock.settle();
    abort.abort('bye');
    await clock.settle();
    expect(run.error()).toBe('bye');
  });

  it('an already-aborted signal never calls fn', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; }, { signal: AbortSignal.abort('early'), clock: new FakeClock() })).rejects.toBe('early');
    expect(calls).toBe(0);
  });

  it('"No listener is left on signal after the call settles" (10,000 calls share one signal)', async () => {
    const { EventEmitter } = await import('node:events');
    const getEventListeners = EventEmitter.getEventListeners.bind(EventEmitter);
    const abort = new AbortController();
    const clock = new FakeClock();
    const warnings: unknown[] = [];
    const onWarning = (w: unknown): void => { warnings.push(w); };
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 10_000; i++) {
        await withRetry(async ({ attempt }) => (attempt === 1 && i % 100 === 0 ? Promise.reject(new Error('timeout')) : i), {
          clock, signal: abort.signal, backoff: constant(0), attemptTimeout: '5s',
        });
      }
      expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
      expect(warnings).toEqual([]);
      expect(clock.pending).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('attemptTimeout: a hung attempt fails with a transient TimeoutError and is retried', async () => {
    const clock = new FakeClock();
    const log = collect();
    const run = settleLater(withRetry(async ({ attempt, signal }) => {
      if (attempt === 1) return new Promise<string>((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      return 'second';
    }, { clock, attemptTimeout: '2s', backoff: fixed, onEvent: log.sink }));
    await clock.runAll();
    expect(run.value()).toBe('second');
    expect(log.of('retry')[0]?.verdict.kind).toBe('transient');
    expect(clock.now()).toBe(3_000);
  });

  it('"maxElapsed: no retry is started whose sleep would end past it"', async () => {
    const clock = new FakeClock();
    const log = collect();
    let attempts = 0;
    const run = settleLater(withRetry(async () => { attempts++; throw new Error('timeout'); }, {
      clock, backoff: constant('4s'), maxRetries: Infinity, maxElapsed: '10s', onEvent: log.sink,
    }));
    await clock.runAll();
    // sleeps end at 4s, 8s; the third would end at 12s > 10s
    expect(attempts).toBe(3);
    expect(clock.now()).toBe(8_000);
    expect(log.of('give_up')[0]?.reason).toBe('max-elapsed');
    expect(run.done()).toBe(true);
    expect(run.error()).toEqual(new Error('timeout')); // the last attempt's error
  });

  it('"budget: a retry the budget refuses is not made; the last error is thrown"', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0, clock });
    const error = new Error('timeout');
    let attempts = 0;
    const log = collect();
    const run = settleLater(withRetry(async () => { attempts++; throw error; }, { clock, budget, backoff: fixed, onEvent: log.sink }));
    await clock.runAll();
    expect(run.error()).toBe(error);
    expect(attempts).toBe(1);
    expect(log.of('give_up')[0]?.reason).toBe('budget');
  });

  it('retryOn decides instead of the verdict (here: retry a 404 twice)', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    const run = settleLater(withRetry(async () => { attempts++; if (attempts < 3) throw new HttpError(404); return 'found'; }, {
      clock, backoff: fixed, retryOn: (_e, v) => v.status === 404,
    }));
    await clock.runAll();
    expect(run.value()).toBe('found');
    expect(attempts).toBe(3);
  });

  it('"Emits retry before each sleep": fields attempt, maxRetries, delayMs, verdict, error', async () => {
    const clock = new FakeClock({ now: Date.UTC(2026, 0, 1) });
    const log = collect();
    let sleptBeforeEvent: boolean | undefined;
    const start = clock.now();
    const run = settleLater(withRetry(async ({ attempt }) => {
      if (attempt === 1) throw fetchFailed('ECONNREFUSED');
      return 1;
    }, {
      clock, backoff: constant('5s'), maxRetries: 10, name: 'checkin',
      onEvent: (e) => { sleptBeforeEvent = clock.now() !== start; log.sink(e); },
    }));
    await clock.runAll();
    expect(run.value()).toBe(1);
    expect(sleptBeforeEvent).toBe(false);
    expect(log.events).toEqual([
      {
        type: 'retry', time: '2026-01-01T00:00:00.000Z', name: 'checkin', attempt: 1, maxRetries: 10, delayMs: 5_000,
        verdict: expect.objectContaining({ kind: 'transient', code: 'ECONNREFUSED' }),
        error: expect.objectContaining({ name: 'TypeError', code: 'ECONNREFUSED' }),
      },
    ]);
    expect(formatEvent(log.events[0] as ResilienceEvent)).toBe('[RETRY] checkin: retry 1/10 in 5s: connection refused');
  });

  it('"give_up when it stops on an error": attempts, elapsedMs, reason, error', async () => {
    const clock = new FakeClock();
    const log = collect();
    const run = settleLater(withRetry(async () => { throw new HttpError(503); }, { clock, backoff: constant('2s'), maxRetries: 2, name: 'upload', onEvent: log.sink }));
    await clock.runAll();
    expect(run.error()).toBeInstanceOf(HttpError);
    const g = log.of('give_up');
    expect(g).toHaveLength(1);
    expect(g[0]).toMatchObject({ type: 'give_up', name: 'upload', attempts: 3, elapsedMs: 4_000, reason: 'max-retries', error: { name: 'HttpError', status: 503 } });
  });

  it('give_up for a permanent error has reason "permanent" and no retry event', async () => {
    const clock = new FakeClock();
    const log = collect();
    await expect(withRetry(async () => { throw new HttpError(400); }, { clock, onEvent: log.sink })).rejects.toBeInstanceOf(HttpError);
    expect(log.of('retry')).toHaveLength(0);
    expect(log.of('give_up')[0]).toMatchObject({ attempts: 1, reason: 'permanent' });
  });

  it('no give_up on success, and a throwing sink does not break the call', async () => {
    const clock = new FakeClock();
    const run = settleLater(withRetry(async ({ attempt }) => { if (attempt === 1) throw new Error('timeout'); return 'ok'; }, {
      clock, backoff: fixed, onEvent: () => { throw new Error('logger broke'); },
    }));
    await clock.runAll();
    expect(run.value()).toBe('ok');
  });

  it('maxRetries: Infinity is JSON-safe in events (maxRetries: null)', async () => {
    const clock = new FakeClock();
    const log = collect();
    const run = settleLater(withRetry(async ({ attempt }) => { if (attempt === 1) throw new Error('timeout'); }, { clock, backoff: fixed, maxRetries: Infinity, onEvent: log.sink }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    expect(log.of('retry')[0]?.maxRetries).toBeNull();
    expect(JSON.parse(JSON.stringify(log.events))).toEqual(log.events);
  });
});

describe('SPEC §3 withRetry: invalid options reject naming the option (documented: rejects, never throws)', () => {
  it.each([
    ['maxRetries', { maxRetries: -1 }],
    ['maxRetries', { maxRetries: 1.5 }],
    ['retryOn', { retryOn: 'x' as never }],
    ['backoff', { backoff: {} as never }],
    ['maxRetryAfter', { maxRetryAfter: 'x' }],
    ['attemptTimeout', { attemptTimeout: 0 }],
  ])('a bad %s rejects before the first attempt', async (option, o) => {
    let calls = 0;
    const p = withRetry(async () => { calls++; }, { clock: new FakeClock(), ...o });
    await expect(p).rejects.toThrow(new RegExp(option));
    expect(calls).toBe(0);
  });

  it('a non-function fn rejects with a TypeError saying so (not "fn is not a function")', async () => {
    await expect(withRetry('nope' as never)).rejects.toThrow(/steadfast: withRetry needs a function/);
  });
});

describe('SPEC §7/§10 more pinned behaviour', () => {
  it('§3 a backoff delay longer than Retry-After wins: max(backoff, retryAfter)', async () => {
    const clock = new FakeClock();
    const log = collect();
    const run = settleLater(withRetry(async ({ attempt }) => {
      if (attempt === 1) throw new HttpError(503, undefined, { retryAfterMs: 1_000 });
    }, { clock, backoff: constant('10m', { jitter: 'none' }), maxRetryAfter: '5m', onEvent: log.sink }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    expect(log.of('retry')[0]?.delayMs).toBe(600_000);
  });
});
