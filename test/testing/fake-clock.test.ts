import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { seededRandom } from '../../src/core/random.js';
import { watchListeners } from '../signal-listeners.js';

describe('FakeClock: time and randomness', () => {
  it('starts at 0 (or the given now) and only moves when told', async () => {
    expect(new FakeClock().now()).toBe(0);
    const clock = new FakeClock({ now: Date.UTC(2026, 0, 1) });
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1));
    await clock.settle();
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1));
    await clock.advance(1_500);
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1) + 1_500);
  });

  it('random() is seeded: the same seed gives the same numbers, another seed others', () => {
    const a = new FakeClock({ seed: 7 });
    const b = new FakeClock({ seed: 7 });
    const c = new FakeClock({ seed: 8 });
    const draw = (clock: FakeClock): number[] => Array.from({ length: 5 }, () => clock.random());
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    const reference = seededRandom(1);
    expect(draw(new FakeClock())).toEqual(Array.from({ length: 5 }, () => reference()));
    expect(new FakeClock({ random: () => 0.5 }).random()).toBe(0.5);
  });
});

describe('FakeClock: advance', () => {
  it('fires due timers in time order, each seeing its own due time', async () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    for (const ms of [300, 100, 200]) void clock.sleep(ms).then(() => fired.push(`${ms}@${clock.now()}`));
    expect(clock.pending).toBe(3);
    await clock.advance(250);
    expect(fired).toEqual(['100@100', '200@200']);
    expect(clock.now()).toBe(250);
    expect(clock.pending).toBe(1);
    await clock.advance(50);
    expect(fired).toEqual(['100@100', '200@200', '300@300']);
    expect(clock.pending).toBe(0);
  });

  it('fires timers due at the same time in the order they were set (FIFO)', async () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) void clock.sleep(1_000).then(() => fired.push(i));
    await clock.advance(1_000);
    expect(fired).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs the code woken by each timer before the next fires, including timers it sets', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    void clock.sleep(100).then(async () => {
      log.push(`A@${clock.now()}`);
      await Promise.resolve();
      await Promise.resolve();
      log.push('A continues');
      await clock.sleep(50);
      log.push(`A again@${clock.now()}`);
    });
    void clock.sleep(200).then(() => log.push(`B@${clock.now()}`));
    await clock.advance(1_000);
    expect(log).toEqual(['A@100', 'A continues', 'A again@150', 'B@200']);
    expect(clock.now()).toBe(1_000);
  });

  it('does not fire a timer before it is due; advance(0) fires those due now', async () => {
    const clock = new FakeClock();
    let fired = 0;
    void clock.sleep(10).then(() => fired++);
    void clock.sleep(0).then(() => fired++);
    await clock.advance(0);
    expect(fired).toBe(1);
    await clock.advance(9);
    expect(fired).toBe(1);
    await clock.advance(1);
    expect(fired).toBe(2);
  });

  it('treats negative and NaN delays as 0, like setTimeout', async () => {
    const clock = new FakeClock();
    let fired = 0;
    void clock.sleep(-5).then(() => fired++);
    void clock.sleep(Number.NaN).then(() => fired++);
    await clock.advance(0);
    expect(fired).toBe(2);
    expect(clock.now()).toBe(0);
  });
});

describe('FakeClock: runAll', () => {
  it('fires every timer, including ones set while running, and returns the virtual time that passed', async () => {
    const clock = new FakeClock({ now: 5_000 });
    const seen: number[] = [];
    const chain = async (): Promise<void> => {
      for (const ms of [1_000, 2_000, 4_000]) {
        await clock.sleep(ms);
        seen.push(clock.now());
      }
    };
    void chain();
    expect(await clock.runAll()).toBe(7_000);
    expect(seen).toEqual([6_000, 8_000, 12_000]);
    expect(clock.pending).toBe(0);
    expect(await clock.runAll()).toBe(0);
  });

  it('throws after maxTimers for a loop that never ends', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let ticks = 0;
    const forever = async (): Promise<void> => {
      for (;;) {
        await clock.sleep(1_000, controller.signal);
        ticks++;
      }
    };
    const loop = forever().catch(() => {});
    await expect(clock.runAll(50)).rejects.toThrow(/more than 50 timers/);
    expect(ticks).toBe(50);
    controller.abort();
    await loop;
    expect(clock.pending).toBe(0);
  });

  it('leaves a sleep of Infinity pending instead of jumping time to Infinity', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const forever = clock.sleep(Infinity, controller.signal);
    void clock.sleep(10);
    expect(await clock.runAll()).toBe(10);
    expect(clock.now()).toBe(10);
    expect(clock.pending).toBe(1);
    controller.abort();
    await expect(forever).rejects.toBe(controller.signal.reason);
    expect(clock.pending).toBe(0);
  });
});

describe('FakeClock: sleep and abort', () => {
  it('rejects at once with the reason of an already-aborted signal, setting no timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const reason = new Error('gone');
    controller.abort(reason);
    await expect(clock.sleep(1_000, controller.signal)).rejects.toBe(reason);
    expect(clock.pending).toBe(0);
  });

  it('an abort during a sleep rejects with the reason without time passing, and removes the timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let outcome: unknown = 'pending';
    void clock.sleep(1_000, controller.signal).catch((e: unknown) => (outcome = e));
    expect(clock.pending).toBe(1);
    controller.abort('why');
    await clock.settle();
    expect(outcome).toBe('why');
    expect(clock.pending).toBe(0);
    expect(clock.now()).toBe(0);
  });

  it('a sleep that fires removes its abort listener', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal);
    const done = clock.sleep(100, controller.signal);
    expect(listeners.live()).toBe(1);
    await clock.advance(100);
    await done;
    expect([listeners.most(), listeners.live()]).toEqual([1, 0]); // one added, and removed when the timer fired
  });

  it('settle lets promise callbacks run without moving time', async () => {
    const clock = new FakeClock();
    let value = 0;
    void Promise.resolve()
      .then(() => value++)
      .then(() => value++);
    await clock.settle();
    expect(value).toBe(2);
    expect(clock.now()).toBe(0);
  });
});

describe('FakeClock: advance validation', () => {
  it.each([-1, Number.NaN, Infinity])('rejects advance(%s) instead of corrupting the time', async (bad) => {
    const clock = new FakeClock();
    await expect(clock.advance(bad)).rejects.toThrow(RangeError);
    expect(clock.now()).toBe(0);
  });
});
