/**
 * The production features of ResilientClient against real servers on 127.0.0.1: a deadline on a
 * dead server, hooks that sign, veto and replace, and a concurrency limit releasing requests that
 * waited for a recovery.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { isTransient } from '../../src/core/classify.js';
import { ResilientClient } from '../../src/client/client.js';
import { freePort, startServer, type TestServer } from './helpers/http-server.js';

const servers: TestServer[] = [];
const clients: ResilientClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function track<T extends ResilientClient | TestServer>(x: T): T {
  if (x instanceof ResilientClient) clients.push(x);
  else servers.push(x);
  return x;
}

describe('totalTimeout against a dead server', () => {
  it('rejects a call to a port nobody listens on at its 1.5s deadline with a transient TimeoutError naming the deadline', async () => {
    const port = await freePort();
    const client = track(new ResilientClient({ baseUrl: `http://127.0.0.1:${port}`, totalTimeout: '1500ms', retry: { maxRetries: Infinity, backoff: constant('100ms') }, breaker: false }));
    const started = performance.now();
    const error = await client.fetch('/checkin').catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(error).toMatchObject({ name: 'TimeoutError', message: 'request deadline reached (totalTimeout 1500ms)' });
    expect((error as { cause?: { name?: string } }).cause?.name).toBe('TypeError'); // fetch failed: ECONNREFUSED
    expect(isTransient(error)).toBe(true);
    expect(took).toBeGreaterThan(1_200);
    expect(took).toBeLessThan(2_500);
  }, 10_000);

  it('cuts a server that accepts and never answers at the deadline, before the 10s attempt timeout', async () => {
    const s = track(await startServer(() => {})); // headers never come
    const client = track(new ResilientClient({ baseUrl: s.url, totalTimeout: '800ms', breaker: false }));
    const started = performance.now();
    const error = await client.fetch('/slow').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError', message: 'request deadline reached (totalTimeout 800ms)' });
    expect(performance.now() - started).toBeLessThan(2_000);
  }, 10_000);
});

describe('hooks against a real server', () => {
  const SECRET = 'k3y';
  const sign = (method: string, path: string, attempt: number): string => createHmac('sha256', SECRET).update(`${method} ${path} ${attempt}`).digest('hex');

  it('signs each attempt with its own signature (verified by the server), the third attempt succeeding', async () => {
    const s = track(
      await startServer((req, res, _seen, n) => {
        const attempt = Number(req.headers['x-attempt']);
        const valid = req.headers['x-signature'] === sign(req.method ?? '', req.url ?? '', attempt);
        if (!valid) return res.writeHead(401).end();
        res.writeHead(n < 3 ? 503 : 200).end(`attempt ${attempt}`);
      }),
    );
    const client = track(
      new ResilientClient({
        baseUrl: s.url,
        retry: { backoff: constant('10ms') },
        hooks: {
          beforeRequest: (request, { attempt }) => {
            request.headers.set('x-attempt', String(attempt));
            request.headers.set('x-signature', sign(request.method, new URL(request.url).pathname, attempt));
          },
        },
      }),
    );
    expect(await (await client.fetch('/jobs', { method: 'PUT', body: 'done' })).text()).toBe('attempt 3');
    const signatures = s.requests.map((r) => r.headers['x-signature']);
    expect(new Set(signatures).size).toBe(3);
    expect(s.requests.map((r) => r.body)).toEqual(['done', 'done', 'done']);
  });

  it('vetoes a retry from beforeRetry: one request reaches the server and the call rejects with the veto', async () => {
    const s = track(await startServer((_req, res) => res.writeHead(503, { 'retry-after': '30' }).end()));
    const veto = new Error('not waiting 30s for a status update');
    const client = track(
      new ResilientClient({
        baseUrl: s.url,
        hooks: { beforeRetry: ({ delayMs }) => { if (delayMs > 5_000) throw veto; } },
      }),
    );
    expect(await client.fetch('/status').catch((e: unknown) => e)).toBe(veto);
    expect(s.requests).toHaveLength(1);
  });

  it('replaces the response in afterResponse: a 200 whose JSON says "retry" becomes a 503 and is retried', async () => {
    const s = track(await startServer((_req, res, _seen, n) => res.end(JSON.stringify(n === 1 ? { state: 'retry' } : { state: 'ok' }))));
    const client = track(
      new ResilientClient({
        baseUrl: s.url,
        retry: { backoff: constant('10ms') },
        hooks: {
          afterResponse: async (response) => {
            const body = (await response.clone().json()) as { state: string };
            return body.state === 'retry' ? new Response(null, { status: 503 }) : undefined;
          },
        },
      }),
    );
    expect(await client.getJSON('/state')).toEqual({ state: 'ok' });
    expect(s.requests).toHaveLength(2);
  });
});

describe('a concurrency limit releasing requests that waited for a recovery', () => {
  it('lets 300 requests waiting on a recovery reach the server at most 10 at a time', async () => {
    let up = false;
    let inFlight = 0;
    let peak = 0;
    const s = track(
      await startServer((req, res) => {
        if (req.url === '/health') return res.writeHead(up ? 200 : 503).end();
        if (!up) return res.writeHead(503).end();
        peak = Math.max(peak, ++inFlight);
        setTimeout(() => {
          inFlight--;
          res.end('ok');
        }, 5);
      }),
    );
    const client = track(
      new ResilientClient({
        baseUrl: s.url,
        maxConcurrent: 10,
        retry: { maxRetries: Infinity, backoff: constant('50ms') },
        breaker: { failureThreshold: 3, openFor: '10s' },
        health: { interval: '100ms' },
        budget: false,
        totalTimeout: '20s',
      }),
    );
    const calls = Array.from({ length: 300 }, (_v, i) => client.fetch(`/tasks/${i}`).then((r) => r.text()));
    await new Promise((r) => setTimeout(r, 300));
    expect(client.stats().state).toBe('open');
    up = true;
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 300 }, () => 'ok'));
    expect(peak).toBeLessThanOrEqual(10);
    expect(peak).toBeGreaterThan(1);
  }, 20_000);

  it('refuses calls beyond maxConcurrent + maxQueued at once with a transient BulkheadRejectedError, sending nothing', async () => {
    const s = track(await startServer((_req, res) => setTimeout(() => res.end('ok'), 200)));
    const client = track(new ResilientClient({ baseUrl: s.url, maxConcurrent: 2, maxQueued: 1 }));
    const calls = Array.from({ length: 5 }, () => client.fetch('/x').then((r) => r.text(), (e: unknown) => e));
    const results = await Promise.all(calls);
    expect(results.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    expect(results.slice(3)).toMatchObject([{ name: 'BulkheadRejectedError', reason: 'full' }, { name: 'BulkheadRejectedError' }]);
    expect(results.slice(3).every(isTransient)).toBe(true);
    expect(s.requests).toHaveLength(3);
  });
});
