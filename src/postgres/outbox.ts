/**
 * The transactional outbox on PostgreSQL: `enqueue` writes in the caller's transaction, and any
 * number of workers, in any number of processes, deliver from one table.
 */
import { emit } from '../core/events.js';
import { describeValue, orDefault } from '../core/options.js';
import { OutboxStoppedError, type JsonValue, type OutboxItem } from '../policies/outbox-item.js';
import type { PgClient } from './client.js';
import { resolvePgOutboxOptions, type PgOutboxOptions, type ResolvedPgOutboxOptions } from './options.js';
import { migrate } from './schema.js';
import { statements, toItem, type Statements } from './sql.js';
import { Worker } from './worker.js';

/** How often `flush()` re-counts when no local delivery tells it something changed. */
const FLUSH_POLL = 250;
/**
 * Most one NOTIFY per this many ms from one PgOutbox: PostgreSQL serializes the commits of
 * transactions that NOTIFY (64 producers ran 3-8x slower notifying on every enqueue), and a
 * worker woken once claims everything that is ready anyway.
 */
const NOTIFY_EVERY = 50;

/**
 * A transactional outbox in a PostgreSQL table. `enqueue` an event with your transaction's client
 * and it exists if and only if your transaction commits; `start()` delivers it to `send` at least
 * once, with its `key` on every attempt, from any number of workers on one table.
 *
 * @example
 * const outbox = await PgOutbox.open({ pool, send: async (item, { signal }) => postEvent(item, signal) });
 * outbox.start();
 * const client = await pool.connect();
 * await client.query('BEGIN');
 * await client.query('INSERT INTO orders (id, total) VALUES ($1, $2)', [id, total]);
 * await outbox.enqueue({ type: 'order_placed', id }, { client, orderKey: `order:${id}` });
 * await client.query('COMMIT');
 * client.release();
 */
export class PgOutbox {
  private active: { controller: AbortController; loop: Promise<void>; worker: Worker } | undefined;
  private stopping: Promise<void> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly waiters = new Set<() => void>();
  private lastNotify = -Infinity;

  private constructor(
    private readonly o: ResolvedPgOutboxOptions,
    private readonly sql: Statements,
  ) {}

  /**
   * Validates the options, creates or migrates the tables if needed (safe when many workers start
   * at once) and returns a stopped outbox: call `start()` on the ones that deliver.
   */
  static async open(o: PgOutboxOptions): Promise<PgOutbox> {
    const options = resolvePgOutboxOptions(o);
    await migrate(options.pool, options.names);
    return new PgOutbox(options, statements(options.names));
  }

  /** Whether this worker is delivering (between `start()` and `stop()`). */
  get running(): boolean {
    return this.active !== undefined;
  }

  /**
   * Writes `payload` to the outbox: in your open transaction when `o.client` is given (commit to
   * keep it, roll back and it never existed), else in its own. A `key` still waiting is not stored
   * twice: the waiting item is returned. Idle workers are woken by a NOTIFY at commit, sent at most
   * every 50 ms by one PgOutbox (NOTIFY serializes commits in PostgreSQL): an item whose wake went
   * out with a transaction that rolled back is found by the next wake or the `pollInterval` poll.
   *
   * @param o.key the idempotency key handed to `send`. @default globalThis.crypto.randomUUID()
   * @param o.orderKey items with one order key are delivered one at a time, in order. @default one order for the whole outbox
   * @param o.client a connection inside your transaction (a `pg.PoolClient` after `BEGIN`).
   */
  async enqueue(payload: JsonValue, o: { key?: string | undefined; orderKey?: string | undefined; client?: PgClient | undefined } = {}): Promise<OutboxItem> {
    if (this.closed) throw new Error(`steadfast: outbox ${this.o.names.plain} is closed`);
    const key = o.key === undefined ? globalThis.crypto.randomUUID() : o.key;
    if (typeof key !== 'string' || key === '') throw new TypeError(`steadfast: key must be a non-empty string; got ${describeValue(key)}`);
    const orderKey = orDefault(o.orderKey, '');
    if (typeof orderKey !== 'string' || (o.orderKey !== undefined && orderKey === '')) {
      throw new TypeError(`steadfast: orderKey must be a non-empty string; got ${describeValue(o.orderKey)}`);
    }
    const db = orDefault(o.client, this.o.pool);
    if (typeof (db as Partial<PgClient> | null)?.query !== 'function') throw new TypeError(`steadfast: client must be a pg client; got ${describeValue(o.client)}`);
    const json = serialize(payload);
    const { clock, onEvent, name } = this.o;
    const at = clock.now();
    const notify = at - this.lastNotify >= NOTIFY_EVERY || at < this.lastNotify; // a clock stepped back must not silence it
    if (notify) this.lastNotify = at;
    // A conflicting item may be delivered between the insert and the lookup: then insert again.
    for (let tries = 0; ; tries++) {
      const values = [key, orderKey, json, at];
      const inserted = await (notify ? db.query(this.sql.insertAndNotify, [...values, this.o.names.plain]) : db.query(this.sql.insert, values));
      if (inserted.rows.length > 0) {
        if (onEvent !== undefined) emit(onEvent, 'outbox_enqueued', name, clock.now(), { key, size: Number((await db.query(this.sql.count)).rows[0]?.['n']) });
        return { key, payload, enqueuedAt: at, attempts: 0 };
      }
      const waiting = (await db.query(this.sql.byKey, [key])).rows[0];
      if (waiting !== undefined || tries >= 2) return waiting === undefined ? { key, payload, enqueuedAt: at, attempts: 0 } : toItem(waiting);
    }
  }

  /** Items in the table: waiting, in flight or waiting for a retry (from every worker). */
  async pending(): Promise<number> {
    return Number((await this.o.pool.query(this.sql.count)).rows[0]?.['n'] ?? 0);
  }

  /** Starts this worker: it listens for NOTIFY and delivers in the background. Does nothing if running. */
  start(): void {
    if (this.closed) throw new Error(`steadfast: outbox ${this.o.names.plain} is closed`);
    if (this.active !== undefined) return;
    const controller = new AbortController();
    const worker = new Worker(this.o, this.sql, () => this.progressed());
    const previous = this.stopping ?? Promise.resolve();
    this.active = { controller, worker, loop: previous.then(() => worker.run(controller.signal)) };
  }

  /**
   * Stops this worker: claims nothing more, waits for its deliveries in flight (each at most
   * `sendTimeout`) to be recorded, and gives back the LISTEN connection. Pending `flush()` calls
   * reject with `OutboxStoppedError`. `enqueue` keeps working; `start()` resumes.
   */
  stop(): Promise<void> {
    const running = this.active;
    if (running === undefined) return this.stopping ?? Promise.resolve();
    this.active = undefined;
    running.controller.abort(new DOMException('outbox stopped', 'AbortError'));
    running.worker.kick();
    const stopping = running.loop.finally(() => this.progressed());
    this.stopping = stopping;
    return stopping;
  }

  /**
   * Resolves once every item in the table when it was called has been delivered or dead-lettered,
   * by this worker or another. Rejects with `OutboxStoppedError` if this worker is (or becomes)
   * stopped while such items remain.
   */
  async flush(): Promise<void> {
    const max = (await this.o.pool.query(this.sql.maxId)).rows[0]?.['id'];
    if (max === null || max === undefined) return;
    for (;;) {
      const left = Number((await this.o.pool.query(this.sql.countUpTo, [max])).rows[0]?.['n'] ?? 0);
      if (left === 0) return;
      if (this.active === undefined) throw new OutboxStoppedError(left);
      await this.nextProgress();
    }
  }

  /** Stops this worker for good. Your pool stays open: end it yourself. */
  close(): Promise<void> {
    this.closing ??= (async (): Promise<void> => {
      this.closed = true;
      await this.stop();
    })();
    return this.closing;
  }

  private progressed(): void {
    for (const wake of this.waiters) wake();
  }

  /** Waits for a local delivery to be recorded, a stop, or FLUSH_POLL ms (other workers deliver too). */
  private async nextProgress(): Promise<void> {
    const timer = new AbortController();
    const wake = (): void => timer.abort();
    this.waiters.add(wake);
    try {
      await this.o.clock.sleep(FLUSH_POLL, timer.signal);
    } catch {
      // woken
    } finally {
      this.waiters.delete(wake);
    }
  }
}

function serialize(payload: JsonValue): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    throw new TypeError(`steadfast: payload must be JSON-serializable (${(error as Error).message})`, { cause: error });
  }
  if (typeof json !== 'string') throw new TypeError(`steadfast: payload must be a JSON value; got ${describeValue(payload)}`);
  return json;
}
