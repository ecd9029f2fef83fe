import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollingWindow } from '../../src/core/window.js';

const T0 = 1_700_000_000_000; // a realistic epoch, so bucket indexes are large

describe('RollingWindow', () => {
  it('counts events added within the window', () => {
    const w = new RollingWindow({ windowMs: 10_000 });
    w.add(T0);
    w.add(T0 + 1_000);
    w.add(T0 + 2_000, 0, 3);
    expect(w.sum(T0 + 2_000)).toBe(5);
  });

  it('forgets an event once the window has slid past it (1s buckets for a 10s window)', () => {
    const w = new RollingWindow({ windowMs: 10_000 });
    w.add(T0);
    expect(w.sum(T0 + 9_999)).toBe(1);
    expect(w.sum(T0 + 10_000)).toBe(0);
  });

  it('slides one bucket at a time: older buckets leave, newer ones stay', () => {
    const w = new RollingWindow({ windowMs: 10_000 });
    for (let s = 0; s < 10; s++) w.add(T0 + s * 1_000);
    expect(w.sum(T0 + 9_000)).toBe(10);
    expect(w.sum(T0 + 12_000)).toBe(7);
    expect(w.sum(T0 + 19_000)).toBe(0);
  });

  it('keeps lanes independent', () => {
    const w = new RollingWindow({ windowMs: 1_000, lanes: 2 });
    w.add(T0, 0, 10);
    w.add(T0, 1, 4);
    expect(w.sum(T0, 0)).toBe(10);
    expect(w.sum(T0, 1)).toBe(4);
  });

  it('empties completely after a gap longer than the window, however long', () => {
    const w = new RollingWindow({ windowMs: 1_000, lanes: 2 });
    w.add(T0, 0, 5);
    w.add(T0, 1, 5);
    expect(w.sum(T0 + 365 * 86_400_000, 0)).toBe(0);
    w.add(T0 + 365 * 86_400_000, 1);
    expect(w.sum(T0 + 365 * 86_400_000, 1)).toBe(1);
  });

  it('counts an event from a clock that stepped back into the newest bucket', () => {
    const w = new RollingWindow({ windowMs: 10_000 });
    w.add(T0 + 5_000);
    w.add(T0);
    expect(w.sum(T0 + 5_000)).toBe(2);
    expect(w.sum(T0 + 15_000)).toBe(0);
  });

  it('holds a fixed number of buckets: a million events take no more memory', () => {
    const w = new RollingWindow({ windowMs: 1_000, buckets: 4 });
    for (let i = 0; i < 1_000_000; i++) w.add(T0 + i);
    // 4 buckets of 250ms: the last 750-1000ms of events are still counted.
    const live = w.sum(T0 + 999_999);
    expect(live).toBeGreaterThanOrEqual(750);
    expect(live).toBeLessThanOrEqual(1_000);
    expect((w as unknown as { counts: number[] }).counts).toHaveLength(4);
  });

  it('clear() forgets everything', () => {
    const w = new RollingWindow({ windowMs: 1_000 });
    w.add(T0, 0, 7);
    w.clear();
    expect(w.sum(T0)).toBe(0);
  });

  it('rejects a window that is not a finite positive number, and bad bucket/lane counts', () => {
    expect(() => new RollingWindow({ windowMs: 0 })).toThrow(/window must be a finite duration > 0; got 0/);
    expect(() => new RollingWindow({ windowMs: Infinity })).toThrow(RangeError);
    expect(() => new RollingWindow({ windowMs: 1_000, buckets: 0 })).toThrow(/buckets must be an integer >= 1; got 0/);
    expect(() => new RollingWindow({ windowMs: 1_000, lanes: 1.5 })).toThrow(/lanes/);
  });

  it('agrees with a naive model: an event counts while its bucket is one of the newest `buckets`', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 3_000 }), lane: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: 1, max: 5 }) }), { maxLength: 60 }),
        (buckets, ops) => {
          const w = new RollingWindow({ windowMs: 1_000, buckets, lanes: 2 });
          const bucketMs = 1_000 / buckets;
          const seen: Array<{ bucket: number; lane: number; n: number }> = [];
          let now = T0;
          for (const op of ops) {
            now += op.dt;
            w.add(now, op.lane, op.n);
            seen.push({ bucket: Math.floor(now / bucketMs), lane: op.lane, n: op.n });
            const newest = Math.floor(now / bucketMs);
            for (const lane of [0, 1]) {
              const expected = seen.filter((e) => e.lane === lane && e.bucket > newest - buckets).reduce((sum, e) => sum + e.n, 0);
              expect(w.sum(now, lane)).toBe(expected);
            }
          }
        },
      ),
    );
  });
});
