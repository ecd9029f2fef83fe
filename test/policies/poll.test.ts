import { describe, expect, it } from 'vitest';
import { constant, exponential, schedule, type Backoff } from '../../src/core/backoff.js';
import { delays } from '../../src/core/backoff-walk.js';
import { BrokenCircuitError, HttpError } from '../../src/core/errors.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { poll, pollDefaults } from '../../src/policies/poll.js';
import { collect, ofType } from '../events-helper.js';
import { watchListeners } from '../signal-listeners.js';

type Outcome = 'ok' | (() => unknown);

/** A task that plays outcomes in order (then succeeds) and records the virtual time of each run. */
function scripted(clock: FakeClock, outcomes: Outcome[] = []) {
  const runs: { at: number; failures: number; signal: AbortSignal }[] = [];
  const task = async (ctx: { signal: AbortSignal; failures: number }): Promise<void> => {
    runs.push({ at: clock.now(), ...ctx });
    const next = outcomes[runs.length - 1] ?? 'ok';
    if (next !== 'ok') throw next();
  };
  return { runs, task };
}

const fail = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' });
const noJitter: Backoff = exponential({ initial: '1s', max: '8s', jitter: 'none' });


describe('poll', () => {
  it('runs the task at once, then every interval after each success', async () => {
    const clock = new FakeClock();
    const { runs, task } = scripted(clock);
    const poller = poll(task, { interval: '1s', jitter: 0, clock });
    await clock.advance(3_500);
    expect(runs.map((r) => r.at)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(poller.state).toBe('running');
    await poller.stop();
    expect(clock.pending).toBe(0);
  });

  it('waits one interval before the first run with immediate: false', async () => {
    const clock = new FakeClock();
    const { runs, task } = scripted(clock);
    const poller = poll(task, { interval: '1s', jitter: 0, immediate: false, clock });
    await clock.advance(2_500);
    expect(runs.map((r) => r.at)).toEqual([1_000, 2_000]);
    await poller.stop();
  });

  it('jitters each interval within ±10% by default, drawing from clock.random', async () => {
    const clock = new FakeClock({ seed: 7 });
    const { runs, task } = scripted(clock);
    const poller = poll(task, { interval: '10s', clock });
    await clock.advance(200 * 11_000);
    const gaps = runs.slice(1).map((r, i) => r.at - (runs[i] as { at: number }).at);
    expect(gaps.length).toBeGreaterThan(190);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(9_000), expect(gap).toBeLessThanOrEqual(11_000);
    expect(Math.min(...gaps)).toBeLessThan(9_300);
    expect(Math.max(...gaps)).toBeGreaterThan(10_700);
    await poller.stop();
  });

  it('waits 1s, 2s, 4s, 8s, 8s after consecutive failures for exponential 1s..8s', async () => {
    const clock = new FakeClock();
    const { runs, task } = scripted(clock, [fail, fail, fail, fail, fail]);
    const { events, sink } = collect();
    const poller = poll(task, { interval: '1m', backoff: noJitter, clock, onEvent: sink, name: 'checkin' });
    await clock.advance(23_000);
    expect(runs.map((r) => r.at)).toEqual([0, 1_000, 3_000, 7_000, 15_000, 23_000]);
    const failed = ofType(events, 'poll_failed');
    expect(failed.map((e) => [e.failures, e.delayMs])).toEqual([[1, 1_000], [2, 2_000], [3, 4_000], [4, 8_000], [5, 8_000]]);
    expect(failed[0]).toMatchObject({ name: 'checkin', error: { name: 'Error', code: 'ECONNREFUSED' } });
    await poller.stop();
  });

  it('resets the backoff after a success: fail, fail, ok, fail waits 1s, 2s, interval, 1s', async () => {
    const clock = new FakeClock();
    const { runs, task } = scripted(clock, [fail, fail, 'ok', fail]);
    const poller = poll(task, { interval: '10s', jitter: 0, backoff: noJitter, clock });
    await clock.advance(14_000);
    expect(runs.map((r) => r.at)).toEqual([0, 1_000, 3_000, 13_000, 14_000]);
    expect(runs.map((r) => r.failures)).toEqual([0, 1, 2, 0, 1]);
    await poller.stop();
  });

  it('keeps waiting the last delay once a finite schedule is exhausted', async () => {
    const clock = new FakeClock();
    const { events, sink } = collect();
    const poller = poll(async () => Promise.reject(fail()), { interval: '1s', backoff: schedule([100, 200]), clock, onEvent: sink });
    await clock.advance(1_000);
    const delays = ofType(events, 'poll_failed').map((e) => e.delayMs);
    expect(delays.slice(0, 6)).toEqual([100, 200, 200, 200, 200, 200]);
    expect(poller.state).toBe('backing-off');
    await poller.stop();
  });

  it('re-draws the jitter of an exhausted schedule instead of repeating one draw', async () => {
    const clock = new FakeClock({ seed: 3 });
    const { events, sink } = collect();
    const poller = poll(async () => Promise.reject(fail()), { interval: '1s', backoff: schedule([100, 1_000], { jitter: 0.5 }), clock, onEvent: sink });
    await clock.advance(30_000);
    const tail = ofType(events, 'poll_failed').slice(1).map((e) => e.delayMs);
    expect(tail.length).toBeGreaterThan(10);
    for (const d of tail) expect(d).toBeGreaterThanOrEqual(500), expect(d).toBeLessThanOrEqual(1_500);
    expect(new Set(tail).size).toBeGreaterThan(5);
    await poller.stop();
  });

  it('never stops on its own over 1,000 failures of every kind, then recovers', async () => {
    const clock = new FakeClock();
    const kinds: (() => unknown)[] = [
      fail,
      () => new HttpError(404), // permanent
      () => new HttpError(401),
      () => new TypeError('x is not a function'), // programmer error
      () => 'a string',
      () => undefined,
      () => null,
      () => ({ weird: true }),
      () => Object.assign(new Error('aborted'), { name: 'AbortError' }),
      () => new BrokenCircuitError(10), // honoured: no longer than the 10ms backoff
    ];
    let calls = 0;
    const task = (): Promise<void> => {
      calls++;
      if (calls > 1_000) return Promise.resolve();
      if (calls % 3 === 0) throw new Error('synchronous throw'); // not even a promise
      return Promise.reject((kinds[calls % kinds.length] as () => unknown)());
    };
    const { events, sink } = collect();
    const poller = poll(task, { interval: '1m', backoff: constant(10), clock, onEvent: sink });
    await clock.advance(1_000 * 10);
    expect(calls).toBe(1_001);
    expect(ofType(events, 'poll_failed')).toHaveLength(1_000);
    expect(ofType(events, 'recovered')).toEqual([expect.objectContaining({ failures: 1_000, downtimeMs: 10_000 })]);
    expect(poller.failures).toBe(0);
    expect(poller.state).toBe('running');
    await poller.stop();
    expect(clock.pending).toBe(0);
  });

  it('emits recovered with the downtime since the first failure of the run', async () => {
    const clock = new FakeClock();
    const { task } = scripted(clock, ['ok', fail, fail, fail]);
    const { events, sink } = collect();
    const poller = poll(task, { interval: '5s', jitter: 0, backoff: noJitter, clock, onEvent: sink, name: 'checkin' });
    await clock.advance(20_000);
    // failures at 5s, 6s, 8s; success at 12s
    expect(ofType(events, 'recovered')).toEqual([
      { type: 'recovered', time: new Date(12_000).toISOString(), name: 'checkin', downtimeMs: 7_000, failures: 3 },
    ]);
    await poller.stop();
  });

  it('counts consecutive failures in poller.failures and passes them to the task', async () => {
    const clock = new FakeClock();
    const { runs, task } = scripted(clock, [fail, fail, fail]);
    const poller = poll(task, { interval: '10s', jitter: 0, backoff: noJitter, clock });
    await clock.settle();
    expect(poller.failures).toBe(1);
    await clock.advance(1_000);
    expect(poller.failures).toBe(2);
    await clock.advance(2_000);
    expect(poller.failures).toBe(3);
    await clock.advance(4_000);
    expect(poller.failures).toBe(0);
    expect(runs.map((r) => r.failures)).toEqual([0, 1, 2, 3]);
    await poller.stop();
  });

  it('moves running → backing-off → running → stopped', async () => {
    const clock = new FakeClock();
    const { task } = scripted(clock, ['ok', fail]);
    const poller = poll(task, { interval: '1s', jitter: 0, backoff: noJitter, clock });
    const seen = [poller.state];
    await clock.settle();
    seen.push(poller.state);
    await clock.advance(1_000);
    seen.push(poller.state);
    await clock.advance(1_000);
    seen.push(poller.state);
    await poller.stop();
    seen.push(poller.state);
    expect(seen).toEqual(['running', 'running', 'backing-off', 'running', 'stopped']);
  });

  it('stop() during a sleep cancels it at once and leaves no timer', async () => {
    const clock = new FakeClock();
    const { runs, task } = scripted(clock);
    const poller = poll(task, { interval: '1h', clock });
    await clock.settle();
    expect(clock.pending).toBe(1);
    await poller.stop();
    expect(clock.now()).toBe(0);
    expect(clock.pending).toBe(0);
    expect(poller.state).toBe('stopped');
    await clock.advance(10 * 3_600_000);
    expect(runs).toHaveLength(1);
  });

  it('stop() during a task waits for it to finish without aborting its signal, then runs nothing more', async () => {
    const clock = new FakeClock();
    let finish: () => void = () => {};
    let taskSignal: AbortSignal | undefined;
    let calls = 0;
    const poller = poll(
      ({ signal }) => {
        calls++;
        taskSignal = signal;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      { interval: '1s', clock },
    );
    await clock.settle();
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    expect(poller.state).toBe('stopped');
    await clock.settle();
    expect(stopped).toBe(false);
    expect(taskSignal?.aborted).toBe(false);
    finish();
    await stopping;
    expect(calls).toBe(1);
    expect(clock.pending).toBe(0);
    expect(poller.stop()).toBe(poller.stop()); // idempotent: the same promise
  });

  it('aborting the signal cancels a sleep at once', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const { runs, task } = scripted(clock);
    const poller = poll(task, { interval: '1h', clock, signal: ac.signal });
    await clock.settle();
    ac.abort(new Error('shutdown'));
    expect(poller.state).toBe('stopped');
    expect(clock.pending).toBe(0);
    await poller.stop();
    expect(runs).toHaveLength(1);
  });

  it("aborting the signal aborts the task's signal and ends the loop even if the task ignores it", async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    let taskSignal: AbortSignal | undefined;
    const { events, sink } = collect();
    const poller = poll(
      ({ signal }) => {
        taskSignal = signal;
        return new Promise<void>(() => {}); // never settles
      },
      { interval: '1s', clock, signal: ac.signal, onEvent: sink },
    );
    await clock.settle();
    const reason = new Error('shutdown');
    ac.abort(reason);
    expect(taskSignal?.aborted).toBe(true);
    expect(taskSignal?.reason).toBe(reason);
    await poller.stop();
    expect(events).toEqual([]); // a cancelled run is not a failure
    expect(clock.pending).toBe(0);
  });

  it('starts the task on a microtask, so stop() right after poll() runs nothing', async () => {
    const clock = new FakeClock();
    const { runs, task } = scripted(clock);
    const poller = poll(task, { interval: '1s', clock });
    expect(runs).toHaveLength(0);
    await poller.stop();
    await clock.advance(5_000);
    expect(runs).toHaveLength(0);
    expect(clock.pending).toBe(0);
  });

  it('does not run at all when the signal is already aborted', async () => {
    const clock = new FakeClock();
    const { runs, task } = scripted(clock);
    const poller = poll(task, { interval: '1s', clock, signal: AbortSignal.abort() });
    expect(poller.state).toBe('stopped');
    await clock.advance(5_000);
    await poller.stop();
    expect(runs).toEqual([]);
  });

  it('leaves no listener on the caller signal once stopped', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const listeners = watchListeners(ac.signal);
    const { task } = scripted(clock, [fail, 'ok', fail]);
    const poller = poll(task, { interval: '1s', backoff: noJitter, clock, signal: ac.signal });
    await clock.advance(5_000);
    await poller.stop();
    expect(listeners.live()).toBe(0);
  });

  it('keeps going when the event sink throws or a custom backoff throws', async () => {
    const clock = new FakeClock();
    const broken: Backoff = { ...noJitter, first: () => { throw new Error('bad backoff'); } };
    const { runs, task } = scripted(clock, [fail, fail, fail]);
    const poller = poll(task, { interval: '1s', jitter: 0, backoff: broken, clock, onEvent: () => { throw new Error('bad sink'); } });
    await clock.advance(3_000);
    expect(runs.map((r) => r.at)).toEqual([0, 1_000, 2_000, 3_000]); // falls back to the interval
    await poller.stop();
  });

  describe("honours the server's own wait (SPEC §8)", () => {
    const busy = (seconds: string) => (): HttpError =>
      new HttpError(503, 'maintenance', { response: new Response(null, { status: 503, headers: { 'retry-after': seconds } }) });

    it('does not call a server that answered 503 Retry-After: 120 again for 120s (the backoff alone says 1s)', async () => {
      const clock = new FakeClock();
      const { runs, task } = scripted(clock, [busy('120'), busy('120')]);
      const { events, sink } = collect();
      const poller = poll(task, { interval: '30s', jitter: 0, backoff: noJitter, clock, onEvent: sink });
      await clock.advance(119_999);
      expect(runs.map((r) => r.at)).toEqual([0]);
      await clock.advance(1);
      expect(runs.map((r) => r.at)).toEqual([0, 120_000]);
      await clock.advance(150_000);
      expect(runs.map((r) => r.at)).toEqual([0, 120_000, 240_000, 270_000]); // then a success: back to the interval
      expect(ofType(events, 'poll_failed').map((e) => e.delayMs)).toEqual([120_000, 120_000]);
      await poller.stop();
    });

    it("waits out an open breaker's retryAfterMs instead of knocking every backoff step", async () => {
      const clock = new FakeClock();
      const { runs, task } = scripted(clock, [() => new BrokenCircuitError(25_000), () => new BrokenCircuitError(400)]);
      const poller = poll(task, { interval: '30s', jitter: 0, backoff: noJitter, clock });
      await clock.advance(30_000);
      // 25s asked > 1s backoff; then 400ms asked < 2s backoff: the longer of the two wins each time.
      expect(runs.map((r) => r.at)).toEqual([0, 25_000, 27_000]);
      await poller.stop();
    });

    it('caps the wait at maxRetryAfter: 5m by default, or as given', async () => {
      const clock = new FakeClock();
      const a = scripted(clock, [busy('3600')]);
      const b = scripted(clock, [busy('3600')]);
      const pa = poll(a.task, { interval: '1h', jitter: 0, backoff: noJitter, clock });
      const pb = poll(b.task, { interval: '1h', jitter: 0, backoff: noJitter, clock, maxRetryAfter: '1m' });
      await clock.advance(300_000);
      expect(a.runs.map((r) => r.at)).toEqual([0, 300_000]);
      expect(b.runs.map((r) => r.at)).toEqual([0, 60_000]);
      await Promise.all([pa.stop(), pb.stop()]);
    });

    it('reads an HTTP-date Retry-After against the clock, and ignores one in the past', async () => {
      const clock = new FakeClock({ now: Date.parse('2026-01-01T00:00:00Z') });
      const start = clock.now();
      const { runs, task } = scripted(clock, [busy('Thu, 01 Jan 2026 00:00:42 GMT'), busy('Wed, 31 Dec 2025 23:00:00 GMT')]);
      const poller = poll(task, { interval: '1m', jitter: 0, backoff: noJitter, clock });
      await clock.advance(45_000);
      expect(runs.map((r) => r.at - start)).toEqual([0, 42_000, 44_000]);
      await poller.stop();
    });
  });

  it('validates options when called, naming the option and the value', () => {
    const task = async (): Promise<void> => {};
    expect(() => poll(task, { interval: 'soon' })).toThrow(/poll\.interval.*"soon"/);
    expect(() => poll(task, { interval: -1 })).toThrow(RangeError);
    expect(() => poll(task, { interval: '1s', jitter: 2 })).toThrow(/poll\.jitter.*2/);
    expect(() => poll(task, { interval: '1s', backoff: {} as Backoff })).toThrow(/poll\.backoff/);
    expect(() => poll(task, { interval: '1s', onEvent: 'log' as never })).toThrow(/poll\.onEvent/);
    expect(() => poll(task, { interval: '1s', clock: {} as never })).toThrow(/poll\.clock/);
    expect(() => poll(task, { interval: '1s', signal: 'x' as never })).toThrow(/poll\.signal/);
    expect(() => poll(task, { interval: '1s', maxRetryAfter: -1 })).toThrow(/poll\.maxRetryAfter.*-1/);
    expect(() => poll(task, { interval: '1s', maxRetryAfter: 'later' })).toThrow(/poll\.maxRetryAfter.*"later"/);
    expect(() => poll('task' as never, { interval: '1s' })).toThrow(TypeError);
    expect(() => poll(task, undefined as never)).toThrow(/options/);
  });

  it('exports its defaults: exponential 1s..12s with equal jitter, interval jitter 0.1 (chosen by the fleet simulation)', () => {
    expect(pollDefaults.jitter).toBe(0.1);
    expect(pollDefaults.backoff).toMatchObject({ kind: 'exponential', maxDelay: 12_000, jitter: 'equal', limit: Infinity });
    expect([1, 2, 3, 4, 5, 6, 100].map((n) => pollDefaults.backoff.baseDelay(n))).toEqual([1_000, 2_000, 4_000, 8_000, 12_000, 12_000, 12_000]);
    // Equal jitter: half the base delay plus up to another half.
    expect(delays(pollDefaults.backoff, 6, { random: () => 0.5 })).toEqual([750, 1_500, 3_000, 6_000, 9_000, 9_000]);
    expect(delays(pollDefaults.backoff, 6, { random: () => 0 })).toEqual([500, 1_000, 2_000, 4_000, 6_000, 6_000]);
    expect(Object.isFrozen(pollDefaults)).toBe(true);
  });

  it('uses pollDefaults.backoff when none is given: waits 750ms, 1.5s, 3s, 6s, 9s, 9s with random 0.5', async () => {
    const clock = new FakeClock({ random: () => 0.5 });
    const { events, sink } = collect();
    const poller = poll(async () => Promise.reject(fail()), { interval: '1s', clock, onEvent: sink });
    await clock.advance(30_000);
    expect(ofType(events, 'poll_failed').map((e) => e.delayMs).slice(0, 6)).toEqual([750, 1_500, 3_000, 6_000, 9_000, 9_000]);
    await poller.stop();
    expect(clock.pending).toBe(0);
  });

  it('keeps every default delay within [d/2, d] for d = min(12s, 1s * 2^(n-1)), for any seed', async () => {
    const clock = new FakeClock({ seed: 11 });
    const { events, sink } = collect();
    const poller = poll(async () => Promise.reject(fail()), { interval: '1s', clock, onEvent: sink });
    await clock.advance(600_000);
    const failed = ofType(events, 'poll_failed');
    expect(failed.length).toBeGreaterThan(50);
    for (const { failures, delayMs } of failed) {
      const d = Math.min(12_000, 1_000 * 2 ** (failures - 1));
      expect(delayMs).toBeGreaterThanOrEqual(d / 2);
      expect(delayMs).toBeLessThanOrEqual(d);
    }
    await poller.stop();
  });
});
