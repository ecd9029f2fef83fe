/**
 * SPEC §4 CircuitBreaker (and BreakerRegistry).
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import {
  BreakerRegistry,
  BrokenCircuitError,
  CircuitBreaker,
  HttpError,
  classify,
  constant,
  exponential,
  formatEvent,
  withRetry,
  type ResilienceEvent,
} from 'steadfast';
import { FakeClock } from 'steadfast/testing';
import { collect, settleLater } from './helpers.js';

describe('SPEC §4 CircuitBreaker', () => {
  const boom = (): Promise<never> => Promise.reject(new Error('connection refused'));

  async function openBreaker(b: CircuitBreaker, n = 5): Promise<void> {
    for (let i = 0; i < n; i++) await b.execute(boom).catch(() => {});
  }

  it('defaults: opens after 5 consecutive failures, for a period drawn in [14s, 28s] each time (issue 13: breakers that opened together do not try again together)', async () => {
    const clock = new FakeClock({ random: () => 0.5 });
    const b = new CircuitBreaker({ clock });
    await openBreaker(b, 4);
    expect(b.state).toBe('closed');
    await openBreaker(b, 1);
    expect(b.state).toBe('open');
    await clock.advance(20_999);
    expect(b.state).toBe('open');
    await clock.advance(1);
    expect(b.state).toBe('half-open'); // 14s + 0.5 × 14s
    for (const [r, ms] of [[0, 14_000], [0.999_999, 27_999.986]] as const) {
      const c = new FakeClock({ random: () => r });
      const lowOrHigh = new CircuitBreaker({ clock: c });
      await openBreaker(lowOrHigh, 5);
      expect(lowOrHigh.retryAfterMs).toBeCloseTo(ms, 2);
    }
  });


  it('a success resets the consecutive count', async () => {
    const b = new CircuitBreaker({ clock: new FakeClock(), failureThreshold: 3 });
    await openBreaker(b, 2);
    await b.execute(async () => 1);
    await openBreaker(b, 2);
    expect(b.state).toBe('closed');
  });

  it('"Open → rejects at once with BrokenCircuitError, fn not called"; retryAfterMs counts down', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '10s' });
    await openBreaker(b, 1);
    await clock.advance(4_000);
    let called = false;
    const e = await b.execute(async () => { called = true; }).catch((x: unknown) => x);
    expect(called).toBe(false);
    expect(e).toBeInstanceOf(BrokenCircuitError);
    expect((e as BrokenCircuitError).retryAfterMs).toBe(6_000);
    expect(classify(e).retryAfterMs).toBe(6_000);
  });

  it('"at most halfOpenMaxCalls at a time; the others get BrokenCircuitError"; all trials succeeding close it', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '1s', halfOpenMaxCalls: 2 });
    await openBreaker(b, 1);
    await clock.advance(1_000);
    const gates: Array<() => void> = [];
    const trial = (): Promise<string> => b.execute(() => new Promise<string>((r) => gates.push(() => r('ok'))));
    const t1 = trial();
    const t2 = trial();
    await expect(trial()).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(gates).toHaveLength(2);
    gates[0]?.();
    await t1;
    expect(b.state).toBe('half-open');
    gates[1]?.();
    await t2;
    expect(b.state).toBe('closed');
  });

  it('"any trial failing re-opens it"', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '1s' });
    await openBreaker(b, 1);
    await clock.advance(1_000);
    await b.execute(boom).catch(() => {});
    expect(b.state).toBe('open');
  });

  it('"a Backoff grows the open time on each re-open"', async () => {
    const clock = new FakeClock();
    const log = collect();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: exponential({ initial: '1s', max: '1m', jitter: 'none' }), onEvent: log.sink });
    await openBreaker(b, 1);
    for (const wait of [1_000, 2_000, 4_000]) {
      await clock.advance(wait);
      expect(b.state).toBe('half-open');
      await b.execute(boom).catch(() => {});
    }
    expect(log.of('breaker_open').map((e) => e.openForMs)).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('"By default only transient errors count as failures (a 404 or a caller abort does not open it)"', async () => {
    const b = new CircuitBreaker({ clock: new FakeClock(), failureThreshold: 1 });
    await b.execute(() => Promise.reject(new HttpError(404))).catch(() => {});
    const abort = new AbortController();
    abort.abort();
    await b.execute(() => Promise.reject(abort.signal.reason)).catch(() => {});
    expect(b.state).toBe('closed');
  });

  it('isFailure overrides what counts', async () => {
    const b = new CircuitBreaker({ clock: new FakeClock(), failureThreshold: 1, isFailure: (e) => e instanceof HttpError });
    await b.execute(() => Promise.reject(new HttpError(404))).catch(() => {});
    expect(b.state).toBe('open');
  });

  it('"A trial that never settles cannot wedge the breaker": its slot is released after openFor', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '5s' });
    await openBreaker(b, 1);
    await clock.advance(5_000);
    void b.execute(() => new Promise(() => {})).catch(() => {});
    await expect(b.execute(async () => 1)).rejects.toBeInstanceOf(BrokenCircuitError);
    await clock.advance(5_000);
    // the hung trial counted as failed → re-opened; after openFor again a trial is allowed
    await clock.advance(10_000);
    await expect(b.execute(async () => 'alive')).resolves.toBe('alive');
  });

  it('"With failureRate, opens only once at least minimumCalls calls were seen in window"', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureRate: 0.5, minimumCalls: 4, window: '10s' });
    await openBreaker(b, 3);
    expect(b.state).toBe('closed');
    await openBreaker(b, 1);
    expect(b.state).toBe('open');
  });

  it('"simultaneous failures at the threshold still lead to half-open after openFor"', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureRate: 0.5, minimumCalls: 4, window: '10s', openFor: '3s' });
    const rejects: Array<() => void> = [];
    const calls = Array.from({ length: 8 }, () => b.execute(() => new Promise<never>((_r, j) => rejects.push(() => j(new Error('timeout'))))).catch(() => {}));
    for (const r of rejects) r();
    await Promise.all(calls);
    expect(b.state).toBe('open');
    await clock.advance(3_000);
    expect(b.state).toBe('half-open');
    await b.execute(async () => 1);
    expect(b.state).toBe('closed');
  });

  it('"No timers": an open breaker leaves no pending virtual timer', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1 });
    await openBreaker(b, 1);
    expect(clock.pending).toBe(0);
  });

  it('isolate() refuses every call until reset(); reset() closes it', async () => {
    const b = new CircuitBreaker({ clock: new FakeClock() });
    b.isolate();
    expect(b.state).toBe('isolated');
    const e = await b.execute(async () => 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BrokenCircuitError);
    b.reset();
    expect(b.state).toBe('closed');
    await expect(b.execute(async () => 2)).resolves.toBe(2);
  });

  it('snapshot() is JSON-safe and restores via initialState', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '10s' });
    await openBreaker(b, 1);
    const snap = JSON.parse(JSON.stringify(b.snapshot())) as ReturnType<CircuitBreaker['snapshot']>;
    expect(JSON.parse(JSON.stringify(snap))).toEqual(b.snapshot());
    const restored = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '10s', initialState: snap });
    expect(restored.state).toBe('open');
    await clock.advance(10_000);
    expect(restored.state).toBe('half-open');
  });

  it('events: breaker_open {failures, openForMs}, breaker_half_open, breaker_closed {downtimeMs}', async () => {
    const clock = new FakeClock({ random: () => 0.5 });
    const log = collect();
    const b = new CircuitBreaker({ clock, name: 'api', onEvent: log.sink });
    await openBreaker(b, 5);
    await clock.advance(21_000);
    await b.execute(async () => 1);
    expect(log.events.map((e) => e.type)).toEqual(['breaker_open', 'breaker_half_open', 'breaker_closed']);
    expect(log.of('breaker_open')[0]).toMatchObject({ name: 'api', failures: 5, openForMs: 21_000 });
    expect(log.of('breaker_closed')[0]).toMatchObject({ name: 'api', downtimeMs: 21_000 });
    expect(formatEvent(log.events[0] as ResilienceEvent)).toMatch(/^\[CIRCUIT_BREAKER\] api: opened after 5 failures/);
  });

  it('cross: withRetry(() => breaker.execute(fn)) waits for half-open instead of spinning', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 2, openFor: '20s' });
    let calls = 0;
    const run = settleLater(withRetry(() => b.execute(async () => { calls++; if (calls <= 2) throw new Error('connection refused'); return 'up'; }), {
      clock, backoff: constant('100ms', { jitter: 'none' }), maxRetries: 5,
    }));
    await clock.runAll();
    expect(run.value()).toBe('up');
    expect(calls).toBe(3);
    // 100ms after the first failure, then the breaker's 20s
    expect(clock.now()).toBeGreaterThanOrEqual(20_100);
    expect(b.state).toBe('closed');
  });

  it('BreakerRegistry keeps one breaker per key', () => {
    const reg = new BreakerRegistry({ clock: new FakeClock() });
    expect(reg.get('a.example')).toBe(reg.get('a.example'));
    expect(reg.get('a.example')).not.toBe(reg.get('b.example'));
  });

  it('"bounded in size": 10,000 keys in a registry do not grow it past maxSize; open ones survive eviction', async () => {
    const clock = new FakeClock();
    const reg = new BreakerRegistry({ maxSize: 100, clock });
    const open = reg.get('sick-host', { failureThreshold: 1 });
    await open.execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
    for (let i = 0; i < 10_000; i++) reg.get(`host-${i}`);
    expect(reg.size).toBeLessThanOrEqual(100);
    expect(reg.get('sick-host').state).toBe('open');
  });

  it('"Ten thousand breakers fit in a few MB" (each opened once, no timers)', async () => {
    const clock = new FakeClock();
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    const all: CircuitBreaker[] = [];
    for (let i = 0; i < 10_000; i++) {
      const b = new CircuitBreaker({ clock, failureThreshold: 1, name: `b${i}` });
      await b.execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
      all.push(b);
    }
    const used = process.memoryUsage().heapUsed - before;
    expect(all.every((b) => b.state === 'open')).toBe(true);
    expect(clock.pending).toBe(0);
    expect(used).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('SPEC §4 BreakerRegistry bound holds even when every breaker is open', () => {
  it('10,000 open breakers through a registry of maxSize 50 keep it at 50', async () => {
    const clock = new FakeClock();
    const reg = new BreakerRegistry({ maxSize: 50, clock });
    for (let i = 0; i < 10_000; i++) {
      await reg.get(`h${i}`, { failureThreshold: 1 }).execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
    }
    expect(reg.size).toBe(50);
    expect(clock.pending).toBe(0);
    expect(JSON.parse(JSON.stringify(reg.snapshot()))).toEqual(reg.snapshot());
  });
});

describe('SPEC cross-component and edge behaviour found by the audit', () => {
  it('§4 a hung trial is treated as failed exactly at openFor after it started', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '5s' });
    await b.execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
    await clock.advance(5_000);
    void b.execute(() => new Promise(() => {})).catch(() => {});
    await clock.advance(4_999);
    expect(b.state).toBe('half-open');
    await clock.advance(1);
    expect(b.state).toBe('open');
    await clock.advance(5_000);
    expect(b.state).toBe('half-open');
  });

  it('§4 "(or a halfOpenTimeout)": the slot is released after halfOpenTimeout', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '1m', halfOpenTimeout: '2s' });
    await b.execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
    await clock.advance(60_000);
    void b.execute(() => new Promise(() => {})).catch(() => {});
    await clock.advance(1_999);
    expect(b.state).toBe('half-open');
    await clock.advance(1);
    expect(b.state).toBe('open');
  });
});
