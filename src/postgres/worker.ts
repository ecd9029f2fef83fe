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
  /** Claim tokens with deliveries in flight, and how many each. */
  private readonly held = new Map<string, number>();
  /** Acknowledgements waiting for the next group DELETE, and whether one is running. */
  private acks: Array<{ id: string; token: string; settle: (error?: unknown) => void }> = [];
  private acking = false;
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
    const renewing = new AbortController();
    const renewal = this.renew(renewing.signal);
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
    renewing.abort();
    await renewal;
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
    this.held.set(token, (this.held.get(token) ?? 0) + 1);
    try {
      const item = { key: row.key, payload: row.payload, enqueuedAt: row.enqueuedAt, attempts: row.attempts };
      const failed = await sendItemOnce(() => item, this.o);
      if (failed === undefined) {
        await this.ack(row.id, token);
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
      const left = (this.held.get(token) ?? 1) - 1;
      if (left === 0) this.held.delete(token);
      else this.held.set(token, left);
    }
  }

  /**
   * Deletes a delivered row. Acknowledgements that arrive while a DELETE runs go together in the
   * next one (group commit): at concurrency 64 one statement per delivery was the bottleneck.
   */
  private ack(id: string, token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.acks.push({ id, token, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.acking) void this.flushAcks();
    });
  }

  private async flushAcks(): Promise<void> {
    this.acking = true;
    while (this.acks.length > 0) {
      const batch = this.acks.splice(0);
      let failure: unknown;
      try {
        await this.o.pool.query(this.sql.ack, [batch.map((a) => a.id), batch.map((a) => a.token)]);
      } catch (error) {
        failure = error ?? new Error('steadfast: acknowledgement failed');
      }
      for (const a of batch) a.settle(failure);
    }
    this.acking = false;
  }

  /**
   * Extends this worker's claims every lease/3 while their sends run, in one statement, so only a
   * dead worker's claim expires. Runs until `stop` aborts (after the last delivery ended).
   */
  private async renew(stop: AbortSignal): Promise<void> {
    const { clock, lease, pool } = this.o;
    for (;;) {
      try {
        await clock.sleep(lease / 3, stop);
      } catch {
        return;
      }
      if (this.held.size > 0) await pool.query(this.sql.renew, [[...this.held.keys()], lease]).catch(noop);
    }
  }

  private async size(): Promise<number> {
    return Number((await this.o.pool.query(this.sql.count)).rows[0]?.['n'] ?? 0);
  }
}
