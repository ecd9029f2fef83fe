/**
 * SPEC §1 Backoff.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import { constant, delays, exponential, linear, schedule, withRetry } from 'steadfast';
import { FakeClock, seededRandom } from 'steadfast/testing';
import { settleLater } from './helpers.js';

describe('SPEC §1 Backoff', () => {
  it('waits 5s, 10s, 20s, 40s, 60s, 60s for {initial: "5s", max: "60s"} without jitter', () => {
    expect(delays(exponential({ initial: '5s', max: '60s', jitter: 'none' }), 6)).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('"n = 10,000 still yields max": no overflow, NaN or Infinity', () => {
    const d = delays(exponential({ initial: '5s', max: '60s', jitter: 'none', multiplier: 10 }), 10_000);
    expect(d[9_999]).toBe(60_000);
    expect(d.every((x) => Number.isFinite(x) && x <= 60_000)).toBe(true);
  });

  it('multiplier defaults to 2 and jitter to full (every delay in [0, d])', () => {
    const random = seededRandom(3);
    const d = delays(exponential({ initial: '1s', max: '1h' }), 8, { random });
    d.forEach((x, i) => {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1_000 * 2 ** i);
    });
    // full jitter actually jitters
    expect(d.some((x, i) => x !== 1_000 * 2 ** i)).toBe(true);
  });

  it('multiplier < 1 is rejected', () => {
    expect(() => exponential({ initial: '1s', max: '5s', multiplier: 0.5 })).toThrow(/multiplier/);
  });

  it('"full: uniform in [0, d]" with random 0 and ~1 hits the ends', () => {
    const b = exponential({ initial: '4s', max: '1m', jitter: 'full' });
    expect(delays(b, 1, { random: () => 0 })).toEqual([0]);
    expect(delays(b, 1, { random: () => 0.999999 })[0]).toBeCloseTo(4_000, -1);
  });

  it('"equal: d/2 + uniform [0, d/2]"', () => {
    const b = exponential({ initial: '4s', max: '1m', jitter: 'equal' });
    expect(delays(b, 1, { random: () => 0 })).toEqual([2_000]);
    expect(delays(b, 1, { random: () => 0.5 })).toEqual([3_000]);
  });

  it('"decorrelated: min(max, uniform [initial, previous * 3])" stays in [initial, max]', () => {
    const b = exponential({ initial: '1s', max: '20s', jitter: 'decorrelated' });
    const d = delays(b, 200, { random: seededRandom(9) });
    expect(d.every((x) => x >= 1_000 && x <= 20_000)).toBe(true);
    let previous = 1_000;
    for (const x of d) {
      expect(x).toBeLessThanOrEqual(Math.max(1_000, previous * 3) + 1e-6);
      previous = x;
    }
  });

  it('"number f: d * (1 ± f)" and every delay lies in [0, max]', () => {
    const b = constant('10s', { jitter: 0.2 });
    expect(delays(b, 1, { random: () => 0 })[0]).toBeCloseTo(8_000, 0);
    expect(delays(b, 1, { random: () => 0.999999 })[0]).toBeCloseTo(12_000, -1);
    const e = exponential({ initial: '10s', max: '30s', jitter: 0.5 });
    expect(delays(e, 50, { random: seededRandom(1) }).every((x) => x >= 0 && x <= 30_000)).toBe(true);
  });

  it('jitter fraction outside [0, 1] is rejected', () => {
    expect(() => constant('1s', { jitter: 1.5 })).toThrow(RangeError);
    expect(() => constant('1s', { jitter: -0.1 })).toThrow(RangeError);
  });

  it('"for schedule, in [0, the largest listed delay * (1 + f)]"', () => {
    const b = schedule(['1s', '8s', '2s'], { jitter: 0.25, repeatLast: true });
    expect(delays(b, 100, { random: seededRandom(4) }).every((x) => x >= 0 && x <= 10_000)).toBe(true);
  });

  it('"schedule([4s, 8s, 16s, 32s, 64s]) allows exactly 5 retries (6 attempts) then stops"', async () => {
    const b = schedule(['4s', '8s', '16s', '32s', '64s']);
    expect(delays(b, 10)).toEqual([4_000, 8_000, 16_000, 32_000, 64_000]);
    const clock = new FakeClock();
    let attempts = 0;
    const run = settleLater(withRetry(async () => { attempts++; throw new Error('connection refused'); }, { backoff: b, maxRetries: Infinity, clock }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    expect(attempts).toBe(6);
    expect(clock.now()).toBe(124_000);
  });

  it('"with repeatLast it repeats the last delay forever"', () => {
    expect(delays(schedule(['4s', '8s'], { repeatLast: true }), 5)).toEqual([4_000, 8_000, 8_000, 8_000, 8_000]);
  });

  it('linear grows by step up to max', () => {
    expect(delays(linear({ initial: '1s', step: '2s', max: '6s', jitter: 'none' }), 5)).toEqual([1_000, 3_000, 5_000, 6_000, 6_000]);
  });

  it('"Pure: same inputs and random give the same delays"; a Backoff is reusable', () => {
    const b = exponential({ initial: '1s', max: '30s', jitter: 'decorrelated' });
    expect(delays(b, 20, { random: seededRandom(42) })).toEqual(delays(b, 20, { random: seededRandom(42) }));
  });
});
