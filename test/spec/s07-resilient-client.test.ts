/**
 * SPEC §7 ResilientClient.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import { HttpError, ResilientClient, constant, isTransient, jsonLines, textLines } from 'steadfast';
import { FakeClock, scriptedFetch } from 'steadfast/testing';
import { fetchFailed, collect, settleLater } from './helpers.js';

describe('SPEC §7 ResilientClient', () => {
  const quick = { backoff: constant('1s', { jitter: 'none' }), maxRetries: 3 };
  function make(script: Parameters<typeof scriptedFetch>[0], extra: Partial<ConstructorParameters<typeof ResilientClient>[0]> = {}, repeatLast = false) {
    const clock = new FakeClock({ now: Date.UTC(2026, 0, 1) });
    const fetch = scriptedFetch(script, { clock, repeatLast });
    const log = collect();
    const client = new ResilientClient({ baseUrl: 'http://api.test/v1/', fetch, clock, retry: quick, breaker: false, health: false, budget: false, onEvent: log.sink, ...extra });
    return { clock, fetch, log, client };
  }

  it('"Each attempt gets its own timeout signal": a hung first attempt times out, the second succeeds', async () => {
    const { clock, fetch, client } = make(['hang', 200], { timeout: '3s' });
    const r = settleLater(client.fetch('/ping'));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls.map((c) => c.time - Date.UTC(2026, 0, 1))).toEqual([0, 4_000]);
    expect(clock.pending).toBe(0);
  });

  it('"...combined with the caller\'s signal": aborting rejects at once with its reason, not retried', async () => {
    const { clock, fetch, client } = make(['hang', 200]);
    const abort = new AbortController();
    const r = settleLater(client.fetch('/ping', { signal: abort.signal }));
    await clock.advance(100);
    abort.abort(new Error('user cancelled'));
    await clock.runAll();
    expect((r.error() as Error).message).toBe('user cancelled');
    expect(fetch.calls).toHaveLength(1);
    expect(client.stats().failures.aborted).toBe(1);
  });

  it('"Non-2xx after retries → rejects with HttpError (status, response, retryAfterMs)", isTransient tells', async () => {
    const { clock, client } = make([{ status: 503, headers: { 'retry-after': '2' } }], {}, true);
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    const e = r.error() as HttpError;
    expect(e).toBeInstanceOf(HttpError);
    expect(e.status).toBe(503);
    expect(e.response).toBeInstanceOf(Response);
    expect(e.retryAfterMs).toBe(2_000);
    expect(isTransient(e)).toBe(true);

    const p = make([403]);
    const r2 = settleLater(p.client.fetch('/x'));
    await p.clock.runAll();
    expect((r2.error() as HttpError).status).toBe(403);
    expect(isTransient(r2.error())).toBe(false);
    expect(p.fetch.calls).toHaveLength(1);
  });

  it('a server Retry-After is honoured, capped by maxRetryAfter', async () => {
    const { clock, fetch, client } = make([{ status: 429, headers: { 'retry-after': '3600' } }, 200], { retry: { ...quick, maxRetryAfter: '20s' } });
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect((fetch.calls[1]?.time ?? 0) - (fetch.calls[0]?.time ?? 0)).toBe(20_000);
  });

  it('3xx responses resolve (documented: only 4xx/5xx throw)', async () => {
    const { clock, client } = make([304]);
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.value()?.status).toBe(304);
  });

  it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])('"%s ... are retried" on a 503', async (method) => {
    const { clock, fetch, client } = make([503, 200]);
    const r = settleLater(client.fetch('/x', { method }));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls.map((c) => c.method)).toEqual([method, method]);
  });

  it.each(['POST', 'PATCH'])('"%s only with idempotent: true or an idempotencyKey"', async (method) => {
    const plain = make([503, 200]);
    const r1 = settleLater(plain.client.fetch('/x', { method, body: 'a' }));
    await plain.clock.runAll();
    expect((r1.error() as HttpError).status).toBe(503);
    expect(plain.fetch.calls).toHaveLength(1);

    const marked = make([503, 200]);
    const r2 = settleLater(marked.client.fetch('/x', { method, body: 'a', idempotent: true }));
    await marked.clock.runAll();
    expect(r2.value()?.status).toBe(200);
    expect(marked.fetch.calls).toHaveLength(2);
  });

  it('"an idempotencyKey (sent as the Idempotency-Key header, the same value on every attempt)"', async () => {
    const { clock, fetch, client } = make([503, 502, 200]);
    const r = settleLater(client.postJSON('/checkin', { id: 1 }, { idempotencyKey: 'checkin-1' }));
    const fetch2 = make([503, 200]);
    const r2 = settleLater(fetch2.client.fetch('/x', { method: 'POST', body: 'x', idempotencyKey: true }));
    await clock.runAll();
    await fetch2.clock.runAll();
    expect(r.error()).toBeUndefined();
    expect(fetch.calls.map((c) => c.headers['idempotency-key'])).toEqual(['checkin-1', 'checkin-1', 'checkin-1']);
    expect(r2.value()?.status).toBe(200);
    const keys = fetch2.fetch.calls.map((c) => c.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    '"A failure that proves the request never reached the server (%s) is retried for every method"',
    async (code) => {
      const { clock, fetch, client } = make([fetchFailed(code), 201]);
      const r = settleLater(client.fetch('/x', { method: 'POST', body: 'payload' }));
      await clock.runAll();
      expect(r.value()?.status).toBe(201);
      expect(fetch.calls).toHaveLength(2);
    },
  );

  it('a POST whose connection reset mid-flight (may have reached the server) is not retried', async () => {
    const { clock, fetch, client } = make([fetchFailed('ECONNRESET'), 201]);
    const r = settleLater(client.fetch('/x', { method: 'POST', body: 'payload' }));
    await clock.runAll();
    expect(r.error()).toBeInstanceOf(TypeError);
    expect(fetch.calls).toHaveLength(1);
  });

  it('"...an open breaker" refusal is retried for a POST too, once the breaker half-opens', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([fetchFailed('ECONNRESET'), 201], { clock });
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, budget: false, health: false,
      breaker: { failureThreshold: 1, openFor: '5s' }, retry: { backoff: constant('100ms', { jitter: 'none' }), maxRetries: 5 },
    });
    // ECONNRESET opens the breaker; the keyed POST is retried, the breaker refuses until 5s, then it goes through
    const r = settleLater(client.fetch('/a', { method: 'POST', body: 'x', idempotencyKey: 'k' }));
    await clock.runAll();
    expect(r.value()?.status).toBe(201);
    expect(fetch.calls).toHaveLength(2);
    expect((fetch.calls[1]?.time ?? 0) - (fetch.calls[0]?.time ?? 0)).toBeGreaterThanOrEqual(5_000);
    const s = client.stats();
    expect(s.breakerOpens).toBe(1);
    expect(s.shortCircuited).toBeGreaterThanOrEqual(0);
    client.close();
  });

  it('a plain POST (no key) refused by an open breaker is retried: the refusal proves it was never sent', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([503, 201], { clock });
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, budget: false, health: false,
      breaker: { failureThreshold: 1, openFor: '5s' }, retry: { backoff: constant('100ms', { jitter: 'none' }), maxRetries: 5 },
    });
    const g = settleLater(client.fetch('/a', { retry: { maxRetries: 0 } }));
    await clock.settle();
    expect((g.error() as HttpError).status).toBe(503);
    expect(client.stats().state).toBe('open');
    const p = settleLater(client.fetch('/b', { method: 'POST', body: 'x' }));
    await clock.runAll();
    expect(p.value()?.status).toBe(201);
    expect(fetch.calls.map((c) => c.method)).toEqual(['GET', 'POST']);
    expect(fetch.calls[1]?.time).toBeGreaterThanOrEqual(5_000);
    expect(client.stats().shortCircuited).toBeGreaterThanOrEqual(1);
    client.close();
  });

  it('"The body of a response that will be retried is cancelled before the next attempt"', async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    const body = (): ReadableStream<Uint8Array> => new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(8)); }, cancel() { order.push('cancel'); } });
    // A hand-written fetch: scriptedFetch plays clones, whose cancel never reaches the source stream.
    let n = 0;
    const fetch = async (): Promise<Response> => {
      n++;
      order.push(`call ${n}`);
      return n === 1 ? new Response(body(), { status: 503 }) : new Response('ok');
    };
    const client = new ResilientClient({ baseUrl: 'http://api.test', fetch, clock, retry: quick, breaker: false, health: false, budget: false });
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(order).toEqual(['call 1', 'cancel', 'call 2']);
  });

  it.each([
    ['string', () => 'hello'],
    ['ArrayBuffer', () => new TextEncoder().encode('hello').buffer],
    ['Uint8Array', () => new TextEncoder().encode('hello')],
    ['Blob', () => new Blob(['hello'])],
    ['URLSearchParams', () => new URLSearchParams({ a: '1' })],
  ])('"Bodies that can be replayed (%s) are sent again on each attempt"', async (_k, makeBody) => {
    const { clock, fetch, client } = make([503, 503, 200]);
    const r = settleLater(client.fetch('/x', { method: 'PUT', body: makeBody() }));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls).toHaveLength(3);
    expect(new Set(fetch.calls.map((c) => c.body)).size).toBe(1);
    expect(fetch.calls[0]?.body).not.toBe('');
  });

  it('FormData bodies are replayed too', async () => {
    const { clock, fetch, client } = make([503, 200]);
    const form = new FormData();
    form.set('field', 'value');
    const r = settleLater(client.fetch('/x', { method: 'PUT', body: form }));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls.every((c) => c.body?.includes('value'))).toBe(true);
  });

  it('"a stream body is sent once and not retried"', async () => {
    const { clock, fetch, client } = make([503, 200]);
    const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('s')); c.close(); } });
    const r = settleLater(client.fetch('/x', { method: 'PUT', body: stream }));
    await clock.runAll();
    expect((r.error() as HttpError).status).toBe(503);
    expect(fetch.calls).toHaveLength(1);
  });

  it('"401 → onUnauthorized() once, then the request is retried once with fresh headers()"', async () => {
    let token = 'old';
    let refreshes = 0;
    const { clock, fetch, client } = make([401, 401, 200], {
      headers: () => ({ authorization: `Bearer ${token}` }),
      onUnauthorized: async () => { refreshes++; token = 'new'; },
    });
    const r = settleLater(client.fetch('/me'));
    await clock.runAll();
    expect((r.error() as HttpError).status).toBe(401);
    expect(refreshes).toBe(1);
    expect(fetch.calls.map((c) => c.headers['authorization'])).toEqual(['Bearer old', 'Bearer new']);

    token = 'old';
    const ok = make([401, 200], { headers: () => ({ authorization: `Bearer ${token}` }), onUnauthorized: async () => { token = 'fresh'; } });
    const r2 = settleLater(ok.client.fetch('/me'));
    await ok.clock.runAll();
    expect(r2.value()?.status).toBe(200);
    expect(ok.fetch.calls[1]?.headers['authorization']).toBe('Bearer fresh');
  });

  it('"While the breaker is open and health is on, the client probes health.path and half-opens the breaker as soon as a probe succeeds"', async () => {
    const clock = new FakeClock();
    let serverUp = false;
    const fetch = scriptedFetch([(call) => (serverUp ? 200 : call.url.endsWith('/status') ? 503 : fetchFailed('ECONNREFUSED'))], { clock, repeatLast: true });
    const log = collect();
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, budget: false, onEvent: log.sink, name: 'checkin',
      breaker: { failureThreshold: 2, openFor: '10m' }, health: { path: '/status', interval: '2s' },
      retry: { backoff: constant('1s', { jitter: 'none' }), maxRetries: Infinity },
    });
    const r = settleLater(client.getJSON('/tasks').catch(() => 'x'));
    await clock.advance(30_000);
    expect(client.stats().state).toBe('open');
    const probesBefore = fetch.calls.filter((c) => c.url === 'http://api.test/status').length;
    expect(probesBefore).toBeGreaterThan(0);
    serverUp = true;
    const upAt = clock.now();
    await clock.advance(5_000);
    await clock.settle();
    expect(r.done()).toBe(true);
    const reqs = fetch.calls.filter((c) => c.url === 'http://api.test/tasks');
    // recovered via the probe in ≤ one probe interval, long before openFor (10m)
    expect((reqs.at(-1)?.time ?? 0) - upAt).toBeLessThanOrEqual(2_000);
    expect(client.stats().state).toBe('closed');
    const types = log.events.map((e) => e.type);
    expect(types).toContain('breaker_half_open');
    expect(types).toContain('health_ok');
    const rec = log.of('recovered');
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ name: 'checkin' });
    expect(rec[0]?.downtimeMs).toBeGreaterThanOrEqual(30_000);
    expect(rec[0]?.failures).toBeGreaterThanOrEqual(2);
    client.close();
    await clock.settle();
    expect(clock.pending).toBe(0);
  });

  it('"stats() counts requests, attempts, retries, successes, failures by verdict, breaker opens, state, health probes ok/failed, recoveries and the last downtime"', async () => {
    const clock = new FakeClock();
    let up = false;
    const fetch = scriptedFetch([(call) => (call.url.endsWith('/bad') ? 404 : up ? 200 : 503)], { clock, repeatLast: true });
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, budget: false,
      breaker: { failureThreshold: 3, openFor: '1m' }, health: { interval: '1s' },
      retry: { backoff: constant('500ms', { jitter: 'none' }), maxRetries: Infinity },
    });
    const bad = settleLater(client.fetch('/bad'));
    const r = settleLater(client.fetch('/ok'));
    await clock.advance(10_000);
    up = true;
    await clock.advance(5_000);
    await clock.settle();
    expect(bad.error()).toBeInstanceOf(HttpError);
    expect(r.value()?.status).toBe(200);
    const s = client.stats();
    expect(Object.keys(s).sort()).toEqual(
      ['attempts', 'breakerOpens', 'breakers', 'failures', 'healthProbes', 'lastDowntimeMs', 'recoveries', 'requests', 'retries', 'shortCircuited', 'state', 'successes'].sort(),
    );
    expect(s.requests).toBe(2);
    expect(s.successes).toBe(1);
    expect(s.failures).toEqual({ transient: 0, permanent: 1, aborted: 0 });
    expect(s.breakerOpens).toBe(1);
    expect(s.state).toBe('closed');
    expect(s.healthProbes.failed).toBeGreaterThanOrEqual(1);
    expect(s.healthProbes.ok).toBeGreaterThanOrEqual(1);
    expect(s.recoveries).toBe(1);
    expect(s.lastDowntimeMs).toBeGreaterThan(0);
    expect(s.attempts).toBeGreaterThanOrEqual(s.retries + s.requests - s.shortCircuited);
    expect(s.retries).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    client.close();
  });

  it('"Logs never contain header values, request bodies, URL userinfo or query strings"', async () => {
    const clock = new FakeClock();
    const secret = 'S3CR3T-t0ken';
    const fetch = scriptedFetch([
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect ECONNREFUSED https://bob:${secret}@api.test/v1?key=${secret}`), { code: 'ECONNREFUSED' }) }),
      { status: 503, body: `upstream said ${secret}` },
      new Error(`request to https://api.test/v1/x?token=${secret}#${secret} timed out`),
      { status: 500, body: secret },
    ], { clock });
    const lines: string[] = [];
    const text = textLines({ write: (s: string) => lines.push(s) });
    const json = jsonLines({ write: (s: string) => lines.push(s) });
    const client = new ResilientClient({
      baseUrl: `https://bob:${secret}@api.test/v1/`, fetch, clock, budget: false, health: { path: '/health' },
      breaker: { failureThreshold: 2, openFor: '1s' }, headers: { authorization: `Bearer ${secret}`, 'x-api-key': secret },
      retry: { backoff: constant('1s', { jitter: 'none' }), maxRetries: 3 },
      onEvent: (e) => { text(e); json(e); },
    });
    const r = settleLater(client.fetch(`/items?api_key=${secret}`, { method: 'PUT', body: `{"password":"${secret}"}` }));
    await clock.advance(60_000);
    expect(r.done()).toBe(true);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l).not.toContain(secret);
    // userinfo from the baseUrl became an Authorization header
    expect(fetch.calls[0]?.url).not.toContain(secret.slice(0, 3) + '@');
    client.close();
  });

  it('relative paths append to the baseUrl path (like ky prefixUrl)', async () => {
    const { clock, fetch, client } = make([200, 200]);
    const a = settleLater(client.fetch('tasks'));
    const b = settleLater(client.fetch('/tasks/1'));
    await clock.runAll();
    expect(a.done() && b.done()).toBe(true);
    expect(fetch.calls.map((c) => c.url)).toEqual(['http://api.test/v1/tasks', 'http://api.test/v1/tasks/1']);
  });

  it('getJSON sends Accept: application/json and parses; postJSON sends a JSON body', async () => {
    const { clock, fetch, client } = make([{ status: 200, body: '{"a":1}' }, { status: 201, body: '{"id":7}' }]);
    const a = settleLater(client.getJSON<{ a: number }>('/a'));
    await clock.runAll();
    const b = settleLater(client.postJSON<{ id: number }>('/b', { x: 1 }));
    await clock.runAll();
    expect(a.value()).toEqual({ a: 1 });
    expect(b.value()).toEqual({ id: 7 });
    expect(fetch.calls[0]?.headers['accept']).toBe('application/json');
    expect(fetch.calls[1]?.headers['content-type']).toBe('application/json');
    expect(fetch.calls[1]?.body).toBe('{"x":1}');
  });

  it('per-request retry options override the client (retry: { maxRetries: 0 })', async () => {
    const { clock, fetch, client } = make([503, 200]);
    const r = settleLater(client.fetch('/x', { retry: { maxRetries: 0 } }));
    await clock.runAll();
    expect((r.error() as HttpError).status).toBe(503);
    expect(fetch.calls).toHaveLength(1);
  });

  it('retry: false makes one attempt', async () => {
    const { clock, fetch, client } = make([503, 200], { retry: false });
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.error()).toBeInstanceOf(HttpError);
    expect(fetch.calls).toHaveLength(1);
  });

  it('close() refuses new requests and leaves no timer', async () => {
    const { clock, client } = make([200], { health: {}, breaker: {} });
    client.close();
    await expect(client.fetch('/x')).rejects.toThrow(/closed/);
    expect(clock.pending).toBe(0);
  });

  it('bad options are validated in the constructor', () => {
    expect(() => new ResilientClient({ baseUrl: 'not a url' })).toThrow();
    expect(() => new ResilientClient({ baseUrl: 'http://a.test', health: { interval: '-1s' }, fetch: async () => new Response() })).toThrow(/interval/);
    expect(() => new ResilientClient({ baseUrl: 'http://a.test', breaker: { failureThreshold: 0 }, fetch: async () => new Response() })).toThrow(/failureThreshold/);
  });
});
