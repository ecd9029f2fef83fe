import { describe, expect, it } from 'vitest';
import { isTransient } from '../../src/core/classify.js';
import { setup } from './setup.js';

describe('ResilientClient maxConcurrent / maxQueued', () => {
  it('rejects bad limits at construction, naming the option and value', () => {
    expect(() => setup([], { maxConcurrent: 0 })).toThrow(/ResilientClient\.maxConcurrent must be an integer >= 1 or Infinity; got 0/);
    expect(() => setup([], { maxConcurrent: 2, maxQueued: -1 })).toThrow(/ResilientClient\.maxQueued must be an integer >= 0 or Infinity; got -1/);
    expect(() => setup([], { maxQueued: 5 })).toThrow(/ResilientClient\.maxQueued needs maxConcurrent/);
    expect(() => setup([], { maxConcurrent: null as never })).toThrow(/ResilientClient\.maxConcurrent/);
  });

  it('counts the wait for a slot toward totalTimeout: a call still waiting at the deadline rejects with the deadline error and leaves no timer', async () => {
    const { client, clock, fetch } = setup(['hang', 200], { maxConcurrent: 1, timeout: '10s', totalTimeout: '2s', retry: false });
    const first = client.fetch('/a').catch((e: unknown) => [clock.now(), (e as Error).message]);
    const second = client.fetch('/b').catch((e: unknown) => [clock.now(), (e as Error).message, isTransient(e)]);
    await clock.advance(2_000);
    expect(await second).toEqual([2_000, 'request deadline reached (totalTimeout 2000ms)', true]);
    expect(await first).toEqual([2_000, 'request deadline reached (totalTimeout 2000ms)']);
    expect(fetch.calls).toHaveLength(1); // the second never reached fetch
    client.close();
    expect(clock.pending).toBe(0);
  });

  it('gives a call that waited for its slot only what is left of its deadline', async () => {
    const { client, clock } = setup([{ status: 200, delayMs: 1_500 }, 'hang'], { maxConcurrent: 1, timeout: '10s', totalTimeout: '2s', retry: false });
    const first = client.fetch('/a').then((r) => r.status);
    const second = client.fetch('/b').catch((e: unknown) => [clock.now(), (e as Error).message]);
    await clock.advance(1_500);
    expect(await first).toBe(200);
    await clock.advance(1_000);
    // Started at 0, got its slot at 1.5s, cut at 2s: not at 1.5s + 2s.
    expect(await second).toEqual([2_000, 'request deadline reached (totalTimeout 2000ms)']);
    client.close();
  });

  it("takes a waiting call out of line when its signal aborts, with the signal's reason", async () => {
    const { client } = setup(['hang'], { maxConcurrent: 1, retry: false, totalTimeout: Infinity, timeout: Infinity });
    void client.fetch('/a').catch(() => {});
    const shutdown = new AbortController();
    const waiting = client.fetch('/b', { signal: shutdown.signal }).catch((e: unknown) => (e as Error).message);
    shutdown.abort(new Error('shutting down'));
    expect(await waiting).toBe('shutting down');
    expect(client.stats().failures.aborted).toBe(1);
    client.close();
  });
});
