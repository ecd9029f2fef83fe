/**
 * Per-attempt timeouts without a timer per attempt. Every attempt of a client has the same
 * timeout, so deadlines arrive in start order: a FIFO queue and one sleeping sweeper replace a
 * setTimeout/clearTimeout pair and two abort listeners per request (the hot path stays cheap).
 * A caller's signal is followed here too (one listener per signal, however many attempts share it),
 * so passing one costs no timer either.
 */
import { onAbort } from '../core/abort-hub.js';
import type { Clock, SleepOptions } from '../core/clock.js';
import { timeoutError } from '../core/errors.js';
import { boundBody, hasBody } from './body-timeout.js';

const UNREF: SleepOptions = { unref: true };
/** Below this many entries the queue is left alone: compacting a short array is not worth a copy. */
const COMPACT_MIN = 64;

/** @internal One attempt being timed. */
export interface Deadline {
  readonly at: number;
  readonly controller: AbortController;
  live: boolean;
  reject: ((error: unknown) => void) | undefined;
  /** Removes the listener on the caller's signal (none without one). */
  detach: (() => void) | undefined;
  /** Fails the response body still being read (see {@link Deadlines.run}'s `keep`). */
  expire: ((error: unknown) => void) | undefined;
}

/**
 * @internal Ties a response's body to the attempt's deadline: the attempt stays timed until the
 * body is read, and reading it past the deadline fails with the `TimeoutError`.
 */
export type KeepBody = (response: Response) => Response;

/** @internal The deadlines of one client's attempts. */
export class Deadlines {
  private queue: Deadline[] = [];
  private head = 0;
  /** Entries still live; with attempts always in flight the queue never drains, so it is compacted against this. */
  private live = 0;
  private sweeper: AbortController | undefined;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    /** The reason a timed-out attempt aborts with. @default a `TimeoutError` naming `timeoutMs` */
    private readonly expired: () => unknown = () => timeoutError(timeoutMs),
  ) {}

  /**
   * Runs `work(signal)` with a signal that aborts with a `TimeoutError` after the timeout, or with
   * the reason of `parent` when it aborts first; the returned promise rejects at that moment even
   * if `work` ignores its signal. `parent` itself is never aborted nor left with a listener.
   * A response passed through `keep` stays under the deadline (and `parent`) until its body is read.
   */
  run<T>(work: (signal: AbortSignal, keep: KeepBody) => Promise<T>, parent?: AbortSignal): Promise<T> {
    if (parent?.aborted === true) return Promise.reject(parent.reason);
    const controller = new AbortController();
    const entry: Deadline = { at: this.clock.now() + this.timeoutMs, controller, live: true, reject: undefined, detach: undefined, expire: undefined };
    let held = false;
    const keep: KeepBody = (response) => {
      if (!entry.live || !hasBody(response)) return response;
      held = true;
      const body = boundBody(response, () => this.finish(entry));
      entry.expire = body.expire;
      return body.response;
    };
    this.queue.push(entry);
    this.live++;
    if (this.sweeper === undefined) this.startSweeper();
    return new Promise<T>((resolve, reject) => {
      entry.reject = reject;
      if (parent !== undefined) {
        // Through the hub: a shutdown signal shared by many requests in flight keeps one listener.
        entry.detach = onAbort(parent, () => {
          const reason: unknown = parent.reason;
          const expire = entry.expire;
          this.finish(entry);
          expire?.(reason); // the caller's abort ends a body being read, as with plain fetch
          // An abort usually means shutdown: leave no sweeper sleeping once nothing is in flight.
          if (this.head >= this.queue.length) this.stopSweeper();
          controller.abort(reason);
          reject(reason);
        });
      }
      work(controller.signal, keep).then(
        (value) => {
          if (!held) this.finish(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.finish(entry);
          reject(error);
        },
      );
    });
  }

  /** Stops the sweeper once no attempt is in flight (at once if none is). */
  close(): void {
    this.closed = true;
    if (this.head >= this.queue.length) this.stopSweeper();
  }

  private finish(entry: Deadline): void {
    if (!entry.live) return; // already ended by the sweeper or the caller's abort
    this.end(entry);
    while (this.head < this.queue.length && !(this.queue[this.head] as Deadline).live) this.head++;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      if (this.closed) this.stopSweeper();
    } else if (this.queue.length > COMPACT_MIN && this.queue.length > 2 * this.live) {
      // Steady traffic never drains the queue: drop the ended entries once they outnumber the live
      // ones (each copy removes at least half, so amortised O(1)); it stays within 2 × in flight.
      this.queue = this.queue.filter((d) => d.live);
      this.head = 0;
    }
  }

  /** Marks `entry` ended and lets go of what it holds. */
  private end(entry: Deadline): void {
    entry.live = false;
    this.live--;
    entry.reject = undefined;
    entry.detach?.();
    entry.detach = undefined;
    entry.expire = undefined;
  }

  /** @internal Entries held (live or ended but not yet dropped): stays within 2 × in flight + {@link COMPACT_MIN}. */
  get size(): number {
    return this.queue.length;
  }

  private startSweeper(): void {
    const sweeper = new AbortController();
    this.sweeper = sweeper;
    void this.sweep(sweeper.signal).finally(() => {
      if (this.sweeper === sweeper) this.sweeper = undefined;
    });
  }

  private stopSweeper(): void {
    this.sweeper?.abort();
    this.sweeper = undefined;
  }

  private async sweep(signal: AbortSignal): Promise<void> {
    for (;;) {
      while (this.head < this.queue.length && !(this.queue[this.head] as Deadline).live) this.head++;
      const next = this.queue[this.head];
      if (next === undefined) {
        // Nothing in flight: hold no ended entry; the next attempt starts a new sweeper.
        this.queue = [];
        this.head = 0;
        return;
      }
      const wait = next.at - this.clock.now();
      if (wait > 0) {
        try {
          await this.clock.sleep(wait, signal, UNREF);
        } catch {
          return; // closed
        }
        continue;
      }
      this.head++;
      const { reject, expire } = next;
      this.end(next);
      const error = this.expired();
      next.controller.abort(error);
      reject?.(error);
      expire?.(error);
    }
  }
}
