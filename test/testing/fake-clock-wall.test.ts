/**
 * FakeClock models both time scales of SPEC §11: a monotonic now() for durations and a wall
 * clock for events' time, which a test can step (jumpWall) to show that durations ignore it.
 */
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { wallOffset, wallTime } from '../../src/core/clock.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { RetryBudget } from '../../src/policies/budget.js';
import { poll } from '../../src/policies/poll.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

describe('FakeClock: wall time', () => {
  it('starts with wallNow() = now() (or the given wall time) and moves both on advance', async () => {
    const clock = new FakeClock({ now: T0 });
    expect(clock.wallNow()).toBe(T0);
    await clock.advance(500);
    expect([clock.now(), clock.wallNow()]).toEqual([T0 + 500, T0 + 500]);
    expect(new FakeClock({ now: 0, wall: T0 }).wallNow()).toBe(T0);
  });

  it('jumpWall steps only the wall clock: now() and pending timers are unchanged', async () => {
    const clock = new FakeClock({ now: T0 });
    let fired = false;
    void clock.sleep(300).then(() => (fired = true));
    clock.jumpWall(-HOUR);
    expect([clock.now(), clock.wallNow()]).toEqual([T0, T0 - HOUR]);
    await clock.advance(299);
    expect(fired).toBe(false);
    await clock.advance(1);
    expect(fired).toBe(true);
  });

  it('refuses a non-finite jump with a RangeError', () => {
    expect(() => new FakeClock().jumpWall(Number.NaN)).toThrow(/jumpWall needs a finite number of ms; got NaN/);
  });

  it('wallTime and wallOffset read wallNow when a clock has one, and fall back to now()', () => {
    const clock = new FakeClock({ now: 1_000 });
    clock.jumpWall(250);
    expect([wallTime(clock), wallOffset(clock)]).toEqual([1_250, 250]);
    const plain = { now: () => 42 };
    expect([wallTime(plain), wallOffset(plain)]).toEqual([42, 0]);
  });
});

describe('durations ignore a wall clock stepped an hour either way (virtual time)', () => {
  for (const step of [-HOUR, HOUR]) {
    it(`breaker: opened for 30s, the wall clock stepped ${step > 0 ? 'forward' : 'back'} an hour, half-opens after exactly 30s`, async () => {
      const clock = new FakeClock({ now: T0 });
      const events: ResilienceEvent[] = [];
      const breaker = new CircuitBreaker({ failureThreshold: 1, openFor: '30s', clock, onEvent: (e) => events.push(e) });
      await breaker.execute(() => Promise.reject(refused())).catch(() => {});
      clock.jumpWall(step);
      expect(breaker.retryAfterMs).toBe(30_000);
      await clock.advance(29_999);
      expect(breaker.state).toBe('open');
      await clock.advance(1);
      expect(breaker.state).toBe('half-open');
      expect(events.map((e) => [e.type, e.time])).toEqual([
        ['breaker_open', new Date(T0).toISOString()],
        ['breaker_half_open', new Date(T0 + step + 30_000).toISOString()],
      ]);
    });
  }

  it('RetryBudget: a spent 10s budget recovers 10s later, whatever the wall clock did', async () => {
    const clock = new FakeClock({ now: T0 });
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0.1, window: '10s', clock }); // 1 retry per 10s
    expect([budget.tryRetry(), budget.tryRetry()]).toEqual([true, false]);
    clock.jumpWall(-HOUR);
    await clock.advance(10_000);
    expect(budget.tryRetry()).toBe(true);
  });

  it('poll: a 1s interval stays 1s across a wall step', async () => {
    const clock = new FakeClock({ now: T0 });
    const at: number[] = [];
    const poller = poll(async () => void at.push(clock.now() - T0), { interval: '1s', jitter: 0, clock });
    await clock.advance(1_000);
    clock.jumpWall(-HOUR);
    await clock.advance(2_000);
    await poller.stop();
    expect(at).toEqual([0, 1_000, 2_000, 3_000]);
  });

  it('breaker snapshot: saved in wall (epoch) time, restored on a clock whose monotonic scale differs', async () => {
    const clock = new FakeClock({ now: T0 });
    const breaker = new CircuitBreaker({ failureThreshold: 1, openFor: '30s', clock });
    await breaker.execute(() => Promise.reject(refused())).catch(() => {});
    await clock.advance(10_000);
    const saved = JSON.parse(JSON.stringify(breaker.snapshot())) as ReturnType<CircuitBreaker['snapshot']>;
    expect(saved).toMatchObject({ state: 'open', downSince: T0, halfOpenAt: T0 + 30_000 });
    // After a restart: monotonic time starts elsewhere (here 0), the wall clock reads on.
    const later = new FakeClock({ now: 0, wall: T0 + 10_000 });
    const restored = new CircuitBreaker({ failureThreshold: 1, openFor: '30s', clock: later, initialState: saved });
    expect(restored.retryAfterMs).toBe(20_000);
    expect(restored.snapshot()).toMatchObject({ downSince: T0, halfOpenAt: T0 + 30_000 });
  });
});
