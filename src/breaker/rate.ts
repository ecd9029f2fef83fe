/**
 * Rate mode of a circuit breaker: it opens once the failure rate over a sliding window reaches
 * `failureRate`, but only after `minimumCalls` calls were seen in that window.
 */
import { type Duration } from '../core/duration.js';
import { countOption, describeValue, orDefault, positiveDuration } from '../core/options.js';
import { RollingWindow } from '../core/window.js';

const CALLS = 0;
const FAILS = 1;

/**
 * @internal Counts calls and failures over a sliding window and says when the rate opens the breaker.
 *
 * @example
 * const rate = new FailureRate(0.5, 10, 30_000);
 * rate.record(now, true) // undefined until 10 calls were seen, then the failures once >= 50%
 */
export class FailureRate {
  private readonly window: RollingWindow;

  /**
   * @param rate failure rate in (0, 1] that opens the breaker
   * @param minimumCalls calls that must be seen in the window before the rate can open it
   * @param windowMs length of the sliding window, in ms
   */
  constructor(
    private readonly rate: number,
    private readonly minimumCalls: number,
    windowMs: number,
  ) {
    this.window = new RollingWindow({ windowMs, lanes: 2 });
  }

  /** Records one call's outcome at `now`; returns the failures in the window when they should open the breaker. */
  record(now: number, failed: boolean): number | undefined {
    this.window.add(now, CALLS);
    if (!failed) return undefined;
    this.window.add(now, FAILS);
    const calls = this.window.sum(now, CALLS);
    const fails = this.window.sum(now, FAILS);
    return calls >= this.minimumCalls && fails >= this.rate * calls ? fails : undefined;
  }

  /** Forgets every call (the breaker closed or was reset). */
  clear(): void {
    this.window.clear();
  }
}

/**
 * @internal Validates the rate-mode options (all of them, even when `failureRate` is unset, so a
 * typo fails at construction) and returns a FailureRate only in rate mode.
 *
 * @example
 * failureRateOption({ failureRate: 0.5, minimumCalls: 20, window: '1m' }) // a FailureRate
 * failureRateOption({})                                                   // undefined: consecutive mode
 */
export function failureRateOption(o: { failureRate?: number | undefined; minimumCalls?: number | undefined; window?: Duration | undefined }): FailureRate | undefined {
  const minimumCalls = countOption('minimumCalls', orDefault(o.minimumCalls, 10), { min: 1 });
  const windowMs = o.window === undefined ? 30_000 : positiveDuration('window', o.window);
  const rate = o.failureRate;
  if (rate === undefined) return undefined;
  if (typeof rate !== 'number' || !(rate > 0 && rate <= 1)) {
    throw new RangeError(`steadfast: failureRate must be a number in (0, 1]; got ${describeValue(rate)}`);
  }
  return new FailureRate(rate, minimumCalls, windowMs);
}
