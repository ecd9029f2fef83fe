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

const UNREF: SleepOptions = { unref: true };

/** @internal One attempt being timed. */
export interface Deadline {
  readonly at: number;
  readonly controller: AbortController;
  live: boolean;
  reject: ((error: unknown) => void) | undefined;
  /** Removes the listener on the caller's signal (none without one). */
  detach: (() => void) | undefined;
}

/** @internal The deadlines of one client's attempts. */
export class Deadlines {
  private queue: Deadline[] = [];
  private head = 0;
  private sweeper: AbortController | undefined;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Runs `work(signal)` with a signal that aborts with a `TimeoutError` after the timeout, or with
   * the reason of `parent` when it aborts first; the returned promise rejects at that moment even
   * if `work` ignores its signal. `parent` itself is never aborted nor left with a listener.
   */
  run<T>(work: (signal: AbortSignal) => Promise<T>, parent?: AbortSignal): Promise<T> {
    if (parent?.aborted === true) return Promise.reject(parent.reason);
    const controller = new AbortController();
    const entry: Deadline = { at: this.clock.now() + this.timeoutMs, controller, live: true, reject: undefined, detach: undefined };
    this.queue.push(entry);
    if (this.sweeper === undefined) this.startSweeper();
    return new Promise<T>((resolve, reject) => {
      entry.reject = reject;
      if (parent !== undefined) {
        // Through the hub: a shutdown signal shared by many requests in flight keeps one listener.
        entry.detach = onAbort(parent, () => {
          const reason: unknown = parent.reason;
          this.finish(entry);
          // An abort usually means shutdown: leave no sweeper sleeping once nothing is in flight.
          if (this.head >= this.queue.length) this.stopSweeper();
          controller.abort(reason);
          reject(reason);
        });
      }
      work(controller.signal).then(
        (value) => {
          this.finish(entry);
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
    entry.live = false;
    entry.reject = undefined;
    entry.detach?.();
    entry.detach = undefined;
    // Attempts usually end in start order, so the queue stays as short as the requests in flight.
    while (this.head < this.queue.length && !(this.queue[this.head] as Deadline).live) this.head++;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      if (this.closed) this.stopSweeper();
    }
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
      if (next === undefined) return; // nothing in flight: the next attempt starts a new sweeper
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
      next.live = false;
      next.detach?.();
      next.detach = undefined;
      const error = timeoutError(this.timeoutMs);
      next.controller.abort(error);
      next.reject?.(error);
    }
  }
}
