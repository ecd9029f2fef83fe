import { describe, expect, it } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { isTransient } from '../../src/core/classify.js';
import { refused, setup } from './setup.js';

const outcome = (clock: { now(): number }, p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => ({ at: clock.now(), name: (e as Error).name, message: (e as Error).message, cause: (e as { cause?: { name?: string } }).cause?.name, transient: isTransient(e) }),
  );

describe('totalTimeout: one deadline over a whole call', () => {
  it('ends a call against a dead server at the 60 s default deadline, saying so, instead of waiting out open breakers for minutes', async () => {
    // The default backoff, breaker (opens after 5 failures for 30s) and health probing, 20 retries allowed.
    const { client, clock } = setup([], { retry: { maxRetries: 20 }, fetch: () => Promise.reject(refused()) });
    const result = outcome(clock, client.fetch('/tasks'));
    await clock.advance(70_000); // not runAll(): the health probes of the dead server go on
    const r = await result;
    expect(r).toMatchObject({ name: 'TimeoutError', message: 'request deadline reached (totalTimeout 60000ms)', transient: true });
    expect((r as { at: number }).at).toBeGreaterThan(30_000);
    expect((r as { at: number }).at).toBeLessThanOrEqual(60_000);
    client.close();
  });

  it('cuts an attempt that would outlive the deadline at the deadline, with the deadline error', async () => {
    const { client, clock } = setup(['hang'], { timeout: '10s', totalTimeout: '4s', retry: false });
    const result = outcome(clock, client.fetch('/slow'));
    await clock.advance(4_000);
    expect(await result).toMatchObject({ at: 4_000, name: 'TimeoutError', message: 'request deadline reached (totalTimeout 4000ms)' });
    client.close();
    expect(clock.pending).toBe(0);
  });

  it('starts no retry whose sleep would end past the deadline: gives up at once with the deadline error, the last failure as its cause', async () => {
    const { client, clock, fetch, events } = setup([503, 503, 503], { totalTimeout: '2500ms', retry: { backoff: constant('1s', { jitter: 'none' }), maxRetries: 5 } });
    const result = outcome(clock, client.fetch('/x'));
    await clock.runAll();
    // Attempts at 0, 1s, 2s; a third retry would sleep until 3s, past 2.5s.
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 1_000, 2_000]);
    expect(await result).toMatchObject({ at: 2_000, name: 'TimeoutError', cause: 'HttpError', transient: true });
    expect(events.filter((e) => e.type === 'give_up')).toMatchObject([{ reason: 'max-elapsed', attempts: 3 }]);
    client.close();
  });

  it('a per-request totalTimeout overrides the client one, and Infinity turns it off', async () => {
    const { client, clock, fetch } = setup([503, 503, 503, 200], { totalTimeout: '1500ms', retry: { backoff: constant('1s', { jitter: 'none' }), maxRetries: 5 } });
    const ok = client.fetch('/x', { totalTimeout: Infinity }).then((r) => r.status);
    await clock.runAll();
    expect(await ok).toBe(200);
    expect(fetch.calls).toHaveLength(4);
    await expect(client.fetch('/x', { totalTimeout: 0 })).rejects.toThrow(/totalTimeout must be > 0; got 0/);
    client.close();
  });

  it("keeps the caller's retry.maxElapsed as it was: the last error, unchanged, when maxElapsed (not the deadline) stops the call", async () => {
    const { client, clock } = setup([503, 503], { retry: { backoff: constant('1s', { jitter: 'none' }), maxElapsed: '1500ms' } });
    const result = outcome(clock, client.fetch('/x'));
    await clock.runAll();
    expect(await result).toMatchObject({ name: 'HttpError' });
    client.close();
  });

  it('measures the deadline from the call start even when nothing else reads the clock (no budget, no sink)', async () => {
    const { client, clock, fetch } = setup([503, 503, 200], { budget: false, onEvent: undefined as never, totalTimeout: '10s' });
    const ok = client.fetch('/x').then((r) => r.status);
    await clock.runAll();
    expect(await ok).toBe(200);
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 1_000, 2_000]);
    client.close();
  });

  it('rejects a bad totalTimeout at construction, naming the option and value', () => {
    expect(() => setup([], { totalTimeout: -1 })).toThrow(/ResilientClient\.totalTimeout.*-1/);
    expect(() => setup([], { totalTimeout: 'forever' })).toThrow(/ResilientClient\.totalTimeout/);
  });

  it('waits for an open breaker with health probing until the deadline at most, woken early by recovery', async () => {
    let upAt = Infinity;
    const { client, clock } = setup([], {
      fetch: async () => {
        if (clock.now() < upAt) throw refused();
        return new Response('ok');
      },
      totalTimeout: '20s',
      breaker: { failureThreshold: 2, openFor: '10m' },
      health: { interval: '1s' },
      retry: { backoff: constant('100ms', { jitter: 'none' }), maxRetries: Infinity },
    });
    const result = outcome(clock, client.fetch('/x'));
    await clock.advance(5_000);
    expect(client.stats().state).toBe('open'); // opened at 100ms; openFor 10m is far past the deadline, yet the call waits
    upAt = clock.now();
    await clock.advance(2_000);
    expect(await result).toBe('resolved');
    expect(client.stats()).toMatchObject({ state: 'closed', recoveries: 1 });
    client.close();
  });
});
