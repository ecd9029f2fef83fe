import { describe, expect, it } from 'vitest';
import { EVENT_REQUEST, type EventOf } from '../../src/core/events.js';
import { refused, setup } from './setup.js';

describe('hooks', () => {
  it('beforeRequest gets each attempt its own Request (retries included) and may change it in place or replace it', async () => {
    const seen: Array<[number, string]> = [];
    const { client, fetch, run } = setup([502, 502, 200], {
      hooks: {
        beforeRequest: (request, { attempt }) => {
          seen.push([attempt, request.url]);
          if (attempt === 3) return new Request(request, { headers: { 'x-signature': `sig-${attempt}` } });
          request.headers.set('x-signature', `sig-${attempt}`);
        },
      },
    });
    expect((await run(client.fetch('/jobs?x=1'))).status).toBe(200);
    expect(seen).toEqual([1, 2, 3].map((n) => [n, 'http://agent.test/api/jobs?x=1']));
    expect(fetch.calls.map((c) => c.headers['x-signature'])).toEqual(['sig-1', 'sig-2', 'sig-3']);
  });

  it('a Request beforeRequest returns is the one afterResponse, beforeRetry and the attempt event see', async () => {
    const seen: string[] = [];
    const { client, run, events } = setup([503, 200], {
      hooks: {
        beforeRequest: (request, { attempt }) => new Request(request, { headers: { 'x-signature': `sig-${attempt}` } }),
        beforeRetry: ({ request }) => void seen.push(`retry ${String(request.headers.get('x-signature'))}`),
        afterResponse: (_response, { request }) => void seen.push(`after ${String(request.headers.get('x-signature'))}`),
      },
    });
    await run(client.fetch('/x'));
    expect(seen).toEqual(['after sig-1', 'retry sig-1', 'after sig-2']);
    const sent = events.filter((e): e is EventOf<'attempt'> => e.type === 'attempt').map((e) => (e as { [EVENT_REQUEST]?: Request })[EVENT_REQUEST]?.headers.get('x-signature'));
    expect(sent).toEqual(['sig-1', 'sig-2']);
  });

  it('beforeRetry sees the failed attempt, its error and the delay; throwing stops retrying with that error', async () => {
    const infos: unknown[] = [];
    const veto = new Error('shutting down: no more retries');
    const { client, fetch, run, events } = setup([503, 503, 200], {
      hooks: {
        beforeRetry: ({ request, error, attempt, delayMs }) => {
          infos.push({ url: request.url, status: (error as { status?: number }).status, attempt, delayMs });
          if (attempt === 2) throw veto;
        },
      },
    });
    const error = await run(client.fetch('/x')).catch((e: unknown) => e);
    expect(error).toBe(veto);
    expect(infos).toEqual([
      { url: 'http://agent.test/api/x', status: 503, attempt: 1, delayMs: 1_000 },
      { url: 'http://agent.test/api/x', status: 503, attempt: 2, delayMs: 1_000 },
    ]);
    expect(fetch.calls).toHaveLength(2);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
    expect(client.stats()).toMatchObject({ requests: 1, successes: 0, attempts: 2 });
  });

  it('afterResponse may replace a response: a 200 made 503 is retried, a 500 made 200 succeeds', async () => {
    const { client, fetch, run } = setup([200, 500], {
      hooks: {
        afterResponse: (response, { attempt, request }) => {
          expect(request.url).toBe('http://agent.test/api/x');
          if (attempt === 1) return new Response('busy', { status: 503 });
          if (response.status === 500) return new Response('patched', { status: 200 });
        },
      },
    });
    const res = await run(client.fetch('/x').then((r) => r.text()));
    expect(res).toBe('patched');
    expect(fetch.calls).toHaveLength(2);
  });

  it('a hook that throws or rejects ends the call with its error at once: not retried, not a failure of the server (breaker), never unhandled', async () => {
    const broken = new Error('signing key unavailable'); // would classify as transient
    for (const hooks of [{ beforeRequest: () => Promise.reject(broken) }, { afterResponse: () => { throw broken; } }]) {
      const { client, fetch, run } = setup([200, 200, 200], { hooks, breaker: { failureThreshold: 1 } });
      expect(await run(client.fetch('/x')).catch((e: unknown) => e)).toBe(broken);
      expect(fetch.calls.length).toBeLessThanOrEqual(1);
      expect(client.breaker?.state).toBe('closed');
    }
  });

  it('a hook returning something other than a Request/Response ends the call with a TypeError naming the hook', async () => {
    const { client, run } = setup([200], { hooks: { afterResponse: () => 'ok' as never } });
    await expect(run(client.fetch('/x'))).rejects.toThrow(/hooks\.afterResponse must return a Response or nothing; got "ok"/);
  });

  it('rejects hooks that are not functions at construction', () => {
    expect(() => setup([], { hooks: { beforeRequest: 'sign' as never } })).toThrow(/ResilientClient\.hooks\.beforeRequest must be a function/);
    expect(() => setup([], { hooks: 42 as never })).toThrow(/ResilientClient\.hooks must be an object/);
  });
});

describe('the attempt event', () => {
  it('is emitted after each attempt with method, origin, status, duration and verdict, never a query string', async () => {
    const { client, run, events, clock } = setup([{ status: 503, delayMs: 40 }, refused(), { status: 200, delayMs: 25 }]);
    void clock;
    await run(client.fetch('/x?token=SECRET', { method: 'PUT', body: 'b' }));
    const attempts = events.filter((e): e is EventOf<'attempt'> => e.type === 'attempt');
    expect(attempts.map(({ time: _t, ...rest }) => rest)).toEqual([
      { type: 'attempt', name: 'client', attempt: 1, method: 'PUT', origin: 'http://agent.test', status: 503, durationMs: 40, verdict: { kind: 'transient', reason: 'HTTP 503', status: 503 } },
      { type: 'attempt', name: 'client', attempt: 2, method: 'PUT', origin: 'http://agent.test', durationMs: 0, verdict: { kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' } },
      { type: 'attempt', name: 'client', attempt: 3, method: 'PUT', origin: 'http://agent.test', status: 200, durationMs: 25 },
    ]);
    expect(JSON.stringify(events)).not.toContain('SECRET');
  });

  it('carries, under EVENT_REQUEST, the very Request beforeRequest received (for telemetry), hidden from JSON', async () => {
    const given: Request[] = [];
    const { client, run, events } = setup([502, 200], { hooks: { beforeRequest: (r) => void given.push(r) } });
    await run(client.fetch('/x'));
    const carried = events.filter((e) => e.type === 'attempt').map((e) => (e as { [EVENT_REQUEST]?: Request })[EVENT_REQUEST]);
    expect(carried).toHaveLength(2);
    expect(carried[0]).toBe(given[0]);
    expect(carried[1]).toBe(given[1]);
    expect(JSON.stringify(events.find((e) => e.type === 'attempt'))).not.toContain('Request');
  });

  it('costs nothing without a sink: no event object and no Request is built', async () => {
    let built = 0;
    const Original = globalThis.Request;
    globalThis.Request = class extends Original {
      constructor(...args: ConstructorParameters<typeof Request>) {
        super(...args);
        built++;
      }
    };
    try {
      const { client, run } = setup([], { onEvent: undefined as never, fetch: async () => new Response(null, { status: 204 }) });
      await run(client.fetch('/x'));
    } finally {
      globalThis.Request = Original;
    }
    expect(built).toBe(0);
  });
});
