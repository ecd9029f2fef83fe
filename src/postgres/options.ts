/**
 * The PostgreSQL outbox's options, resolved and validated once, at open; its table names.
 */
import type { CircuitBreaker, CircuitBreakerOptions } from '../breaker/breaker.js';
import type { Backoff } from '../core/backoff.js';
import type { ClassifyOptions } from '../core/classify.js';
import type { Clock } from '../core/clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import type { EventSink } from '../core/events.js';
import { countOption, describeValue, orDefault, positiveDuration } from '../core/options.js';
import { deliveryOptions, type OutboxBreaker, type OutboxSend } from '../policies/outbox-item.js';
import type { RetryPlan } from '../policies/retry-step.js';
import type { PgPool } from './client.js';
import { outboxPlan } from './decide.js';

/**
 * Options for `PgOutbox.open`. Durations are ms or strings such as `"30s"`.
 *
 * @example
 * const o: PgOutboxOptions = { pool, send, table: 'order_events', lease: '30s', concurrency: 4 };
 */
export interface PgOutboxOptions {
  /** Your `pg.Pool`. The outbox keeps one of its connections for `LISTEN` while started; `close()` gives it back (it never ends your pool). */
  pool: PgPool;
  /** Delivers one item; reject to retry (transient) or dead-letter (permanent), as for the file outbox. */
  send: OutboxSend;
  /** The table (optionally `schema.table`; lower-case letters, digits, `_`). `<table>_dead` holds dead letters. @default 'steadfast_outbox' */
  table?: string | undefined;
  /** How long a claimed item stays hidden from other workers; renewed while its `send` runs, so only a dead worker's claim expires. @default '30s' */
  lease?: Duration | undefined;
  /** Items this worker delivers at once (from different `orderKey`s). @default 1 */
  concurrency?: number | undefined;
  /** Longest one `send` may take; then its signal aborts and the attempt fails transiently. `Infinity` disables it. @default '30s' */
  sendTimeout?: Duration | undefined;
  /** Waits between attempts at an item; a finite schedule dead-letters the item when used up. @default exponential 1s..5m, full jitter */
  backoff?: Backoff | undefined;
  /** Wraps every `send` in a circuit breaker (yours, or one built from these options). @default none */
  breaker?: CircuitBreaker | OutboxBreaker | CircuitBreakerOptions | undefined;
  /** Adjusts which `send` errors are transient (retry) or permanent (dead letter). */
  classify?: ClassifyOptions | undefined;
  /** How often an idle worker looks for work when no `NOTIFY` wakes it (the listener down, a retry due on another worker). @default '5s' */
  pollInterval?: Duration | undefined;
  /** Receives `outbox_*` events (never the payload), and `poll_failed` while the database is unreachable. */
  onEvent?: EventSink | undefined;
  /** Times `send`, waits and events. Leases and retry times are kept in the database's own clock, shared by every worker. @default systemClock */
  clock?: Clock | undefined;
  /** Name used in events. @default 'pg-outbox' */
  name?: string | undefined;
}

/** @internal The quoted SQL names of one outbox. */
export interface TableNames {
  /** As given, e.g. `public.events`: also the NOTIFY channel. */
  plain: string;
  table: string;
  dead: string;
  claim: string;
}

/** @internal Options with defaults applied. */
export interface ResolvedPgOutboxOptions {
  pool: PgPool;
  send: OutboxSend;
  names: TableNames;
  lease: number;
  concurrency: number;
  sendTimeout: number;
  /** The retry engine's plan: backoff, classification, `Retry-After` cap. */
  plan: RetryPlan;
  breaker: OutboxBreaker | undefined;
  pollInterval: number;
  onEvent: EventSink | undefined;
  clock: Clock;
  name: string;
}

// Lower-case only, so the name needs no case rules; 50 characters leave room for `_dead`/`_claim` within PostgreSQL's 63.
const PART = /^[a-z_][a-z0-9_]{0,49}$/;

/**
 * @internal The quoted names for `table` (`name` or `schema.name`).
 *
 * @example
 * tableNames('app.events').dead // '"app"."events_dead"'
 */
export function tableNames(table: string): TableNames {
  const parts = typeof table === 'string' ? table.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => PART.test(p))) {
    throw new TypeError(`steadfast: table must be a lower-case name or schema.name (letters, digits, _; at most 50 each); got ${describeValue(table)}`);
  }
  const base = parts.at(-1) as string;
  const prefix = parts.length === 2 ? `"${parts[0] as string}".` : '';
  return { plain: table, table: `${prefix}"${base}"`, dead: `${prefix}"${base}_dead"`, claim: `${prefix}"${base}_claim"` };
}

/** @internal Validates options (TypeError/RangeError naming the option and value) and applies defaults. */
export function resolvePgOutboxOptions(o: PgOutboxOptions): ResolvedPgOutboxOptions {
  const { send, sendTimeout, backoff, classify, breaker, onEvent, clock, name } = deliveryOptions('PgOutbox.open', o, 'pg-outbox');
  const pool = o.pool as Partial<PgPool> | null | undefined;
  if (typeof pool !== 'object' || pool === null || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new TypeError(`steadfast: pool must be a pg.Pool (with query and connect); got ${describeValue(o.pool)}`);
  }
  return {
    pool: o.pool,
    send,
    names: tableNames(orDefault(o.table, 'steadfast_outbox')),
    lease: leaseOption(orDefault(o.lease, '30s')),
    concurrency: countOption('concurrency', orDefault(o.concurrency, 1), { min: 1 }),
    sendTimeout,
    plan: outboxPlan(backoff, classify),
    breaker,
    pollInterval: positiveDuration('pollInterval', orDefault(o.pollInterval, '5s')),
    onEvent,
    clock,
    name,
  };
}

// Renewed every lease/3; under 300ms a renewal could not reliably land before the lease ends.
function leaseOption(value: Duration): number {
  const ms = parseDuration(value, { option: 'lease' });
  if (ms < 300) throw new RangeError(`steadfast: lease must be at least 300ms; got ${describeValue(value)}`);
  return ms;
}
