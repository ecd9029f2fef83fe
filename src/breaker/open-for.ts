/**
 * How long a circuit breaker stays open: a fixed `openFor`, or a Backoff that grows the open
 * period on each consecutive re-open (and starts over once the breaker closes).
 */
import { constant, type Backoff, type BackoffStep } from '../core/backoff.js';
import { nextStep, stepAt } from '../core/backoff-walk.js';
import { type Duration } from '../core/duration.js';
import { positiveDuration } from '../core/options.js';

/**
 * The default open period: drawn anew on every open, uniformly in [14s, 28s], so a fleet whose
 * breakers opened together sends its trials spread out, one per agent every 21s on average, and
 * every agent tries again within 28s of its server's return (issue 13, `steadfast simulate`).
 */
const DEFAULT_OPEN_FOR: Backoff = /* @__PURE__ */ constant('28s', { jitter: 'equal' });
/** Open period (ms) when a Backoff yields no step at all. */
const FALLBACK_OPEN_FOR = 28_000;

/**
 * @internal Validates `openFor`: a Backoff as it is, a Duration in ms.
 *
 * @example
 * openForOption(undefined)                                   // constant('28s', { jitter: 'equal' }): 14s..28s
 * openForOption('30s')                                        // 30_000
 * openForOption(exponential({ initial: '10s', max: '10m' }))  // the Backoff itself
 */
export function openForOption(value: Duration | Backoff | undefined): number | Backoff {
  // A jittered default: a fixed one would line up the trials of breakers that opened together.
  if (value === undefined) return DEFAULT_OPEN_FOR;
  if (typeof value === 'object' && value !== null && typeof value.first === 'function') return value;
  return positiveDuration('openFor', value as Duration);
}

/**
 * @internal The open periods of one breaker: a fixed `openFor`, or a Backoff walked one step per
 * consecutive re-open and started over once the breaker closes.
 *
 * @example
 * const periods = new OpenPeriods(exponential({ initial: '10s', max: '10m', jitter: 'none' }));
 * periods.next(true, random)  // 10_000: the first open after closing
 * periods.next(false, random) // 20_000: re-opened by a failed trial
 */
export class OpenPeriods {
  /** The current (last) open period, in ms. */
  ms: number;
  /** Consecutive re-opens without closing (how far a Backoff has grown). */
  reopens = 0;
  private step: BackoffStep | undefined = undefined;

  constructor(private readonly openFor: number | Backoff) {
    this.ms = typeof openFor === 'number' ? openFor : openFor.baseDelay(1);
  }

  /** Starts an open period, the first since closing (`fresh`) or a re-open, and returns its length in ms. */
  next(fresh: boolean, random: () => number): number {
    if (fresh) this.restart();
    else this.reopens++;
    const spec = this.openFor;
    if (typeof spec === 'number') return (this.ms = spec);
    // The first open (or the first after a restore) walks to its re-open count; later ones take one step, keeping the last when a schedule ends.
    this.step = this.step === undefined ? stepAt(spec, this.reopens + 1, random) : (nextStep(spec, this.step, random) ?? this.step);
    return (this.ms = this.step?.delay ?? FALLBACK_OPEN_FOR);
  }

  /** The breaker closed: the next open period starts the growth over. */
  restart(): void {
    this.reopens = 0;
    this.step = undefined;
  }

  /** Takes the period and re-open count of a snapshot; the walk restarts from `reopens` at the next open. */
  restore(ms: number, reopens: number): void {
    this.ms = ms;
    this.reopens = reopens;
    this.step = undefined;
  }
}
