import { describe, expect, it } from 'vitest';
import { constant, schedule } from '../src/backoff.js';
import { RetryBudget } from '../src/budget.js';
import { isTransient } from '../src/classify.js';
import { ResilientClient, type ResilientClientOptions } from '../src/client.js';
import { HttpError } from '../src/errors.js';
import type { ResilienceEvent } from '../src/events.js';
import { FakeClock } from '../src/fake-clock.js';
import { scriptedFetch, type ScriptStep } from '../src/scripted-fetch.js';

const BASE = 'http://agent.test/api';

function refused(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
}

function reset(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
}

function setup(script: ScriptStep[], o: Partial<ResilientClientOptions> = {}) {
  const clock = new FakeClock();
  const fetch = scriptedFetch(script, { clock });
  const events: ResilienceEvent[] = [];
  const client = new ResilientClient({
    baseUrl: BASE,
    fetch,
    clock,
    retry: { backoff: constant('1s', { jitter: 'none' }), maxRetries: 5 },
    onEvent: (e) => events.push(e),
    ...o,
  });
  /** Runs `work` to completion in virtual time. */
  async function run<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    await clock.runAll();
    const r = await settled;
    if (!r.ok) throw r.error;
    return r.value;
  }
  return { clock, fetch, events, client, run };
}

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
    expect(() => new ResilientClient({ baseUrl: BASE, retry: { maxRetries: -1 } })).toThrow(/maxRetries.*-1/);
    expect(() => new ResilientClient({ baseUrl: BASE, breaker: { failureThreshold: 0 } })).toThrow(/failureThreshold.*0/);
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
    const res = await run(client.fetch('/checkin'));
    expect(await res.text()).toBe('done');
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
    expect((await done).status).toBe(200);
    expect(n).toBe(2);
    client.close();
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

async function runOn<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  const settled = work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await clock.runAll();
  const r = await settled;
  if (!r.ok) throw r.error;
  return r.value;
}

describe('method safety', () => {
  it('retries GET, HEAD, OPTIONS, PUT and DELETE on a 502', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']) {
      const { client, fetch, run } = setup([502, 204]);
      await run(client.fetch('/r', { method }));
      expect(fetch.calls.map((c) => c.method)).toEqual([method, method]);
    }
  });

  it('does not retry a POST or a PATCH that may have reached the server', async () => {
    for (const [method, failure] of [['POST', 502], ['PATCH', 502], ['POST', reset()]] as const) {
      const { client, fetch, run, events } = setup([failure, 200]);
      await expect(run(client.fetch('/r', { method, body: 'x' }))).rejects.toBeDefined();
      expect(fetch.calls).toHaveLength(1);
      expect(events.find((e) => e.type === 'give_up')).toMatchObject({ reason: 'not-retryable' });
    }
  });

  it('retries a POST with idempotent: true', async () => {
    const { client, fetch, run } = setup([502, 200]);
    await run(client.fetch('/r', { method: 'POST', body: 'x', idempotent: true }));
    expect(fetch.calls).toHaveLength(2);
  });

  it('sends the same Idempotency-Key on every attempt, generating one for `true`', async () => {
    const { client, fetch, run } = setup([502, 503, 200, 502, 200]);
    await run(client.fetch('/r', { method: 'POST', body: 'x', idempotencyKey: 'task-42-done' }));
    await run(client.fetch('/r', { method: 'PATCH', body: 'y', idempotencyKey: true }));
    const keys = fetch.calls.map((c) => c.headers['idempotency-key']);
    expect(keys.slice(0, 3)).toEqual(['task-42-done', 'task-42-done', 'task-42-done']);
    expect(keys[3]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[4]).toBe(keys[3]);
  });

  it('retries any method when the request provably never left: connection refused, DNS, open breaker', async () => {
    const dns = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' }) });
    const { client, fetch, run } = setup([refused(), dns, 201]);
    const res = await run(client.fetch('/r', { method: 'POST', body: 'x' }));
    expect(res.status).toBe(201);
    expect(fetch.calls).toHaveLength(3);
  });
});

describe('request bodies', () => {
  const bodies: Array<[string, () => BodyInit, string]> = [
    ['string', () => 'SECRET3 payload', 'SECRET3 payload'],
    ['ArrayBuffer', () => new TextEncoder().encode('abc').buffer as ArrayBuffer, 'abc'],
    ['Uint8Array', () => new TextEncoder().encode('bytes'), 'bytes'],
    ['Blob', () => new Blob(['blob body']), 'blob body'],
    ['URLSearchParams', () => new URLSearchParams({ a: '1', b: 'two' }), 'a=1&b=two'],
  ];
  for (const [kind, make, text] of bodies) {
    it(`re-sends a ${kind} body byte for byte on each attempt`, async () => {
      const { client, fetch, run } = setup([502, 503, 200]);
      await run(client.fetch('/r', { method: 'PUT', body: make() }));
      expect(fetch.calls.map((c) => c.body)).toEqual([text, text, text]);
    });
  }

  it('re-sends a FormData body on each attempt', async () => {
    const { client, fetch, run } = setup([502, 200]);
    const form = new FormData();
    form.set('field', 'value');
    await run(client.fetch('/r', { method: 'PUT', body: form }));
    expect(fetch.calls.map((c) => c.body?.includes('value'))).toEqual([true, true]);
  });

  it('sends a stream body once (duplex half) and does not retry it', async () => {
    const seen: Array<RequestInit | undefined> = [];
    const clock = new FakeClock();
    const inner = scriptedFetch([502, 200], { clock });
    const spy = ((input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(init);
      return inner(input, init);
    }) as typeof fetch;
    const client = new ResilientClient({ baseUrl: BASE, fetch: spy, clock, retry: { backoff: constant(10) } });
    const body = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('streamed')), c.close()) });
    await expect(runOn(clock, client.fetch('/r', { method: 'PUT', body }))).rejects.toMatchObject({ status: 502 });
    expect(inner.calls.map((c) => c.body)).toEqual(['streamed']);
    expect((seen[0] as { duplex?: string }).duplex).toBe('half');
  });
});

describe('headers and 401', () => {
  it('sends the client headers, per-request headers over them, and calls a headers function per attempt', async () => {
    let n = 0;
    const { client, fetch, run } = setup([502, 200], { headers: () => ({ authorization: `Bearer t${++n}`, 'x-agent': 'a1' }) });
    await run(client.fetch('/r', { headers: { 'X-Agent': 'override' } }));
    expect(fetch.calls.map((c) => [c.headers['authorization'], c.headers['x-agent']])).toEqual([
      ['Bearer t1', 'override'],
      ['Bearer t2', 'override'],
    ]);
  });

  it('on 401 calls onUnauthorized once, then retries once with fresh headers', async () => {
    let token = 'old';
    let refreshes = 0;
    const { client, fetch, run } = setup([401, 200], {
      headers: () => ({ authorization: `Bearer ${token}` }),
      onUnauthorized: async () => {
        refreshes++;
        token = 'new';
      },
    });
    const res = await run(client.fetch('/r', { method: 'POST', body: 'x' }));
    expect(res.status).toBe(200);
    expect(refreshes).toBe(1);
    expect(fetch.calls.map((c) => c.headers['authorization'])).toEqual(['Bearer old', 'Bearer new']);
  });

  it('gives up with the 401 when the refreshed request is refused again', async () => {
    let refreshes = 0;
    const { client, fetch, run } = setup([401, 401, 200], { onUnauthorized: async () => void refreshes++ });
    await expect(run(client.fetch('/r'))).rejects.toMatchObject({ status: 401 });
    expect([refreshes, fetch.calls.length]).toEqual([1, 2]);
  });

  it('without onUnauthorized a 401 is final', async () => {
    const { client, fetch, run } = setup([401, 200]);
    await expect(run(client.fetch('/r'))).rejects.toMatchObject({ status: 401 });
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('getJSON and postJSON', () => {
  it('getJSON sends Accept: application/json and parses the body', async () => {
    const { client, fetch, run } = setup([{ status: 200, body: '[{"id":1}]' }]);
    expect(await run(client.getJSON<Array<{ id: number }>>('/tasks'))).toEqual([{ id: 1 }]);
    expect(fetch.calls[0]?.headers['accept']).toBe('application/json');
  });

  it('postJSON sends a JSON body and, with an idempotencyKey, retries it', async () => {
    const { client, fetch, run } = setup([502, { status: 200, body: '{"ok":true}' }]);
    const out = await run(client.postJSON<{ ok: boolean }>('/done', { task: 42 }, { idempotencyKey: 'k1' }));
    expect(out).toEqual({ ok: true });
    expect(fetch.calls.map((c) => [c.method, c.body, c.headers['content-type']])).toEqual([
      ['POST', '{"task":42}', 'application/json'],
      ['POST', '{"task":42}', 'application/json'],
    ]);
  });

  it('postJSON without a key is not retried after a 502 (document: pass idempotencyKey)', async () => {
    const { client, fetch, run } = setup([502, 200]);
    await expect(run(client.postJSON('/done', { task: 42 }))).rejects.toMatchObject({ status: 502 });
    expect(fetch.calls).toHaveLength(1);
  });

  it('getJSON resolves undefined for an empty 204', async () => {
    const { client, run } = setup([204]);
    expect(await run(client.getJSON('/empty'))).toBeUndefined();
  });
});

describe('schedules', () => {
  it('retries on schedule 4s, 8s, 16s, 32s, 64s, then reports the transient failure', async () => {
    const { client, fetch, run } = setup([502, 502, 502, 502, 502, 502], {
      retry: { backoff: schedule(['4s', '8s', '16s', '32s', '64s'], { jitter: 'none' }), maxRetries: Infinity },
      breaker: false,
    });
    const error = await run(client.fetch('/done', { method: 'POST', idempotencyKey: 'k' })).catch((e: unknown) => e);
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 4000, 12000, 28000, 60000, 124000]);
    expect(isTransient(error)).toBe(true);
  });
});
