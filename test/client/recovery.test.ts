import { describe, expect, it } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { ResilientClient, type ResilientClientOptions } from '../../src/client/client.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { textLines } from '../../src/policies/log.js';

const BASE = 'http://agent.test';

function refused(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
}

/** A fake server: answers 200 while `up` and refuses connections while down; `healthUp` overrides `up` for `/health`. */
function fakeServer(clock: FakeClock) {
  const state = { up: true, healthUp: undefined as boolean | undefined, calls: [] as Array<{ path: string; time: number; method: string }> };
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (init?.signal?.aborted === true) throw init.signal.reason;
    const url = new URL(String(input));
    state.calls.push({ path: url.pathname, time: clock.now(), method: init?.method ?? 'GET' });
    const health = url.pathname === '/health';
    if (!(health ? (state.healthUp ?? state.up) : state.up)) throw refused();
    return new Response(health ? 'ok' : 'done');
  }) as typeof globalThis.fetch;
  const times = (path: string): number[] => state.calls.filter((c) => c.path === path).map((c) => c.time);
  return { state, fetch, times };
}

function setup(o: Partial<ResilientClientOptions> & { clock?: FakeClock } = {}) {
  const clock = o.clock ?? new FakeClock();
  const server = fakeServer(clock);
  const events: ResilienceEvent[] = [];
  const client = new ResilientClient({
    baseUrl: BASE,
    fetch: server.fetch,
    clock,
    name: 'checkin',
    retry: { backoff: constant(100, { jitter: 'none' }), maxRetries: 20 },
    breaker: { failureThreshold: 3, openFor: '60s' },
    totalTimeout: '5m', // long enough to wait out the 60 s open breaker
    health: { interval: '1s', timeout: '500ms' },
    onEvent: (e) => events.push(e),
    ...o,
  });
  return { clock, server, events, client };
}

describe('recovery: the client probes only when no request tries the server (issue 13)', () => {
  it('a request waiting out the open breaker is its trial: with health.interval above openFor, no probe is sent on top', async () => {
    const { clock, server, events, client } = setup({ health: { interval: '90s' } });
    server.state.up = false;
    const done = client.fetch('/checkin', { method: 'POST', body: 'x' }); // a POST: refused connections and the open breaker prove it never left
    await clock.advance(5_000);
    server.state.up = true;
    await clock.advance(60_000);
    expect(await (await done).text()).toBe('done'); // a read body leaves no deadline behind
    // 3 refused attempts open the breaker at 200ms; the 4th is refused by the breaker and waits out the 60s; it is the trial.
    expect(server.times('/checkin')).toEqual([0, 100, 200, 60_200]);
    expect(server.times('/health')).toEqual([]);
    expect(events.map((e) => e.type).filter((t) => t !== 'retry' && t !== 'attempt')).toEqual(['breaker_open', 'breaker_half_open', 'breaker_closed', 'recovered']);
    expect(events.find((e) => e.type === 'recovered')).toMatchObject({ name: 'checkin', downtimeMs: 60_200, failures: 4 });
    expect(client.stats()).toMatchObject({ requests: 1, attempts: 4, shortCircuited: 1, breakerOpens: 1, state: 'closed', healthProbes: { ok: 0, failed: 0 }, recoveries: 1 });
    client.close();
    expect(clock.pending).toBe(0);
  });

  it('with no request coming, probes every interval (jittered) while open; a pass half-opens it, and the next request is the trial', async () => {
    const clock = new FakeClock({ random: () => 0 }); // equal jitter at its low end: a look every 500ms
    const { server, events, client } = setup({ clock, retry: false });
    server.state.up = false;
    for (let i = 0; i < 3; i++) await client.fetch('/checkin').catch(() => {});
    await clock.advance(4_999);
    server.state.up = true;
    await clock.advance(1_000);
    // The look at 500ms is skipped (a request tried the server 500ms ago); from 1s on, one probe per look.
    expect(server.times('/health')).toEqual([1_000, 1_500, 2_000, 2_500, 3_000, 3_500, 4_000, 4_500, 5_000]);
    expect(events.map((e) => e.type).filter((t) => t !== 'give_up' && t !== 'attempt')).toEqual(['breaker_open', ...Array(8).fill('health_fail'), 'health_ok', 'breaker_half_open']);
    expect(await (await client.fetch('/checkin')).text()).toBe('done');
    expect(events.slice(-2).map((e) => e.type)).toEqual(['breaker_closed', 'recovered']);
    client.close();
    expect(clock.pending).toBe(0);
  });

  it('once half-open with no request coming, the probe is the trial: failing re-opens the breaker, passing closes it', async () => {
    const clock = new FakeClock({ random: () => 0 }); // a look every 5s for health.interval 10s
    const { server, events, client } = setup({ clock, retry: false, breaker: { failureThreshold: 3, openFor: '2s' }, health: { interval: '10s' } });
    server.state.up = false;
    for (let i = 0; i < 3; i++) await client.fetch('/checkin').catch(() => {});
    await clock.advance(13_000);
    server.state.up = true;
    await clock.advance(5_000);
    // 5s: half-open, but a request tried the server 5s ago; 10s: the probe is the trial and fails; 15s: it passes.
    expect(server.times('/health')).toEqual([10_000, 15_000]);
    expect(events.map((e) => e.type).filter((t) => t !== 'give_up' && t !== 'attempt')).toEqual([
      'breaker_open',
      'breaker_half_open',
      'health_fail',
      'breaker_open',
      'breaker_half_open',
      'health_ok',
      'breaker_closed',
    ]);
    expect(client.stats()).toMatchObject({ state: 'closed', breakerOpens: 2, healthProbes: { ok: 1, failed: 1 } });
    client.close();
    expect(clock.pending).toBe(0);
  });

  it('without health probing, waits out openFor before the trial request', async () => {
    const { clock, server, client } = setup({ health: false });
    server.state.up = false;
    const done = client.fetch('/checkin');
    await clock.advance(5_000);
    server.state.up = true;
    await clock.advance(60_000);
    expect((await done).status).toBe(200);
    expect(server.times('/health')).toEqual([]);
    expect(server.times('/checkin')).toEqual([0, 100, 200, 60_200]);
    expect(client.stats().recoveries).toBe(1);
  });

  it('does not report a recovery for failures that never opened the breaker', async () => {
    const { clock, server, client, events } = setup();
    server.state.up = false;
    const done = client.fetch('/checkin');
    await clock.advance(150); // two refused attempts
    server.state.up = true;
    await clock.advance(100);
    expect((await done).status).toBe(200);
    expect(events.filter((e) => e.type === 'recovered' || e.type === 'breaker_open')).toEqual([]);
    expect(client.stats()).toMatchObject({ recoveries: 0, lastDowntimeMs: null, breakerOpens: 0 });
  });
});

describe('shared shutdown signal', () => {
  it('keeps one abort listener while 20 requests wait out the open breaker, and ends them all on abort', async () => {
    const { EventEmitter } = await import('node:events');
    const { clock, server, client } = setup({ health: false });
    server.state.up = false;
    for (let i = 0; i < 3; i++) await client.fetch('/x', { retry: { maxRetries: 0 } }).catch(() => {});
    expect(client.breaker?.state).toBe('open');
    const shutdown = new AbortController();
    const runs = Array.from({ length: 20 }, () => client.fetch('/x', { signal: shutdown.signal }).catch((e: unknown) => (e as Error).message));
    await clock.advance(1_000);
    expect(EventEmitter.getEventListeners(shutdown.signal, 'abort').length).toBeLessThanOrEqual(1);
    shutdown.abort(new Error('shutting down'));
    expect(new Set(await Promise.all(runs))).toEqual(new Set(['shutting down']));
    expect(EventEmitter.getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    client.close();
    expect(clock.pending).toBe(0);
  });
});

describe('breaker options', () => {
  it('uses a CircuitBreaker instance as given, shared by two clients', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 2, openFor: '10s', clock });
    const server = fakeServer(clock);
    server.state.up = false;
    const a = new ResilientClient({ baseUrl: BASE, fetch: server.fetch, clock, breaker, retry: false });
    const b = new ResilientClient({ baseUrl: BASE, fetch: server.fetch, clock, breaker, retry: false });
    await expect(a.fetch('/x')).rejects.toThrow();
    await expect(b.fetch('/x')).rejects.toThrow();
    await expect(b.fetch('/x')).rejects.toMatchObject({ name: 'BrokenCircuitError' });
    expect([a.breaker, breaker.state, b.stats().breakerOpens, b.stats().shortCircuited]).toEqual([breaker, 'open', 1, 1]);
    a.close();
    b.close();
    expect(clock.pending).toBe(0);
  });

  it('with breaker: false reports state disabled and still retries', async () => {
    const { clock, server, client } = setup({ breaker: false });
    server.state.up = false;
    const done = client.fetch('/x');
    await clock.advance(1_000);
    server.state.up = true;
    await clock.advance(100);
    expect((await done).status).toBe(200);
    expect(client.stats()).toMatchObject({ state: 'disabled', breakerOpens: 0 });
    expect(client.breaker).toBeUndefined();
  });

  it("sends breaker events to both the breaker options' onEvent and the client's, even when the first throws", async () => {
    const own: string[] = [];
    const { server, client, events } = setup({
      retry: false,
      health: false,
      breaker: {
        failureThreshold: 3,
        openFor: '60s',
        onEvent: (e) => {
          own.push(e.type);
          throw new Error('broken dashboard sink');
        },
      },
    });
    server.state.up = false;
    for (let i = 0; i < 3; i++) await client.fetch('/x').catch(() => {});
    expect(own).toEqual(['breaker_open']);
    expect(events.filter((e) => e.type.startsWith('breaker_')).map((e) => e.type)).toEqual(['breaker_open']);
    client.close();
  });

  it('names breaker and health events after the client', async () => {
    const { clock, server, client, events } = setup({ retry: false });
    server.state.up = false;
    for (let i = 0; i < 3; i++) await client.fetch('/x').catch(() => {});
    await clock.advance(61_000);
    client.close();
    expect(new Set(events.map((e) => e.name))).toEqual(new Set(['checkin']));
    expect(events.map((e) => e.type)).toContain('health_fail');
  });
});

describe('stats and close', () => {
  it('stats() is JSON-safe and has every documented field', async () => {
    const { client } = setup();
    await client.fetch('/x');
    const stats = client.stats();
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(Object.keys(stats).sort()).toEqual(
      ['attempts', 'breakerOpens', 'breakers', 'failures', 'healthProbes', 'lastDowntimeMs', 'recoveries', 'requests', 'retries', 'shortCircuited', 'state', 'successes'].sort(),
    );
  });

  it('close() stops background probing (no timer left) and refuses new requests', async () => {
    const { clock, server, client } = setup({ retry: false });
    server.state.up = false;
    for (let i = 0; i < 3; i++) await client.fetch('/x').catch(() => {});
    expect(client.stats().state).toBe('open');
    await clock.advance(1_500);
    expect(clock.pending).toBeGreaterThan(0); // the probe loop is waiting for its next turn
    client.close();
    await clock.settle();
    expect(clock.pending).toBe(0);
    await expect(client.fetch('/x')).rejects.toThrow(/closed/);
  });
});

describe('secrets', () => {
  it('never puts header values, bodies, URL userinfo or query strings in events or text logs', async () => {
    let text = '';
    const events: ResilienceEvent[] = [];
    const sink = textLines({ write: (chunk: string) => (text += chunk) });
    const clock = new FakeClock();
    let n = 0;
    const fetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      n++;
      if (n === 1) return new Response('SECRET5 in an error body', { status: 503, headers: { 'retry-after': '1' } });
      if (n === 2) throw refused();
      if (n <= 5) return new Response('', { status: 502 });
      if (init?.signal?.aborted === true) throw init.signal.reason;
      return new Response('done');
    }) as typeof globalThis.fetch;
    const client = new ResilientClient({
      baseUrl: 'http://user:SECRET4@127.0.0.1:9/base?token=SECRET6',
      fetch,
      clock,
      name: 'checkin',
      retry: { backoff: constant(100), maxRetries: 10 },
      breaker: { failureThreshold: 3, openFor: '2s' },
      health: { interval: '250ms' },
      onEvent: (e) => {
        events.push(e);
        sink(e);
      },
    });
    const done = client.fetch('http://user:pw@127.0.0.1:9/x?token=SECRET', {
      method: 'PUT',
      headers: { authorization: 'Bearer SECRET2' },
      body: 'SECRET3',
    });
    await clock.runAll();
    expect((await done).status).toBe(200);
    await expect(client.fetch('/y?token=SECRET7', { retry: { maxRetries: 0 } })).resolves.toBeDefined();
    client.close();
    const all = JSON.stringify(events) + text;
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['retry', 'breaker_open', 'recovered']));
    for (const tag of ['[RETRY]', '[CIRCUIT_BREAKER]', '[RECOVERY]']) expect(text).toContain(tag);
    for (const secret of ['SECRET', 'pw', 'token']) expect(all).not.toContain(secret);
  });
});

describe('health probes carry the client headers', () => {
  it("sends the client's computed headers and the base URL's credentials with each probe, and no event shows them", async () => {
    const clock = new FakeClock();
    const probes: Array<Record<string, string>> = [];
    let up = false;
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      if (url.pathname === '/health') {
        const headers = Object.fromEntries(new Headers(init?.headers));
        probes.push(headers);
        // A health path behind the same auth as the API: no token, no 2xx.
        return new Response(up ? 'ok' : 'down', { status: headers['x-token'] === 'secret-token' ? (up ? 200 : 503) : 401 });
      }
      if (!up) throw refused();
      return new Response('done');
    }) as typeof globalThis.fetch;
    const events: ResilienceEvent[] = [];
    let tokenCalls = 0;
    const client = new ResilientClient({
      baseUrl: 'http://agent:pw-in-url@agent.test',
      fetch,
      clock,
      headers: () => ({ 'X-Token': `secret-token`, 'X-Call': String(++tokenCalls) }),
      retry: false,
      breaker: { failureThreshold: 3, openFor: '2s' },
      health: { interval: '1s', timeout: '500ms' },
      onEvent: (e) => events.push(e),
    });
    for (let i = 0; i < 3; i++) await client.fetch('/checkin').catch(() => {});
    await clock.advance(7_000); // probes at 3s and 6s fail (each re-opens the breaker for 2s)
    up = true;
    await clock.advance(3_000); // the probe at 9s passes
    expect(client.breaker?.state).toBe('closed');
    expect(probes.length).toBeGreaterThanOrEqual(3);
    for (const h of probes) {
      expect(h['x-token']).toBe('secret-token');
      expect(h['authorization']).toBe(`Basic ${btoa('agent:pw-in-url')}`);
      expect(h['accept']).toBe('*/*');
    }
    // headers() is called afresh for every probe, as for every request.
    expect(new Set(probes.map((h) => h['x-call'])).size).toBe(probes.length);
    // The probe closed the breaker, and no secret reached an event.
    expect(events.map((e) => e.type)).toContain('health_ok');
    const text = JSON.stringify(events);
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('pw-in-url');
    client.close();
  });
});
