import { describe, expect, it } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { RetryBudget } from '../../src/policies/budget.js';
import { isTransient } from '../../src/core/classify.js';
import { ResilientClient } from '../../src/client/client.js';
import { HttpError } from '../../src/core/errors.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';
import { BASE, runOn, setup } from './setup.js';

describe('ResilientClient construction', () => {
  it('rejects a baseUrl that is not an absolute http(s) URL, naming the option', () => {
    expect(() => new ResilientClient({ baseUrl: 'not a url' })).toThrow(/baseUrl.*"not a url"/);
    expect(() => new ResilientClient({ baseUrl: 'ftp://files.test/' })).toThrow(/baseUrl must be an http: or https: URL/);
  });

  it('rejects bad durations at construction, naming the option and the value', () => {
    expect(() => new ResilientClient({ baseUrl: BASE, timeout: 'soon' })).toThrow(/timeout.*"soon"/);
    expect(() => new ResilientClient({ baseUrl: BASE, timeout: -5 })).toThrow(/timeout.*-5/);
    expect(() => new ResilientClient({ baseUrl: BASE, timeout: 0 })).toThrow(/timeout must be > 0/);
    expect(() => new ResilientClient({ baseUrl: BASE, health: { interval: '1 minute' } })).toThrow(/health\.interval.*"1 minute"/);
    // Named as the client's option, not as the HealthCheck it becomes; checked even with no breaker to use it.
    expect(() => new ResilientClient({ baseUrl: BASE, health: { timeout: 0 } })).toThrow(/ResilientClient\.health\.timeout must be > 0; got 0/);
    expect(() => new ResilientClient({ baseUrl: BASE, health: { interval: Infinity } })).toThrow(/ResilientClient\.health\.interval.*Infinity/);
    expect(() => new ResilientClient({ baseUrl: BASE, breaker: false, health: { timeout: 'soon' } })).toThrow(/ResilientClient\.health\.timeout.*"soon"/);
    expect(() => new ResilientClient({ baseUrl: BASE, breaker: false, health: { path: 5 as never } })).toThrow(/ResilientClient\.health\.path must be a string/);
    expect(() => new ResilientClient({ baseUrl: BASE, retry: { maxRetries: -1 } })).toThrow(/maxRetries.*-1/);
    expect(() => new ResilientClient({ baseUrl: BASE, breaker: { failureThreshold: 0 } })).toThrow(/failureThreshold.*0/);
  });

  it('rejects a clock without now/sleep/random and an empty or non-string name, naming the option', () => {
    expect(() => new ResilientClient({ baseUrl: BASE, clock: { now: () => 0 } as unknown as FakeClock })).toThrow(
      /ResilientClient\.clock must be a Clock with now\(\), sleep\(\) and random\(\)/,
    );
    expect(() => new ResilientClient({ baseUrl: BASE, name: '' })).toThrow(/ResilientClient\.name must be a non-empty string; got ""/);
    expect(() => new ResilientClient({ baseUrl: BASE, name: 7 as never })).toThrow(TypeError);
  });

  it('resolves fetch once, in the constructor', async () => {
    const original = globalThis.fetch;
    const seen: string[] = [];
    globalThis.fetch = (async (url: RequestInfo | URL) => {
      seen.push(String(url));
      return new Response('ok');
    }) as typeof fetch;
    try {
      const client = new ResilientClient({ baseUrl: BASE, breaker: false });
      globalThis.fetch = original;
      await client.fetch('/ping');
      expect(seen).toEqual(['http://agent.test/api/ping']);
    } finally {
      globalThis.fetch = original;
    }
  });
});

describe('ResilientClient.fetch', () => {
  it('appends relative paths to the baseUrl path and keeps absolute URLs', async () => {
    const { client, fetch, run } = setup([200, 200, 200]);
    await run(client.fetch('/checkin'));
    await run(client.fetch('tasks?since=1'));
    await run(client.fetch(new URL('http://other.test/x')));
    expect(fetch.calls.map((c) => c.url)).toEqual(['http://agent.test/api/checkin', 'http://agent.test/api/tasks?since=1', 'http://other.test/x']);
  });

  it('rides out 502, 502 and resolves with the 200, 1s apart', async () => {
    const { client, fetch, run, events } = setup([502, 502, { status: 200, body: 'done' }]);
    // Read inside run(): runAll() jumps past the attempt's deadline, which also bounds the body.
    expect(await run(client.fetch('/checkin').then((res) => res.text()))).toBe('done');
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 1000, 2000]);
    expect(events.filter((e) => e.type === 'retry').map((e) => e.name)).toEqual(['client', 'client']);
    expect(client.stats()).toMatchObject({ requests: 1, attempts: 3, retries: 2, successes: 1 });
  });

  it('rejects with the last HttpError once retries are over: status, response, safe message, transient', async () => {
    const { client, run } = setup([503, 503, 503], { retry: { backoff: constant(10), maxRetries: 2 } });
    const error = await run(client.fetch('http://u:pw@agent.test/x?token=abc')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503, message: 'HTTP 503 for GET http://agent.test/x' });
    expect((error as HttpError).response).toBeInstanceOf(Response);
    expect(isTransient(error)).toBe(true);
    expect(client.stats().failures).toEqual({ transient: 1, permanent: 0, aborted: 0 });
  });

  it("adds the baseUrl's query (an API key, say) to every relative request", async () => {
    const { client, fetch, run } = setup([200, 200, 200], { baseUrl: 'http://agent.test/api/?key=k1#top' });
    await run(client.fetch('/checkin'));
    await run(client.fetch('tasks?since=1#frag'));
    await run(client.fetch('http://other.test/x'));
    expect(fetch.calls.map((c) => c.url)).toEqual([
      'http://agent.test/api/checkin?key=k1',
      'http://agent.test/api/tasks?since=1&key=k1#frag',
      'http://other.test/x',
    ]);
  });

  it('moves URL credentials into a Basic authorization header (fetch refuses them in the URL)', async () => {
    const { client, fetch, run } = setup([200, 200]);
    await run(client.fetch('http://user:p%40ss@agent.test/x'));
    await run(client.fetch('http://user:pw@agent.test/y', { headers: { authorization: 'Bearer mine' } }));
    expect(fetch.calls.map((c) => [c.url, c.headers['authorization']])).toEqual([
      ['http://agent.test/x', `Basic ${btoa('user:p@ss')}`],
      ['http://agent.test/y', 'Bearer mine'],
    ]);
  });

  it('does not retry a 404 or a 400: one call, permanent', async () => {
    const { client, fetch, run } = setup([404, 400]);
    const notFound = await run(client.fetch('/missing')).catch((e: unknown) => e);
    const bad = await run(client.fetch('/bad')).catch((e: unknown) => e);
    expect([(notFound as HttpError).status, (bad as HttpError).status]).toEqual([404, 400]);
    expect(isTransient(bad)).toBe(false);
    expect(fetch.calls).toHaveLength(2);
    expect(client.stats().failures.permanent).toBe(2);
  });

  it('waits max(backoff, Retry-After) before retrying a 503', async () => {
    const { client, fetch, run } = setup([{ status: 503, headers: { 'retry-after': '7' } }, 200]);
    await run(client.fetch('/x'));
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 7000]);
  });

  it('times out each attempt after `timeout` and retries with a fresh timeout', async () => {
    const { client, fetch, run } = setup(['hang', 'hang', 200], { timeout: '2s' });
    await run(client.fetch('/slow'));
    // attempt 1 times out at 2s, sleep 1s, attempt 2 at 3s times out at 5s, sleep 1s, attempt 3 at 6s
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 3000, 6000]);
  });

  it('settles a timed-out attempt at its deadline even when fetch ignores its signal', async () => {
    const clock = new FakeClock();
    let n = 0;
    const fetch = (() => (++n === 1 ? new Promise<Response>(() => {}) : Promise.resolve(new Response('ok')))) as typeof globalThis.fetch;
    const client = new ResilientClient({ baseUrl: BASE, fetch, clock, timeout: '3s', retry: { backoff: constant('1s', { jitter: 'none' }) } });
    const done = client.fetch('/x');
    await clock.advance(2_999);
    expect(n).toBe(1);
    await clock.advance(1_001); // timed out at 3s, retried 1s later
    const res = await done;
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
    expect(n).toBe(2);
    client.close();
    expect(clock.pending).toBe(0);
  });

  it('retry.attemptTimeout on the client overrides timeout for every attempt', async () => {
    const { client, fetch, run } = setup(['hang', 200], { timeout: '10s', retry: { attemptTimeout: '2s', backoff: constant('1s', { jitter: 'none' }) } });
    await run(client.fetch('/slow'));
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 3000]);
    client.close();
  });

  it('a per-request retry.attemptTimeout times out the first attempt and the retries, with or without a caller signal', async () => {
    const { client, fetch, run } = setup(['hang', 'hang', 200], { timeout: '10s' });
    await run(client.fetch('/slow', { retry: { attemptTimeout: '2s' } }));
    // 2s timeout, 1s sleep, 2s timeout, 1s sleep, then the answer at 6s
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 3000, 6000]);
    client.close();

    const clock = new FakeClock();
    const signals: AbortSignal[] = [];
    const hung = ((_: unknown, init?: RequestInit) => {
      if (init?.signal) signals.push(init.signal);
      return new Promise<Response>(() => {});
    }) as typeof globalThis.fetch;
    const other = new ResilientClient({ baseUrl: BASE, fetch: hung, clock, timeout: '10s', retry: false });
    const caller = new AbortController();
    const outcomes = [
      other.fetch('/a', { retry: { attemptTimeout: '500ms' } }).catch((e: unknown) => [clock.now(), (e as Error).name]),
      other.fetch('/b', { signal: caller.signal, retry: { attemptTimeout: '700ms' } }).catch((e: unknown) => [clock.now(), (e as Error).name]),
    ];
    await clock.advance(1_000);
    expect(await Promise.all(outcomes)).toEqual([
      [500, 'TimeoutError'],
      [700, 'TimeoutError'],
    ]);
    // Each hung fetch was told to stop; the caller's own signal is left alone.
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    expect(caller.signal.aborted).toBe(false);
    other.close();
    expect(clock.pending).toBe(0);
  });

  it('times out concurrent attempts each at its own deadline', async () => {
    const { client, clock } = setup(['hang', 'hang'], { timeout: '5s', retry: false });
    const first = client.fetch('/a').catch((e: unknown) => [clock.now(), (e as Error).name]);
    await clock.advance(2_000);
    const second = client.fetch('/b').catch((e: unknown) => [clock.now(), (e as Error).name]);
    await clock.advance(10_000);
    expect([await first, await second]).toEqual([
      [5_000, 'TimeoutError'],
      [7_000, 'TimeoutError'],
    ]);
    client.close();
    expect(clock.pending).toBe(0);
  });

  it('times out attempts that carry a caller signal at their deadline, then follows that signal, leaving no listener or timer', async () => {
    const { EventEmitter } = await import('node:events');
    const { client, clock } = setup(['hang', 'hang'], { timeout: '5s', retry: false });
    const shutdown = new AbortController();
    const outcome = (p: Promise<unknown>) => p.catch((e: unknown) => [clock.now(), (e as Error).name, (e as Error).message]);
    const first = outcome(client.fetch('/a', { signal: shutdown.signal }));
    await clock.advance(2_000);
    const second = outcome(client.fetch('/b', { signal: shutdown.signal }));
    await clock.advance(4_000);
    shutdown.abort(new Error('shutting down'));
    expect([await first, await second]).toEqual([
      [5_000, 'TimeoutError', 'attempt timed out after 5000ms'],
      [6_000, 'Error', 'shutting down'],
    ]);
    expect(EventEmitter.getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    expect(clock.pending).toBe(0);
  });

  it('keeps one abort listener on a shutdown signal shared by 50 requests in flight (no MaxListenersExceededWarning)', async () => {
    const { EventEmitter } = await import('node:events');
    const clock = new FakeClock();
    const fetch = scriptedFetch([{ status: 200, delayMs: 1_000 }], { clock, repeatLast: true });
    const client = new ResilientClient({ baseUrl: BASE, fetch, clock, timeout: '5s' });
    const shutdown = new AbortController();
    // Each body is read: until then the shutdown signal may still abort it, as with plain fetch.
    const runs = Array.from({ length: 50 }, (_v, i) => client.fetch(`/t/${i}`, { signal: shutdown.signal }).then(async (r) => (await r.text(), r.status)));
    await clock.advance(500);
    expect(EventEmitter.getEventListeners(shutdown.signal, 'abort').length).toBeLessThanOrEqual(1);
    await clock.advance(500);
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 50 }, () => 200));
    expect(EventEmitter.getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    client.close();
    expect(clock.pending).toBe(0);
  });

  it('counts elapsed time from the first attempt and records every call, successes too, in the budget', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 0, window: '1m', clock });
    const events: ResilienceEvent[] = [];
    const fetch = scriptedFetch([200, 200, { status: 503, delayMs: 400 }, 503, 503], { clock });
    const client = new ResilientClient({ baseUrl: BASE, fetch, clock, budget, breaker: false, onEvent: (e) => events.push(e), retry: { backoff: constant(100, { jitter: 'none' }) } });
    await runOn(clock, client.fetch('/ok'));
    await runOn(clock, client.fetch('/ok'));
    // 3 calls seen, ratio 0.5: one retry allowed, the second is refused.
    await expect(runOn(clock, client.fetch('/down'))).rejects.toMatchObject({ status: 503 });
    expect(fetch.calls).toHaveLength(4);
    expect(events.find((e) => e.type === 'give_up')).toMatchObject({ attempts: 2, reason: 'budget', elapsedMs: 500 });
  });

  it("rejects with the caller's abort reason at once and counts it as aborted", async () => {
    const { client, clock } = setup(['hang']);
    const controller = new AbortController();
    const pending = client.fetch('/x', { signal: controller.signal }).catch((e: unknown) => e);
    await clock.advance(100);
    controller.abort(new Error('shutting down'));
    expect(await pending).toMatchObject({ message: 'shutting down' });
    expect(client.stats().failures.aborted).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('honours a signal given in the client retry options on the first attempt too', async () => {
    const shutdown = new AbortController();
    const { client, clock } = setup(['hang'], { retry: { signal: shutdown.signal } });
    const pending = client.fetch('/x').catch((e: unknown) => e);
    await clock.advance(10);
    shutdown.abort(new Error('shutting down'));
    expect(await pending).toMatchObject({ message: 'shutting down' });
    expect(client.stats().failures.aborted).toBe(1);
    client.close();
    expect(clock.pending).toBe(0);
  });

  it('rejects a bad per-request retry option before sending anything', async () => {
    const { client, fetch } = setup([200]);
    await expect(client.fetch('/x', { retry: { maxRetries: -2 } })).rejects.toThrow(/maxRetries.*-2/);
    expect(fetch.calls).toHaveLength(0);
  });

  it('follows retry: false (one attempt) and a per-request retry override', async () => {
    const one = setup([502, 200], { retry: false });
    await expect(one.run(one.client.fetch('/x'))).rejects.toMatchObject({ status: 502 });
    expect(one.fetch.calls).toHaveLength(1);
    const two = setup([502, 502, 200]);
    await expect(two.run(two.client.fetch('/x', { retry: { maxRetries: 1 } }))).rejects.toMatchObject({ status: 502 });
    expect(two.fetch.calls).toHaveLength(2);
  });

  it('cancels the body of a response it will retry before the next attempt', async () => {
    let cancelled = 0;
    let n = 0;
    const clock = new FakeClock();
    const fetch = (async () =>
      ++n < 3
        ? new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(1024)), cancel: () => void cancelled++ }), { status: 502 })
        : new Response('ok')) as typeof globalThis.fetch;
    const client = new ResilientClient({ baseUrl: BASE, fetch, clock, retry: { backoff: constant(1000) } });
    const res = await runOn(clock, client.fetch('/x'));
    expect([res.status, n, cancelled]).toEqual([200, 3, 2]);
  });

  it('shares one retry budget across calls: once spent, calls stop retrying', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1 / 60, window: '1m', clock }); // 1 retry per minute
    const fetch = scriptedFetch([503, 200, 503], { clock });
    const client = new ResilientClient({ baseUrl: BASE, fetch, clock, budget, breaker: false, retry: { backoff: constant(100) } });
    await expect(runOn(clock, client.fetch('/a'))).resolves.toBeInstanceOf(Response);
    await expect(runOn(clock, client.fetch('/b'))).rejects.toMatchObject({ status: 503 });
    expect(fetch.calls).toHaveLength(3);
  });
});

