import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandom } from '../../src/core/random.js';

const take = (random: () => number, n: number): number[] => Array.from({ length: n }, () => random());

describe('seededRandom', () => {
  it('gives the same sequence for the same seed', () => {
    expect(take(seededRandom(42), 100)).toEqual(take(seededRandom(42), 100));
  });

  it('gives different sequences for different seeds', () => {
    expect(take(seededRandom(1), 10)).not.toEqual(take(seededRandom(2), 10));
  });

  it('two generators with one seed do not share state', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const first = a();
    a();
    a();
    expect(b()).toBe(first);
  });

  it('stays in [0, 1) for any seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const outside = take(seededRandom(seed), 200).filter((x) => !(x >= 0 && x < 1));
        expect(outside).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('is roughly uniform: 10,000 draws put 8-12% in each tenth and average near 0.5', () => {
    const counts = new Array<number>(10).fill(0);
    const draws = take(seededRandom(123), 10_000);
    for (const x of draws) counts[Math.floor(x * 10)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(800), expect(c).toBeLessThan(1_200);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it('accepts seed 0, negative and fractional seeds deterministically', () => {
    for (const seed of [0, -1, 1.5, 2 ** 40]) {
      expect(take(seededRandom(seed), 5)).toEqual(take(seededRandom(seed), 5));
    }
  });
});
