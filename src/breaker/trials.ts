/**
 * The half-open trial calls of a circuit breaker: how many are in flight, how many succeeded,
 * and when the oldest one counts as hung. Allocated only while half-open.
 */

/**
 * @internal Bookkeeping for the trial calls of one half-open period. A fresh one per period, so
 * results of an older period can never touch it.
 *
 * @example
 * const trials = new HalfOpenTrials(1, 30_000);
 * trials.start(now); // the one slot is taken
 * trials.full        // true: other calls get BrokenCircuitError
 * trials.end(now);   // slot freed
 */
export class HalfOpenTrials {
  /** Start times (epoch ms) of the trials in flight, oldest first. */
  private readonly started: number[] = [];
  private succeeded = 0;

  /**
   * @param max trial calls allowed at a time; that many successes close the breaker
   * @param timeoutMs how long a trial may run before its slot is freed and it counts as failed
   */
  constructor(
    private readonly max: number,
    private readonly timeoutMs: number,
  ) {}

  /** Whether every trial slot is taken. */
  get full(): boolean {
    return this.started.length >= this.max;
  }

  /** Takes a slot for a trial starting at `now`. */
  start(now: number): void {
    this.started.push(now);
  }

  /** Frees the slot of the trial that started at `started`. */
  end(started: number): void {
    const slot = this.started.indexOf(started);
    if (slot >= 0) this.started.splice(slot, 1);
  }

  /** Counts a successful trial; returns whether enough succeeded to close the breaker. */
  succeed(): boolean {
    return ++this.succeeded >= this.max;
  }

  /** When the oldest trial in flight times out (epoch ms), or `undefined` when none is in flight. */
  get expiresAt(): number | undefined {
    const first = this.started[0];
    return first === undefined ? undefined : first + this.timeoutMs;
  }

  /** Milliseconds until a slot frees up: 0 while one is free. */
  waitFrom(now: number): number {
    const expires = this.expiresAt;
    return !this.full || expires === undefined ? 0 : Math.max(0, expires - now);
  }
}
