/**
 * One worker's delivery loop: claim up to `concurrency` items (heads of free order keys), deliver
 * each through `send`, then delete it, schedule its retry in the row, or move it to the dead
 * letters. Idle, it sleeps until a NOTIFY, a finished delivery, a retry of its own falling due,
 * or `pollInterval`.
 */
import { exponential, type Backoff } from '../core/backoff.js';
import { BackoffWalk } from '../core/backoff-walk.js';
import { emit, summarizeError } from '../core/events.js';
import { sendItemOnce } from '../policies/outbox-item.js';
import { decide } from './decide.js';
import { listen } from './listener.js';
import type { ResolvedPgOutboxOptions } from './options.js';
import { toClaimed, type ClaimedRow, type Statements } from './sql.js';

/** Waits between claims while the database is unreachable. */
const DB_BACKOFF: Backoff = exponential({ initial: '250ms', max: '10s', jitter: 'full' });
const noop = (): void => {};

/** @internal */
export class Worker {
  private readonly inflight = new Set<Promise<void>>();
  private kicked = false;
  private waiter: AbortController | undefined;
  /** When the earliest retry this worker scheduled falls due (clock ms). */
  private nextDue = Infinity;
  private claims = 0;
  private readonly id: string = globalThis.crypto.randomUUID();

  constructor(
    private readonly o: ResolvedPgOutboxOptions,
    private readonly sql: Statements,
    /** Called after each delivery attempt is recorded (flush() re-counts then). */
    private readonly progress: () => void,
  ) {}

  /** Ends the current idle wait (or the next one, if none is running). */
  kick(): void {
    this.kicked = true;
    this.waiter?.abort();
  }

  /** Runs until `signal` aborts, then waits for the deliveries in flight and the listener. */
  async run(signal: AbortSignal): Promise<void> {
    const { pool, clock, names, concurrency, onEvent, name } = this.o;
    const random = (): number => clock.random();
    const listener = listen(pool, names.plain, clock, signal, { wake: () => this.kick() });
    let walk: BackoffWalk | undefined;
    let failures = 0;
    while (!signal.aborted) {
      const free = concurrency - this.inflight.size;
      if (free > 0) {
        let rows: ClaimedRow[];
        const token = `${this.id}:${++this.claims}`;
        try {
          rows = (await pool.query(this.sql.claim, [free, this.o.lease, token])).rows.map(toClaimed);
        } catch (error) {
          if (signal.aborted) break;
          walk ??= new BackoffWalk(DB_BACKOFF);
          const delayMs = walk.next(random) ?? 1_000;
          if (onEvent !== undefined) emit(onEvent, 'poll_failed', name, clock.now(), { failures: ++failures, delayMs, error: summarizeError(error) });
          await this.pause(delayMs);
          continue;
        }
        walk = undefined;
        failures = 0;
        for (const row of rows) this.track(this.deliver(row, token));
      }
      await this.pause(this.idleMs());
    }
    await Promise.all([...this.inflight, listener]);
  }

  private track(delivery: Promise<void>): void {
    this.inflight.add(delivery);
    void delivery.finally(() => {
      this.inflight.delete(delivery);
      this.kick();
      this.progress();
    });
  }

  /** How long to sleep when idle: until our next retry falls due, at most `pollInterval`. */
  private idleMs(): number {
    const now = this.o.clock.now();
    if (this.nextDue <= now) this.nextDue = Infinity;
    return Math.max(0, Math.min(this.o.pollInterval, this.nextDue - now));
  }

  private async pause(ms: number): Promise<void> {
    if (this.kicked) {
      this.kicked = false;
      return;
    }
    const waiter = new AbortController();
    this.waiter = waiter;
    try {
      await this.o.clock.sleep(ms, waiter.signal);
    } catch {
      // kicked
    } finally {
      this.waiter = undefined;
      this.kicked = false;
    }
  }

  /** One attempt at a claimed row, and its outcome recorded in the table. */
  private async deliver(row: ClaimedRow, token: string): Promise<void> {
    const { pool, clock, onEvent, name } = this.o;
    const renewal = this.renew(token);
    try {
      const item = { key: row.key, payload: row.payload, enqueuedAt: row.enqueuedAt, attempts: row.attempts };
      const failed = await sendItemOnce(() => item, this.o);
      if (failed === undefined) {
        await pool.query(this.sql.ack, [row.id, token]);
        if (onEvent !== undefined) emit(onEvent, 'outbox_delivered', name, clock.now(), { key: row.key, attempts: row.attempts, size: await this.size() });
        return;
      }
      const decision = decide(this.o.plan, failed.error, row.attempts, { now: clock.now(), random: () => clock.random() });
      const error = summarizeError(failed.error);
      if (decision.retry) {
        await pool.query(this.sql.retry, [row.id, token, decision.delayMs]);
        this.nextDue = Math.min(this.nextDue, clock.now() + decision.delayMs);
        if (onEvent !== undefined) emit(onEvent, 'outbox_retry', name, clock.now(), { key: row.key, attempt: row.attempts, delayMs: decision.delayMs, error });
      } else {
        await pool.query(this.sql.dead, [row.id, token, decision.verdict.reason, JSON.stringify(error)]);
        if (onEvent !== undefined) emit(onEvent, 'outbox_dead', name, clock.now(), { key: row.key, verdict: decision.verdict, error });
      }
    } catch {
      // The outcome could not be recorded (database down): the lease runs out and the item is
      // delivered again, with the same key.
    } finally {
      renewal.abort();
    }
  }

  /** Extends the claim every lease/3 while its send runs, so only a dead worker's claim expires. */
  private renew(token: string): AbortController {
    const { clock, lease, pool } = this.o;
    const controller = new AbortController();
    void (async (): Promise<void> => {
      for (;;) {
        try {
          await clock.sleep(lease / 3, controller.signal);
        } catch {
          return;
        }
        await pool.query(this.sql.renew, [[token], lease]).catch(noop);
      }
    })();
    return controller;
  }

  private async size(): Promise<number> {
    return Number((await this.o.pool.query(this.sql.count)).rows[0]?.['n'] ?? 0);
  }
}
