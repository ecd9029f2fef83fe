import { afterEach, describe, expect, it } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { isTransient } from '../../src/core/classify.js';
import { ResilientClient, type ResilientClientOptions } from '../../src/client/client.js';
import { HttpError } from '../../src/core/errors.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { textLines } from '../../src/policies/log.js';
import { fastForwardClock } from './helpers/fast-forward-clock.js';
import { freePort, startServer, type Handler, type TestServer } from './helpers/http-server.js';

const servers: TestServer[] = [];
const clients: ResilientClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Handler): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

function client(o: ResilientClientOptions): ResilientClient {
  const c = new ResilientClient({ timeout: '2s', retry: { backoff: constant('20ms') }, ...o });
  clients.push(c);
  return c;
}

describe('ResilientClient against a real server', () => {
  it('rides out a 502 burst and returns the 200', async () => {
    const s = await serve((_req, res, _seen, n) => (n <= 3 ? res.writeHead(502).end('bad gateway') : res.end('ok')));
    const c = client({ baseUrl: s.url });
    const res = await c.fetch('/checkin');
    expect([res.status, await res.text(), s.requests.length]).toEqual([200, 'ok', 4]);
    expect(c.stats()).toMatchObject({ requests: 1, attempts: 4, retries: 3, successes: 1 });
  });

  it('retries a getJSON whose connection is reset mid-body', async () => {
    const s = await serve((_req, res, _seen, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"tasks":[1,2');
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"tasks":[1,2,3]}');
    });
    const c = client({ baseUrl: s.url });
    expect(await c.getJSON('/tasks')).toEqual({ tasks: [1, 2, 3] });
    expect(s.requests).toHaveLength(2);
  });

  it('times out an attempt the server never answers and retries with a fresh timeout', async () => {
    const s = await serve((_req, res, _seen, n) => {
      if (n > 1) res.end('late but fine');
      // n === 1: never answer
    });
    const c = client({ baseUrl: s.url, timeout: '200ms' });
    const started = Date.now();
    const res = await c.fetch('/slow');
    const elapsed = Date.now() - started;
    expect(await res.text()).toBe('late but fine');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2_000);
    expect(s.requests).toHaveLength(2);
  });

  it('honours Retry-After in seconds and as an HTTP date', async () => {
    const s = await serve((req, res, _seen, n) => {
      if (n === 1) return res.writeHead(503, { 'retry-after': '3' }).end();
      if (n === 2) return res.writeHead(429, { 'retry-after': new Date(Date.now() + 10_000).toUTCString() }).end();
      res.end('ok');
      void req;
    });
    const clock = fastForwardClock();
    const c = client({ baseUrl: s.url, clock, timeout: Infinity, totalTimeout: Infinity, breaker: false });
    await c.fetch('/x');
    expect(clock.sleeps[0]).toBe(3_000);
    // An HTTP date has one-second resolution: about 10s from now, minus the 3s already fast-forwarded.
    expect(clock.sleeps[1]).toBeGreaterThan(5_000);
    expect(clock.sleeps[1]).toBeLessThanOrEqual(7_000);
  });

  it('does not retry a 404 or a 400', async () => {
    const s = await serve((req, res) => res.writeHead(req.url === '/missing' ? 404 : 400).end());
    const c = client({ baseUrl: s.url });
    const missing = await c.fetch('/missing').catch((e: unknown) => e);
    const bad = await c.fetch('/bad').catch((e: unknown) => e);
    expect([(missing as HttpError).status, (bad as HttpError).status]).toEqual([404, 400]);
    expect([isTransient(missing), isTransient(bad), s.requests.length]).toEqual([false, false, 2]);
  });

  it('sends a POST once on a 502, retries it with the same Idempotency-Key, and retries any method on refused connections', async () => {
    const s = await serve((_req, res, _seen, n) => (n <= 2 ? res.writeHead(502).end() : res.end('ok')));
    const c = client({ baseUrl: s.url });
    await expect(c.fetch('/done', { method: 'POST', body: 'result' })).rejects.toMatchObject({ status: 502 });
    expect(s.requests).toHaveLength(1);
    const res = await c.fetch('/done', { method: 'POST', body: 'result', idempotencyKey: 'task-7-done' });
    expect(res.status).toBe(200);
    expect(s.requests.slice(1).map((r) => [r.method, r.body, r.headers['idempotency-key']])).toEqual([
      ['POST', 'result', 'task-7-done'],
      ['POST', 'result', 'task-7-done'],
    ]);

    const events: ResilienceEvent[] = [];
    const dead = client({ baseUrl: `http://127.0.0.1:${await freePort()}`, retry: { backoff: constant('10ms'), maxRetries: 2 }, breaker: false, onEvent: (e) => events.push(e) });
    const refused = await dead.fetch('/done', { method: 'POST', body: 'x' }).catch((e: unknown) => e);
    expect(isTransient(refused)).toBe(true);
    expect(events.find((e) => e.type === 'give_up')).toMatchObject({ attempts: 3, reason: 'max-retries' });
  });

  it('refreshes credentials once on a 401 and retries with the new token', async () => {
    let token = 'expired';
    const s = await serve((req, res) => (req.headers.authorization === 'Bearer fresh' ? res.end('ok') : res.writeHead(401).end()));
    const c = client({
      baseUrl: s.url,
      headers: () => ({ authorization: `Bearer ${token}` }),
      onUnauthorized: async () => {
        token = 'fresh';
      },
    });
    expect((await c.fetch('/me')).status).toBe(200);
    expect(s.requests.map((r) => r.headers.authorization)).toEqual(['Bearer expired', 'Bearer fresh']);
  });

  it('finds the server again through /health and half-opens the breaker long before openFor', async () => {
    let up = false;
    const s = await serve((req, res) => (up ? res.end(req.url === '/health' ? 'ok' : 'done') : res.writeHead(503).end()));
    const events: ResilienceEvent[] = [];
    const c = client({
      baseUrl: s.url,
      retry: { backoff: constant('20ms'), maxRetries: 50 },
      breaker: { failureThreshold: 2, openFor: '30s' },
      health: { interval: '50ms', timeout: '200ms' },
      onEvent: (e) => events.push(e),
    });
    setTimeout(() => (up = true), 300);
    const started = Date.now();
    const res = await c.fetch('/checkin');
    expect([res.status, await res.text()]).toEqual([200, 'done']);
    expect(Date.now() - started).toBeLessThan(3_000);
    const types = events.map((e) => e.type);
    expect(types.indexOf('health_ok')).toBeLessThan(types.indexOf('breaker_half_open'));
    expect(types.slice(-2)).toEqual(['breaker_closed', 'recovered']);
    expect(c.stats()).toMatchObject({ recoveries: 1, breakerOpens: 1, state: 'closed' });
    expect(s.to('/checkin').length).toBeLessThan(6); // the open breaker spared the server
  });

  it('keeps header values, bodies, userinfo and query strings out of every event and log line', async () => {
    const s = await serve((_req, res, _seen, n) => {
      if (n <= 2) return res.writeHead(503, { 'content-type': 'text/plain' }).end('SECRET9 echoed in an error page');
      if (n === 3) return res.socket?.destroy();
      res.end('ok');
    });
    let text = '';
    const sink = textLines({ write: (chunk: string) => (text += chunk) });
    const events: ResilienceEvent[] = [];
    const c = client({
      baseUrl: s.url,
      name: 'secrets',
      breaker: { failureThreshold: 2, openFor: '100ms' },
      health: { interval: '30ms' },
      onEvent: (e) => {
        events.push(e);
        sink(e);
      },
    });
    const url = `http://user:pw@127.0.0.1:${s.port}/x?token=SECRET`;
    const res = await c.fetch(url, { method: 'PUT', headers: { authorization: 'Bearer SECRET2' }, body: 'SECRET3' });
    expect(res.status).toBe(200);
    expect(s.requests.at(-1)?.headers.authorization).toBe('Bearer SECRET2');
    expect(events.map((e) => e.type)).toContain('breaker_open');
    const all = JSON.stringify(events) + text;
    for (const secret of ['SECRET', 'user:pw', 'token=']) expect(all).not.toContain(secret);
  });
});
