/**
 * The circuit breaker's options and its saved state (types and validation only).
 */
import type { Backoff } from '../core/backoff.js';
import type { Clock } from '../core/clock.js';
import { type Duration } from '../core/duration.js';
import { describeValue } from '../core/options.js';
import type { EventSink } from '../core/events.js';

/** `closed`: calls go through; `open`: refused; `half-open`: trial calls go through; `isolated`: refused until `reset()`. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/**
 * A breaker's state as a JSON-safe value with absolute epoch-ms times, so it survives
 * `JSON.stringify`/`JSON.parse` and a process restart. Trials in flight and rate-mode counts are not kept.
 */
export interface BreakerSnapshot {
  /** Format version. */
  version: 1;
  state: BreakerState;
  /** Consecutive failures counted. */
  failures: number;
  /** Times it has opened. */
  opens: number;
  /** Epoch ms when the current outage began (`null` while closed). */
  downSince: number | null;
  /** Epoch ms when the open period ends (`null` unless open or half-open). */
  halfOpenAt: number | null;
  /** The current (last) open period, in ms. */
  openForMs: number;
  /** Consecutive re-opens without closing (how far a `Backoff` openFor has grown). */
  reopens: number;
}

/** Options for {@link CircuitBreaker}. Every option is validated by the constructor. */
export interface CircuitBreakerOptions {
  /** Name used in events and errors. @default 'breaker' */
  name?: string | undefined;
  /** Consecutive failures that open the breaker (integer >= 1). Ignored in rate mode. @default 5 */
  failureThreshold?: number | undefined;
  /** Failure rate in (0, 1] that opens the breaker; setting it switches to rate mode. */
  failureRate?: number | undefined;
  /** Rate mode: calls that must be seen in `window` before the rate can open it. @default 10 */
  minimumCalls?: number | undefined;
  /** Rate mode: the sliding window over which calls and failures are counted. @default '30s' */
  window?: Duration | undefined;
  /**
   * How long it stays open. A `Backoff` is walked one step per consecutive re-open (growing, for
   * `exponential`) and starts over once it closes.
   * @default constant('28s', { jitter: 'equal' }): each open period drawn in [14s, 28s], so breakers that opened together do not try again together
   */
  openFor?: Duration | Backoff | undefined;
  /** Trial calls let through at a time while half-open; that many successes close it. @default 1 */
  halfOpenMaxCalls?: number | undefined;
  /** A trial still running after this long frees its slot and counts as failed. @default the current open period (at least 1s) */
  halfOpenTimeout?: Duration | undefined;
  /** Which errors count as failures. @default transient errors only (`classify(error).kind === 'transient'`) */
  isFailure?: ((error: unknown) => boolean) | undefined;
  /** State saved by {@link CircuitBreaker.snapshot}, e.g. across a restart. */
  initialState?: BreakerSnapshot | undefined;
  /** Time and randomness. @default systemClock */
  clock?: Clock | undefined;
  /** Receives `breaker_open`, `breaker_half_open`, `breaker_closed` and `breaker_isolated` events. */
  onEvent?: EventSink | undefined;
}

const STATES: ReadonlySet<unknown> = new Set(['closed', 'open', 'half-open', 'isolated']);

/**
 * @internal Validates `initialState`, so a corrupted save fails loudly at construction.
 *
 * @example
 * checkSnapshot(JSON.parse(saved)) // the snapshot, or a TypeError naming the bad field
 */
export function checkSnapshot(s: BreakerSnapshot): BreakerSnapshot {
  const bad = (field: string, value: unknown): never => {
    throw new TypeError(`steadfast: initialState is not a BreakerSnapshot (from breaker.snapshot()): ${field} is ${describeValue(value)}`);
  };
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return bad('the value', s);
  if (s.version !== 1) bad('version', s.version);
  if (!STATES.has(s.state)) bad('state', s.state);
  for (const key of ['failures', 'opens', 'reopens'] as const) {
    if (!Number.isInteger(s[key]) || s[key] < 0) bad(key, s[key]);
  }
  if (typeof s.openForMs !== 'number' || !Number.isFinite(s.openForMs) || s.openForMs < 0) bad('openForMs', s.openForMs);
  if (s.downSince !== null && !Number.isFinite(s.downSince)) bad('downSince', s.downSince);
  const timed = s.state === 'open' || s.state === 'half-open';
  if (timed ? !Number.isFinite(s.halfOpenAt) : s.halfOpenAt !== null) bad('halfOpenAt', s.halfOpenAt);
  return s;
}
