import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onAbort } from '../../src/core/abort-hub.js';
import { runWithSignal } from '../../src/core/abort.js';
import { systemClock } from '../../src/core/clock.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { poll } from '../../src/policies/poll.js';
import { withRetry } from '../../src/policies/retry.js';
import { watchListeners } from '../signal-listeners.js';


const warnings: Error[] = [];
const onWarning = (w: Error): void => void warnings.push(w);
beforeEach(() => {
  warnings.length = 0;
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('onAbort: one listener per shared signal', () => {
  it('runs every subscriber once on abort, through a single listener that is then gone', () => {
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal);
    const ran: number[] = [];
    for (let i = 0; i < 50; i++) onAbort(controller.signal, () => ran.push(i));
    expect(listeners.most()).toBe(1);
    controller.abort();
    expect(ran).toHaveLength(50);
    expect(new Set(ran).size).toBe(50);
  });

  it('removes the listener when the last subscriber leaves, and adds a new one for the next', () => {
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal);
    const offs = [onAbort(controller.signal, () => {}), onAbort(controller.signal, () => {})];
    expect(listeners.live()).toBe(1);
    offs[0]?.();
    expect(listeners.live()).toBe(1);
    offs[1]?.();
    expect(listeners.live()).toBe(0);
    offs[1]?.(); // twice is harmless
    const ran: string[] = [];
    onAbort(controller.signal, () => ran.push('late'));
    expect(listeners.live()).toBe(1);
    controller.abort();
    expect(ran).toEqual(['late']);
  });

  it('does not run a subscriber that left, even one that leaves while others are being run', () => {
    const controller = new AbortController();
    const ran: string[] = [];
    let offB = (): void => {};
    onAbort(controller.signal, () => {
      ran.push('a');
      offB();
    });
    offB = onAbort(controller.signal, () => ran.push('b'));
    const offC = onAbort(controller.signal, () => ran.push('c'));
    offC();
    controller.abort();
    expect(ran).toEqual(['a', 'b']); // b was already due when a ran; c had left
  });

  it('treats one function subscribed twice as two subscriptions', () => {
    const controller = new AbortController();
    let runs = 0;
    const cb = (): void => void runs++;
    const off = onAbort(controller.signal, cb);
    onAbort(controller.signal, cb);
    off();
    controller.abort();
    expect(runs).toBe(1);
  });
});

describe('a shutdown signal shared by many concurrent calls (regression: MaxListenersExceededWarning past ten)', () => {
  it('1,000 concurrent runWithSignal calls keep one listener on it, none after they settle, and warn nothing', async () => {
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal);
    const clock = new FakeClock();
    const runs = Array.from({ length: 1_000 }, (_, i) => runWithSignal(async () => i, { signal: controller.signal, timeoutMs: 5_000, clock }));
    expect(listeners.most()).toBe(1);
    expect(await Promise.all(runs)).toHaveLength(1_000);
    expect(listeners.live()).toBe(0);
    await nextTick();
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('one abort rejects every one of 200 concurrent withRetry calls with its reason, at once', async () => {
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal);
    const clock = new FakeClock();
    const calls = Array.from({ length: 200 }, () =>
      withRetry(() => new Promise<never>(() => {}), { signal: controller.signal, clock }).catch((e: unknown) => e),
    );
    expect(listeners.most()).toBe(1);
    const reason = new Error('shutting down');
    controller.abort(reason);
    expect(new Set(await Promise.all(calls))).toEqual(new Set([reason]));
    expect(clock.pending).toBe(0);
  });

  it('100 real sleeps and 20 pollers sharing one signal keep one listener on it between them, and warn nothing', async () => {
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal);
    const sleeps = Array.from({ length: 100 }, () => systemClock.sleep(1, controller.signal));
    const clock = new FakeClock();
    const pollers = Array.from({ length: 20 }, () => poll(async () => {}, { interval: '1s', signal: controller.signal, clock }));
    expect(listeners.most()).toBe(1);
    await Promise.all(sleeps);
    controller.abort();
    await Promise.all(pollers.map((p) => p.stop()));
    expect(pollers.every((p) => p.state === 'stopped')).toBe(true);
    expect(listeners.live()).toBe(0);
    await nextTick();
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
