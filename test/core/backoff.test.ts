import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffOption, constant, exponential, linear, schedule, type Backoff, type Jitter } from '../../src/core/backoff.js';
import { BackoffWalk, delays, nextStep, stepAt } from '../../src/core/backoff-walk.js';
import { seededRandom } from '../../src/core/random.js';

const s = (n: number): number => n * 1_000;
const always = (r: number) => (): number => r;
/** Just below 1: the largest value a `random()` in [0, 1) returns. */
const TOP = 1 - Number.EPSILON;

/** Delays for retries 1..count without drawing (jitter 'none' policies). */
function walk(b: Backoff, count: number, random: () => number = always(0.5)): number[] {
  return delays(b, count, { random });
}

describe('exponential', () => {
  it('waits 5s, 10s, 20s, 40s, 60s, 60s for initial 5s, max 60s', () => {
    expect(walk(exponential({ initial: '5s', max: '60s', jitter: 'none' }), 6)).toEqual([5, 10, 20, 40, 60, 60].map(s));
  });

  it('grows by the multiplier: 1s, 3s, 9s, 27s, 30s for multiplier 3, max 30s', () => {
    expect(walk(exponential({ initial: '1s', max: '30s', multiplier: 3, jitter: 'none' }), 5)).toEqual([1, 3, 9, 27, 30].map(s));
  });

  it('with multiplier 1 is constant at initial', () => {
    expect(walk(exponential({ initial: '2s', max: '60s', multiplier: 1, jitter: 'none' }), 4)).toEqual([2, 2, 2, 2].map(s));
  });

  it('never ends by itself and yields exactly max, finite, at retry 10,000', () => {
    const b = exponential({ initial: '5s', max: '60s', jitter: 'none' });
    expect(b.limit).toBe(Infinity);
    expect(b.baseDelay(10_000)).toBe(s(60));
    const all = walk(b, 10_000);
    expect(all).toHaveLength(10_000);
    expect(all[9_999]).toBe(s(60));
    expect(all.every(Number.isFinite)).toBe(true);
  });

  it('stays finite for huge multipliers and retry numbers', () => {
    const b = exponential({ initial: 1, max: '1h', multiplier: 1e300, jitter: 'full' });
    expect(b.baseDelay(1_000_000)).toBe(3_600_000);
    expect(walk(b, 50).every((d) => Number.isFinite(d) && d <= 3_600_000)).toBe(true);
  });

  it('defaults to multiplier 2 and full jitter', () => {
    const b = exponential({ initial: '1s', max: '30s' });
    expect(b.kind).toBe('exponential');
    expect(b.jitter).toBe('full');
    expect(b.maxDelay).toBe(s(30));
    expect([1, 2, 3, 4, 5, 6].map((n) => b.baseDelay(n))).toEqual([1, 2, 4, 8, 16, 30].map(s));
    expect(walk(b, 4, always(0.5))).toEqual([0.5, 1, 2, 4].map(s));
  });
});

describe('schedule', () => {
  const list = ['4s', '8s', '16s', '32s', '64s'];

  it('allows exactly 5 retries for [4s, 8s, 16s, 32s, 64s], then stops', () => {
    const b = schedule(list);
    expect(b.limit).toBe(5);
    expect(walk(b, 10)).toEqual([4, 8, 16, 32, 64].map(s));
    expect(delays(b, 10)).toHaveLength(5);
  });

  it('walks step by step and returns undefined after the last entry', () => {
    const random = always(0.5);
    let step = schedule(list).first(random);
    const seen: Array<[number, number]> = [];
    while (step !== undefined) {
      seen.push([step.retry, step.delay]);
      step = step.next(random);
    }
    expect(seen).toEqual([
      [1, 4_000],
      [2, 8_000],
      [3, 16_000],
      [4, 32_000],
      [5, 64_000],
    ]);
  });

  it('repeats the last delay forever with repeatLast', () => {
    const b = schedule(list, { repeatLast: true });
    expect(b.limit).toBe(Infinity);
    expect(walk(b, 8)).toEqual([4, 8, 16, 32, 64, 64, 64, 64].map(s));
  });

  it('plays 10s, 30s, 90s as written', () => {
    expect(walk(schedule(['10s', '30s', '90s']), 5)).toEqual([10, 30, 90].map(s));
    expect(walk(schedule(['10s', '30s', '90s'], { repeatLast: true }), 5)).toEqual([10, 30, 90, 90, 90].map(s));
  });

  it('keeps entries in the given order, even when not increasing', () => {
    expect(walk(schedule([s(3), '1s', 2_000]), 3)).toEqual([3, 1, 2].map(s));
  });

  it('defaults to no jitter, and maxDelay is the largest entry', () => {
    const b = schedule(list);
    expect(b.jitter).toBe('none');
    expect(b.maxDelay).toBe(s(64));
  });
});

describe('constant and linear', () => {
  it('constant waits the same delay before every retry, forever', () => {
    const b = constant('5s');
    expect(b.limit).toBe(Infinity);
    expect(b.jitter).toBe('none');
    expect(walk(b, 4)).toEqual([5, 5, 5, 5].map(s));
  });

  it('constant accepts 0 (retry at once)', () => {
    expect(walk(constant(0), 3)).toEqual([0, 0, 0]);
  });

  it('linear waits initial + step * (n - 1), capped at max: 1s, 3s, 5s, 6s, 6s', () => {
    const b = linear({ initial: '1s', step: '2s', max: '6s' });
    expect(b.jitter).toBe('none');
    expect(walk(b, 5)).toEqual([1, 3, 5, 6, 6].map(s));
  });

  it('linear may start at 0', () => {
    expect(walk(linear({ initial: 0, step: '1s', max: '3s' }), 5)).toEqual([0, 1, 2, 3, 3].map(s));
  });
});

describe('jitter formulas, with a controlled random', () => {
  const draws = [0, 0.5, TOP];
  const base = (jitter: Jitter): Backoff => exponential({ initial: '1s', max: '60s', jitter });

  it.each(draws)('full jitter is random * d, in [0, d] (random = %d)', (r) => {
    const got = walk(base('full'), 7, always(r));
    const ds = [1, 2, 4, 8, 16, 32, 60].map(s);
    got.forEach((d, i) => {
      expect(d).toBeCloseTo(r * (ds[i] as number), 6);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(ds[i] as number);
    });
  });

  it.each(draws)('equal jitter is d/2 + random * d/2, in [d/2, d] (random = %d)', (r) => {
    const got = walk(base('equal'), 7, always(r));
    const ds = [1, 2, 4, 8, 16, 32, 60].map(s);
    got.forEach((d, i) => {
      const full = ds[i] as number;
      expect(d).toBeCloseTo(full / 2 + (r * full) / 2, 6);
      expect(d).toBeGreaterThanOrEqual(full / 2);
      expect(d).toBeLessThanOrEqual(full);
    });
  });

  it('full jitter at random = 0 gives 0 and equal jitter at random = 0 gives d/2', () => {
    expect(walk(base('full'), 3, always(0))).toEqual([0, 0, 0]);
    expect(walk(base('equal'), 3, always(0))).toEqual([500, 1_000, 2_000]);
  });

  it.each(draws)('decorrelated draws from [initial, min(max, previous * 3)] (random = %d)', (r) => {
    const got = walk(exponential({ initial: '1s', max: '20s', jitter: 'decorrelated' }), 8, always(r));
    let previous = s(1);
    for (const d of got) {
      const high = Math.min(s(20), previous * 3);
      expect(d).toBeCloseTo(Math.min(s(20), s(1) + r * (previous * 3 - s(1))), 6);
      expect(d).toBeGreaterThanOrEqual(s(1));
      expect(d).toBeLessThanOrEqual(high);
      previous = d;
    }
  });

  it('decorrelated at random = 0 stays at initial; near 1 it triples up to max', () => {
    expect(walk(exponential({ initial: '1s', max: '20s', jitter: 'decorrelated' }), 3, always(0))).toEqual([1, 1, 1].map(s));
    const high = walk(exponential({ initial: '1s', max: '20s', jitter: 'decorrelated' }), 4, always(TOP));
    expect(high.map((d) => Math.round(d / 1_000))).toEqual([3, 9, 20, 20]);
  });

  it('decorrelated does not get stuck at 0 when a linear backoff starts at 0', () => {
    // Regression: a floor of 0 used to make previous * 3 = 0 forever, a retry storm with no wait.
    const got = walk(linear({ initial: 0, step: '1s', max: '10s', jitter: 'decorrelated' }), 20, seededRandom(3));
    expect(got.filter((d) => d > 100).length).toBeGreaterThan(10);
    expect(got.every((d) => d >= 0 && d <= s(10))).toBe(true);
  });

  it.each(draws)('a number f gives d * (1 + f * (2 * random - 1)), in d(1 ± f), capped at max (random = %d)', (r) => {
    const f = 0.2;
    const got = walk(exponential({ initial: '1s', max: '10s', jitter: f }), 6, always(r));
    const ds = [1, 2, 4, 8, 10, 10].map(s);
    got.forEach((d, i) => {
      const full = ds[i] as number;
      expect(d).toBeCloseTo(Math.min(s(10), full * (1 + f * (2 * r - 1))), 6);
      expect(d).toBeGreaterThanOrEqual(full * (1 - f) - 1e-9);
      expect(d).toBeLessThanOrEqual(Math.min(s(10), full * (1 + f)));
    });
  });

  it('a number f on a schedule may exceed an entry but never the largest entry * (1 + f)', () => {
    const b = schedule(['4s', '8s', '16s', '32s', '64s'], { jitter: 0.5 });
    expect(b.maxDelay).toBe(s(96));
    expect(walk(b, 5, always(TOP)).map((d) => Math.round(d))).toEqual([6, 12, 24, 48, 96].map(s));
    expect(walk(b, 5, always(0))).toEqual([2, 4, 8, 16, 32].map(s));
  });

  it('a number f on constant spreads around the delay and maxDelay is d * (1 + f)', () => {
    const b = constant('10s', { jitter: 0.1 });
    expect(b.maxDelay).toBeCloseTo(s(11), 6);
    expect(walk(b, 2, always(0))).toEqual([9_000, 9_000]);
  });

  it('jitter 0 equals no jitter', () => {
    expect(walk(exponential({ initial: '1s', max: '8s', jitter: 0 }), 5, always(0.9))).toEqual([1, 2, 4, 8, 8].map(s));
  });
});

describe('purity', () => {
  const builders: Array<[string, () => Backoff]> = [
    ['exponential', () => exponential({ initial: '100ms', max: '30s' })],
    ['decorrelated', () => exponential({ initial: '100ms', max: '30s', jitter: 'decorrelated' })],
    ['constant ± 0.3', () => constant('1s', { jitter: 0.3 })],
    ['linear equal', () => linear({ initial: '1s', step: '1s', max: '10s', jitter: 'equal' })],
    ['schedule full', () => schedule(['1s', '2s', '5s'], { repeatLast: true, jitter: 'full' })],
  ];

  it.each(builders)('%s: the same random gives the same delays', (_name, make) => {
    expect(delays(make(), 20, { random: seededRandom(7) })).toEqual(delays(make(), 20, { random: seededRandom(7) }));
    const b = make();
    expect(delays(b, 20, { random: seededRandom(7) })).toEqual(delays(b, 20, { random: seededRandom(7) }));
  });

  it.each(builders)('%s: delays() without random is reproducible', (_name, make) => {
    expect(delays(make(), 20)).toEqual(delays(make(), 20));
  });

  it('a step is immutable: calling next twice with the same draw gives equal steps', () => {
    const b = exponential({ initial: '1s', max: '1m' });
    const first = b.first(always(0.5));
    expect(first).toBeDefined();
    const a = first?.next(always(0.25));
    const c = first?.next(always(0.25));
    expect(a?.delay).toBe(c?.delay);
    expect(a?.retry).toBe(2);
    expect(first?.retry).toBe(1);
    expect(first?.delay).toBe(500);
  });

  it('delays(b, 0) is empty and a negative count is refused', () => {
    expect(delays(constant('1s'), 0)).toEqual([]);
    expect(() => delays(constant('1s'), -1)).toThrow(/delays\.count.*-1/);
  });
});

describe('construction errors name the option and the value', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['negative initial', () => exponential({ initial: -1, max: '1m' }), /exponential\.initial.*-1/],
    ['NaN initial', () => exponential({ initial: NaN, max: '1m' }), /exponential\.initial.*NaN/],
    ['initial 0', () => exponential({ initial: 0, max: '1m' }), /exponential\.initial must be > 0; got 0/],
    ['unparseable max', () => exponential({ initial: '1s', max: '1 minute' }), /exponential\.max.*"1 minute"/],
    ['max below initial', () => exponential({ initial: '10s', max: '5s' }), /exponential\.max \("5s"\) must be >= exponential\.initial \("10s"\)/],
    ['multiplier < 1', () => exponential({ initial: '1s', max: '1m', multiplier: 0.5 }), /exponential\.multiplier.*0\.5/],
    ['multiplier NaN', () => exponential({ initial: '1s', max: '1m', multiplier: NaN }), /exponential\.multiplier.*NaN/],
    ['multiplier Infinity', () => exponential({ initial: '1s', max: '1m', multiplier: Infinity }), /exponential\.multiplier.*Infinity/],
    ["jitter 'bogus'", () => exponential({ initial: '1s', max: '1m', jitter: 'bogus' as Jitter }), /exponential\.jitter.*"bogus"/],
    ['jitter -0.1', () => exponential({ initial: '1s', max: '1m', jitter: -0.1 }), /exponential\.jitter.*-0\.1/],
    ['jitter 1.5', () => exponential({ initial: '1s', max: '1m', jitter: 1.5 }), /exponential\.jitter.*1\.5/],
    ['jitter NaN', () => exponential({ initial: '1s', max: '1m', jitter: NaN }), /exponential\.jitter.*NaN/],
    ['constant negative', () => constant(-5), /constant\.delay.*-5/],
    ['constant jitter 2', () => constant('1s', { jitter: 2 }), /constant\.jitter.*2/],
    ['linear NaN step', () => linear({ initial: '1s', step: NaN, max: '5s' }), /linear\.step.*NaN/],
    ['linear negative initial', () => linear({ initial: '-1s', step: '1s', max: '5s' }), /linear\.initial.*"-1s"/],
    ['linear max below initial', () => linear({ initial: '5s', step: '1s', max: '1s' }), /linear\.max \("1s"\) must be >= linear\.initial \("5s"\)/],
    ['linear jitter bogus', () => linear({ initial: '1s', step: '1s', max: '5s', jitter: 'bogus' as Jitter }), /linear\.jitter.*"bogus"/],
    ['empty schedule', () => schedule([]), /schedule needs a non-empty list of delays; got \[\]/],
    ['schedule entry unparseable', () => schedule(['1s', '2x']), /schedule\[1\].*"2x"/],
    ['schedule entry negative', () => schedule([1_000, -2]), /schedule\[1\].*-2/],
    ['schedule entry Infinity', () => schedule(['1s', Infinity]), /schedule\[1\].*Infinity/],
    ['schedule jitter 1.5', () => schedule(['1s'], { jitter: 1.5 }), /schedule\.jitter.*1\.5/],
  ];
  it.each(cases)('%s throws a RangeError at construction', (_label, make, message) => {
    expect(make).toThrow(RangeError);
    expect(make).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random valid options and random draws.

const durationMs = fc.integer({ min: 0, max: 10 * 86_400_000 });
const jitterArb: fc.Arbitrary<Jitter> = fc.oneof(
  fc.constantFrom<Jitter>('none', 'full', 'equal', 'decorrelated'),
  fc.double({ min: 0, max: 1, noNaN: true }),
);
const backoffArb: fc.Arbitrary<Backoff> = fc.oneof(
  fc
    .record({
      initial: fc.integer({ min: 1, max: 3_600_000 }),
      extra: durationMs,
      multiplier: fc.double({ min: 1, max: 1e6, noNaN: true }),
      jitter: jitterArb,
    })
    .map((o) => exponential({ initial: o.initial, max: o.initial + o.extra, multiplier: o.multiplier, jitter: o.jitter })),
  fc.record({ d: durationMs, jitter: jitterArb }).map((o) => constant(o.d, { jitter: o.jitter })),
  fc
    .record({ initial: durationMs, step: durationMs, extra: durationMs, jitter: jitterArb })
    .map((o) => linear({ initial: o.initial, step: o.step, max: o.initial + o.extra, jitter: o.jitter })),
  fc
    .record({ list: fc.array(durationMs, { minLength: 1, maxLength: 8 }), repeatLast: fc.boolean(), jitter: jitterArb })
    .map((o) => schedule(o.list, { repeatLast: o.repeatLast, jitter: o.jitter })),
);
const drawsArb = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 30 });
const cycle = (values: number[]): (() => number) => {
  let i = 0;
  return () => values[i++ % values.length] as number;
};

describe('properties (fast-check)', () => {
  it('every delay of every builder is finite, >= 0, <= maxDelay, never NaN', () => {
    fc.assert(
      fc.property(backoffArb, drawsArb, fc.integer({ min: 1, max: 60 }), (b, draws, count) => {
        const got = delays(b, count, { random: cycle(draws) });
        expect(got.length).toBe(Math.min(count, b.limit));
        for (const d of got) {
          expect(Number.isNaN(d)).toBe(false);
          expect(Number.isFinite(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(b.maxDelay);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('identical random draws give identical delays', () => {
    fc.assert(
      fc.property(backoffArb, drawsArb, (b, draws) => {
        expect(delays(b, 25, { random: cycle(draws) })).toEqual(delays(b, 25, { random: cycle(draws) }));
      }),
      { numRuns: 300 },
    );
  });

  it('without jitter, every delay equals baseDelay(n), and retry 10,000 stays finite (exactly max for multiplier >= 2)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_600_000 }),
        durationMs,
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        (initial, extra, multiplier) => {
          const b = exponential({ initial, max: initial + extra, multiplier, jitter: 'none' });
          const got = delays(b, 30);
          got.forEach((d, i) => expect(d).toBe(b.baseDelay(i + 1)));
          const far = b.baseDelay(10_000);
          expect(Number.isFinite(far)).toBe(true);
          expect(far).toBe(Math.min(initial + extra, initial * multiplier ** 9_999));
          if (multiplier >= 2) expect(far).toBe(initial + extra);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('backoffOption', () => {
  it('passes a Backoff or undefined and names anything else with a TypeError', () => {
    const b = constant('1s');
    expect(backoffOption('backoff', b)).toBe(b);
    expect(backoffOption('backoff', undefined)).toBeUndefined();
    expect(() => backoffOption('poll.backoff', '5s' as unknown as Backoff)).toThrow(/poll\.backoff must be a Backoff .*; got "5s"/);
    expect(() => backoffOption('backoff', null as unknown as Backoff)).toThrow(TypeError);
  });
});

describe('BackoffWalk', () => {
  it('walks one failure at a time and keeps the last delay of a finished schedule', () => {
    const walk = new BackoffWalk(schedule(['1s', '5s']));
    const random = seededRandom(1);
    expect([walk.next(random), walk.next(random), walk.next(random), walk.next(random)]).toEqual([1_000, 5_000, 5_000, 5_000]);
  });

  it('re-draws the last step of a finished jittered schedule instead of repeating one draw', () => {
    const walk = new BackoffWalk(schedule(['1s', '10s'], { jitter: 0.5 }));
    const random = seededRandom(7);
    walk.next(random);
    const tail = [walk.next(random), walk.next(random), walk.next(random)];
    expect(new Set(tail).size).toBe(3);
    for (const d of tail) expect(d).toBeGreaterThanOrEqual(5_000);
  });
});

describe('the one backoff walker: nextStep and stepAt', () => {
  const b = exponential({ initial: '1s', max: '1m', jitter: 'none' });
  it('nextStep starts at the first step and follows next(); undefined once a schedule ends', () => {
    const r = (): number => 0.5;
    const one = nextStep(b, undefined, r);
    expect([one?.retry, one?.delay, nextStep(b, one, r)?.delay]).toEqual([1, 1_000, 2_000]);
    const s = schedule(['4s']);
    expect(nextStep(s, nextStep(s, undefined, r), r)).toBeUndefined();
  });

  it('stepAt(n) is the step for retry n, the last one for a finished schedule, bounded for huge n', () => {
    const r = (): number => 0.5;
    expect([1, 2, 4, 7].map((n) => stepAt(b, n, r)?.delay)).toEqual([1_000, 2_000, 8_000, 60_000]);
    expect(stepAt(schedule(['1s', '5s']), 9, r)?.delay).toBe(5_000);
    expect(stepAt(b, 1e12, r)?.delay).toBe(60_000);
  });
});
