/**
 * `npm run bench:pg`: the PostgreSQL outbox next to pg-boss 10 doing the same job on the same
 * server in one run. Needs a real server (STEADFAST_PG_URL, default postgres://postgres@127.0.0.1:5432/test).
 *
 * - enqueues/s inside the caller's transaction (BEGIN, enqueue, COMMIT) at 1 and 64 concurrent producers;
 * - deliveries/s to a local node:http server with 1 and 4 workers, each 8 (or 64) sends at a time
 *   (steadfast `concurrency`; pg-boss `batchSize`, the batch sent in parallel; pg-boss fetches a
 *   batch per `pollingIntervalSeconds` (0.5, its minimum) unless handling took longer, so its
 *   rate grows with the batch). Measured until all arrived or for 15s, whichever comes first.
 *
 * Items are unordered on both sides (pg-boss has no ordering): each steadfast item gets its own
 * `orderKey`. Each row is measured 2 times (enqueues 4), alternating, and the best run of each is shown.
 *
 *   npm run bench:pg               full run (about a minute)
 *   npm run bench:pg -- --quick    smaller counts (a smoke test; figures are rough)
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { PgOutbox } from '../../src/postgres/outbox.js';
import { DEFAULT_PG_URL, reachable } from '../../examples/helpers/postgres.js';

const quick = process.argv.includes('--quick');
const url = process.env['STEADFAST_PG_URL'] ?? DEFAULT_PG_URL;
if (!(await reachable(url))) {
  console.log(`PostgreSQL unreachable at ${url} (STEADFAST_PG_URL): the PostgreSQL bench needs a real server; not run.`);
  process.exit(process.env['CI'] === 'true' ? 1 : 0);
}
const ROUNDS = quick ? 1 : 2;
const WINDOW_MS = quick ? 5_000 : 15_000;
const N = quick ? { tx1: 200, tx64: 1_000, deliveries: 600 } : { tx1: 1_000, tx64: 6_000, deliveries: 3_000 };
const payload = { type: 'order_placed', orderId: 'o-000123', total: 42.5, currency: 'EUR' };
// Idle connections close fast: the server (max_connections 100) is shared with the workers' pools.
const pool = new pg.Pool({ connectionString: url, max: 66, idleTimeoutMillis: 500 });
pool.on('error', () => undefined);
const tag = `${process.pid}`;
const table = `bench_outbox_${tag}`;
const schema = `bench_pgboss_${tag}`;
const QUEUE = 'events';
const noSend = async (): Promise<void> => {};

// ---- a local webhook that answers 200 and counts ----
let received = 0;
let onReceived: (() => void) | undefined;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    onReceived?.();
    res.end('ok');
  });
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const sink = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
const post = async (body: unknown, key: string): Promise<void> => {
  const res = await fetch(sink, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'idempotency-key': key } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
};

// ---- one enqueue = one transaction of the caller's ----
async function inTransactions(concurrency: number, total: number, enqueue: (client: pg.PoolClient, i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const client = await pool.connect();
      try {
        for (let i = next++; i < total; i = next++) {
          await client.query('BEGIN');
          await enqueue(client, i);
          await client.query('COMMIT');
        }
      } finally {
        client.release();
      }
    }),
  );
  return total / ((performance.now() - start) / 1_000);
}

/** Deliveries per second until all `total` arrived, or over `WINDOW_MS` if that comes first (a slow contender can't stall the run). */
async function deliveries(workers: number, total: number, fill: () => Promise<void>, startWorkers: (n: number) => Promise<() => Promise<void>>): Promise<number> {
  await fill();
  received = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<void>((resolve) => {
    onReceived = () => received >= total && resolve();
    timer = setTimeout(resolve, WINDOW_MS);
  });
  const start = performance.now();
  const stop = await startWorkers(workers);
  await done;
  const rate = received / ((performance.now() - start) / 1_000);
  clearTimeout(timer);
  onReceived = undefined;
  await stop();
  return rate;
}

// ---- steadfast ----
const outbox = await PgOutbox.open({ pool, table, send: noSend });
const sf = {
  enqueue: (c: number, total: number): Promise<number> => inTransactions(c, total, (client, i) => outbox.enqueue(payload, { client, orderKey: `k${i}` })),
  deliver: (workers: number, total: number, atATime: number): Promise<number> =>
    deliveries(
      workers,
      total,
      async () => {
        await pool.query(`TRUNCATE ${table}`);
        await inTransactions(8, total, (client, i) => outbox.enqueue(payload, { client, orderKey: `k${i}` }));
      },
      async (n) => {
        const pools = Array.from({ length: n }, () => new pg.Pool({ connectionString: url, max: 10 }) /* as pg-boss's */);
        const outboxes = await Promise.all(pools.map((p) => PgOutbox.open({ pool: p, table, concurrency: atATime, send: (item) => post(item.payload, item.key) })));
        for (const o of outboxes) o.start();
        return async () => {
          for (const o of outboxes) await o.close();
          for (const p of pools) await p.end();
        };
      },
    ),
};

// ---- pg-boss 10 ----
const boss = new PgBoss({ connectionString: url, schema, max: 4, supervise: false, schedule: false });
boss.on('error', () => undefined);
await boss.start();
await boss.createQueue(QUEUE);
const boss10 = {
  enqueue: (c: number, total: number): Promise<number> =>
    inTransactions(c, total, (client) => boss.send(QUEUE, payload, { db: { executeSql: (text, values) => client.query(text, values) } })),
  deliver: (workers: number, total: number, atATime: number): Promise<number> =>
    deliveries(
      workers,
      total,
      async () => {
        await pool.query(`DELETE FROM ${schema}.job`);
        await inTransactions(8, total, (client) => boss.send(QUEUE, payload, { db: { executeSql: (text, values) => client.query(text, values) } }));
      },
      async (n) => {
        const bosses = Array.from({ length: n }, () => new PgBoss({ connectionString: url, schema, max: 10, supervise: false, schedule: false, migrate: false }));
        for (const b of bosses) b.on('error', () => undefined);
        await Promise.all(bosses.map((b) => b.start()));
        await Promise.all(bosses.map((b) => b.work(QUEUE, { batchSize: atATime, pollingIntervalSeconds: 0.5 }, (jobs) => Promise.all(jobs.map((job) => post(job.data, job.id))))));
        return async () => {
          for (const b of bosses) await b.stop({ graceful: true, wait: true });
        };
      },
    ),
};

// ---- run ----
interface Row {
  label: string;
  /** Runs of each side (best shown); cheap rows get more, to see past a busy machine's noise. */
  rounds?: number;
  run: (side: typeof sf) => Promise<number>;
}
const rows: Row[] = [
  { label: 'enqueue in your transaction, 1 producer', rounds: ROUNDS * 2, run: (s) => s.enqueue(1, N.tx1) },
  { label: 'enqueue in your transaction, 64 producers', rounds: ROUNDS * 2, run: (s) => s.enqueue(64, N.tx64) },
  { label: 'deliveries to a local HTTP server, 1 worker, 8 at a time', run: (s) => s.deliver(1, N.deliveries, 8) },
  { label: 'deliveries to a local HTTP server, 4 workers, 8 at a time', run: (s) => s.deliver(4, N.deliveries, 8) },
  { label: 'deliveries to a local HTTP server, 4 workers, 64 at a time', run: (s) => s.deliver(4, N.deliveries, 64) },
];
// `--only <text>` measures only the rows whose label contains it.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] ?? '' : '';
console.log(`PostgreSQL outbox bench: steadfast vs pg-boss 10 on ${url.replace(/\/\/[^@]*@/, '//')}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}${quick ? ' (quick)' : ''}\n`);
console.log('| per second | steadfast | pg-boss 10 | steadfast ÷ pg-boss |');
console.log('| --- | ---: | ---: | ---: |');
let below = 0;
try {
  for (const row of rows.filter((r) => r.label.includes(only))) {
    const best = { sf: 0, boss: 0 };
    for (let r = 0; r < (row.rounds ?? ROUNDS); r++) {
      best.sf = Math.max(best.sf, await row.run(sf));
      best.boss = Math.max(best.boss, await row.run(boss10));
    }
    if (best.sf < best.boss) below++;
    console.log(`| ${row.label} | ${Math.round(best.sf).toLocaleString('en')} | ${Math.round(best.boss).toLocaleString('en')} | ${(best.sf / best.boss).toFixed(2)}× |`);
  }
} finally {
  await outbox.close();
  await boss.stop({ graceful: false, wait: true });
  await pool.query(`DROP TABLE IF EXISTS ${table}, ${table}_dead CASCADE`);
  await pool.query('DELETE FROM steadfast_schema WHERE table_name = $1', [table]);
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
  server.close();
}
console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; target: steadfast ≥ pg-boss on every row (aim 2×): ${below === 0 ? 'met' : `${below} row(s) below`}`);
