/**
 * The callback audit (issue 9 item 5, second half; SPEC: no user callback can crash the process,
 * wedge a loop or skip a cleanup). Every callback is made to throw, throw a non-Error, return a
 * rejected promise, return a thenable whose `then` throws, and never settle; each component must
 * keep working, leave no unhandled rejection and no timer behind. `retryOn` and the client's
 * `headers`/`onUnauthorized`/hooks are covered by their own suites.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../src/breaker/breaker.js';
import { constant } from '../src/core/backoff.js';
import type { EventSink } from '../src/core/events.js';
import { Outbox } from '../src/outbox/outbox.js';
import { HealthCheck, httpProbe } from '../src/policies/health.js';
import { poll } from '../src/policies/poll.js';
import { withRetry } from '../src/policies/retry.js';
import { FakeClock } from '../src/testing/fake-clock.js';
import { scriptedFetch } from '../src/testing/scripted-fetch.js';

type Callback = (...args: never[]) => unknown;
const misbehaviours: Record<string, () => Callback> = {
  throws: () => () => {
    throw new Error('callback threw');
  },
  'throws a non-Error (null)': () => () => {
    throw null;
  },
  'returns a rejected promise': () => () => Promise.reject(new Error('callback rejected')),
  'returns a thenable whose then throws': () => () => ({
    then() {
      throw new Error('then threw');
    },
  }),
  'never settles': () => () => new Promise(() => {}),
};

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
let dir: string;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  dir = await mkdtemp(join(tmpdir(), 'steadfast-callbacks-'));
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  // Rejections are reported as unhandled after a macrotask or two.
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  const seen = unhandled.splice(0);
  expect(seen, 'unhandled rejections or uncaught exceptions').toEqual([]);
});

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
let outboxes = 0;

describe.each(Object.entries(misbehaviours))('a callback that %s', (_what, make) => {
  it('breaker isFailure: the caller still gets its own error, the breaker opens and later closes', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 2, openFor: '1s', clock, isFailure: make() as never });
    const error = refused();
    for (let i = 0; i < 2; i++) await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    expect(breaker.state).toBe('open'); // an isFailure that fails counts as a failure: it can't hide an outage
    await clock.advance(1_000);
    await expect(breaker.execute(async () => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('breaker onEvent: every transition still happens', async () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker({ failureThreshold: 1, openFor: '1s', clock, onEvent: make() as EventSink });
    await breaker.execute(() => Promise.reject(refused())).catch(() => {});
    expect(breaker.state).toBe('open');
    await clock.advance(1_000);
    await expect(breaker.execute(async () => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('withRetry onEvent: the retries and the result are unchanged', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const done = withRetry(async () => (++calls < 3 ? Promise.reject(refused()) : 'ok'), { clock, backoff: constant('1s'), onEvent: make() as EventSink });
    await clock.runAll();
    await expect(done).resolves.toBe('ok');
    expect(calls).toBe(3);
  });

  it('health probe: check() resolves false (a hang ends at timeout), then true once the probe is healthy', async () => {
    const clock = new FakeClock();
    let probe = make() as (signal: AbortSignal) => Promise<void>;
    const health = new HealthCheck({ probe: (signal) => probe(signal), timeout: '1s', unhealthyAfter: 1, clock });
    const first = health.check();
    await clock.advance(1_000);
    await expect(first).resolves.toBe(false);
    expect(health.status).toBe('unhealthy');
    probe = async () => {};
    await expect(health.check()).resolves.toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('health onEvent: checks still report and change the status', async () => {
    const clock = new FakeClock();
    const health = new HealthCheck({ probe: async () => {}, clock, onEvent: make() as EventSink });
    await expect(health.check()).resolves.toBe(true);
    expect(health.status).toBe('healthy');
  });

  it('httpProbe expect: the check fails (nothing but `true` accepts), the body is released, the next check passes', async () => {
    const clock = new FakeClock();
    let expectFn = make() as (response: Response) => boolean;
    const fetch = scriptedFetch([200, 200], { clock });
    const health = new HealthCheck({ probe: httpProbe('http://127.0.0.1:9/health', { fetch, expect: (r) => expectFn(r) }), clock });
    await expect(health.check()).resolves.toBe(false);
    expectFn = () => true;
    await expect(health.check()).resolves.toBe(true);
  });

  it('poll onEvent: the loop goes on through a failure and a recovery', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const poller = poll(async () => (++runs === 1 ? Promise.reject(refused()) : undefined), {
      interval: '1s',
      jitter: 0,
      backoff: constant('1s'),
      clock,
      onEvent: make() as EventSink,
    });
    await clock.advance(3_000);
    await poller.stop();
    expect(runs).toBe(4);
    expect(clock.pending).toBe(0);
  });

  it('poll task: a failing run is retried on the backoff; a run that never settles ends when the caller aborts', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let runs = 0;
    const bad = make();
    const poller = poll(async () => (++runs === 1 ? (bad() as Promise<unknown>) : undefined), { interval: '1s', jitter: 0, backoff: constant('1s'), clock, signal: controller.signal });
    await clock.advance(3_000);
    if (runs === 1) {
      // A task that never settles holds the loop (poll has no per-run timeout; stop() waits for the run in flight)...
      expect(poller.state).toBe('running');
      // ...and the caller's signal ends it at once.
      controller.abort();
    }
    await poller.stop();
    expect(runs === 1 || runs === 4).toBe(true);
    expect(poller.state).toBe('stopped');
    expect(clock.pending).toBe(0);
  });

  it('outbox send: the item is retried (a hang ends at sendTimeout) and delivered; close() releases the file', async () => {
    const clock = new FakeClock();
    const path = join(dir, `send-${++outboxes}`, 'events.outbox');
    const bad = make();
    const delivered: string[] = [];
    const box = await Outbox.open({
      path,
      clock,
      sendTimeout: '1s',
      backoff: constant('1s'),
      send: async (item) => {
        if (item.attempts === 1) return bad() as Promise<void>;
        delivered.push(item.key);
      },
    });
    box.start();
    await box.enqueue('a', { key: 'a' });
    await clock.advance(2_000);
    await box.enqueue('b', { key: 'b' });
    await clock.advance(3_000);
    expect(delivered).toEqual(['a', 'b']);
    await box.close();
    await expect(stat(`${path}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(clock.pending).toBe(0);
  });

  it('outbox onEvent: enqueue, delivery and close all complete', async () => {
    const clock = new FakeClock();
    const path = join(dir, `events-${++outboxes}`, 'events.outbox');
    const delivered: string[] = [];
    const box = await Outbox.open({ path, clock, onEvent: make() as EventSink, send: async (item) => void delivered.push(item.key) });
    box.start();
    await box.enqueue('a', { key: 'a' });
    await box.flush();
    expect(delivered).toEqual(['a']);
    await box.close();
    expect(clock.pending).toBe(0);
  });
});
