/**
 * A retry budget (Finagle-style): retries may add at most a fraction of the calls seen recently,
 * plus a small floor, so a fleet of retry loops can't multiply load on a server that is down.
 */
import { clockOption, type Clock } from '../core/clock.js';
import { type Duration } from '../core/duration.js';
import { numberOption, objectOption, orDefault, positiveDuration } from '../core/options.js';
import { RollingWindow } from '../core/window.js';

/** Options for {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per call seen in `window`, in [0, 1000]. @default 0.2 */
  ratio?: number | undefined;
  /** Retries always allowed per second of `window`, however few calls there were. @default 10 */
  minPerSecond?: number | undefined;
  /** The sliding window over which calls and retries are counted. @default '10s' */
  window?: Duration | undefined;
  /** Time source used when a method gets no `now`. @default systemClock */
  clock?: Clock | undefined;
}

// A budget only reads the time.
const NOW_ONLY: readonly (keyof Clock)[] = ['now'];
const CALLS = 0;
const RETRIES = 1;

/**
 * Caps retries at `ratio * calls + minPerSecond * windowSeconds` over the sliding `window`.
 * Share one budget between every call of a client: during an outage the calls keep coming, but
 * the retries they add stay bounded.
 *
 * @example
 * const budget = new RetryBudget({ ratio: 0.1 });
 * budget.recordCall();               // once per logical call
 * if (budget.tryRetry()) await retry(); // once per retry; false means: give up now
 */
export class RetryBudget {
  private readonly ratio: number;
  private readonly floor: number;
  private readonly clock: Clock;
  private readonly counts: RollingWindow;

  constructor(o: RetryBudgetOptions = {}) {
    objectOption('RetryBudget options', o);
    this.ratio = numberOption('ratio', orDefault(o.ratio, 0.2), 0, 1_000);
    const minPerSecond = numberOption('minPerSecond', orDefault(o.minPerSecond, 10), 0, Number.MAX_SAFE_INTEGER);
    const windowMs = positiveDuration('window', orDefault(o.window, '10s'));
    this.clock = clockOption('clock', o.clock, NOW_ONLY);
    this.floor = (minPerSecond * windowMs) / 1_000;
    this.counts = new RollingWindow({ windowMs, lanes: 2 });
  }

  /** Records one logical call (not a retry). `now` is epoch ms; it defaults to the clock's time. */
  recordCall(now: number = this.clock.now()): void {
    this.counts.add(now, CALLS);
  }

  /** Spends one retry if the budget has one: returns `true` and counts it, or `false` to refuse it. */
  tryRetry(now: number = this.clock.now()): boolean {
    if (this.available(now) < 1) return false;
    this.counts.add(now, RETRIES);
    return true;
  }

  /** How many retries the budget allows right now. */
  available(now: number = this.clock.now()): number {
    const allowed = this.ratio * this.counts.sum(now, CALLS) + this.floor;
    // Rounding guards against 0.2 * 5 landing a hair under 1.
    return Math.max(0, Math.floor(allowed + 1e-9) - this.counts.sum(now, RETRIES));
  }
}
