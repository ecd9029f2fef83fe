/**
 * SPEC §5 RetryBudget.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import { HttpError, ResilientClient, RetryBudget, constant } from 'steadfast';
import { FakeClock, scriptedFetch } from 'steadfast/testing';
import { settleLater } from './helpers.js';

describe('SPEC §5 RetryBudget', () => {
  it('defaults: ratio 0.2, minPerSecond 10, window 10s → with no calls, 100 retries then refusal', () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ clock });
    let allowed = 0;
    for (let i = 0; i < 500; i++) if (budget.tryRetry()) allowed++;
    expect(allowed).toBe(100);
  });

  it('"retries may add at most ratio of the calls seen in window, plus minPerSecond"', () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 0, window: '10s', clock });
    for (let i = 0; i < 10; i++) budget.recordCall();
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (budget.tryRetry()) allowed++;
    expect(allowed).toBe(5);
  });

  it('the budget refills as calls leave the window', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, window: '10s', clock });
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (budget.tryRetry()) allowed++;
    expect(allowed).toBe(10);
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(11_000);
    expect(budget.tryRetry()).toBe(true);
  });

  it('"Shared by every call of a client, it caps retry amplification during an outage"', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([503], { clock, repeatLast: true });
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 0, window: '10s', clock });
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, budget, breaker: false, health: false,
      retry: { backoff: constant('10ms', { jitter: 'none' }), maxRetries: 5 },
    });
    const runs = Array.from({ length: 50 }, () => settleLater(client.getJSON('/x')));
    await clock.runAll();
    expect(runs.every((r) => r.error() instanceof HttpError)).toBe(true);
    // 50 calls, at most 10% extra attempts (not 50 * 6)
    expect(fetch.calls.length).toBeLessThanOrEqual(55);
    expect(client.stats().requests).toBe(50);
    client.close();
  });
});
