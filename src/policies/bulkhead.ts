/**
 * Bulkhead: at most `maxConcurrent` calls run at once, at most `maxQueued` wait for a slot (in
 * arrival order), and the rest are refused at once. Holds no timer unless `queueTimeout` is set
 * and a call is waiting.
 */
import { onAbort } from '../core/abort-hub.js';
import { signalOption } from '../core/abort.js';
import { clockOption, type Clock } from '../core/clock.js';
import type { Duration } from '../core/duration.js';
import { BulkheadRejectedError, isObject } from '../core/errors.js';
import { countOption, describeValue, nameOption, positiveDuration } from '../core/options.js';

/**
 * Options for {@link Bulkhead}.
 *
 * @example
 * const o: BulkheadOptions = { maxConcurrent: 10, maxQueued: 100, queueTimeout: '5s' };
 */
export interface BulkheadOptions {
  /** Calls that may run at once (an integer >= 1). */
  maxConcurrent: number;
  /** Calls that may wait for a slot; more are refused at once. `Infinity` allowed. @default Infinity */
  maxQueued?: number;
  /** Longest a call waits for a slot before it is refused. @default Infinity */
  queueTimeout?: Duration;
  /** Name carried by its errors. */
  name?: string;
  /** Time source for `queueTimeout`. @default systemClock */
  clock?: Clock;
}

interface Waiter {
  /** Leaves the queue and runs in the slot just freed. */
  start(): void;
}

/**
 * Limits concurrency. A refused call rejects with {@link BulkheadRejectedError} (transient) and
 * `fn` is never called; a call whose `signal` aborts while it waits leaves the queue and rejects
 * with `signal.reason`. A slot is released however `fn` ends, even if it throws synchronously.
 *
 * @example
 * const bulkhead = new Bulkhead({ maxConcurrent: 4, maxQueued: 100 });
 * const results = await Promise.all(urls.map((url) => bulkhead.execute(() => fetch(url))));
 */
export class Bulkhead {
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  private readonly queueTimeoutMs: number;
  private readonly clock: Clock;
  private readonly name: string | undefined;
  /** Insertion-ordered: the first entry is the longest waiting; delete is O(1) for a cancelled wait. */
  private readonly waiting = new Set<Waiter>();
  private active = 0;

  constructor(o: BulkheadOptions) {
    if (!isObject(o)) throw new TypeError(`steadfast: Bulkhead needs an options object with maxConcurrent; got ${describeValue(o)}`);
    this.maxConcurrent = countOption('Bulkhead.maxConcurrent', o.maxConcurrent, { min: 1 });
    this.maxQueued = o.maxQueued === undefined ? Infinity : countOption('Bulkhead.maxQueued', o.maxQueued, { allowInfinity: true });
    this.queueTimeoutMs = o.queueTimeout === undefined ? Infinity : positiveDuration('Bulkhead.queueTimeout', o.queueTimeout, { allowInfinity: true });
    this.clock = clockOption('Bulkhead.clock', o.clock);
    this.name = o.name === undefined ? undefined : nameOption('Bulkhead.name', o.name, '');
  }

  /** Calls running now. */
  get running(): number {
    return this.active;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiting.size;
  }

  /**
   * Runs `fn` when a slot is free. Rejects at once with {@link BulkheadRejectedError} when the
   * queue is full, later with one when `queueTimeout` passes, or with `signal.reason` when `signal`
   * aborts while waiting; otherwise settles as `fn` does.
   *
   * @example
   * await bulkhead.execute(() => upload(file), shutdown.signal);
   */
  execute<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      if (typeof fn !== 'function') throw new TypeError(`steadfast: Bulkhead.execute needs a function; got ${describeValue(fn)}`);
      signalOption('Bulkhead.execute(signal)', signal);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.active < this.maxConcurrent) return this.run(fn);
    if (this.waiting.size >= this.maxQueued) return Promise.reject(this.refusal('full'));
    return this.enqueue(fn, signal);
  }

  private enqueue<T>(fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: AbortController | undefined;
      const leave = (): void => {
        this.waiting.delete(waiter);
        off?.();
        timer?.abort();
      };
      const waiter: Waiter = {
        start: () => {
          leave();
          this.run(fn).then(resolve, reject);
        },
      };
      this.waiting.add(waiter);
      // Through the hub: many waiting calls may share one shutdown signal.
      const off = signal === undefined ? undefined : onAbort(signal, () => {
        leave();
        reject(signal.reason);
      });
      if (this.queueTimeoutMs !== Infinity) {
        timer = new AbortController();
        this.clock.sleep(this.queueTimeoutMs, timer.signal).then(
          () => {
            leave();
            reject(this.refusal('queue-timeout'));
          },
          () => {}, // the wait ended first
        );
      }
    });
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    this.active++;
    let work: Promise<T>;
    try {
      work = Promise.resolve(fn());
    } catch (error) {
      work = Promise.reject(error);
    }
    return work.finally(() => this.release());
  }

  private release(): void {
    this.active--;
    // The slot goes straight to the longest-waiting call: arrivals can't overtake the queue.
    for (const next of this.waiting) {
      next.start();
      return;
    }
  }

  private refusal(reason: 'full' | 'queue-timeout'): BulkheadRejectedError {
    return new BulkheadRejectedError(reason, this.maxConcurrent, this.maxQueued, this.name);
  }
}
