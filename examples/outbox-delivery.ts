/**
 * A durable outbox delivering events to a server that is down at first.
 *
 * The agent enqueues five events while nothing listens on the server's port: each `enqueue`
 * resolves once the event is fsynced to disk, and delivery keeps backing off on "connection
 * refused". Then the server starts. It de-duplicates by `Idempotency-Key`, and it drops the
 * connection after storing the first event (as a server crashing before it answers would), so
 * that event is sent twice with the same key. Every event is stored exactly once.
 *
 * Delivery goes through a `ResilientClient`: it retries a POST because it carries an
 * `idempotencyKey` (the outbox item's key, the same on every attempt and after a restart), and
 * throws an `HttpError` for a non-2xx answer. The outbox keeps the item for as long as it takes.
 *
 * Run: npx tsx examples/outbox-delivery.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exponential, ResilientClient } from 'steadfast';
import { Outbox } from 'steadfast/node';

// ---- the server: stores each event once per Idempotency-Key ----
const stored = new Map<string, unknown>();
let requests = 0;
let dropped = false;

function startServer(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests++;
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string') {
        res.writeHead(400).end('Idempotency-Key required');
        return;
      }
      if (!stored.has(key)) stored.set(key, JSON.parse(body));
      if (!dropped) {
        dropped = true;
        req.socket.destroy(); // stored, but the answer is lost: the client must retry
        return;
      }
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

// A free port, then nothing listening on it: connections are refused until the server starts.
const probe = await startServer(0);
const port = (probe.address() as AddressInfo).port;
await new Promise((resolve) => probe.close(resolve));

// ---- the agent ----
// The client retries quickly (twice); the outbox keeps the item across longer outages and restarts.
const client = new ResilientClient({
  baseUrl: `http://127.0.0.1:${port}`,
  retry: { maxRetries: 2, backoff: exponential({ initial: '20ms', max: '50ms' }) },
  breaker: false,
});
const dir = await mkdtemp(join(tmpdir(), 'steadfast-example-'));
const outbox = await Outbox.open({
  path: join(dir, 'events.outbox'),
  backoff: exponential({ initial: '100ms', max: '400ms' }),
  send: async (item, { signal }) => {
    const res = await client.fetch('/events', {
      method: 'POST',
      body: JSON.stringify(item.payload),
      headers: { 'content-type': 'application/json' },
      idempotencyKey: item.key, // sent as Idempotency-Key
      signal,
    });
    await res.body?.cancel();
  },
  onEvent: (e) => {
    if (e.type === 'outbox_retry') console.log(`retry ${e.key.slice(0, 8)} #${e.attempt} in ${Math.round(e.delayMs)}ms: ${e.error.code ?? e.error.message}`);
    if (e.type === 'outbox_delivered') console.log(`delivered ${e.key.slice(0, 8)} after ${e.attempts} attempt(s); ${e.size} left`);
  },
});
outbox.start();

for (let i = 1; i <= 5; i++) {
  const item = await outbox.enqueue({ type: 'job_finished', job: i });
  console.log(`enqueued job ${i} as ${item.key.slice(0, 8)} (on disk)`);
}

await new Promise((resolve) => setTimeout(resolve, 300));
console.log('server starting');
const server = await startServer(port);

await outbox.flush();
await outbox.close();
server.close();
client.close();
await rm(dir, { recursive: true, force: true });

const jobs = [...stored.values()].map((e) => (e as { job: number }).job);
console.log(`server stored ${stored.size} events from ${requests} requests: jobs ${jobs.join(', ')}`);
if (stored.size !== 5 || jobs.join() !== '1,2,3,4,5') process.exitCode = 1;
