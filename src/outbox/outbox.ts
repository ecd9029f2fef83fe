/**
 * The durable outbox (Node only): items are fsynced to an append-only log before `enqueue`
 * resolves, then delivered in the background, FIFO and at least once, with backoff on transient
 * failures and a dead-letter file for permanent ones.
 */
import { resolve as resolvePath } from 'node:path';
import { BackoffWalk } from '../core/backoff-walk.js';
import { classify, type Verdict } from '../core/classify.js';
import { wallTime } from '../core/clock.js';
import { isBrokenCircuit } from '../core/errors.js';
import { emit, jsonCount, summarizeError } from '../core/events.js';
import { describeValue, objectOption } from '../core/options.js';
import { deadLine, markLine, openLog, putLine, serialize, type StoredItem } from './file.js';
import { OutboxLock } from './lock.js';
import { appendDeadLetter, byteLength, HEADER_BYTES, type OutboxLog } from './log.js';
import {
  OutboxFullError,
  OutboxItemTooLargeError,
  OutboxStoppedError,
  resolveOutboxOptions,
  type JsonValue,
  type OutboxItem,
  type OutboxOptions,
  type ResolvedOutboxOptions,
} from './options.js';
import { OutboxQueue, toItem, type Entry } from './queue.js';
import { retryLoop } from '../policies/retry-loop.js';
import { retryDelay, type GiveUpReason } from '../policies/retry-step.js';
import { retrySettings, type RetryOptions } from '../policies/retry.js';
import { sendOnce } from './send.js';

const noop = (): void => {};

/**
 * A durable, file-backed queue that delivers its items in the background. Open one with
 * {@link Outbox.open}, `start()` it, and `enqueue` JSON payloads: each resolves once it is on disk,
 * and is handed to `send` (FIFO, at least once, with a stable `key`) until `send` resolves.
 *
 * @example
 * const outbox = await Outbox.open({
 *   path: './data/events.outbox',
 *   send: async (item, { signal }) => {
 *     const res = await fetch(url, { method: 'POST', body: JSON.stringify(item.payload), headers: { 'Idempotency-Key': item.key }, signal });
 *     if (!res.ok) throw new HttpError(res.status);
 *   },
 * });
 * outbox.start();
 * await outbox.enqueue({ type: 'job_done', id: 42 });
 */
export class Outbox {
  private readonly queue = new OutboxQueue();
  /** The outbox's retry policy: never gives up on a transient failure; a permanent one (or a used-up finite backoff) is dead-lettered. */
  private readonly retry: RetryOptions;
  private leftSinceCompaction: number;
  private active: { controller: AbortController; loop: Promise<void> } | undefined;
  private stopping: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly o: ResolvedOutboxOptions,
    private readonly log: OutboxLog,
    private readonly lock: OutboxLock,
    items: readonly StoredItem[],
    leftCount: number,
  ) {
    for (const item of items) this.queue.push(this.queue.entry(item.key, item.at, item.json, item.bytes, item.attempts));
    this.leftSinceCompaction = leftCount;
    this.retry = { backoff: o.backoff, maxRetries: Infinity, retryOn: notPermanent, classify: o.classify, clock: o.clock, name: o.name };
  }

  /**
   * Opens (or creates) the outbox at `o.path` and loads the items still waiting. Delivery starts
   * with `start()`. One file has one owner: while another process (or another Outbox here) has it
   * open, this waits up to `lockTimeout`, then rejects with `OutboxLockedError`; an owner that died
   * never blocks it. Rejects with a `TypeError`/`RangeError` naming a bad option, or an
   * `OutboxFileError` if the file is not an outbox (it is left unchanged).
   */
  static async open(o: OutboxOptions): Promise<Outbox> {
    const options = resolveOutboxOptions(o);
    const path = resolvePath(options.path);
    const { clock } = options;
    const lock = await OutboxLock.acquire(path, { timeoutMs: options.lockTimeout, clock });
    try {
      const loaded = await openLog(path);
      const outbox = new Outbox({ ...options, path }, loaded.log, lock, loaded.items, loaded.leftCount);
      if (loaded.torn !== undefined) emit(options.onEvent, 'outbox_torn', options.name, clock, loaded.torn);
      if (loaded.corrupt !== undefined) emit(options.onEvent, 'outbox_corrupt', options.name, clock, { ...loaded.corrupt, file: `${path}.corrupt` });
      await outbox.compactIfDue();
      return outbox;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Items waiting: enqueued (or being written) and not yet delivered or dead-lettered. */
  get size(): number {
    return this.queue.size;
  }

  /** Whether the background delivery loop is running (between `start()` and `stop()`). */
  get running(): boolean {
    return this.active !== undefined;
  }

  /**
   * Stores `payload` and resolves once it is on disk (fsync; concurrent calls share one fsync).
   * Enqueuing a `key` that is already waiting stores nothing and resolves with the waiting item.
   * Rejects with `OutboxFullError` when `maxItems`/`maxBytes` would be exceeded, a `TypeError` for
   * a payload that is not JSON, or the I/O error if the write failed (then nothing was stored).
   *
   * @param o.key the item's idempotency key. @default globalThis.crypto.randomUUID()
   */
  async enqueue(payload: JsonValue, o: { key?: string } = {}): Promise<OutboxItem> {
    if (this.closed) throw new Error(`steadfast: outbox ${this.o.path} is closed`);
    objectOption('enqueue options', o);
    const key = o.key === undefined ? globalThis.crypto.randomUUID() : o.key; // null is refused below
    if (typeof key !== 'string' || key === '') throw new TypeError(`steadfast: key must be a non-empty string; got ${describeValue(key)}`);
    const known = this.queue.find(key);
    if (known !== undefined) return known instanceof Promise ? known : toItem(known);
    const json = serialize(payload);
    const at = wallTime(this.o.clock); // stored, read back after a restart: a calendar time
    const line = putLine(key, at, json);
    const bytes = byteLength(line);
    const { maxItems, maxBytes } = this.o;
    const { size, bytes: used } = this.queue;
    if (bytes > maxBytes) throw new OutboxItemTooLargeError(bytes, maxBytes);
    if (size + 1 > maxItems || used + bytes > maxBytes) {
      if (this.o.onEvent !== undefined) {
        emit(this.o.onEvent, 'outbox_full', this.o.name, at, { size, bytes: used, maxItems: jsonCount(maxItems), maxBytes: jsonCount(maxBytes) });
      }
      throw new OutboxFullError(size, used, maxItems, maxBytes);
    }
    const entry = this.queue.entry(key, at, json, bytes);
    let settle!: { resolve: (item: OutboxItem) => void; reject: (error: unknown) => void };
    const promise = new Promise<OutboxItem>((resolve, reject) => (settle = { resolve, reject }));
    this.queue.beginWrite(entry, promise);
    this.log.append(
      line,
      () => {
        this.queue.endWrite(entry);
        this.queue.push(entry);
        if (this.o.onEvent !== undefined) emit(this.o.onEvent, 'outbox_enqueued', this.o.name, this.o.clock, { key, size: this.size });
        this.wake?.();
        settle.resolve({ key, payload, enqueuedAt: at, attempts: 0 });
      },
      (error) => {
        this.queue.endWrite(entry);
        this.queue.settle();
        settle.reject(error);
      },
    );
    return promise;
  }

  /** Starts delivering in the background. Does nothing if already running. */
  start(): void {
    if (this.closed) throw new Error(`steadfast: outbox ${this.o.path} is closed`);
    if (this.active !== undefined) return;
    const controller = new AbortController();
    const previous = this.stopping ?? Promise.resolve();
    this.active = { controller, loop: previous.then(() => this.deliver(controller.signal)) };
  }

  /**
   * Stops delivering: cancels any backoff wait at once, waits for the delivery in flight (at most
   * `sendTimeout`: a send that hangs is abandoned then, its item kept for the next `start()` with
   * the same key), and waits for pending log writes. Leaves no timer behind. Pending `flush()`
   * calls reject with `OutboxStoppedError`. `enqueue` keeps working while stopped; `start()` resumes.
   */
  stop(): Promise<void> {
    const running = this.active;
    if (running === undefined) return this.stopping ?? Promise.resolve();
    this.active = undefined;
    running.controller.abort(new DOMException('outbox stopped', 'AbortError'));
    this.wake?.();
    // Only flushes waiting now: a start() before this stop finishes may already have new ones.
    const ticket = this.queue.flushTickets;
    const stopping = (async (): Promise<void> => {
      await running.loop;
      await this.log.idle();
      this.queue.rejectBefore(ticket, new OutboxStoppedError(this.size));
    })();
    this.stopping = stopping;
    return stopping;
  }

  /**
   * Resolves once every item enqueued before the call has been delivered or dead-lettered and
   * recorded on disk. On a stopped outbox it resolves at once if nothing older is waiting, and
   * otherwise rejects with `OutboxStoppedError` (as it does if `stop()` is called meanwhile).
   */
  async flush(): Promise<void> {
    const target = this.queue.lastSeq;
    if (!this.queue.waiting(target)) return this.log.idle();
    if (this.active === undefined) throw new OutboxStoppedError(this.size);
    await this.queue.waitFor(target);
    await this.log.idle();
  }

  /** Stops delivery, waits for pending writes and closes the file. The outbox can't be used afterwards. */
  close(): Promise<void> {
    this.closing ??= (async (): Promise<void> => {
      this.closed = true; // refuse new enqueues now; acks of the send in flight still get written
      await this.stop();
      try {
        await this.log.close();
      } finally {
        await this.lock.release();
      }
    })();
    return this.closing;
  }

  /** Removes the head item and records why (not awaited: a lost record only means a re-delivery). */
  private leave(entry: Entry, op: 'ack' | 'dead'): void {
    this.queue.shift();
    this.leftSinceCompaction++;
    this.log.append(markLine(op, entry.key), noop, noop);
    this.queue.settle();
  }

  /**
   * The delivery loop: one item at a time, from the head, each through the retry engine (backoff,
   * `Retry-After`, classification). `stop()` cancels a wait at once and lets an attempt finish.
   */
  private async deliver(signal: AbortSignal): Promise<void> {
    const { clock, onEvent, name } = this.o;
    const settings = retrySettings({ ...this.retry, signal });
    // Consecutive failures to write a dead letter back off along the backoff (a full disk can last hours).
    const stuck = new BackoffWalk(this.o.backoff);
    while (!signal.aborted) {
      const entry = this.queue.first;
      if (entry === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      let stopped: { reason: GiveUpReason; verdict: Verdict | undefined } | undefined;
      try {
        await retryLoop(() => this.attempt(entry), settings, {
          rawSignal: true, // stop() waits for the send in flight; only sendTimeout aborts it
          beforeRetry: ({ error, delayMs }) => {
            if (onEvent !== undefined) emit(onEvent, 'outbox_retry', name, clock, { key: entry.key, attempt: entry.attempts, delayMs, error: summarizeError(error) });
          },
          onGiveUp: (reason, verdict) => (stopped = { reason, verdict }),
        });
      } catch (error) {
        if (signal.aborted) break; // stopped mid-wait or mid-attempt: the item stays at the head
        const verdict = deadVerdict(stopped, error);
        if (await this.deadLetter(entry, verdict, error)) {
          stuck.reset();
          continue;
        }
        // Couldn't even dead-letter it: keep it, and try it again after a wait that grows while this lasts.
        const delayMs = retryDelay(stuck.next(() => clock.random()) ?? 0, verdict, settings.maxRetryAfter);
        if (onEvent !== undefined) emit(onEvent, 'outbox_retry', name, clock, { key: entry.key, attempt: entry.attempts, delayMs, error: summarizeError(error) });
        try {
          await clock.sleep(delayMs, signal);
        } catch {
          break;
        }
        continue;
      }
      this.leave(entry, 'ack');
      stuck.reset();
      if (onEvent !== undefined) emit(onEvent, 'outbox_delivered', name, clock, { key: entry.key, attempts: entry.attempts, size: this.size });
      await this.compactIfDue();
    }
  }

  /** One delivery attempt of `entry`; a failure is recorded (best effort, for `attempts`) and rethrown. */
  private async attempt(entry: Entry): Promise<void> {
    const failed = await sendOnce(entry, this.o);
    if (failed === undefined) return;
    this.log.append(markLine('fail', entry.key, entry.attempts), noop, noop);
    throw failed.error;
  }

  /** Moves the head item to `<path>.dead`. Returns false (item kept) if that file can't be written. */
  private async deadLetter(entry: Entry, verdict: Verdict, error: unknown): Promise<boolean> {
    const { clock, onEvent, name } = this.o;
    const summary = summarizeError(error);
    const line = deadLine(entry, verdict, summary, wallTime(clock));
    try {
      await appendDeadLetter(this.o.path, line);
    } catch {
      return false;
    }
    this.leave(entry, 'dead');
    if (onEvent !== undefined) emit(onEvent, 'outbox_dead', name, clock, { key: entry.key, verdict, error: summary });
    await this.compactIfDue();
    return true;
  }

  /** Rewrites the log without the items that left, once enough of them did. Failure is not fatal. */
  private async compactIfDue(): Promise<void> {
    const garbage = this.log.fileBytes - HEADER_BYTES - this.queue.storedBytes;
    if (this.leftSinceCompaction < this.o.compactAfter && garbage < this.o.compactAfterBytes) return;
    if (this.leftSinceCompaction === 0 && garbage <= 0) return;
    this.leftSinceCompaction = 0;
    try {
      const { bytesBefore, bytesAfter } = await this.log.compact(() => this.queue.snapshot());
      const { onEvent } = this.o;
      if (onEvent !== undefined) emit(onEvent, 'outbox_compacted', this.o.name, this.o.clock, { size: this.size, bytesBefore, bytesAfter });
    } catch {
      // e.g. disk full: the old file is intact and still appended to; try again after the next threshold.
    }
  }
}

// Anything not permanent is retried, an abort thrown by `send` included: only the stop signal ends a delivery.
// A breaker's refusal (even an isolated one, which is permanent to withRetry) never sent the item: it waits, never dead.
function notPermanent(error: unknown, verdict: Verdict): boolean {
  return verdict.kind !== 'permanent' || isBrokenCircuit(error);
}

/** Why an item goes to the dead letters: its permanent verdict, or a finite backoff used up. */
function deadVerdict(stopped: { reason: GiveUpReason; verdict: Verdict | undefined } | undefined, error: unknown): Verdict {
  const verdict = stopped?.verdict ?? classify(error);
  // A permanent error on the schedule's last attempt is dead for its own reason, not for the schedule.
  if (stopped?.reason !== 'schedule-exhausted' || (verdict.kind === 'permanent' && !isBrokenCircuit(error))) return verdict;
  return { ...verdict, kind: 'permanent', reason: `retries exhausted (${verdict.reason})` };
}
