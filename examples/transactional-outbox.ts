/**
 * The transactional outbox on PostgreSQL: an order and its "order placed" event are written in one
 * transaction, so the event exists if and only if the order does.
 *
 * The shop places 12 orders; order 7's payment is declined and its transaction rolled back, event
 * included. Two worker processes deliver the events to a webhook that de-duplicates by
 * `Idempotency-Key`. Worker 1 is killed with SIGKILL mid-run: its claim expires after the 1s lease
 * and worker 2 delivers what it held, with the same key. Every committed event arrives (once, for
 * the webhook), the rolled-back one never does.
 *
 * Needs PostgreSQL: STEADFAST_PG_URL (default postgres://postgres@127.0.0.1:5432/test), or off CI
 * an embedded PGlite (see helpers/postgres.ts).
 *
 * Run: npx tsx examples/transactional-outbox.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { HttpError } from 'steadfast';
import { PgOutbox } from 'steadfast/postgres';
import { database } from './helpers/postgres.js';

const TABLE = `order_events_${process.argv[3] ?? process.pid}`;

// ---- a worker process: `transactional-outbox.ts worker <run>` ----
if (process.argv[2] === 'worker') {
  const pool = new pg.Pool({ connectionString: process.env['PG_URL'] });
  pool.on('error', () => undefined); // pg requires it: idle connections can die with the server
  const outbox = await PgOutbox.open({
    pool,
    table: TABLE,
    lease: '1s',
    send: async (item, { signal }) => {
      const res = await fetch(process.env['WEBHOOK'] as string, {
        method: 'POST',
        body: JSON.stringify(item.payload),
        headers: { 'content-type': 'application/json', 'idempotency-key': item.key, 'x-worker': process.env['WORKER'] as string },
        signal,
      });
      if (!res.ok) throw new HttpError(res.status); // 4xx: dead letter; 5xx: retried
    },
  });
  outbox.start();
  process.once('SIGTERM', () => void outbox.close().then(() => pool.end()));
  console.log('ready');
} else {
  await main();
}

async function main(): Promise<void> {
  const db = await database();
  const pool = new pg.Pool({ connectionString: db.url });
  pool.on('error', () => undefined);
  const orders = `orders_${process.pid}`;
  const outbox = await PgOutbox.open({ pool, table: TABLE, send: async () => {} }); // this process only enqueues
  await pool.query(`CREATE TABLE ${orders} (id integer PRIMARY KEY, total numeric NOT NULL)`);

  // ---- the shop: each order and its event in one transaction ----
  let committed = 0;
  for (let id = 1; id <= 12; id++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${orders} (id, total) VALUES ($1, $2)`, [id, 10 * id]);
      await outbox.enqueue({ type: 'order_placed', orderId: id }, { client, key: `order-${id}-placed`, orderKey: `order:${id}` });
      if (id === 7) throw new Error('payment declined');
      await client.query('COMMIT');
      committed++;
    } catch {
      await client.query('ROLLBACK'); // the order and its event are gone together
    } finally {
      client.release();
    }
  }
  console.log(`${committed} orders committed, 1 rolled back`);

  // ---- the webhook: processes each Idempotency-Key once, answers 200 to repeats ----
  const processed = new Map<string, { orderId: number; worker: string }>();
  let deliveries = 0;
  const webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      deliveries++;
      const key = String(req.headers['idempotency-key']);
      if (!processed.has(key)) processed.set(key, { orderId: (JSON.parse(body) as { orderId: number }).orderId, worker: String(req.headers['x-worker']) });
      setTimeout(() => res.end('ok'), 100); // a slow webhook: the kill lands mid-run
    });
  });
  webhook.listen(0, '127.0.0.1');
  await once(webhook, 'listening');

  // ---- two workers; worker 1 is SIGKILLed after its first delivery ----
  const env = { ...process.env, PG_URL: db.url, WEBHOOK: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/events` };
  const workers: ChildProcess[] = [1, 2].map((n) =>
    spawn(process.execPath, [...process.execArgv, import.meta.filename, 'worker', String(process.pid)], { env: { ...env, WORKER: String(n) }, stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  await Promise.all(workers.map((w) => once(w.stdout!, 'data')));
  while (![...processed.values()].some((e) => e.worker === '1')) await sleep(10);
  workers[0]!.kill('SIGKILL');
  console.log('worker 1 killed with SIGKILL mid-run');

  while ((await outbox.pending()) > 0) await sleep(50);
  const ids = [...processed.values()].map((e) => e.orderId).sort((a, b) => a - b);
  console.log(`webhook: ${processed.size} distinct events (${deliveries} deliveries), orders ${ids.join(',')}`);
  console.log(ids.includes(7) ? 'BUG: the rolled-back order was delivered' : 'the rolled-back order 7 was never delivered');

  workers[1]!.kill('SIGTERM');
  await once(workers[1]!, 'exit');
  webhook.close();
  await pool.query(`DROP TABLE ${orders}, ${TABLE}, ${TABLE}_dead CASCADE`);
  await pool.query('DELETE FROM steadfast_schema WHERE table_name = $1', [TABLE]);
  await outbox.close();
  await pool.end();
  await db.close();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
// prints: 11 orders committed, 1 rolled back
// prints: worker 1 killed with SIGKILL mid-run
// prints: webhook: 11 distinct events
// prints: orders 1,2,3,4,5,6,8,9,10,11,12
// prints: the rolled-back order 7 was never delivered
