import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clockOption, nextMacrotask, systemClock, type Clock } from '../../src/core/clock.js';

// systemClock is the one real clock: these tests use real timers, but only a few milliseconds.
const listenersOn = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;
const timersAlive = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('systemClock', () => {
  it('reads the real time and Math.random', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    vi.spyOn(Math, 'random').mockReturnValue(0.25);
    expect(systemClock.random()).toBe(0.25);
  });

  it('sleep resolves after about ms (5ms real)', async () => {
    const start = performance.now();
    await systemClock.sleep(5);
    expect(performance.now() - start).toBeGreaterThanOrEqual(4);
  });

  it('sleep with a signal resolves and removes its listener', async () => {
    const controller = new AbortController();
    await systemClock.sleep(2, controller.signal);
    expect(listenersOn(controller.signal)).toBe(0);
  });

  it('sleep rejects with signal.reason as soon as the signal aborts, clearing its timer and listener', async () => {
    const controller = new AbortController();
    const timersBefore = timersAlive();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    expect(listenersOn(controller.signal)).toBe(1);
    expect(timersAlive()).toBe(timersBefore + 1);
    const reason = new Error('stop sleeping');
    const start = performance.now();
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(performance.now() - start).toBeLessThan(50);
    expect(listenersOn(controller.signal)).toBe(0);
    expect(timersAlive()).toBe(timersBefore);
  });

  it('sleep with an already-aborted signal rejects with its reason and sets no timer', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const timersBefore = timersAlive();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    expect(timersAlive()).toBe(timersBefore);
    await expect(sleeping).rejects.toBe(controller.signal.reason);
    expect(listenersOn(controller.signal)).toBe(0);
  });

  it('sleep longer than the 24.8-day timer limit does not fire at once (setTimeout would overflow to 1ms)', async () => {
    const controller = new AbortController();
    let fired = false;
    const sleeping = systemClock.sleep(2 ** 31 + 10, controller.signal).then(() => (fired = true));
    const forever = systemClock.sleep(Infinity, controller.signal).then(() => (fired = true));
    await systemClock.sleep(10);
    expect(fired).toBe(false);
    controller.abort();
    await expect(sleeping).rejects.toBe(controller.signal.reason);
    await expect(forever).rejects.toBe(controller.signal.reason);
    expect(listenersOn(controller.signal)).toBe(0);
  });

  it('sleep with unref still resolves while something else keeps the process alive', async () => {
    await systemClock.sleep(3, undefined, { unref: true });
    const controller = new AbortController();
    await systemClock.sleep(3, controller.signal, { unref: true });
    expect(listenersOn(controller.signal)).toBe(0);
  });

  it('nextMacrotask lets queued timers and promise callbacks run', async () => {
    const order: string[] = [];
    void Promise.resolve().then(() => order.push('microtask'));
    await nextMacrotask();
    order.push('after');
    expect(order).toEqual(['microtask', 'after']);
  });
});

describe('clockOption', () => {
  it('defaults to systemClock and keeps a given clock', () => {
    const clock: Clock = { now: () => 0, sleep: async () => {}, random: () => 0.5 };
    expect(clockOption('clock', undefined)).toBe(systemClock);
    expect(clockOption('clock', clock)).toBe(clock);
  });

  it('names the option and every method the component uses when one is missing', () => {
    const noSleep = { now: () => 0, random: () => 0.5 } as unknown as Clock;
    expect(() => clockOption('poll.clock', noSleep)).toThrow(/poll\.clock must be a Clock with now\(\), sleep\(\) and random\(\)/);
    expect(clockOption('clock', noSleep, ['now', 'random'])).toBe(noSleep);
    expect(() => clockOption('clock', {} as Clock, ['now'])).toThrow(/clock must be a Clock with now\(\); got \{\}/);
    expect(() => clockOption('clock', null as unknown as Clock)).toThrow(TypeError);
  });
});
