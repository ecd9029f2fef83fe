/**
 * The Outbox's public types, its errors, and its options resolved and validated once, at open.
 */
import type { Backoff } from '../core/backoff.js';
import type { CircuitBreaker, CircuitBreakerOptions } from '../breaker/breaker.js';
import type { ClassifyOptions } from '../core/classify.js';
import type { Clock } from '../core/clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import { countOption, describeValue, orDefault } from '../core/options.js';
import type { EventSink } from '../core/events.js';
import { deliveryOptions, type OutboxBreaker, type OutboxSend } from '../policies/outbox-item.js';

// The item types live in policies/ because both outboxes (file and PostgreSQL) share them.
export type { JsonValue, OutboxBreaker, OutboxItem, OutboxSend } from '../policies/outbox-item.js';
export { OutboxStoppedError } from '../policies/outbox-item.js';

/**
 * Options for `Outbox.open`. Durations are ms or strings such as `"30s"`.
 *
 * @example
 * const o: OutboxOptions = { path: './data/events.outbox', send, sendTimeout: '10s', maxItems: 10_000 };
 */
export interface OutboxOptions {
  /** The log file. Its directory is created if missing; `<path>.dead` and `<path>.tmp` sit beside it. */
  path: string;
  /** Delivers one item; its `signal` aborts when `sendTimeout` passes (`stop()` waits for the send in flight rather than aborting it). */
  send: OutboxSend;
  /**
   * Longest one `send` may take: then its `signal` aborts with a `TimeoutError` and the attempt
   * fails transiently (retried per `backoff`), even if `send` ignores the signal. `Infinity`
   * disables it.
   * @default '30s'
   */
  sendTimeout?: Duration | undefined;
  /** Waits between attempts at a transiently failing item. A finite schedule dead-letters the item when used up. @default exponential 1s..5m, full jitter */
  backoff?: Backoff | undefined;
  /** Most items waiting at once; `enqueue` rejects with `OutboxFullError` beyond. @default 100_000 */
  maxItems?: number | undefined;
  /** Most bytes of waiting items (their stored lines); `enqueue` rejects with `OutboxFullError` beyond. @default 33_554_432 (32 MiB) */
  maxBytes?: number | undefined;
  /** Compact the file after this many items left it (delivered or dead). @default 1_000 */
  compactAfter?: number | undefined;
  /** ...or once this many bytes of the file belong to items that left, whichever comes first. @default 1_048_576 (1 MiB) */
  compactAfterBytes?: number | undefined;
  /**
   * Wraps every `send` call in a circuit breaker (yours, or one built from these options with the
   * outbox's clock and event sink): while it is open, the outbox waits until it half-opens.
   * @default none
   */
  breaker?: CircuitBreaker | OutboxBreaker | CircuitBreakerOptions | undefined;
  /** Adjusts which `send` errors are transient (retry) or permanent (dead letter). */
  classify?: ClassifyOptions | undefined;
  /** Receives `outbox_*` events (never the payload). */
  onEvent?: EventSink | undefined;
  /** @default systemClock */
  clock?: Clock | undefined;
  /** Name used in events. @default 'outbox' */
  name?: string | undefined;
  /**
   * How long `open` waits for another owner of the file (another process, or another Outbox in
   * this process) to close it before rejecting with `OutboxLockedError`. `0` does not wait.
   * @default '5s'
   */
  lockTimeout?: Duration | undefined;
}

/** @internal Options with defaults applied. */
export interface ResolvedOutboxOptions {
  path: string;
  send: OutboxSend;
  /** ms; Infinity for none. */
  sendTimeout: number;
  backoff: Backoff;
  maxItems: number;
  maxBytes: number;
  compactAfter: number;
  compactAfterBytes: number;
  breaker: OutboxBreaker | undefined;
  classify: ClassifyOptions;
  onEvent: EventSink | undefined;
  clock: Clock;
  name: string;
  /** ms */
  lockTimeout: number;
}

/** @internal Validates options (TypeError/RangeError naming the option and value) and applies defaults. */
export function resolveOutboxOptions(o: OutboxOptions): ResolvedOutboxOptions {
  const delivery = deliveryOptions('Outbox.open', o, 'outbox');
  if (typeof o.path !== 'string' || o.path === '') throw new TypeError(`steadfast: path must be a non-empty string; got ${describeValue(o.path)}`);
  return {
    ...delivery,
    path: o.path,
    maxItems: countOption('maxItems', orDefault(o.maxItems, 100_000), { min: 1, allowInfinity: true }),
    maxBytes: countOption('maxBytes', orDefault(o.maxBytes, 33_554_432), { min: 1, allowInfinity: true }),
    compactAfter: countOption('compactAfter', orDefault(o.compactAfter, 1_000), { min: 1, allowInfinity: true }),
    compactAfterBytes: countOption('compactAfterBytes', orDefault(o.compactAfterBytes, 1_048_576), { min: 1, allowInfinity: true }),
    lockTimeout: parseDuration(orDefault(o.lockTimeout, '5s'), { option: 'lockTimeout' }),
  };
}

/**
 * `enqueue` was refused because the outbox holds `maxItems` items or `maxBytes` bytes. Nothing
 * already stored was dropped; retry later or shed load.
 *
 * @example
 * try { await outbox.enqueue(event) } catch (e) { if (e instanceof OutboxFullError) dropOldestTelemetry() }
 */
export class OutboxFullError extends Error {
  override readonly name = 'OutboxFullError' as const;
  /** Items waiting when the enqueue was refused. */
  readonly size: number;
  /** Bytes of waiting items when the enqueue was refused. */
  readonly bytes: number;
  readonly maxItems: number;
  readonly maxBytes: number;

  constructor(size: number, bytes: number, maxItems: number, maxBytes: number) {
    super(`steadfast: outbox is full (${size} items, ${bytes} bytes; maxItems ${maxItems}, maxBytes ${maxBytes})`);
    this.size = size;
    this.bytes = bytes;
    this.maxItems = maxItems;
    this.maxBytes = maxBytes;
  }
}

/**
 * `enqueue` was refused because this one item is larger than `maxBytes`: it could never fit, even
 * in an empty outbox. Split it, store it elsewhere, or raise `maxBytes`.
 *
 * @example
 * try { await outbox.enqueue(hugeReport) } catch (e) { if (e instanceof OutboxItemTooLargeError) await uploadReportInstead(hugeReport) }
 */
export class OutboxItemTooLargeError extends Error {
  override readonly name = 'OutboxItemTooLargeError' as const;
  /** Bytes the item takes when stored. */
  readonly bytes: number;
  readonly maxBytes: number;

  constructor(bytes: number, maxBytes: number) {
    super(`steadfast: outbox item is too large: it takes ${bytes} bytes and maxBytes is ${maxBytes}, so it can never fit, even in an empty outbox`);
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}

/**
 * `Outbox.open` gave up waiting for the outbox file: another process (or another Outbox in this
 * process) still owns it after `lockTimeout`. `pid` is the owner's, when the lock file names one.
 *
 * @example
 * try { await Outbox.open({ path, send }) } catch (e) { if (e instanceof OutboxLockedError) log(`already running as pid ${e.pid}`) }
 */
export class OutboxLockedError extends Error {
  override readonly name = 'OutboxLockedError' as const;
  /** The outbox file. */
  readonly path: string;
  /** The owner's process id, if known. */
  readonly pid: number | undefined;

  constructor(path: string, pid: number | undefined, waitedMs: number) {
    const owner = pid === undefined ? 'another owner' : pid === process.pid ? `another Outbox in this process (pid ${pid}); close() it first` : `process ${pid}`;
    super(`steadfast: ${path}: is locked by ${owner} (waited ${waitedMs}ms; see ${path}.lock)`);
    this.path = path;
    this.pid = pid;
  }
}

