/**
 * SPEC §8 poll.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import {
  HttpError,
  constant,
  delays,
  exponential,
  formatEvent,
  poll,
  pollDefaults,
  schedule,
  type ResilienceEvent,
} from 'steadfast';
import { FakeClock } from 'steadfast/testing';
import { collect, settleLater } from './helpers.js';

describe('SPEC §8 poll', () => {
  it('"pollDefaults: { backoff: Backoff; jitter: number }" (1s..12s equal jitter per issue 6; jitter 0.1)', () => {
    expect(pollDefaults.jitter).toBe(0.1);
    expect(typeof pollDefaults.backoff.first).toBe('function');
    const d = delays(pollDefaults.backoff, 10, { random: () => 0 });
    expect(d[0]).toBe(500);
    expect(delays(pollDefaults.backoff, 10, { random: () => 0.999999 })[9]).toBeCloseTo(12_000, -1);
  });

  it('"Runs task every interval after a success", jittered ±10% by default', async () => {
    const clock = new FakeClock({ seed: 5 });
    const times: number[] = [];
    const p = poll(async () => { times.push(clock.now()); }, { interval: '10s', clock });
    await clock.advance(200_000);
    await p.stop();
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps.length).toBeGreaterThan(15);
    expect(gaps.every((g) => g >= 9_000 && g <= 11_000)).toBe(true);
    expect(new Set(gaps).size).toBeGreaterThan(1);
    expect(clock.pending).toBe(0);
  });

  it('jitter: 0 gives an exact interval; immediate: false waits one interval first', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const p = poll(async () => { times.push(clock.now()); }, { interval: '5s', jitter: 0, immediate: false, clock });
    await clock.advance(15_000);
    await p.stop();
    expect(times).toEqual([5_000, 10_000, 15_000]);
  });

  it('"after a failure waits the backoff delay for the consecutive-failure count; a success resets it"', async () => {
    const clock = new FakeClock();
    const log = collect();
    const results = [false, false, false, true, false, true];
    const seen: number[] = [];
    let i = 0;
    const p = poll(async ({ failures }) => { seen.push(failures); if (results[i++] === false) throw new Error('connection refused'); }, {
      interval: '1m', jitter: 0, backoff: exponential({ initial: '1s', max: '1m', jitter: 'none' }), clock, onEvent: log.sink, name: 'checkin',
    });
    await clock.advance(60_000 + 7_000 + 1_000);
    await p.stop();
    expect(seen).toEqual([0, 1, 2, 3, 0, 1]);
    expect(log.of('poll_failed').map((e) => [e.failures, e.delayMs])).toEqual([[1, 1_000], [2, 2_000], [3, 4_000], [1, 1_000]]);
    expect(log.of('poll_failed')[0]).toMatchObject({ name: 'checkin', error: { message: 'connection refused' } });
  });

  it('"recovered {downtimeMs, failures}" after a failure streak, formatted as [RECOVERY] checkin: recovered after 42s', async () => {
    const clock2 = new FakeClock();
    const log2 = collect();
    let m = 0;
    const p3 = poll(async () => { m++; if (m <= 2) throw new Error('timeout'); }, {
      interval: '1m', jitter: 0, backoff: schedule(['20s', '22s']), clock: clock2, onEvent: log2.sink, name: 'checkin',
    });
    await clock2.advance(42_000);
    await p3.stop();
    expect(log2.of('recovered')).toEqual([{ type: 'recovered', time: new Date(42_000).toISOString(), name: 'checkin', downtimeMs: 42_000, failures: 2 }]);
    expect(formatEvent(log2.of('recovered')[0] as ResilienceEvent)).toMatch(/^\[RECOVERY\] checkin: recovered after 42s/);
  });

  it('"It never stops on its own, whatever the error" (sync throw, non-Error, programmer error, 404)', async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [new HttpError(404), 'a string', undefined, new TypeError('x is not a function'), new RangeError('bad')];
    let n = 0;
    const task = ((): Promise<void> => {
      const e = errors[n++ % errors.length];
      if (n % 2 === 0) throw e; // synchronous throw from a non-async task
      return Promise.reject(e);
    }) as () => Promise<void>;
    const p = poll(task, { interval: '1s', clock, backoff: constant('1s') });
    await clock.advance(60_000);
    expect(p.state).toBe('backing-off');
    expect(p.failures).toBeGreaterThan(20);
    await p.stop();
    expect(p.state).toBe('stopped');
  });

  it('a Backoff that ends (finite schedule) keeps its last delay, never stopping', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const p = poll(async () => { times.push(clock.now()); throw new Error('down'); }, { interval: '1m', clock, backoff: schedule(['1s', '3s']) });
    await clock.advance(10_000);
    await p.stop();
    expect(times).toEqual([0, 1_000, 4_000, 7_000, 10_000]);
  });

  it('"stop() waits for the task in flight"', async () => {
    const clock = new FakeClock();
    let finish: (() => void) | undefined;
    let finished = false;
    const p = poll(() => new Promise<void>((r) => { finish = () => { finished = true; r(); }; }), { interval: '1s', clock });
    await clock.settle();
    const stopped = settleLater(p.stop());
    await clock.settle();
    expect(stopped.done()).toBe(false);
    finish?.();
    await clock.settle();
    expect(stopped.done()).toBe(true);
    expect(finished).toBe(true);
    expect(p.state).toBe('stopped');
    expect(clock.pending).toBe(0);
  });

  it('"only stop() or signal end it": aborting the signal ends a backoff sleep at once', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    let runs = 0;
    const p = poll(async () => { runs++; throw new Error('down'); }, { interval: '1s', clock, signal: abort.signal, backoff: constant('1h') });
    await clock.advance(1_000);
    abort.abort();
    await clock.settle();
    expect(p.state).toBe('stopped');
    expect(runs).toBe(1);
    expect(clock.pending).toBe(0);
    await p.stop();
  });

  it('states: running after success, backing-off after failure, failures counter', async () => {
    const clock = new FakeClock();
    let fail = true;
    const p = poll(async () => { if (fail) throw new Error('down'); }, { interval: '10s', clock, backoff: constant('1s', { jitter: 'none' }), jitter: 0 });
    await clock.settle();
    expect(p.state).toBe('backing-off');
    expect(p.failures).toBe(1);
    fail = false;
    await clock.advance(1_000);
    expect(p.state).toBe('running');
    expect(p.failures).toBe(0);
    await p.stop();
  });
});

describe('SPEC cross-component and edge behaviour found by the audit', () => {
  it('§8 poll with an already-aborted signal never runs the task', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const p = poll(async () => { runs++; }, { interval: '1s', clock, signal: AbortSignal.abort() });
    await clock.advance(5_000);
    expect(runs).toBe(0);
    expect(p.state).toBe('stopped');
    await p.stop();
  });

  it('§8 aborting the signal aborts the task\'s signal and ends the loop', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    let taskAborted = false;
    const p = poll(({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => { taskAborted = true; resolve(); })), { interval: '1s', clock, signal: abort.signal });
    await clock.settle();
    abort.abort();
    await clock.settle();
    expect(taskAborted).toBe(true);
    expect(p.state).toBe('stopped');
  });
});
