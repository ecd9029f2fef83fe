/**
 * Issue 9 item 4 (SPEC §11): durations follow a monotonic source, never the wall clock. The real
 * systemClock, with Date.now stepped back an hour mid-call as NTP or a resumed VM does. Before the
 * fix a 300ms timeout never fired, a breaker that opened a moment ago asked to wait an hour, and a
 * spent RetryBudget stayed spent.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { ResilientClient } from '../../src/client/client.js';
import { systemClock } from '../../src/core/clock.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { RetryBudget } from '../../src/policies/budget.js';
import { withRetry } from '../../src/policies/retry.js';
import { constant } from '../../src/core/backoff.js';

const HOUR = 3_600_000;
const realNow = Date.now.bind(Date);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Steps the wall clock by `ms` from now on (Date.now only: timers and performance.now go on). */
function stepWall(ms: number): void {
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** A fetch that answers only when its signal aborts (a server that never replies). */
const silentFetch = ((_input: RequestInfo | URL, init?: RequestInit) =>
  new Promise<Response>((_resolve, reject) => {
    const signal = init?.signal;
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  })) as typeof fetch;

describe('the wall clock stepped back an hour mid-call changes no duration', () => {
  it("a timeout: '300ms' request still times out after about 300ms", async () => {
    const client = new ResilientClient({ baseUrl: 'http://127.0.0.1:9', fetch: silentFetch, timeout: '300ms', retry: false, breaker: false, health: false, budget: false });
    const began = performance.now();
    const call = client.fetch('/slow').then(
      () => 'answered',
      (e: unknown) => (e as Error).name,
    );
    await sleep(50);
    stepWall(-HOUR);
    const outcome = await Promise.race([call, sleep(3_000).then(() => 'still waiting after 3s')]);
    expect(outcome).toBe('TimeoutError');
    expect(performance.now() - began).toBeLessThan(1_500);
  });

  it('a breaker that opened a moment ago half-opens on time, with events stamped in wall time', async () => {
    const events: ResilienceEvent[] = [];
    const breaker = new CircuitBreaker({ failureThreshold: 1, openFor: '200ms', onEvent: (e) => events.push(e) });
    await breaker.execute(() => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).catch(() => {});
    expect(breaker.state).toBe('open');
    stepWall(-HOUR);
    expect(breaker.retryAfterMs).toBeLessThanOrEqual(200);
    await sleep(250);
    expect(breaker.state).toBe('half-open');
    expect(breaker.retryAfterMs).toBe(0);
    const opened = Date.parse(events.find((e) => e.type === 'breaker_open')?.time ?? '');
    const halfOpen = Date.parse(events.find((e) => e.type === 'breaker_half_open')?.time ?? '');
    expect(Math.abs(opened - realNow())).toBeLessThan(2_000); // stamped before the step
    expect(Math.abs(halfOpen - (realNow() - HOUR))).toBeLessThan(2_000); // after: the wall clock, as it is
  });

  it('a spent RetryBudget recovers once its window has passed', async () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 10, window: '200ms' }); // 2 retries per 200ms
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    stepWall(-HOUR);
    await sleep(300);
    expect(budget.tryRetry()).toBe(true);
  });

  it("withRetry's maxElapsed: a wall clock stepped forward an hour does not end the retries early", async () => {
    let attempts = 0;
    const outcome = withRetry(
      async () => {
        if (++attempts === 1) stepWall(HOUR);
        throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
      },
      { backoff: constant('50ms'), maxRetries: Infinity, maxElapsed: '400ms' },
    ).catch((e: unknown) => e);
    expect(await outcome).toMatchObject({ code: 'ECONNREFUSED' });
    expect(attempts).toBeGreaterThanOrEqual(5); // about 400ms / 50ms; before the fix: 1
  });

  it('a wall clock stepped forward an hour opens nothing early either', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, openFor: '10s' });
    await breaker.execute(() => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).catch(() => {});
    stepWall(HOUR);
    expect(breaker.state).toBe('open');
    expect(breaker.retryAfterMs).toBeGreaterThan(9_000);
  });

  it('systemClock.now() is monotonic and on the epoch scale; wallNow() is Date.now()', () => {
    expect(Math.abs(systemClock.now() - realNow())).toBeLessThan(1_000);
    stepWall(-HOUR);
    expect(Math.abs(systemClock.now() - realNow())).toBeLessThan(1_000);
    expect(systemClock.wallNow()).toBe(Date.now());
  });
});
