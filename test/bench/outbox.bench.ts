/**
 * Outbox throughput: durable enqueues/s at concurrency 1 and 64 (real fsync in a temp dir), and
 * delivery throughput to a local node:http server. Run: `npx tsx test/bench/outbox.bench.ts`.
 * Group commit must make concurrency 64 at least 10x faster than concurrency 1.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from '../../src/outbox/outbox.js';

const dir = await mkdtemp(join(tmpdir(), 'steadfast-outbox-bench-'));
const payload = { type: 'job_finished', jobId: 'j-000123', ok: true, durationMs: 1234, host: 'agent-17.example' };
const noSend = async (): Promise<void> => {};

async function enqueueRate(concurrency: number, total: number): Promise<number> {
  const outbox = await Outbox.open({ path: join(dir, `c${concurrency}.outbox`), send: noSend });
  let left = total;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await outbox.enqueue(payload);
    }),
  );
  const seconds = (performance.now() - start) / 1_000;
  await outbox.close();
  return total / seconds;
}

async function deliveryRate(total: number): Promise<number> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  const outbox = await Outbox.open({
    path: join(dir, 'deliver.outbox'),
    send: async (item, { signal }) => {
      const res = await fetch(url, { method: 'POST', body: JSON.stringify(item.payload), headers: { 'idempotency-key': item.key }, signal });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
  });
  await Promise.all(Array.from({ length: total }, () => outbox.enqueue(payload)));
  const start = performance.now();
  outbox.start();
  await outbox.flush();
  const seconds = (performance.now() - start) / 1_000;
  await outbox.close();
  server.closeAllConnections();
  server.close();
  if (count < total) throw new Error(`server saw ${count} of ${total}`);
  return total / seconds;
}

try {
  const c1 = await enqueueRate(1, 300);
  const c64 = await enqueueRate(64, 10_000);
  const delivered = await deliveryRate(3_000);
  const ratio = c64 / c1;
  console.log('outbox benchmark (real fsync, temp dir on this machine)');
  console.log(`  durable enqueues/s, concurrency  1: ${Math.round(c1).toLocaleString('en-US')}`);
  console.log(`  durable enqueues/s, concurrency 64: ${Math.round(c64).toLocaleString('en-US')}  (${ratio.toFixed(1)}x: group commit)`);
  console.log(`  deliveries/s to a local node:http server: ${Math.round(delivered).toLocaleString('en-US')}`);
  if (ratio < 10) {
    console.error(`group commit too weak: concurrency 64 is only ${ratio.toFixed(1)}x concurrency 1`);
    process.exitCode = 1;
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
