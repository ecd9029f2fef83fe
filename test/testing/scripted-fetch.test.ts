import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { HttpError } from '../../src/core/errors.js';
import { systemClock } from '../../src/core/clock.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { withRetry } from '../../src/policies/retry.js';
import { scriptedFetch, type RecordedCall } from '../../src/testing/scripted-fetch.js';

const URL_A = 'http://agent.test/v1/checkin';

/** Tracks whether a promise has settled, without advancing virtual time. */
function track<T>(promise: Promise<T>): { state: () => string; value: () => unknown } {
  let state = 'pending';
  let value: unknown;
  promise.then(
    (v) => ((state = 'resolved'), (value = v)),
    (e: unknown) => ((state = 'rejected'), (value = e)),
  );
  return { state: () => state, value: () => value };
}

describe('scriptedFetch: playing the script', () => {
  it('plays statuses in order, with empty bodies (null for 204)', async () => {
    const fetch = scriptedFetch([502, 204, 200], { clock: new FakeClock() });
    const a = await fetch(URL_A);
    const b = await fetch(URL_A);
    const c = await fetch(URL_A);
    expect([a.status, b.status, c.status]).toEqual([502, 204, 200]);
    expect([a.ok, c.ok]).toEqual([false, true]);
    expect(b.body).toBeNull();
    expect(await c.text()).toBe('');
  });

  it('returns scripted Responses and throws scripted errors as they are', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const response = Response.json({ tasks: [1, 2] }, { status: 200 });
    const fetch = scriptedFetch([refused, response], { clock: new FakeClock() });
    await expect(fetch(URL_A)).rejects.toBe(refused);
    const got = await fetch(URL_A);
    expect(await got.json()).toEqual({ tasks: [1, 2] });
  });

  it('plays detailed steps with headers, body and a delay in virtual time', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([{ status: 503, headers: { 'Retry-After': '7' }, body: 'busy', delayMs: 2_000 }], { clock });
    const call = track(fetch(URL_A));
    await clock.advance(1_999);
    expect(call.state()).toBe('pending');
    await clock.advance(1);
    const res = call.value() as Response;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.text()).toBe('busy');
    expect(clock.pending).toBe(0);
  });

  it('an abort during a step’s delay rejects with the reason and clears the timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const fetch = scriptedFetch([{ status: 200, delayMs: 5_000 }], { clock });
    const call = track(fetch(URL_A, { signal: controller.signal }));
    await clock.advance(1_000);
    controller.abort(new Error('cancel'));
    await clock.settle();
    expect(call.value()).toBe(controller.signal.reason);
    expect(clock.pending).toBe(0);
  });

  it('calls function steps with the recorded call; they may return a Response, a status, an error or a promise', async () => {
    const seen: RecordedCall[] = [];
    const bad = new Error('scripted failure');
    const fetch = scriptedFetch(
      [
        (call) => {
          seen.push(call);
          return new Response(`echo ${call.method}`);
        },
        () => 418,
        () => bad,
        async () => Response.json({ late: true }),
      ],
      { clock: new FakeClock() },
    );
    expect(await (await fetch(URL_A, { method: 'PUT' })).text()).toBe('echo PUT');
    expect(seen[0]).toMatchObject({ method: 'PUT', url: URL_A });
    expect((await fetch(URL_A)).status).toBe(418);
    await expect(fetch(URL_A)).rejects.toBe(bad);
    expect(await (await fetch(URL_A)).json()).toEqual({ late: true });
  });

  it("'hang' never answers until the request's signal aborts", async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const fetch = scriptedFetch(['hang'], { clock });
    const call = track(fetch(URL_A, { signal: controller.signal }));
    await clock.advance(3_600_000);
    expect(call.state()).toBe('pending');
    controller.abort();
    await clock.settle();
    expect(call.state()).toBe('rejected');
    expect(call.value()).toBe(controller.signal.reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with a TypeError once the script runs out, or replays the last step with repeatLast', async () => {
    const fetch = scriptedFetch([200], { clock: new FakeClock() });
    await fetch(URL_A);
    await expect(fetch(URL_A)).rejects.toThrow(TypeError);
    await expect(fetch(URL_A)).rejects.toThrow(/no step for call 3 \(1 scripted\)/);
    expect(fetch.calls).toHaveLength(3);

    const repeating = scriptedFetch([500, 503], { clock: new FakeClock(), repeatLast: true });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await repeating(URL_A)).status);
    expect(statuses).toEqual([500, 503, 503, 503, 503]);
    await expect(scriptedFetch([], { repeatLast: true })(URL_A)).rejects.toThrow(TypeError);
  });

  it('a repeated Response step gives a fresh, readable body every time', async () => {
    const fetch = scriptedFetch([Response.json({ ok: true })], { clock: new FakeClock(), repeatLast: true });
    for (let i = 0; i < 3; i++) expect(await (await fetch(URL_A)).json()).toEqual({ ok: true });
  });

  it('counts the steps not yet played in remaining', async () => {
    const fetch = scriptedFetch([500, 500, 200], { clock: new FakeClock() });
    expect(fetch.remaining).toBe(3);
    await fetch(URL_A);
    expect(fetch.remaining).toBe(2);
    await fetch(URL_A);
    await fetch(URL_A);
    expect(fetch.remaining).toBe(0);
  });
});

describe('scriptedFetch: recording calls', () => {
  it('records method, url, lower-cased headers, body and virtual time', async () => {
    const clock = new FakeClock({ now: Date.UTC(2026, 0, 1) });
    const fetch = scriptedFetch([200, 201], { clock });
    await fetch(URL_A);
    await clock.advance(5_000);
    await fetch(new URL('http://agent.test/v1/results?x=1'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Agent-Id': 'a-17' },
      body: JSON.stringify({ done: 3 }),
    });
    expect(fetch.calls).toEqual([
      { method: 'GET', url: URL_A, headers: {}, body: undefined, time: Date.UTC(2026, 0, 1) },
      {
        method: 'POST',
        url: 'http://agent.test/v1/results?x=1',
        headers: { 'content-type': 'application/json', 'x-agent-id': 'a-17' },
        body: '{"done":3}',
        time: Date.UTC(2026, 0, 1) + 5_000,
      },
    ]);
  });

  it('accepts a Request as input', async () => {
    const fetch = scriptedFetch([200], { clock: new FakeClock() });
    await fetch(new Request(URL_A, { method: 'DELETE', headers: { Authorization: 'Bearer t' } }));
    expect(fetch.calls[0]).toMatchObject({ method: 'DELETE', url: URL_A, headers: { authorization: 'Bearer t' } });
  });

  it('honours an already-aborted signal: rejects with its reason and plays no step', async () => {
    const controller = new AbortController();
    const reason = new Error('too late');
    controller.abort(reason);
    const fetch = scriptedFetch([200], { clock: new FakeClock() });
    await expect(fetch(URL_A, { signal: controller.signal })).rejects.toBe(reason);
    await expect(fetch(new Request(URL_A, { signal: controller.signal }))).rejects.toBe(reason);
    expect(fetch.remaining).toBe(1);
  });

  it('an abort while a function step is pending rejects at once, like the real fetch', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const fetch = scriptedFetch([() => new Promise<Response>(() => {})], { clock });
    const call = track(fetch(URL_A, { signal: controller.signal }));
    await clock.settle();
    controller.abort();
    await clock.settle();
    expect(call.value()).toBe(controller.signal.reason);
  });

  it('leaves no listener on the caller’s signal after a call settles', async () => {
    const controller = new AbortController();
    const fetch = scriptedFetch([200], { clock: new FakeClock(), repeatLast: true });
    for (let i = 0; i < 20; i++) await fetch(URL_A, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('uses the system clock when none is given', async () => {
    // systemClock.now() is monotonic (performance.now), so it brackets the recorded time.
    const before = systemClock.now();
    const fetch = scriptedFetch([200]);
    await fetch(URL_A);
    expect(fetch.calls[0]?.time).toBeGreaterThanOrEqual(before);
    expect(fetch.calls[0]?.time).toBeLessThanOrEqual(systemClock.now());
  });

  it('refuses a clock without now() or sleep() when it is built, naming the option', () => {
    expect(() => scriptedFetch([200], { clock: { now: () => 0 } as unknown as FakeClock })).toThrow(
      /scriptedFetch\.clock must be a Clock with now\(\) and sleep\(\)/,
    );
  });
});

describe('scriptedFetch under withRetry in virtual time', () => {
  it('a retried POST with a body replays on schedule when the test just calls runAll', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([503, { status: 502, delayMs: 500 }, Response.json({ id: 7 }, { status: 201 })], { clock });
    const post = withRetry(
      async ({ signal }) => {
        const res = await fetch('http://agent.test/v1/results', { method: 'POST', body: JSON.stringify({ n: 1 }), signal });
        if (!res.ok) throw new HttpError(res.status);
        return (await res.json()) as { id: number };
      },
      { clock, backoff: constant('1s') },
    );
    expect(await clock.runAll()).toBe(2_500);
    expect(await post).toEqual({ id: 7 });
    expect(fetch.calls.map((c) => [c.time, c.body])).toEqual([
      [0, '{"n":1}'],
      [1_000, '{"n":1}'],
      [2_500, '{"n":1}'],
    ]);
    expect(clock.pending).toBe(0);
  });
});
