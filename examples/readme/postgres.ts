// The transactional outbox on PostgreSQL: the event is written in the caller's transaction, so it
// exists if and only if the order does; any number of workers deliver it, at least once, same key.
import pg from 'pg';
import { PgOutbox } from 'steadfast/postgres';
import { database } from '../helpers/postgres.js'; // STEADFAST_PG_URL, or an embedded PGlite off CI

const db = await database();
const pool = new pg.Pool({ connectionString: db.url });
pool.on('error', () => {}); // pg requires it: idle connections die when the server restarts
await pool.query('CREATE TABLE IF NOT EXISTS readme_orders (id integer PRIMARY KEY, total numeric NOT NULL)');

const outbox = await PgOutbox.open({
  pool,
  table: 'readme_events', // default 'steadfast_outbox'; created (with readme_events_dead) if missing
  send: async (item) => {
    // Stands in for a POST with `Idempotency-Key: item.key`.
    console.log(`sent ${JSON.stringify(item.payload)} as ${item.key}`);
  },
});

async function placeOrder(id: number, total: number, pay: () => void): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO readme_orders (id, total) VALUES ($1, $2)', [id, total]);
    await outbox.enqueue({ type: 'order_placed', id, total }, { client, key: `order-${id}`, orderKey: `customer-${id % 10}` });
    pay(); // throws if the payment is declined
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK'); // the order and its event are gone together
    console.log(`order ${id} rolled back: ${(error as Error).message}`);
  } finally {
    client.release();
  }
}

await placeOrder(1, 30, () => {});
await placeOrder(2, 99_999, () => {
  throw new Error('payment declined');
});
outbox.start(); // in each worker process; they share the table
await outbox.flush();
// prints: order 2 rolled back: payment declined
// prints: sent {"type":"order_placed","id":1,"total":30} as order-1
await outbox.close();
await pool.query('DROP TABLE readme_orders, readme_events, readme_events_dead CASCADE');
await pool.query("DELETE FROM steadfast_schema WHERE table_name = 'readme_events'");
await pool.end();
await db.close();
