/**
 * Backoff schedules (pure). A backoff is an immutable policy; walking it yields immutable steps,
 * each knowing its delay and returning the next step. No timers, no global state: randomness is
 * passed in, so the same inputs and `random` always give the same delays.
 */
import { parseDuration, type Duration } from './duration.js';
import { booleanOption, describeValue, objectOption, orDefault } from './options.js';

/**
 * How a delay is randomised: `full` uniform in [0, d]; `equal` d/2 + uniform [0, d/2];
 * `decorrelated` min(max, uniform [initial, previous * 3]); a number f: d * (1 ± f), f in [0, 1].
 */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated' | number;

/** One retry's place in a schedule. Immutable: `next` returns a new step. */
export interface BackoffStep {
  /** Retry number, 1-based. */
  readonly retry: number;
  /** Milliseconds to wait before this retry. */
  readonly delay: number;
  /** The step for the following retry, or `undefined` when the schedule allows no more. */
  next(random: () => number): BackoffStep | undefined;
}

/** An immutable, pure retry schedule. Build one with {@link exponential}, {@link constant}, {@link linear} or {@link schedule}. */
export interface Backoff {
  /** Which builder made it. */
  readonly kind: 'exponential' | 'constant' | 'linear' | 'schedule';
  /** How many retries the schedule allows (`Infinity` for unbounded ones). */
  readonly limit: number;
  /** The largest delay any step can have, in ms. */
  readonly maxDelay: number;
  /** The jitter applied to every step. */
  readonly jitter: Jitter;
  /** The delay before retry `n` (1-based) with no jitter, in ms. */
  baseDelay(n: number): number;
  /** The step for retry 1, or `undefined` when the schedule allows no retry. */
  first(random: () => number): BackoffStep | undefined;
}

class Policy implements Backoff {
  constructor(
    readonly kind: Backoff['kind'],
    readonly limit: number,
    readonly maxDelay: number,
    readonly jitter: Jitter,
    private readonly base: (n: number) => number,
    // Bounds used by jitter: decorrelated draws from [floor, prev*3], capped at `cap`.
    private readonly floor: number,
    private readonly cap: number,
    // Smallest positive delay: decorrelated growth starts from it, so a floor of 0 can't stick at 0.
    private readonly grow: number = floor,
  ) {}

  baseDelay(n: number): number {
    return this.base(Math.max(1, Math.min(n, this.limit)));
  }

  first(random: () => number): BackoffStep | undefined {
    return this.limit >= 1 ? this.stepAt(1, undefined, random) : undefined;
  }

  stepAt(retry: number, previous: number | undefined, random: () => number): Step {
    return new Step(this, retry, this.jittered(this.baseDelay(retry), previous, random));
  }

  private jittered(d: number, previous: number | undefined, random: () => number): number {
    const j = this.jitter;
    if (j === 'none') return d;
    if (j === 'full') return random() * d;
    if (j === 'equal') return d / 2 + (random() * d) / 2;
    if (j === 'decorrelated') {
      const high = Math.max(this.floor, this.grow, (previous ?? this.grow) * 3);
      return Math.min(this.cap, this.floor + random() * (high - this.floor));
    }
    return Math.min(this.cap, d * (1 + j * (2 * random() - 1)));
  }
}

/**
 * @internal The step for retry `n` computed directly rather than walked, for the walker's `stepAt`
 * past a long walk. `undefined` for decorrelated jitter (each delay draws from the one before) and
 * for a backoff not built here.
 *
 * @example
 * directStep(linear({ initial: '100ms', step: '100ms', max: '1h' }), 50_000, random)?.delay // 3_600_000
 */
export function directStep(backoff: Backoff, n: number, random: () => number): BackoffStep | undefined {
  if (!(backoff instanceof Policy) || backoff.jitter === 'decorrelated' || !(n >= 1) || !Number.isSafeInteger(Math.min(n, backoff.limit))) return undefined;
  return backoff.stepAt(Math.min(n, backoff.limit), undefined, random);
}

class Step implements BackoffStep {
  constructor(
    private readonly policy: Policy,
    readonly retry: number,
    readonly delay: number,
  ) {}

  next(random: () => number): BackoffStep | undefined {
    return this.retry < this.policy.limit ? this.policy.stepAt(this.retry + 1, this.delay, random) : undefined;
  }
}

function checkJitter(option: string, jitter: Jitter | undefined, fallback: Jitter): Jitter {
  if (jitter === undefined) return fallback;
  if (jitter === 'none' || jitter === 'full' || jitter === 'equal' || jitter === 'decorrelated') return jitter;
  if (typeof jitter === 'number' && jitter >= 0 && jitter <= 1) return jitter;
  throw new RangeError(
    `steadfast: ${option} must be 'none', 'full', 'equal', 'decorrelated' or a fraction in [0, 1]; got ${describeValue(jitter)}`,
  );
}

/** Largest value a ±f jitter can reach for a base delay d. */
function spread(jitter: Jitter, d: number): number {
  return typeof jitter === 'number' ? d * (1 + jitter) : d;
}

/** The `initial` and `max` of a growing backoff, in ms, with `max >= initial` checked. */
function initialAndMax(kind: 'exponential' | 'linear', o: { initial: Duration; max: Duration }): { initial: number; max: number } {
  const initial = parseDuration(o.initial, { option: `${kind}.initial` });
  const max = parseDuration(o.max, { option: `${kind}.max` });
  if (max < initial) {
    throw new RangeError(`steadfast: ${kind}.max (${describeValue(o.max)}) must be >= ${kind}.initial (${describeValue(o.initial)})`);
  }
  return { initial, max };
}

/**
 * Exponential backoff: retry n waits `min(max, initial * multiplier^(n-1))`, then jitter.
 *
 * @param o.initial first delay (> 0)
 * @param o.max largest delay (>= initial)
 * @param o.multiplier growth factor, >= 1. @default 2
 * @param o.jitter @default 'full'
 * @example
 * delays(exponential({ initial: '5s', max: '60s', jitter: 'none' }), 6) // [5000, 10000, 20000, 40000, 60000, 60000]
 */
export function exponential(o: { initial: Duration; max: Duration; multiplier?: number | undefined; jitter?: Jitter | undefined }): Backoff {
  objectOption('exponential options', o);
  const { initial, max } = initialAndMax('exponential', o);
  if (initial <= 0) throw new RangeError(`steadfast: exponential.initial must be > 0; got ${describeValue(o.initial)}`);
  const multiplier = orDefault(o.multiplier, 2);
  if (typeof multiplier !== 'number' || !(multiplier >= 1) || !Number.isFinite(multiplier)) {
    throw new RangeError(`steadfast: exponential.multiplier must be a finite number >= 1; got ${describeValue(o.multiplier)}`);
  }
  const jitter = checkJitter('exponential.jitter', o.jitter, 'full');
  return new Policy(
    'exponential',
    Infinity,
    max,
    jitter,
    // Past max the power may overflow to Infinity; comparing first keeps every n finite.
    (n) => {
      const d = initial * multiplier ** (n - 1);
      return d < max ? d : max;
    },
    initial,
    max,
  );
}

/**
 * The same delay before every retry (plus jitter), forever.
 *
 * @param o.jitter @default 'none'
 * @example
 * delays(constant('5s'), 3) // [5000, 5000, 5000]
 */
export function constant(delay: Duration, o: { jitter?: Jitter | undefined } = {}): Backoff {
  objectOption('constant options', o);
  const d = parseDuration(delay, { option: 'constant.delay' });
  const jitter = checkJitter('constant.jitter', o.jitter, 'none');
  const top = spread(jitter, d);
  return new Policy('constant', Infinity, top, jitter, () => d, d, top);
}

/**
 * Linear backoff: retry n waits `min(max, initial + step * (n-1))`, then jitter.
 *
 * @param o.jitter @default 'none'
 * @example
 * delays(linear({ initial: '1s', step: '2s', max: '6s' }), 5) // [1000, 3000, 5000, 6000, 6000]
 */
export function linear(o: { initial: Duration; step: Duration; max: Duration; jitter?: Jitter | undefined }): Backoff {
  objectOption('linear options', o);
  const { initial, max } = initialAndMax('linear', o);
  const step = parseDuration(o.step, { option: 'linear.step' });
  const jitter = checkJitter('linear.jitter', o.jitter, 'none');
  return new Policy(
    'linear',
    Infinity,
    max,
    jitter,
    (n) => Math.min(max, initial + step * (n - 1)),
    initial,
    max,
    initial > 0 ? initial : Math.min(step, max),
  );
}

/**
 * An explicit list of delays: one retry per entry, then stop (or, with `repeatLast`, repeat the
 * last delay forever).
 *
 * @param o.repeatLast @default false
 * @param o.jitter @default 'none'
 * @example
 * delays(schedule(['4s', '8s', '16s', '32s', '64s']), 10) // [4000, 8000, 16000, 32000, 64000]: 5 retries, then no more
 */
export function schedule(list: readonly Duration[], o: { repeatLast?: boolean | undefined; jitter?: Jitter | undefined } = {}): Backoff {
  if (!Array.isArray(list) || list.length === 0) {
    throw new RangeError(`steadfast: schedule needs a non-empty list of delays; got ${describeValue(list)}`);
  }
  objectOption('schedule options', o);
  booleanOption('schedule.repeatLast', o.repeatLast);
  const ms = list.map((d, i) => parseDuration(d, { option: `schedule[${i}]` }));
  const jitter = checkJitter('schedule.jitter', o.jitter, 'none');
  const largest = Math.max(...ms);
  const top = spread(jitter, largest);
  return new Policy(
    'schedule',
    o.repeatLast === true ? Infinity : ms.length,
    top,
    jitter,
    (n) => ms[Math.min(n, ms.length) - 1] as number,
    Math.min(...ms),
    top,
    Math.min(...ms.map((d) => (d > 0 ? d : Infinity)).concat(largest)),
  );
}

/**
 * @internal Validates a `backoff` option when it is received, so a typo such as `backoff: '5s'`
 * fails at construction instead of after the first failure.
 *
 * @example
 * const backoff = backoffOption('poll.backoff', o.backoff) ?? pollDefaults.backoff;
 */
export function backoffOption(option: string, value: Backoff | undefined): Backoff | undefined {
  if (value !== undefined && typeof (value as Partial<Backoff> | null)?.first !== 'function') {
    throw new TypeError(`steadfast: ${option} must be a Backoff (from exponential(), constant(), linear() or schedule()); got ${describeValue(value)}`);
  }
  return value;
}
