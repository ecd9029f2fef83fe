/**
 * The story behind this library: a daemon reports "task complete" to its server through a
 * callback. A 502 burst from the proxy must be ridden out on a fixed 4s..64s schedule; if the
 * server still fails, the failure must be reported as transient (the task itself succeeded); a
 * 400 means the server refused the report for good and the daemon falls back at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { schedule } from '../../src/core/backoff.js';
import { isTransient } from '../../src/core/classify.js';
import { ResilientClient } from '../../src/client/client.js';
import { HttpError } from '../../src/core/errors.js';
import { fastForwardClock } from './helpers/fast-forward-clock.js';
import { startServer, type Handler, type TestServer } from './helpers/http-server.js';

const SCHEDULE = ['4s', '8s', '16s', '32s', '64s'];
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function callbackClient(handler: Handler) {
  server = await startServer(handler);
  const clock = fastForwardClock();
  const client = new ResilientClient({
    baseUrl: server.url,
    clock,
    timeout: Infinity, // the fast-forward clock would fire a per-attempt timeout at once
    totalTimeout: Infinity, // and the call's deadline (the 124 s schedule is longer than the default 60 s anyway)
    retry: { backoff: schedule(SCHEDULE, { jitter: 'none' }), maxRetries: Infinity },
    breaker: false, // one callback in flight: the schedule alone decides
  });
  const complete = (taskId: string): Promise<unknown> =>
    client.postJSON(`/tasks/${taskId}/complete`, { status: 'succeeded' }, { idempotencyKey: `complete-${taskId}` });
  return { clock, client, complete, server };
}

describe('task-complete callbacks', () => {
  it('rides out a 502 burst on the schedule 4s, 8s, 16s, 32s, 64s', async () => {
    const { clock, complete, server } = await callbackClient((_req, res, _seen, n) =>
      n <= 5 ? res.writeHead(502).end('<html>bad gateway</html>') : res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
    );
    expect(await complete('t-1')).toEqual({ ok: true });
    expect(clock.sleeps).toEqual([4_000, 8_000, 16_000, 32_000, 64_000]);
    expect(new Set(server.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['complete-t-1']));
  });

  it('reports a burst that outlasts the schedule as transient, so the task is not marked failed', async () => {
    const { clock, complete, server } = await callbackClient((_req, res) => res.writeHead(502).end());
    const error = await complete('t-2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(502);
    expect(isTransient(error)).toBe(true);
    expect(clock.sleeps).toEqual([4_000, 8_000, 16_000, 32_000, 64_000]);
    expect(server.requests).toHaveLength(6);
  });

  it('falls back at once on a 400: one request, not transient', async () => {
    const { clock, complete, server } = await callbackClient((_req, res) => res.writeHead(400).end('{"error":"unknown task"}'));
    const error = await complete('t-3').catch((e: unknown) => e);
    expect([(error as HttpError).status, isTransient(error), server.requests.length, clock.sleeps]).toEqual([400, false, 1, []]);
  });
});
