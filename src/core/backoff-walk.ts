/**
 * The one way to walk a backoff (pure). Every consumer goes through here: the retry engine (one
 * step per failed attempt, stopping when a finite schedule ends), the never-give-up loops of poll
 * and health (which keep the last delay), the breaker's growing open periods, `delays()`, the CLI
 * tables and the fleet model.
 */
import { directStep, type Backoff, type BackoffStep } from './backoff.js';
import { countOption, functionOption, objectOption } from './options.js';
import { seededRandom } from './random.js';

/**
 * The step after `previous` (the backoff's first step when `previous` is undefined), or
 * `undefined` once a finite schedule is used up. The primitive every walk is made of.
 *
 * @example
 * const first = nextStep(backoff, undefined, random); // retry 1
 * const second = nextStep(backoff, first, random);    // retry 2
 */
export function nextStep(backoff: Backoff, previous: BackoffStep | undefined, random: () => number): BackoffStep | undefined {
  return previous === undefined ? backoff.first(random) : previous.next(random);
}

/** The longest walk: past it a step is computed directly (or, for decorrelated jitter, drawn near its cap). */
const MAX_WALK = 10_000;

/**
 * The step for retry `n` (1-based), walked from the first, for callers that keep only a count
 * (a breaker restored from a snapshot, an outbox row that stores its attempts). A finished
 * schedule gives its last step. Past 10,000 the step is computed for `n` itself (a slow linear or
 * exponential backoff may still be growing there); a decorrelated walk stops at 10,000, by when it
 * ranges over [initial, max] whatever n is.
 *
 * @example
 * stepAt(exponential({ initial: '1s', max: '1m', jitter: 'none' }), 4, random)?.delay // 8000
 */
export function stepAt(backoff: Backoff, n: number, random: () => number): BackoffStep | undefined {
  const direct = n > MAX_WALK ? directStep(backoff, n, random) : undefined;
  if (direct !== undefined) return direct;
  let step = backoff.first(random);
  for (let i = Math.min(n, MAX_WALK) - 1, next = step; i > 0 && next !== undefined; i--) {
    next = next.next(random);
    step = next ?? step;
  }
  return step;
}

/**
 * The first `count` delays of a backoff (fewer if the schedule ends first), in ms.
 * Without `random`, draws come from a fixed seed, so the result is reproducible.
 *
 * @example
 * delays(exponential({ initial: '1s', max: '30s' }), 4, { random: () => 0.5 }) // [500, 1000, 2000, 4000]
 */
export function delays(b: Backoff, count: number, o: { random?: (() => number) | undefined } = {}): number[] {
  countOption('delays.count', count);
  objectOption('delays options', o);
  const random = functionOption('delays.random', o.random) ?? seededRandom(1);
  const out: number[] = [];
  for (let step = nextStep(b, undefined, random); step !== undefined && out.length < count; step = nextStep(b, step, random)) out.push(step.delay);
  return out;
}

/**
 * @internal Walks a backoff one consecutive failure at a time, for loops that never give up:
 * once a finite schedule is exhausted it keeps drawing its last delay. Start a new walk (or call
 * `reset()`) after a success.
 *
 * @example
 * const walk = new BackoffWalk(schedule(['1s', '5s']));
 * walk.next(random); walk.next(random); walk.next(random) // 1000, 5000, 5000
 */
export class BackoffWalk {
  private step: BackoffStep | undefined;
  private previous: BackoffStep | undefined;
  private failures = 0;
  constructor(private readonly backoff: Backoff) {}

  /** The delay (ms) for the next failure, or `undefined` if the backoff yields no step at all. */
  next(random: () => number): number | undefined {
    this.failures++;
    const following = nextStep(this.backoff, this.step, random);
    if (following !== undefined) {
      this.previous = this.step;
      this.step = following;
    } else if (this.step !== undefined) {
      // Re-drawing the last step from its predecessor gives it fresh jitter instead of repeating one draw.
      this.step = nextStep(this.backoff, this.previous, random) ?? this.step;
    }
    return this.step?.delay;
  }

  /** The number of failures walked so far (0 after `reset()`), past the end of a finite schedule too. */
  get retry(): number {
    return this.failures;
  }

  /** Starts over: the next failure gets the backoff's first delay. */
  reset(): void {
    this.step = undefined;
    this.previous = undefined;
    this.failures = 0;
  }
}
