// steadfast/postgres against a real PostgreSQL (STEADFAST_PG_URL), or, off CI with no server, an
// embedded PGlite: the tests that need real sessions (concurrent transactions) run on a server only.
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { constant, schedule } from '../../src/core/backoff.js';
import { HttpError } from '../../src/core/errors.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { OutboxStoppedError, type OutboxItem } from '../../src/policies/outbox-item.js';
import { PgOutbox } from '../../src/postgres/outbox.js';
import type { PgOutboxOptions } from '../../src/postgres/options.js';
import { database, reachable } from '../../examples/helpers/postgres.js';

const db = await database();
const REAL_ONLY = ['a late-committing transaction is not skipped', 'many workers opening one table at once', 'an idle worker wakes on NOTIFY'];
if (db.embedded) console.log(`PostgreSQL unreachable: ran against embedded PGlite. Not run (they need a real server): ${REAL_ONLY.join('; ')}`);
const onServer = it.skipIf(db.embedded);

let pool: pg.Pool;
let tables: string[] = [];
let opened: PgOutbox[] = [];
let events: ResilienceEvent[] = [];
const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => undefined); // idle connections die when a server restarts: pg requires a listener
});
afterEach(async () => {
  for (const o of opened) await o.close();
  for (const t of tables) await pool.query(`DROP TABLE IF EXISTS ${t}, ${t}_dead CASCADE; DROP FUNCTION IF EXISTS ${t}_claim; DELETE FROM steadfast_schema WHERE table_name = '${t}'`);
  [opened, tables, events] = [[], [], []];
});
afterAll(async () => {
  await pool.end();
  await db.close();
});

function newTable(): string {
  const t = `sf_test_${process.pid}_${tables.length + 1}`;
  tables.push(t);
  return t;
}

async function open(o: Partial<PgOutboxOptions> & Pick<PgOutboxOptions, 'send'>): Promise<PgOutbox> {
  const outbox = await PgOutbox.open({ pool, table: tables.at(-1) ?? newTable(), pollInterval: 100, onEvent: (e) => events.push(e), ...o });
  opened.push(outbox);
  return outbox;
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await tick(20);
  }
}

describe('PgOutbox (steadfast/postgres)', () => {
  it('enqueue with the caller\'s client: a rolled-back transaction leaves nothing, a committed one is delivered', async () => {
    const sent: OutboxItem[] = [];
    const outbox = await open({ send: async (item) => void sent.push(item) });
    if (!db.embedded) outbox.start(); // on a server, deliver while the transactions run
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await outbox.enqueue({ order: 1 }, { client, key: 'rolled-back' });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await outbox.enqueue({ order: 2 }, { client, key: 'committed' });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    outbox.start();
    await outbox.flush();
    expect(sent.map((i) => [i.key, i.payload, i.attempts])).toEqual([['committed', { order: 2 }, 1]]);
    expect(await outbox.pending()).toBe(0);
    expect(events.map((e) => e.type)).toEqual(['outbox_enqueued', 'outbox_enqueued', 'outbox_delivered']);
  });

  it('a key still waiting is stored once: enqueue returns the waiting item', async () => {
    const outbox = await open({ send: async () => {} });
    const first = await outbox.enqueue({ v: 1 }, { key: 'job-7' });
    const again = await outbox.enqueue({ v: 2 }, { key: 'job-7' });
    expect(again).toEqual({ key: 'job-7', payload: { v: 1 }, enqueuedAt: first.enqueuedAt, attempts: 0 });
    expect(await outbox.pending()).toBe(1);
  });

  it('delivers one orderKey one item at a time, in enqueue order, and different orderKeys in parallel up to concurrency', async () => {
    const active = new Map<string, number>();
    let inFlight = 0;
    let most = 0;
    const seen: Record<string, number[]> = {};
    const send = async (item: OutboxItem): Promise<void> => {
      const { k, n } = item.payload as { k: string; n: number };
      if ((active.get(k) ?? 0) > 0) throw new Error(`two items of ${k} in flight`);
      active.set(k, 1);
      most = Math.max(most, ++inFlight);
      await tick(15);
      (seen[k] ??= []).push(n);
      active.set(k, 0);
      inFlight--;
    };
    const outbox = await open({ send, concurrency: 3 });
    for (let n = 0; n < 6; n++) for (const k of ['a', 'b', 'c', 'd']) await outbox.enqueue({ k, n }, { orderKey: k });
    outbox.start();
    await outbox.flush();
    expect(seen).toEqual({ a: [0, 1, 2, 3, 4, 5], b: [0, 1, 2, 3, 4, 5], c: [0, 1, 2, 3, 4, 5], d: [0, 1, 2, 3, 4, 5] });
    expect(most).toBe(3);
    expect(events.filter((e) => e.type === 'outbox_retry')).toEqual([]);
  });

  it('without an orderKey the whole outbox is one order: one item at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    const outbox = await open({
      concurrency: 4,
      send: async (item) => {
        most = Math.max(most, ++inFlight);
        await tick(5);
        seen.push(item.payload as number);
        inFlight--;
      },
    });
    for (let n = 0; n < 8; n++) await outbox.enqueue(n);
    outbox.start();
    await outbox.flush();
    expect([seen, most]).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], 1]);
  });

  it('retries a transient failure after the backoff, with the same key; the attempt count lives in the row', async () => {
    const keys: string[] = [];
    const outbox = await open({
      backoff: constant('50ms'),
      send: async (item) => {
        keys.push(`${item.key}#${item.attempts}`);
        if (item.attempts === 1) throw new HttpError(503);
      },
    });
    await outbox.enqueue({ e: 1 }, { key: 'evt-1' });
    outbox.start();
    await outbox.flush();
    expect(keys).toEqual(['evt-1#1', 'evt-1#2']);
    expect(events.find((e) => e.type === 'outbox_retry')).toMatchObject({ key: 'evt-1', attempt: 1, delayMs: 50, error: { name: 'HttpError', status: 503 } });
    expect(events.find((e) => e.type === 'outbox_delivered')).toMatchObject({ key: 'evt-1', attempts: 2, size: 0 });
  });

  it('moves a permanent failure, and one whose finite backoff is used up, to <table>_dead with the reason', async () => {
    const outbox = await open({
      backoff: schedule(['20ms']),
      send: async (item) => {
        throw item.key === 'bad' ? new HttpError(422) : new HttpError(503);
      },
    });
    await outbox.enqueue({ secret: 'payload' }, { key: 'bad', orderKey: 'x' });
    await outbox.enqueue({ e: 2 }, { key: 'flaky', orderKey: 'y' });
    outbox.start();
    await outbox.flush();
    const dead = await pool.query(`SELECT key, attempts, reason, error, payload FROM ${tables[0]}_dead ORDER BY key`);
    expect(dead.rows).toEqual([
      { key: 'bad', attempts: 1, reason: 'HTTP 422', error: { name: 'HttpError', message: 'HTTP 422', status: 422 }, payload: { secret: 'payload' } },
      { key: 'flaky', attempts: 2, reason: 'retries exhausted (HTTP 503)', error: { name: 'HttpError', message: 'HTTP 503', status: 503 }, payload: { e: 2 } },
    ]);
    expect(events.filter((e) => e.type === 'outbox_dead').map((e) => JSON.stringify(e))).not.toContain('secret');
    expect(await outbox.pending()).toBe(0);
  });

  it('a claim abandoned by a killed worker expires after lease, and another worker delivers the item with the same key', async () => {
    const table = newTable();
    const delivered: { item: OutboxItem; at: number }[] = [];
    const outbox = await open({ table, send: async (item) => void delivered.push({ item, at: Date.now() }) });
    await outbox.enqueue({ e: 1 }, { key: 'evt-9' });
    // A worker claims it for 800ms and dies: nothing renews its lease.
    const claimedAt = Date.now();
    expect((await pool.query(`SELECT key FROM ${table}_claim(1, 800, 'dead-worker')`)).rows).toEqual([{ key: 'evt-9' }]);
    outbox.start();
    await outbox.flush();
    expect(delivered.map((d) => [d.item.key, d.item.attempts])).toEqual([['evt-9', 2]]);
    expect(delivered[0]!.at - claimedAt).toBeGreaterThanOrEqual(700);
  });

  it('a send slower than the lease keeps its claim (renewed), so no second worker delivers it meanwhile', async () => {
    const table = newTable();
    const calls: string[] = [];
    const slow = async (item: OutboxItem): Promise<void> => {
      calls.push(item.key);
      await tick(1_000);
    };
    const a = await open({ table, send: slow, lease: 300 });
    const b = await open({ table, send: slow, lease: 300 });
    await a.enqueue({ e: 1 }, { key: 'slow' });
    a.start();
    await until(() => calls.length === 1);
    b.start();
    await a.flush();
    expect(calls).toEqual(['slow']);
  });

  it('flush on a stopped outbox with items waiting rejects with OutboxStoppedError; stop() leaves the items for the next start()', async () => {
    const outbox = await open({ send: async () => {} });
    await outbox.flush(); // nothing waiting: resolves
    await outbox.enqueue({ e: 1 });
    await expect(outbox.flush()).rejects.toBeInstanceOf(OutboxStoppedError);
    outbox.start();
    await outbox.stop();
    outbox.start();
    await outbox.flush();
    expect(await outbox.pending()).toBe(0);
    await outbox.close();
    await expect(outbox.enqueue({ e: 2 })).rejects.toThrow(/closed/);
  });

  it('rejects a payload that is not JSON, and an empty key or orderKey, before writing', async () => {
    const outbox = await open({ send: async () => {} });
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    await expect(outbox.enqueue(loop as never)).rejects.toThrow(TypeError);
    await expect(outbox.enqueue(undefined as never)).rejects.toThrow(/payload must be a JSON value/);
    await expect(outbox.enqueue(1, { key: '' })).rejects.toThrow(/key must be a non-empty string/);
    await expect(outbox.enqueue(1, { key: null as never })).rejects.toThrow(/key must be a non-empty string; got null/);
    await expect(outbox.enqueue(1, { orderKey: null as never })).rejects.toThrow(/orderKey must be a non-empty string; got null/);
    await expect(outbox.enqueue(1, { orderKey: '' })).rejects.toThrow(/orderKey must be a non-empty string/);
    expect(await outbox.pending()).toBe(0);
  });

  onServer('a late-committing transaction is not skipped: its item waits for the younger one in flight, then goes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const log: string[] = [];
    const outbox = await open({
      concurrency: 4,
      send: async (item) => {
        log.push(`start ${item.key}`);
        if (item.key === 'B') await gate;
        log.push(`end ${item.key}`);
      },
    });
    outbox.start();
    const [t1, t2] = [await pool.connect(), await pool.connect()];
    try {
      await t1.query('BEGIN');
      await outbox.enqueue('A', { client: t1, key: 'A', orderKey: 'o' }); // takes the lower id...
      await t2.query('BEGIN');
      await outbox.enqueue('B', { client: t2, key: 'B', orderKey: 'o' });
      await t2.query('COMMIT'); // ...but B commits first and is delivered
      await until(() => log.includes('start B'));
      await t1.query('COMMIT'); // A becomes visible while B is in flight
      await tick(500); // five polls: A must not start beside B
      expect(log).toEqual(['start B']);
      release();
      await outbox.flush();
      expect(log).toEqual(['start B', 'end B', 'start A', 'end A']);
    } finally {
      release();
      t1.release();
      t2.release();
    }
  });

  onServer('a burst of enqueues sends one NOTIFY per 50ms, not one per commit (NOTIFY serializes commits)', async () => {
    const clock = new FakeClock({ now: Date.UTC(2026, 0, 1) });
    const table = newTable();
    const outbox = await open({ table, clock, send: async () => {} });
    const listener = await pool.connect();
    let notifications = 0;
    listener.on('notification', (m) => void (m.channel === table && notifications++));
    try {
      await listener.query(`LISTEN "${table}"`);
      for (let i = 0; i < 20; i++) await outbox.enqueue(i);
      await clock.advance(49);
      await outbox.enqueue('still within 50ms');
      await clock.advance(1);
      await outbox.enqueue('50ms later');
      await until(() => notifications === 2);
      await tick(200);
      expect(notifications).toBe(2);
    } finally {
      await listener.query(`UNLISTEN "${table}"`);
      listener.release();
    }
  });

  onServer('many workers opening one table at once create it once and record schema version 1', async () => {
    const table = newTable();
    const outboxes = await Promise.all(Array.from({ length: 8 }, () => open({ table, send: async () => {} })));
    expect(outboxes).toHaveLength(8);
    expect((await pool.query('SELECT version FROM steadfast_schema WHERE table_name = $1', [table])).rows).toEqual([{ version: 1 }]);
  });

  onServer('an idle worker wakes on NOTIFY at commit, long before its poll', async () => {
    const sent: number[] = [];
    const outbox = await open({ pollInterval: 60_000, send: async () => void sent.push(Date.now()) });
    outbox.start();
    await tick(300); // the listener connects
    const at = Date.now();
    await outbox.enqueue({ e: 1 });
    await until(() => sent.length === 1, 3_000);
    expect(sent[0]! - at).toBeLessThan(2_000);
  });
});

describe('where PostgreSQL comes from (examples/helpers/postgres.ts)', () => {
  const closedPort = async (): Promise<number> => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    return port;
  };

  it('on CI (CI=true) an unreachable STEADFAST_PG_URL is an error, never a silent fallback', async () => {
    const url = `postgres://postgres@127.0.0.1:${await closedPort()}/test`;
    await expect(database({ STEADFAST_PG_URL: url, CI: 'true' })).rejects.toThrow(/unreachable.*on CI/);
  });

  it('off CI an unreachable STEADFAST_PG_URL falls back to an embedded PGlite that pg and PgOutbox use like a server', async () => {
    if (db.embedded) return void expect(await reachable(db.url)).toBe(true); // this whole file just ran on it
    const url = `postgres://postgres@127.0.0.1:${await closedPort()}/test`;
    const embedded = await database({ STEADFAST_PG_URL: url });
    const local = new pg.Pool({ connectionString: embedded.url, max: 3 });
    try {
      expect(embedded.embedded).toBe(true);
      const sent: string[] = [];
      const outbox = await PgOutbox.open({ pool: local, send: async (item) => void sent.push(item.key), pollInterval: 50 });
      await outbox.enqueue({ e: 1 }, { key: 'k' });
      outbox.start();
      await outbox.flush();
      await outbox.close();
      expect(sent).toEqual(['k']);
    } finally {
      await local.end();
      await embedded.close();
    }
  }, 60_000);
});
