// A durable outbox: `enqueue` resolves once the event is fsynced; delivery runs in the background,
// FIFO, at least once, with the same key on every attempt and after a restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constant, HttpError } from 'steadfast';
import { Outbox, type OutboxItem } from 'steadfast/node';

const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
let calls = 0;
async function post(item: OutboxItem): Promise<void> {
  // Stands in for a POST with `Idempotency-Key: item.key`; the first call meets a 503.
  if (++calls === 1) throw new HttpError(503);
  console.log(`sent ${JSON.stringify(item.payload)} on attempt ${item.attempts}`);
}

const outbox = await Outbox.open({
  path: join(dir, 'events.outbox'),
  send: post,
  backoff: constant('50ms'), // default: exponential 1s..5m, full jitter
  onEvent: (e) => e.type === 'outbox_retry' && console.log(`retry in ${e.delayMs}ms: ${e.error.message}`),
});
outbox.start();
await outbox.enqueue({ job: 1, status: 'done' }, { key: 'job-1-done' });
await outbox.enqueue({ job: 2, status: 'failed' });
await outbox.flush(); // everything enqueued so far is delivered (or dead-lettered)
// prints: retry in 50ms: HTTP 503
// prints: sent {"job":1,"status":"done"} on attempt 2
// prints: sent {"job":2,"status":"failed"} on attempt 1
await outbox.close();
await rm(dir, { recursive: true, force: true });
