/**
 * SPEC §6 HealthCheck.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import { HealthCheck, constant, httpProbe } from 'steadfast';
import { FakeClock, scriptedFetch } from 'steadfast/testing';
import { netError, collect, settleLater } from './helpers.js';

describe('SPEC §6 HealthCheck', () => {
  it('"A probe that throws ... is a failure"; status goes unknown → unhealthy → healthy', async () => {
    const clock = new FakeClock();
    let ok = false;
    const h = new HealthCheck({ clock, probe: async () => { if (!ok) throw new Error('connection refused'); } });
    expect(h.status).toBe('unknown');
    expect(await h.check()).toBe(false);
    expect(h.status).toBe('unhealthy');
    ok = true;
    expect(await h.check()).toBe(true);
    expect(h.status).toBe('healthy');
  });

  it('"A probe that ... times out is a failure" (default 5s), and the probe signal is aborted', async () => {
    const clock = new FakeClock();
    let aborted = false;
    const h = new HealthCheck({ clock, probe: (signal) => new Promise((_r, j) => signal.addEventListener('abort', () => { aborted = true; j(signal.reason); })) });
    const result = settleLater(h.check());
    await clock.advance(4_999);
    expect(result.done()).toBe(false);
    await clock.advance(1);
    await clock.settle();
    expect(result.value()).toBe(false);
    expect(aborted).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('"(for httpProbe) answers non-2xx is a failure"; 2xx passes; expect narrows but never admits a non-2xx', async () => {
    const clock = new FakeClock();
    for (const [status, want] of [[200, true], [204, true], [301, false], [404, false], [503, false]] as const) {
      const h = new HealthCheck({ clock, probe: httpProbe('http://api.test/health', { fetch: scriptedFetch([status], { clock }) }) });
      expect(await h.check(), String(status)).toBe(want);
    }
    const lenient = new HealthCheck({ clock, probe: httpProbe('http://api.test/health', { fetch: scriptedFetch([503], { clock }), expect: () => true }) });
    expect(await lenient.check()).toBe(false);
    const strict = new HealthCheck({ clock, probe: httpProbe('http://api.test/health', { fetch: scriptedFetch([200], { clock }), expect: (r) => r.headers.get('x-ready') === '1' }) });
    expect(await strict.check()).toBe(false);
  });

  it('healthyAfter / unhealthyAfter need consecutive results before flipping', async () => {
    const clock = new FakeClock();
    let ok = true;
    const h = new HealthCheck({ clock, healthyAfter: 2, unhealthyAfter: 3, probe: async () => { if (!ok) throw new Error('down'); } });
    await h.check();
    expect(h.status).not.toBe('healthy');
    await h.check();
    expect(h.status).toBe('healthy');
    ok = false;
    await h.check();
    await h.check();
    expect(h.status).toBe('healthy');
    await h.check();
    expect(h.status).toBe('unhealthy');
  });

  it('start() probes every interval (default 30s); stop() leaves no timer', async () => {
    const clock = new FakeClock();
    let probes = 0;
    const h = new HealthCheck({ clock, probe: async () => { probes++; } });
    h.start();
    await clock.advance(90_500);
    expect(probes).toBeGreaterThanOrEqual(3);
    expect(probes).toBeLessThanOrEqual(4);
    h.stop();
    await clock.settle();
    const after = probes;
    await clock.advance(120_000);
    expect(probes).toBe(after);
    expect(clock.pending).toBe(0);
  });

  it('"Periodic timers are unref\'d": start() with the system clock does not keep Node alive', () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const h = new HealthCheck({ probe: async () => {}, interval: '1h' });
    h.start();
    try {
      // an unref'd Timeout is not reported as an active resource
      const during = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      expect(during).toBe(before);
    } finally {
      h.stop();
    }
  });

  it('events: health_ok {latencyMs}, health_fail {error}', async () => {
    const clock = new FakeClock();
    const log = collect();
    let ok = false;
    const h = new HealthCheck({ clock, name: 'api', onEvent: log.sink, probe: async () => { await clock.sleep(12); if (!ok) throw netError('ECONNREFUSED'); } });
    const a = settleLater(h.check());
    await clock.runAll();
    ok = true;
    const b = settleLater(h.check());
    await clock.runAll();
    expect([a.value(), b.value()]).toEqual([false, true]);
    expect(log.of('health_fail')[0]).toMatchObject({ name: 'api', error: { code: 'ECONNREFUSED' } });
    expect(log.of('health_ok')[0]).toMatchObject({ name: 'api', latencyMs: 12 });
  });

  it('waitUntilHealthy() resolves once a probe passes; rejects with signal.reason on abort', async () => {
    const clock = new FakeClock();
    let n = 0;
    const h = new HealthCheck({ clock, probe: async () => { n++; if (n < 3) throw new Error('down'); } });
    const w = settleLater(h.waitUntilHealthy({ backoff: constant('1s', { jitter: 'none' }) }));
    await clock.runAll();
    expect(w.done()).toBe(true);
    expect(w.error()).toBeUndefined();
    expect(n).toBe(3);

    const never = new HealthCheck({ clock, probe: async () => { throw new Error('down'); } });
    const abort = new AbortController();
    const w2 = settleLater(never.waitUntilHealthy({ signal: abort.signal, backoff: constant('1s') }));
    await clock.advance(5_000);
    abort.abort('stop waiting');
    await clock.settle();
    expect(w2.error()).toBe('stop waiting');
    expect(clock.pending).toBe(0);
  });
});
