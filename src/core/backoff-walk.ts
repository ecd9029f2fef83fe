/**
 * Walking a backoff one consecutive failure at a time, for loops that never give up (pure).
 */
import type { Backoff, BackoffStep } from './backoff.js';

/**
 * @internal Walks a backoff one consecutive failure at a time; once a finite schedule is
 * exhausted it keeps drawing its last delay. Start a new walk after a success.
 *
 * @example
 * const walk = new BackoffWalk(schedule(['1s', '5s']));
 * walk.next(random); walk.next(random); walk.next(random) // 1000, 5000, 5000
 */
export class BackoffWalk {
  private step: BackoffStep | undefined;
  private previous: BackoffStep | undefined;
  constructor(private readonly backoff: Backoff) {}

  /** The delay (ms) for the next failure, or `undefined` if the backoff yields no step at all. */
  next(random: () => number): number | undefined {
    if (this.step === undefined) {
      this.step = this.backoff.first(random);
    } else {
      const following = this.step.next(random);
      if (following !== undefined) {
        this.previous = this.step;
        this.step = following;
      } else {
        // Re-drawing the last step from its predecessor gives it fresh jitter instead of repeating one draw.
        this.step = this.previous?.next(random) ?? this.backoff.first(random) ?? this.step;
      }
    }
    return this.step?.delay;
  }
}
