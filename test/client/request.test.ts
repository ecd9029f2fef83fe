import { describe, expect, it } from 'vitest';
import { constant, schedule } from '../../src/core/backoff.js';
import { isTransient } from '../../src/core/classify.js';
import { ResilientClient } from '../../src/client/client.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';
import { BASE, refused, reset, runOn, setup } from './setup.js';

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

  it('shares one onUnauthorized run between requests that get a 401 at the same time', async () => {
    let refreshes = 0;
    const { client, fetch, run } = setup([401, 401, 200, 200], {
      onUnauthorized: async () => {
        refreshes++;
        await Promise.resolve();
      },
    });
    const both = Promise.all([client.fetch('/a'), client.fetch('/b')]);
    const [a, b] = await run(both);
    expect([a.status, b.status, refreshes, fetch.calls.length]).toEqual([200, 200, 1, 4]);
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
      totalTimeout: '5m', // the schedule runs 124 s, past the default 60 s deadline
    });
    const error = await run(client.fetch('/done', { method: 'POST', idempotencyKey: 'k' })).catch((e: unknown) => e);
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 4000, 12000, 28000, 60000, 124000]);
    expect(isTransient(error)).toBe(true);
  });
});
