/**
 * Issue 9 item 6: a BreakerRegistry full of open breakers must keep protecting. Before: with
 * maxSize 3 and three open breakers, two new failing keys evicted each other on every get and
 * never opened, and every get scanned the whole map.
 */
import { describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { BreakerRegistry } from '../../src/breaker/registry.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const T0 = 1_700_000_000_000;
const fail = (): Promise<never> => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

async function fillWithOpenBreakers(breakers: BreakerRegistry, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await breakers.get(`down-${i}`).execute(fail).catch(() => {});
}

describe('BreakerRegistry full of open breakers', () => {
  it('lets two new failing keys keep counting and open (maxSize 3, three open breakers)', async () => {
    const breakers = new BreakerRegistry({ maxSize: 3, defaults: { failureThreshold: 1 }, clock: new FakeClock({ now: T0 }) });
    await fillWithOpenBreakers(breakers, 3);
    for (let round = 0; round < 5; round++) {
      for (const key of ['d', 'e']) await breakers.get(key, { failureThreshold: 5 }).execute(fail).catch(() => {});
    }
    expect(breakers.get('d').state).toBe('open');
    expect(breakers.get('e').state).toBe('open');
    expect(breakers.get('d').failureCount).toBe(5);
  });

  it('keeps the instance of a key that is counting failures while other new keys come and go', async () => {
    const breakers = new BreakerRegistry({ maxSize: 4, defaults: { failureThreshold: 3 }, clock: new FakeClock({ now: T0 }) });
    await fillWithOpenBreakers(breakers, 4);
    const flaky = breakers.get('flaky');
    await flaky.execute(fail).catch(() => {});
    for (let i = 0; i < 100; i++) breakers.get(`probe-${i}`); // healthy one-off keys: they hold nothing
    expect(breakers.get('flaky')).toBe(flaky);
  });

  it('still prefers dropping a breaker that holds nothing over an open one', async () => {
    const breakers = new BreakerRegistry({ maxSize: 3, defaults: { failureThreshold: 1 }, clock: new FakeClock({ now: T0 }) });
    await fillWithOpenBreakers(breakers, 1);
    breakers.get('idle');
    breakers.get('b');
    breakers.get('c');
    expect(breakers.keys()).toEqual(['down-0', 'b', 'c']);
  });

  it('reads at most 9 breaker states per get, however full of open breakers (1,000 open, 20,000 new keys; 1,000,000 in bench:soak)', async () => {
    const breakers = new BreakerRegistry({ maxSize: 1_000, defaults: { failureThreshold: 1, openFor: '1h' }, clock: new FakeClock({ now: T0 }) });
    await fillWithOpenBreakers(breakers, 1_000);
    const reads = vi.spyOn(CircuitBreaker.prototype, 'state', 'get');
    try {
      for (let i = 0; i < 20_000; i++) breakers.get(`key-${i}`);
      expect(reads.mock.calls.length / 20_000).toBeLessThanOrEqual(9);
    } finally {
      reads.mockRestore();
    }
    expect(breakers.size).toBe(1_000);
  });
});
