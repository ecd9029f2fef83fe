import { describe, expect, it } from 'vitest';
import { constant, exponential, schedule } from '../../src/core/backoff.js';
import type { Clock, SleepOptions } from '../../src/core/clock.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { HealthCheck, httpProbe, type Probe } from '../../src/policies/health.js';
import { collect, ofType } from '../events-helper.js';
import { watchListeners } from '../signal-listeners.js';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });

/** A probe that plays outcomes in order (then passes); each outcome takes `ms` of virtual time. */
function scripted(clock: FakeClock, outcomes: ('ok' | 'fail' | 'hang')[], ms = 0) {
  const calls: { at: number; signal: AbortSignal }[] = [];
  const probe: Probe = async (signal) => {
    calls.push({ at: clock.now(), signal });
    const next = outcomes[calls.length - 1] ?? 'ok';
    if (next === 'hang') return new Promise(() => {});
    if (ms > 0) await clock.sleep(ms);
    if (next === 'fail') throw refused();
    return undefined;
  };
  return { calls, probe };
}


describe('HealthCheck.check', () => {
  it('passes, becomes healthy and emits health_ok with the latency in ms', async () => {
    const clock = new FakeClock({ now: 1_000 });
    const { probe } = scripted(clock, ['ok'], 12);
    const { events, sink } = collect();
    const health = new HealthCheck({ probe, clock, onEvent: sink, name: 'api' });
    expect(health.status).toBe('unknown');
    const result = health.check();
    await clock.advance(12);
    expect(await result).toBe(true);
    expect(health.status).toBe('healthy');
    expect(events).toEqual([{ type: 'health_ok', time: new Date(1_012).toISOString(), name: 'api', latencyMs: 12 }]);
  });

  it('fails without throwing when the probe rejects or throws synchronously, and emits health_fail', async () => {
    const clock = new FakeClock();
    const { events, sink } = collect();
    const rejecting = new HealthCheck({ probe: async () => Promise.reject(refused()), clock, onEvent: sink });
    expect(await rejecting.check()).toBe(false);
    expect(rejecting.status).toBe('unhealthy');
    const throwing = new HealthCheck({ probe: () => { throw 'boom'; }, clock, onEvent: sink });
    expect(await throwing.check()).toBe(false);
    expect(ofType(events, 'health_fail').map((e) => e.error)).toEqual([
      { name: 'Error', message: 'connect ECONNREFUSED 10.0.0.1:443', code: 'ECONNREFUSED' },
      { name: 'string', message: 'boom' },
    ]);
    expect(events.every((e) => e.name === 'health')).toBe(true);
  });

  it('fails a probe that hangs after the 5s timeout, aborting its signal and leaving no timer', async () => {
    const clock = new FakeClock();
    const { calls, probe } = scripted(clock, ['hang']);
    const { events, sink } = collect();
    const health = new HealthCheck({ probe, clock, onEvent: sink });
    const result = health.check();
    await clock.advance(4_999);
    expect(calls[0]?.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(await result).toBe(false);
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(ofType(events, 'health_fail')[0]?.error).toMatchObject({ name: 'TimeoutError' });
    expect(clock.pending).toBe(0);
  });

  it('needs healthyAfter consecutive passes and unhealthyAfter consecutive failures to change status', async () => {
    const clock = new FakeClock();
    const { probe } = scripted(clock, ['fail', 'fail', 'ok', 'fail', 'fail', 'ok', 'ok', 'fail', 'ok', 'ok', 'ok']);
    const health = new HealthCheck({ probe, clock, healthyAfter: 3, unhealthyAfter: 2 });
    const seen: string[] = [];
    for (let i = 0; i < 11; i++) {
      await health.check();
      seen.push(health.status);
    }
    expect(seen).toEqual([
      'unknown', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy',
    ]);
  });
});

describe('HealthCheck.start / stop', () => {
  it('checks at once and then every interval, and a second start() does nothing', async () => {
    const clock = new FakeClock();
    const { calls, probe } = scripted(clock, []);
    const health = new HealthCheck({ probe, clock, interval: '30s' });
    health.start();
    health.start();
    await clock.advance(95_000);
    expect(calls.map((c) => c.at)).toEqual([0, 30_000, 60_000, 90_000]);
    health.stop();
    expect(clock.pending).toBe(0);
  });

  it("unrefs every periodic timer, including the probe's timeout", async () => {
    const fake = new FakeClock();
    const unref: (boolean | undefined)[] = [];
    const clock: Clock = {
      now: () => fake.now(),
      random: () => fake.random(),
      sleep: (ms: number, signal?: AbortSignal, o?: SleepOptions) => (unref.push(o?.unref), fake.sleep(ms, signal)),
    };
    const health = new HealthCheck({ probe: async () => {}, clock, interval: '1s' });
    health.start();
    await fake.advance(2_500);
    health.stop();
    expect(unref.length).toBeGreaterThanOrEqual(6); // 3 timeouts + 3 interval sleeps
    expect(unref.every((u) => u === true)).toBe(true);
  });

  it('stop() during the interval sleep leaves no timer at once', async () => {
    const clock = new FakeClock();
    const { calls, probe } = scripted(clock, []);
    const health = new HealthCheck({ probe, clock, interval: '1m' });
    health.start();
    await clock.settle();
    expect(clock.pending).toBe(1);
    health.stop();
    expect(clock.pending).toBe(0);
    await clock.advance(600_000);
    expect(calls).toHaveLength(1);
  });

  it('stop() during a probe aborts it, records nothing and leaves no timer', async () => {
    const clock = new FakeClock();
    const { calls, probe } = scripted(clock, ['hang']);
    const { events, sink } = collect();
    const health = new HealthCheck({ probe, clock, onEvent: sink });
    health.start();
    await clock.settle();
    health.stop();
    await clock.settle();
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(events).toEqual([]);
    expect(health.status).toBe('unknown');
    expect(clock.pending).toBe(0);
  });

  it('can be started again after stop()', async () => {
    const clock = new FakeClock();
    const { calls, probe } = scripted(clock, []);
    const health = new HealthCheck({ probe, clock, interval: '10s' });
    health.start();
    await clock.settle();
    health.stop();
    health.start();
    await clock.advance(10_000);
    health.stop();
    expect(calls.map((c) => c.at)).toEqual([0, 0, 10_000]);
    expect(clock.pending).toBe(0);
  });
});

describe('HealthCheck.waitUntilHealthy', () => {
  it('checks until one passes, waiting 1s, 2s, 4s between failures', async () => {
    const clock = new FakeClock();
    const { calls, probe } = scripted(clock, ['fail', 'fail', 'fail', 'ok']);
    const health = new HealthCheck({ probe, clock });
    let done = false;
    const waiting = health.waitUntilHealthy({ backoff: exponential({ initial: '1s', max: '1m', jitter: 'none' }) }).then(() => (done = true));
    await clock.advance(6_999);
    expect(done).toBe(false);
    await clock.advance(1);
    await waiting;
    expect(calls.map((c) => c.at)).toEqual([0, 1_000, 3_000, 7_000]);
    expect(health.status).toBe('healthy');
    expect(clock.pending).toBe(0);
  });

  it('waits within 1s..30s (full jitter) by default, and keeps the last delay of a finite schedule', async () => {
    const clock = new FakeClock({ seed: 5 });
    const { calls, probe } = scripted(clock, Array<'fail'>(12).fill('fail'));
    const health = new HealthCheck({ probe, clock });
    const waiting = health.waitUntilHealthy();
    await clock.runAll();
    await waiting;
    const gaps = calls.slice(1).map((c, i) => c.at - (calls[i] as { at: number }).at);
    expect(gaps).toHaveLength(12);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(0), expect(gap).toBeLessThanOrEqual(30_000);

    const clock2 = new FakeClock();
    const second = scripted(clock2, ['fail', 'fail', 'fail', 'fail']);
    const waiting2 = new HealthCheck({ probe: second.probe, clock: clock2 }).waitUntilHealthy({ backoff: schedule([100, 500]) });
    await clock2.runAll();
    await waiting2;
    expect(second.calls.map((c) => c.at)).toEqual([0, 100, 600, 1_100, 1_600]);
  });

  it('with healthyAfter 2 needs two passes in a row', async () => {
    const clock = new FakeClock();
    const { calls, probe } = scripted(clock, ['ok', 'fail', 'ok', 'ok']);
    const health = new HealthCheck({ probe, clock, healthyAfter: 2 });
    const waiting = health.waitUntilHealthy({ backoff: constant('1s') });
    await clock.runAll();
    await waiting;
    expect(calls).toHaveLength(4);
    expect(health.status).toBe('healthy');
  });

  it('rejects with signal.reason when aborted during a sleep, leaving no timer', async () => {
    const clock = new FakeClock();
    const { probe } = scripted(clock, ['fail', 'fail']);
    const health = new HealthCheck({ probe, clock });
    const ac = new AbortController();
    const waiting = health.waitUntilHealthy({ signal: ac.signal, backoff: constant('10s') });
    await clock.advance(12_000);
    const reason = new Error('shutting down');
    ac.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(clock.pending).toBe(0);
  });

  it('leaves no listener on the signal once it resolves', async () => {
    const clock = new FakeClock();
    const { probe } = scripted(clock, ['fail', 'hang', 'ok'], 5);
    const health = new HealthCheck({ probe, clock, timeout: '1s' });
    const ac = new AbortController();
    const listeners = watchListeners(ac.signal);
    const waiting = health.waitUntilHealthy({ signal: ac.signal, backoff: constant('1s') });
    await clock.runAll();
    await waiting;
    expect(listeners.live()).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('rejects at once when aborted during a hanging probe, and at once when already aborted', async () => {
    const clock = new FakeClock();
    const { calls, probe } = scripted(clock, ['hang']);
    const health = new HealthCheck({ probe, clock, timeout: Infinity });
    const ac = new AbortController();
    const waiting = health.waitUntilHealthy({ signal: ac.signal });
    await clock.settle();
    ac.abort(new Error('bye'));
    await expect(waiting).rejects.toThrow('bye');
    expect(health.status).toBe('unknown');
    await expect(health.waitUntilHealthy({ signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow('early');
    expect(calls).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });
});

describe('HealthCheck options', () => {
  it('validates every option at construction, naming it and the value', () => {
    const probe: Probe = async () => {};
    expect(() => new HealthCheck({} as never)).toThrow(/HealthCheck\.probe/);
    expect(() => new HealthCheck({ probe, interval: 'often' })).toThrow(/HealthCheck\.interval.*"often"/);
    expect(() => new HealthCheck({ probe, interval: 0 })).toThrow(/HealthCheck\.interval must be > 0/);
    expect(() => new HealthCheck({ probe, timeout: -5 })).toThrow(/HealthCheck\.timeout.*-5/);
    expect(() => new HealthCheck({ probe, healthyAfter: 0 })).toThrow(/HealthCheck\.healthyAfter.*0/);
    expect(() => new HealthCheck({ probe, unhealthyAfter: 1.5 })).toThrow(/HealthCheck\.unhealthyAfter.*1\.5/);
    expect(() => new HealthCheck({ probe, clock: { now: () => 0 } as never })).toThrow(/HealthCheck\.clock/);
    expect(() => new HealthCheck({ probe, onEvent: 1 as never })).toThrow(/HealthCheck\.onEvent/);
    expect(() => new HealthCheck({ probe, name: 7 as never })).toThrow(/HealthCheck\.name/);
    expect(() => new HealthCheck({ probe, timeout: Infinity })).not.toThrow();
  });

  it('rejects a backoff that is not a Backoff', async () => {
    const health = new HealthCheck({ probe: async () => {}, clock: new FakeClock() });
    await expect(health.waitUntilHealthy({ backoff: 5 as never })).rejects.toThrow(/waitUntilHealthy\.backoff/);
  });

  it('rejects a signal that is not an AbortSignal before probing', async () => {
    let probes = 0;
    const health = new HealthCheck({ probe: async () => void probes++, clock: new FakeClock() });
    await expect(health.waitUntilHealthy({ signal: 'stop' as never })).rejects.toThrow(/waitUntilHealthy\.signal must be an AbortSignal; got "stop"/);
    expect(probes).toBe(0);
  });
});

describe('httpProbe', () => {
  function fakeFetch(make: () => Response) {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const f = (async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(url), init });
      return make();
    }) as typeof fetch;
    return { calls, f };
  }
  /** A response whose body records whether it was cancelled. */
  function trackedResponse(status: number, headers: Record<string, string> = {}) {
    const body = { cancelled: false };
    const stream = new ReadableStream({ pull: () => {}, cancel: () => void (body.cancelled = true) });
    return { body, response: new Response(stream, { status, headers }) };
  }

  it('passes on 2xx, GETs the URL with the signal, and cancels the body', async () => {
    const tracked = trackedResponse(200);
    const { calls, f } = fakeFetch(() => tracked.response);
    const probe = httpProbe('http://127.0.0.1:9/health', { fetch: f });
    const signal = new AbortController().signal;
    await expect(probe(signal)).resolves.toBeUndefined();
    expect(calls[0]?.url).toBe('http://127.0.0.1:9/health');
    expect(calls[0]?.init).toMatchObject({ method: 'GET', signal });
    expect(tracked.body.cancelled).toBe(true);
  });

  it('fails on non-2xx with an HttpError carrying the status, and still cancels the body', async () => {
    const tracked = trackedResponse(503);
    const probe = httpProbe('http://127.0.0.1:9/health', { fetch: fakeFetch(() => tracked.response).f });
    await expect(probe(new AbortController().signal)).rejects.toMatchObject({ name: 'HttpError', status: 503 });
    expect(tracked.body.cancelled).toBe(true);
  });

  it('fails when expect() returns false, after letting it read the headers', async () => {
    const tracked = trackedResponse(200, { 'x-ready': '0' });
    const probe = httpProbe('http://127.0.0.1:9/health', {
      fetch: fakeFetch(() => tracked.response).f,
      expect: (r) => r.headers.get('x-ready') === '1',
    });
    await expect(probe(new AbortController().signal)).rejects.toThrow(/rejected the response/);
    expect(tracked.body.cancelled).toBe(true);
  });

  it('tolerates an expect() that consumed the body', async () => {
    const probe = httpProbe('http://127.0.0.1:9/health', {
      fetch: fakeFetch(() => new Response('{"ok":true}')).f,
      expect: (r) => (void r.text(), true),
    });
    await expect(probe(new AbortController().signal)).resolves.toBeUndefined();
  });

  it('resolves the global fetch once, at creation', async () => {
    const original = globalThis.fetch;
    const first = fakeFetch(() => new Response(null, { status: 200 }));
    const second = fakeFetch(() => new Response(null, { status: 500 }));
    try {
      globalThis.fetch = first.f;
      const probe = httpProbe('http://127.0.0.1:9/health');
      globalThis.fetch = second.f;
      await probe(new AbortController().signal);
      expect(first.calls).toHaveLength(1);
      expect(second.calls).toHaveLength(0);
    } finally {
      globalThis.fetch = original;
    }
  });

  it('never puts URL userinfo or query into events or errors', async () => {
    const clock = new FakeClock();
    const { events, sink } = collect();
    const probe = httpProbe('https://user:pw@host.example/health?token=secret', { fetch: fakeFetch(() => new Response(null, { status: 500 })).f });
    const failing = httpProbe('https://user:pw@host.example/health?token=secret', {
      fetch: (async () => Promise.reject(new TypeError('request to https://user:pw@host.example/health?token=secret failed'))) as typeof fetch,
    });
    await new HealthCheck({ probe, clock, onEvent: sink }).check();
    await new HealthCheck({ probe: failing, clock, onEvent: sink }).check();
    expect(events).toHaveLength(2);
    const text = JSON.stringify(events);
    expect(text).not.toMatch(/secret|token|pw|user/);
    expect(text).toContain('https://host.example/health');
    expect(() => httpProbe('not a url?token=secret')).toThrow(TypeError);
    expect(() => httpProbe('not a url?token=secret')).not.toThrow(/secret/);
  });

  it('validates fetch and expect', () => {
    expect(() => httpProbe('http://127.0.0.1/', { fetch: 'fetch' as never })).toThrow(/httpProbe\.fetch/);
    expect(() => httpProbe('http://127.0.0.1/', { expect: true as never })).toThrow(/httpProbe\.expect/);
  });
});
