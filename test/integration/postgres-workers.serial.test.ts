/**
 * steadfast/postgres with real worker processes on one table, SIGKILLed at random, and the
 * database itself restarted mid-run. Needs a real PostgreSQL server (STEADFAST_PG_URL); against
 * the embedded PGlite fallback these tests are listed as not run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.js';
import { PgOutbox } from '../../src/postgres/outbox.js';
import { DEFAULT_PG_URL, reachable } from '../../examples/helpers/postgres.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER_SOURCE = join(ROOT, 'test', 'integration', 'fixtures', 'pg-worker.ts');
// Bundled once: 24 processes starting through tsx would spend seconds each compiling.
const WORKER = join(ROOT, '.tmp', `pg-worker-${process.pid}.mjs`);
const url = process.env['STEADFAST_PG_URL'] ?? DEFAULT_PG_URL;
const real = await reachable(url);
if (!real && process.env['CI'] === 'true') throw new Error(`PostgreSQL is unreachable at ${url} (STEADFAST_PG_URL): on CI this suite must run`);
const TESTS = ['4 worker processes, 20 random SIGKILLs', 'a database restart mid-run'];
if (!real) console.log(`PostgreSQL unreachable at ${url}: not run (they need a real server): ${TESTS.join('; ')}`);
const onServer = it.skipIf(!real);
const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Received {
  key: string;
  k: string;
  n: number;
}
let server: Server;
let sink: string;
let received: Received[] = [];
let pool: pg.Pool;
const tables: string[] = [];

beforeAll(async () => {
  if (real) await build({ entryPoints: [WORKER_SOURCE], outfile: WORKER, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['pg'], logLevel: 'error' });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { k, n } = JSON.parse(body) as { k: string; n: number };
      received.push({ key: String(req.headers['idempotency-key']), k, n });
      setTimeout(() => res.end('ok'), 30); // a webhook that takes a moment (at most ~270 deliveries/s here), so kills land mid-send
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  sink = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  pool = new pg.Pool({ connectionString: url, max: 8 });
  pool.on('error', () => undefined); // idle connections die in the restart: pg requires a listener
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  if (real) for (const t of tables) await pool.query(`DROP TABLE IF EXISTS ${t}, ${t}_dead CASCADE; DROP FUNCTION IF EXISTS ${t}_claim; DELETE FROM steadfast_schema WHERE table_name = '${t}'`);
  await pool.end();
  await rm(WORKER, { force: true });
});

/** Enqueues `perKey` items for each of `keys` order keys, in one transaction. */
async function fill(outbox: PgOutbox, keys: number, perKey: number): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (let n = 0; n < perKey; n++) for (let k = 0; k < keys; k++) await outbox.enqueue({ k: `o${k}`, n }, { key: `o${k}-${n}`, orderKey: `o${k}` });
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  return keys * perKey;
}

/** Every item arrived; duplicates repeat the same item under the same key; per order key the items came in order, a re-delivery only ever repeating the latest. */
function check(expected: number): { duplicates: number } {
  const byKey = new Map<string, Received>();
  const byOrder = new Map<string, number>();
  let duplicates = 0;
  for (const r of received) {
    const first = byKey.get(r.key);
    if (first !== undefined) {
      duplicates++;
      expect(r).toEqual(first);
    } else byKey.set(r.key, r);
    const last = byOrder.get(r.k) ?? -1;
    expect([last, last + 1], `order key ${r.k}: item ${r.n} after ${last}`).toContain(r.n);
    byOrder.set(r.k, r.n);
  }
  expect(byKey.size).toBe(expected);
  return { duplicates };
}

describe('PgOutbox workers in separate processes', () => {
  onServer('4 worker processes, 20 random SIGKILLs during delivery: nothing lost, duplicates only with the same key, per-orderKey order kept', async () => {
    const table = `sf_kill_${process.pid}`;
    tables.push(table);
    received = [];
    const producer = await PgOutbox.open({ pool, table, send: async () => {} });
    const total = await fill(producer, 30, 40);
    const workers = new Set<ChildProcess>();
    const ready = new Set<ChildProcess>();
    const spawnWorker = (): ChildProcess => {
      const child = spawn(process.execPath, [WORKER], {
        cwd: ROOT,
        env: { ...process.env, PG_URL: url, PG_TABLE: table, PG_SINK: sink, PG_LEASE: '1000' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      workers.add(child);
      child.stdout!.once('data', () => ready.add(child));
      child.once('exit', () => {
        workers.delete(child);
        ready.delete(child);
      });
      return child;
    };
    const random = seededRandom(14);
    let kills = 0;
    const started = Date.now();
    let killPhase = 0;
    try {
      Array.from({ length: 4 }, spawnWorker);
      while (kills < 20) {
        await tick(50 + random() * 100);
        if (ready.size === 0) continue;
        expect(received.length, 'delivery finished before 20 kills').toBeLessThan(total);
        const live = [...ready]; // a worker that is delivering
        const victim = live[Math.floor(random() * live.length)]!;
        victim.kill('SIGKILL');
        kills++;
        spawnWorker();
      }
      killPhase = Date.now() - started;
      const end = Date.now() + 40_000;
      while ((await producer.pending()) > 0 && Date.now() < end) await tick(100);
      expect(await producer.pending()).toBe(0);
    } finally {
      for (const w of workers) w.kill('SIGKILL');
    }
    const { duplicates } = check(total);
    console.log(`${total} items, ${kills} SIGKILLs in ${killPhase} ms, drained ${Date.now() - started - killPhase} ms later: 0 lost, ${duplicates} duplicate deliveries (same key), order kept per order key`);
  }, 60_000);

  onServer('a database restart mid-run: workers resume unaided, and LISTEN comes back', async () => {
    const table = `sf_restart_${process.pid}`;
    tables.push(table);
    received = [];
    const send = async (item: { payload: unknown; key: string }): Promise<void> => {
      const res = await fetch(sink, { method: 'POST', body: JSON.stringify(item.payload), headers: { 'idempotency-key': item.key } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    };
    // Long poll: after the restart only a re-established LISTEN can wake them quickly.
    const workers = await Promise.all([1, 2].map(() => PgOutbox.open({ pool, table, send, concurrency: 2, lease: 1_000, pollInterval: 60_000 })));
    const total = await fill(workers[0]!, 10, 30);
    const version = readdirSync('/etc/postgresql')[0] as string;
    const cluster = (action: 'start' | 'stop'): void => void execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'ignore' });
    try {
      for (const w of workers) w.start();
      while (received.length < 60) await tick(10);
      cluster('stop');
      expect(received.length).toBeLessThan(total);
      await tick(1_000);
    } finally {
      cluster('start'); // whatever happened, leave the server running
    }
    const end = Date.now() + 30_000;
    while (new Set(received.map((r) => r.key)).size < total && Date.now() < end) await tick(100);
    check(total);
    // The workers are idle now with a 60s poll: a new item reaches them only through NOTIFY.
    await tick(1_000);
    const at = Date.now();
    await workers[0]!.enqueue({ k: 'after', n: 0 }, { key: 'after-restart', orderKey: 'after' });
    while (!received.some((r) => r.key === 'after-restart') && Date.now() - at < 15_000) await tick(20);
    expect(Date.now() - at).toBeLessThan(15_000);
    for (const w of workers) await w.close();
  }, 60_000);
});
