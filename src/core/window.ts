/**
 * A rolling-window counter (pure): counts events in the last `windowMs`, in a fixed ring of
 * buckets, so memory stays bounded however many events arrive. Time is passed in as `now`.
 */
import { countOption, describeValue } from './options.js';

/** Options for {@link RollingWindow}. */
export interface RollingWindowOptions {
  /** Length of the window in ms (> 0). */
  windowMs: number;
  /** Buckets the window is split into: more buckets slide more smoothly. @default 10 */
  buckets?: number;
  /** Independent counters kept per bucket (e.g. calls and failures). @default 1 */
  lanes?: number;
}

/**
 * Counts events over a sliding window of `windowMs`. The window slides one bucket
 * (`windowMs / buckets`) at a time, so an event is forgotten between `windowMs - bucketMs` and
 * `windowMs` after it was added. A `now` earlier than the newest bucket (a clock stepping back)
 * counts into the newest bucket.
 *
 * @example
 * const w = new RollingWindow({ windowMs: 10_000, lanes: 2 });
 * w.add(0, 0); w.add(0, 1);
 * w.sum(5_000, 0)  // 1
 * w.sum(10_000, 0) // 0: slid out of the window
 */
export class RollingWindow {
  /** Length of the window in ms. */
  readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly buckets: number;
  private readonly lanes: number;
  /** `buckets * lanes` counts: bucket b, lane l at `b * lanes + l`. */
  private readonly counts: number[];
  private readonly totals: number[];
  /** Index (`floor(now / bucketMs)`) of the newest bucket, or -Infinity before the first event. */
  private head = -Infinity;

  constructor(o: RollingWindowOptions) {
    const windowMs = o?.windowMs;
    if (typeof windowMs !== 'number' || !(windowMs > 0) || !Number.isFinite(windowMs)) {
      throw new RangeError(`steadfast: window must be a finite duration > 0; got ${describeValue(windowMs)}`);
    }
    this.windowMs = windowMs;
    this.buckets = countOption('buckets', o.buckets ?? 10, { min: 1 });
    this.lanes = countOption('lanes', o.lanes ?? 1, { min: 1 });
    this.bucketMs = windowMs / this.buckets;
    this.counts = new Array<number>(this.buckets * this.lanes).fill(0);
    this.totals = new Array<number>(this.lanes).fill(0);
  }

  /** Adds `n` (default 1) to `lane` at time `now` (epoch ms). */
  add(now: number, lane = 0, n = 1): void {
    const bucket = this.slide(now);
    const i = bucket * this.lanes + lane;
    this.counts[i] = (this.counts[i] as number) + n;
    this.totals[lane] = (this.totals[lane] as number) + n;
  }

  /** The count in `lane` over the window ending at `now`. */
  sum(now: number, lane = 0): number {
    this.slide(now);
    return this.totals[lane] ?? 0;
  }

  /** Forgets every event. */
  clear(): void {
    this.counts.fill(0);
    this.totals.fill(0);
    this.head = -Infinity;
  }

  /** Moves the window to `now`, emptying buckets that fell out; returns the ring slot for `now`. */
  private slide(now: number): number {
    const index = Math.floor(now / this.bucketMs);
    if (index > this.head) {
      // Only the buckets between the old head and the new one hold stale counts (at most all of them).
      const stale = this.head === -Infinity ? 0 : Math.min(index - this.head, this.buckets);
      for (let k = 1; k <= stale; k++) this.emptyBucket(this.slot(this.head + k));
      this.head = index;
    }
    return this.slot(this.head);
  }

  private slot(index: number): number {
    const r = index % this.buckets;
    return r < 0 ? r + this.buckets : r;
  }

  private emptyBucket(bucket: number): void {
    const base = bucket * this.lanes;
    for (let l = 0; l < this.lanes; l++) {
      const i = base + l;
      this.totals[l] = (this.totals[l] as number) - (this.counts[i] as number);
      this.counts[i] = 0;
    }
  }
}
