/**
 * SPEC §7 ResilientClient, regressions found by the conformance audit.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import { HttpError, ResilientClient, constant } from 'steadfast';
import { FakeClock, scriptedFetch } from 'steadfast/testing';
import { fetchFailed, collect, settleLater } from './helpers.js';

describe('SPEC §7 regressions found by the conformance audit', () => {
  it('"Logs never contain header values": a static header with an invalid value fails at construction, naming the header only', () => {
    const make = (): ResilientClient => new ResilientClient({ baseUrl: 'http://a.test', fetch: async () => new Response(), headers: { authorization: 'Bearer abc\ndef-SECRET' } });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(/authorization/);
    expect(make).not.toThrow(/SECRET/);
  });

  it('"Logs never contain header values": an invalid value from headers() never reaches an event', async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const fetch = scriptedFetch([200], { clock });
    const client = new ResilientClient({
      baseUrl: 'http://a.test', fetch, clock, health: false,
      headers: () => ({ authorization: 'Bearer abc\ndef-SECRET' }), onEvent: (e) => lines.push(JSON.stringify(e)),
    });
    const e = await client.fetch('/x').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect(String(e)).toMatch(/authorization/);
    expect(String(e)).not.toContain('SECRET');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).not.toContain('SECRET');
    expect(fetch.calls).toHaveLength(0);
  });

  it('an invalid per-request header value is refused without quoting it', async () => {
    const clock = new FakeClock();
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch: scriptedFetch([200], { clock }), clock, health: false });
    const e = await client.fetch('/x', { headers: [['x-api-key', 'k\r\nSECRET']] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect(String(e)).toMatch(/x-api-key/);
    expect(String(e)).not.toContain('SECRET');
  });

  it('a Retry-After HTTP-date is measured on the client clock', async () => {
    const clock = new FakeClock({ now: Date.UTC(2030, 0, 1) });
    const fetch = scriptedFetch([{ status: 503, headers: { 'retry-after': new Date(Date.UTC(2030, 0, 1, 0, 0, 40)).toUTCString() } }, 200], { clock });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, retry: { backoff: constant(0) } });
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls.map((c) => c.time - Date.UTC(2030, 0, 1))).toEqual([0, 40_000]);
  });

  it('timeout defaults to 10s per attempt', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch(['hang', 200], { clock });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, retry: { backoff: constant(0) } });
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 10_000]);
  });

  it('the final HttpError keeps a readable response body (e.g. validation details of a 422)', async () => {
    const clock = new FakeClock();
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch: scriptedFetch([{ status: 422, body: '{"field":"name"}' }], { clock }), clock, health: false });
    const e = (await client.postJSON('/x', {}).catch((x: unknown) => x)) as HttpError;
    expect(e.status).toBe(422);
    expect(await e.response?.json()).toEqual({ field: 'name' });
  });

  it('concurrent 401s call onUnauthorized once and all retry with the fresh headers', async () => {
    const clock = new FakeClock();
    let refreshes = 0;
    let token = 'old';
    const fetch = scriptedFetch([(call) => (call.headers['authorization'] === 'new' ? 200 : 401)], { clock, repeatLast: true });
    const client = new ResilientClient({
      baseUrl: 'http://a.test', fetch, clock, health: false, headers: () => ({ authorization: token }),
      onUnauthorized: async () => { refreshes++; await clock.sleep(100); token = 'new'; },
    });
    const runs = [settleLater(client.fetch('/a')), settleLater(client.fetch('/b')), settleLater(client.fetch('/c', { method: 'POST', body: 'x' }))];
    await clock.runAll();
    expect(refreshes).toBe(1);
    expect(runs.map((r) => r.value()?.status)).toEqual([200, 200, 200]);
  });

  it('health.path resolves against the baseUrl path like request paths', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([503], { clock, repeatLast: true });
    const client = new ResilientClient({ baseUrl: 'http://a.test/api/v1/', fetch, clock, breaker: { failureThreshold: 1 }, retry: { maxRetries: 0 } });
    await client.fetch('/x').catch(() => {});
    await clock.advance(60_000); // the monitor probes once no request has tried the server for health.interval (30s)
    expect(new Set(fetch.calls.map((c) => c.url))).toEqual(new Set(['http://a.test/api/v1/x', 'http://a.test/api/v1/health']));
    client.close();
  });
});

describe('SPEC cross-component and edge behaviour found by the audit', () => {
  it('§7 a POST whose attempt timed out (it may have reached the server) is not retried', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch(['hang', 201], { clock });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, timeout: '1s' });
    const r = settleLater(client.fetch('/x', { method: 'POST', body: 'x' }));
    await clock.runAll();
    expect((r.error() as Error).name).toBe('TimeoutError');
    expect(fetch.calls).toHaveLength(1);
  });

  it('§7 a keyed POST that timed out is retried with the same Idempotency-Key', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch(['hang', 201], { clock });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, timeout: '1s', retry: { backoff: constant(0) } });
    const r = settleLater(client.fetch('/x', { method: 'POST', body: 'x', idempotencyKey: 'abc' }));
    await clock.runAll();
    expect(r.value()?.status).toBe(201);
    expect(fetch.calls.map((c) => c.headers['idempotency-key'])).toEqual(['abc', 'abc']);
  });

  it('§7 a stream body refused by ECONNREFUSED is not retried (the stream may be consumed)', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([fetchFailed('ECONNREFUSED'), 200], { clock });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false });
    const stream = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(3)); c.close(); } });
    const r = settleLater(client.fetch('/x', { method: 'PUT', body: stream }));
    await clock.runAll();
    expect(r.error()).toBeInstanceOf(TypeError);
    expect(fetch.calls).toHaveLength(1);
  });

  it('§7 a health check that passes while the API still fails re-opens the breaker and keeps probing until real recovery', async () => {
    const clock = new FakeClock();
    let healthUp = false;
    let apiUp = false;
    const fetch = scriptedFetch([(call) => (call.url.endsWith('/health') ? (healthUp ? 200 : fetchFailed('ECONNREFUSED')) : apiUp ? 200 : 503)], { clock, repeatLast: true });
    const log = collect();
    const client = new ResilientClient({
      baseUrl: 'http://a.test', fetch, clock, budget: false, onEvent: log.sink, breaker: { failureThreshold: 2, openFor: '10m' }, health: { interval: '2s' },
      retry: { maxRetries: Infinity, backoff: constant('1s', { jitter: 'none' }) },
    });
    const r = settleLater(client.fetch('/x'));
    await clock.advance(10_000);
    healthUp = true;
    await clock.advance(10_000);
    expect(r.done()).toBe(false);
    expect(client.stats().state).toBe('open');
    apiUp = true;
    await clock.advance(3_000);
    expect(r.value()?.status).toBe(200);
    const s = client.stats();
    expect(s.state).toBe('closed');
    expect(s.recoveries).toBe(1);
    expect(s.breakerOpens).toBeGreaterThan(2);
    expect(s.attempts).toBe(s.requests + s.retries - s.shortCircuited);
    expect(log.of('recovered')).toHaveLength(1);
    client.close();
  });

  it('§7 an idle client (no request waiting) still probes while open, half-opens once, then stops probing', async () => {
    const clock = new FakeClock();
    let up = false;
    const fetch = scriptedFetch([() => (up ? 200 : 503)], { clock, repeatLast: true });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, breaker: { failureThreshold: 1, openFor: '10m' }, health: { interval: '2s' }, retry: { maxRetries: 0 } });
    await client.fetch('/x').catch(() => {});
    await clock.advance(5_000);
    up = true;
    await clock.advance(5_000);
    expect(client.stats().state).toBe('half-open');
    const calls = fetch.calls.length;
    await clock.advance(60_000);
    expect(fetch.calls.length).toBe(calls);
    expect(clock.pending).toBe(0);
    client.close();
  });
});

describe('SPEC §7/§10 more pinned behaviour', () => {
  it('§7 the signal fetch receives is aborted by the caller and by the attempt timeout (the socket is released)', async () => {
    const clock = new FakeClock();
    const seen: AbortSignal[] = [];
    const fetch = (async (_url: unknown, init?: RequestInit) => {
      const signal = init?.signal as AbortSignal;
      seen.push(signal);
      return new Promise<Response>((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }) as typeof globalThis.fetch;
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, timeout: '2s', retry: { maxRetries: 1, backoff: constant(0) } });
    const abort = new AbortController();
    const caller = settleLater(client.fetch('/a', { signal: abort.signal }));
    await clock.settle();
    abort.abort(new Error('bye'));
    await clock.settle();
    expect(seen[0]?.aborted).toBe(true);
    expect((caller.error() as Error).message).toBe('bye');
    const timed = settleLater(client.fetch('/b'));
    await clock.runAll();
    expect(seen.slice(1).map((s) => s.aborted)).toEqual([true, true]);
    expect((timed.error() as Error).name).toBe('TimeoutError');
    expect(seen.slice(1).map((s) => (s.reason as Error).name)).toEqual(['TimeoutError', 'TimeoutError']);
  });

  it('§7 no listener is left on a caller signal shared by 300 requests', async () => {
    const { EventEmitter } = await import('node:events');
    const clock = new FakeClock();
    const abort = new AbortController();
    const fetch = scriptedFetch([(c) => (c.url.endsWith('0') ? 503 : 200)], { clock, repeatLast: true });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, retry: { backoff: constant(0), maxRetries: 1 } });
    for (let batch = 0; batch < 3; batch++) {
      const runs = Array.from({ length: 100 }, (_v, i) => client.fetch(`/x/${batch * 100 + i}`, { signal: abort.signal }).catch(() => {}));
      await clock.runAll();
      await Promise.all(runs);
    }
    expect(EventEmitter.getEventListeners(abort.signal, 'abort')).toHaveLength(0);
    client.close();
  });
});
