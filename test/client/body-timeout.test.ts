import { describe, expect, it } from 'vitest';
import { ResilientClient } from '../../src/client/client.js';
import { isTransient } from '../../src/core/classify.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { BASE } from './setup.js';

/** A response whose body sends `first`, then nothing until `more()` is called. */
function stalling(first: string): { response: Response; more(text: string, end?: boolean): void; cancelled: () => unknown } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(new TextEncoder().encode(first));
    },
    cancel(reason) {
      cancelled = reason ?? 'cancelled';
    },
  });
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'text/plain' } }),
    more(text, end = false) {
      controller.enqueue(new TextEncoder().encode(text));
      if (end) controller.close();
    },
    cancelled: () => cancelled,
  };
}

/** A client whose fetch answers `response` and, like undici, records an abort of the attempt's signal. */
function client(clock: FakeClock, response: Response, timeout: string | number = '5s', aborted: unknown[] = []): ResilientClient {
  const fetch = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    init?.signal?.addEventListener('abort', () => aborted.push(init.signal?.reason));
    return response;
  }) as typeof globalThis.fetch;
  return new ResilientClient({ baseUrl: BASE, clock, timeout, retry: false, breaker: false, fetch });
}

describe('the per-attempt timeout bounds reading the body (issue 9 item 3)', () => {
  it("fails a fetch caller's text() with a transient TimeoutError at the attempt's deadline and aborts the attempt's signal (undici then frees the socket)", async () => {
    const clock = new FakeClock();
    const body = stalling('partial');
    const aborted: unknown[] = [];
    const c = client(clock, body.response, '5s', aborted);
    const res = await c.fetch('/stream');
    expect(res).toBe(body.response); // the same Response, status, headers and url untouched
    await clock.advance(1_000);
    const read = res.text().catch((e: unknown) => [clock.now(), (e as Error).name, (e as Error).message, isTransient(e)]);
    await clock.advance(4_000);
    expect(await read).toEqual([5_000, 'TimeoutError', 'attempt timed out after 5000ms', true]);
    expect(aborted).toMatchObject([{ name: 'TimeoutError' }]);
    c.close();
    expect(clock.pending).toBe(0);
  });

  it('lets a body read in time through untouched (status, headers, url) and leaves no timer once it is read', async () => {
    const clock = new FakeClock();
    const body = stalling('hello, ');
    const c = client(clock, body.response);
    const res = await c.fetch('/stream');
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/plain']);
    const read = res.text();
    await clock.advance(4_000);
    body.more('world', true);
    expect(await read).toBe('hello, world');
    c.close();
    expect(clock.pending).toBe(0);
  });

  it('cancels a body nobody read by the deadline, so its socket is freed', async () => {
    const clock = new FakeClock();
    const body = stalling('unread');
    const c = client(clock, body.response);
    const res = await c.fetch('/stream');
    await clock.advance(5_000);
    expect(body.cancelled()).toMatchObject({ name: 'TimeoutError' });
    await expect(res.json()).rejects.toMatchObject({ name: 'TimeoutError' });
    c.close();
    expect(clock.pending).toBe(0);
  });

  it('bounds the body with a per-request retry.attemptTimeout too', async () => {
    const clock = new FakeClock();
    const c = client(clock, stalling('x').response);
    const res = await c.fetch('/stream', { retry: { attemptTimeout: '1s' } });
    const read = res.arrayBuffer().catch((e: unknown) => [clock.now(), (e as Error).message]);
    await clock.advance(1_000);
    expect(await read).toEqual([1_000, 'attempt timed out after 1000ms']);
    c.close();
    expect(clock.pending).toBe(0);
  });

  it("ends a body being read when the caller's signal aborts, with its reason", async () => {
    const clock = new FakeClock();
    const c = client(clock, stalling('x').response);
    const shutdown = new AbortController();
    const res = await c.fetch('/stream', { signal: shutdown.signal });
    const read = res.text().catch((e: unknown) => (e as Error).message);
    shutdown.abort(new Error('shutting down'));
    expect(await read).toBe('shutting down');
    c.close();
    expect(clock.pending).toBe(0);
  });

  it('leaves responses without a body (204) as they are', async () => {
    const clock = new FakeClock();
    const original = new Response(null, { status: 204 });
    const c = client(clock, original);
    expect(await c.fetch('/none')).toBe(original);
    c.close();
    expect(clock.pending).toBe(0);
  });
});
