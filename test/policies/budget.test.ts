import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../src/policies/budget.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const T0 = 1_700_000_000_000;

describe('RetryBudget', () => {
  it('allows minPerSecond * windowSeconds retries with no calls at all (10/s over 10s = 100)', () => {
    const budget = new RetryBudget({ clock: new FakeClock({ now: T0 }) });
    expect(budget.available()).toBe(100);
  });

  it('adds ratio retries per recorded call: 0.2 * 50 calls + 0 floor = 10', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0, clock: new FakeClock({ now: T0 }) });
    for (let i = 0; i < 50; i++) budget.recordCall();
    expect(budget.available()).toBe(10);
    let granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).toBe(10);
    expect(budget.available()).toBe(0);
    expect(budget.tryRetry()).toBe(false);
  });

  it('keeps a burst of 1,000 failing calls wanting 5 retries each within ratio * calls + floor', () => {
    const clock = new FakeClock({ now: T0 });
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 10, window: '10s', clock });
    let granted = 0;
    let refused = 0;
    for (let call = 0; call < 1_000; call++) {
      budget.recordCall();
      for (let retry = 0; retry < 5; retry++) {
        if (budget.tryRetry()) granted++;
        else refused++;
      }
    }
    // 5,000 retries wanted; 0.2 * 1,000 + 10 * 10 = 300 allowed.
    expect(granted).toBe(300);
    expect(refused).toBe(4_700);
  });

  it('refills as the window slides past old retries (virtual time)', async () => {
    const clock = new FakeClock({ now: T0 });
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, window: '10s', clock });
    let granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).toBe(10);
    await clock.advance(5_000);
    expect(budget.available()).toBe(0);
    await clock.advance(5_000);
    expect(budget.available()).toBe(10);
  });

  it('spreads retries over time: a minute-long outage at 100 calls/s gets about ratio * calls + floor', () => {
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 1, window: '10s' });
    let granted = 0;
    for (let now = T0; now < T0 + 60_000; now += 10) {
      budget.recordCall(now);
      if (budget.tryRetry(now)) granted++;
    }
    // 6,000 calls each wanting a retry; the cap is 0.1 * calls + 1/s: about 600 + 60, never 6,000.
    expect(granted).toBeGreaterThan(550);
    expect(granted).toBeLessThanOrEqual(700);
  });

  it('takes explicit now arguments instead of its clock', () => {
    const budget = new RetryBudget({ ratio: 1, minPerSecond: 0, window: '1s' });
    budget.recordCall(0);
    expect(budget.available(500)).toBe(1);
    expect(budget.tryRetry(500)).toBe(true);
    expect(budget.tryRetry(500)).toBe(false);
    expect(budget.available(2_000)).toBe(0); // calls slid out too
  });

  it('validates its options at construction, naming the option and value', () => {
    expect(() => new RetryBudget({ ratio: -0.1 })).toThrow(/ratio must be a number in \[0, 1000\]; got -0.1/);
    expect(() => new RetryBudget({ ratio: 1_001 })).toThrow(RangeError);
    expect(() => new RetryBudget({ minPerSecond: Number.NaN })).toThrow(/minPerSecond.*NaN/);
    expect(() => new RetryBudget({ window: '0s' })).toThrow(/window must be > 0; got "0s"/);
    expect(() => new RetryBudget({ window: 'a while' })).toThrow(/window.*"a while"/);
    expect(() => new RetryBudget({ clock: {} as FakeClock })).toThrow(TypeError);
  });
});
