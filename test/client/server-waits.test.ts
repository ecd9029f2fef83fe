import { describe, expect, it } from 'vitest';
import { setup } from './setup.js';

const gaps = (calls: ReadonlyArray<{ time: number }>): number[] => calls.slice(1).map((c, i) => c.time - calls[i]!.time);

describe('the client reads the server’s wait and method safety as peers do', () => {
  it('retries QUERY like GET: it is safe and idempotent (ky and undici retry it)', async () => {
    const { client, fetch, run } = setup([502, 200]);
    await run(client.fetch('/search', { method: 'QUERY', body: '{"q":1}' }));
    expect(fetch.calls.map((c) => c.method)).toEqual(['QUERY', 'QUERY']);
  });

  it('waits RateLimit-Reset seconds on a 429 that has no Retry-After', async () => {
    const { client, fetch, run } = setup([new Response(null, { status: 429, headers: { 'RateLimit-Reset': '20' } }), 200]);
    await run(client.fetch('/r'));
    expect(gaps(fetch.calls)).toEqual([20_000]);
  });

  it('waits until an epoch X-RateLimit-Reset on a 503', async () => {
    let resetAt = 0;
    const first = (call: { time: number }): Response => {
      resetAt = (Math.floor(call.time / 1000) + 42) * 1000;
      return new Response(null, { status: 503, headers: { 'X-RateLimit-Reset': String(resetAt / 1000) } });
    };
    const { client, fetch, run } = setup([first, 200]);
    await run(client.fetch('/r'));
    expect(fetch.calls[1]!.time).toBe(resetAt);
  });

  it('retries a 413 that carries Retry-After after the wait asked, with surrounding whitespace', async () => {
    const { client, fetch, run } = setup([new Response(null, { status: 413, headers: { 'Retry-After': ' 7 ' } }), 200]);
    const res = await run(client.fetch('/upload', { method: 'PUT', body: 'x' }));
    expect(res.status).toBe(200);
    expect(gaps(fetch.calls)).toEqual([7_000]);
  });

  it('does not retry a 413 without Retry-After', async () => {
    const { client, fetch, run } = setup([413, 200]);
    await expect(run(client.fetch('/upload', { method: 'PUT', body: 'x' }))).rejects.toMatchObject({ status: 413 });
    expect(fetch.calls).toHaveLength(1);
  });
});
