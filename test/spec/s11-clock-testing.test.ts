/**
 * SPEC §11 Clock and steadfast/testing.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  HealthCheck,
  ResilientClient,
  RetryBudget,
  constant,
  poll,
  systemClock,
  withRetry,
} from 'steadfast';
import { FakeClock, scriptedFetch, seededRandom, simulate } from 'steadfast/testing';

describe('SPEC §11 Clock and steadfast/testing', () => {
  it('systemClock.sleep "rejects with signal.reason on abort and removes its listener"', async () => {
    const { EventEmitter } = await import('node:events');
    const getEventListeners = EventEmitter.getEventListeners.bind(EventEmitter);
    const abort = new AbortController();
    const p = systemClock.sleep(60_000, abort.signal);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(1);
    const reason = new Error('stop');
    abort.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
    await systemClock.sleep(0, abort.signal).catch(() => {});
    const ok = new AbortController();
    await systemClock.sleep(1, ok.signal);
    expect(getEventListeners(ok.signal, 'abort')).toHaveLength(0);
  });

  it('systemClock.now/random are real time and [0, 1)', () => {
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1_000);
    const r = systemClock.random();
    expect(r >= 0 && r < 1).toBe(true);
  });

  it('FakeClock: now(), sleep(ms, signal), advance(ms), runAll(), random() seeded', async () => {
    const clock = new FakeClock({ now: 1_000 });
    const order: string[] = [];
    void clock.sleep(500).then(() => order.push('a'));
    void clock.sleep(100).then(() => order.push('b'));
    const abort = new AbortController();
    const aborted = clock.sleep(50, abort.signal).catch((e: unknown) => e);
    abort.abort('no');
    expect(await aborted).toBe('no');
    await clock.advance(100);
    expect(order).toEqual(['b']);
    expect(clock.now()).toBe(1_100);
    await clock.runAll();
    expect(order).toEqual(['b', 'a']);
    expect(clock.now()).toBe(1_500);
    expect(clock.pending).toBe(0);
    const a = new FakeClock({ seed: 3 });
    const b = new FakeClock({ seed: 3 });
    expect([a.random(), a.random()]).toEqual([b.random(), b.random()]);
  });

  it('seededRandom(seed) is deterministic and in [0, 1)', () => {
    const a = seededRandom(11);
    const b = seededRandom(11);
    for (let i = 0; i < 100; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('scriptedFetch "plays statuses, Responses and errors in order; records method, url, headers and virtual time"', async () => {
    const clock = new FakeClock({ now: 5_000 });
    const err = new TypeError('fetch failed');
    const f = scriptedFetch([201, new Response('hi', { status: 202 }), err], { clock });
    const r1 = await f('http://x.test/a', { method: 'PUT', headers: { 'X-Trace': 't1' }, body: 'b' });
    await clock.advance(1_000);
    const r2 = await f('http://x.test/b');
    await expect(f('http://x.test/c')).rejects.toBe(err);
    expect([r1.status, r2.status, await r2.text()]).toEqual([201, 202, 'hi']);
    expect(f.calls.map((c) => [c.method, c.url, c.time])).toEqual([['PUT', 'http://x.test/a', 5_000], ['GET', 'http://x.test/b', 6_000], ['GET', 'http://x.test/c', 6_000]]);
    expect(f.calls[0]?.headers['x-trace']).toBe('t1');
    await expect(f('http://x.test/d')).rejects.toThrow(/no step/);
  });

  it('simulate "dry-runs a retry policy in virtual time and returns the timeline of attempts"', async () => {
    const result = await simulate({ backoff: constant('2s', { jitter: 'none' }), maxRetries: 5 }, [503, 503, { status: 429, retryAfter: '10' }, 'ok']);
    expect(result.timeline.map((a) => [a.attempt, a.at, a.ok])).toEqual([[1, 0, false], [2, 2_000, false], [3, 4_000, false], [4, 14_000, true]]);
    expect(result.timeline[2]?.status).toBe(429);
    expect(result.timeline[2]?.delayMs).toBe(10_000);
  });

  it('"Every component takes clock": none touches real timers under a FakeClock', async () => {
    const clock = new FakeClock();
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const b = new CircuitBreaker({ clock, failureThreshold: 1 });
    const h = new HealthCheck({ clock, probe: async () => {} });
    h.start();
    const p = poll(async () => { throw new Error('down'); }, { interval: '1s', clock });
    const c = new ResilientClient({ baseUrl: 'http://a.test', clock, fetch: scriptedFetch([503], { clock, repeatLast: true }) });
    void c.fetch('/x').catch(() => {});
    void b.execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
    void withRetry(async () => { throw new Error('timeout'); }, { clock }).catch(() => {});
    void new RetryBudget({ clock }).tryRetry();
    await clock.advance(100);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
    h.stop();
    await p.stop();
    c.close();
    await clock.runAll();
  });
});
