import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { neverAborted, runWithSignal, signalOption } from '../../src/core/abort.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

/** Live 'abort' listeners on a signal, as Node itself counts them. */
const listenersOn = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

/** Tracks whether a promise has settled, without advancing virtual time. */
function track<T>(promise: Promise<T>): { state: () => 'pending' | 'resolved' | 'rejected'; value: () => unknown } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let value: unknown;
  promise.then(
    (v) => {
      state = 'resolved';
      value = v;
    },
    (e: unknown) => {
      state = 'rejected';
      value = e;
    },
  );
  return { state: () => state, value: () => value };
}

const hang = (): Promise<never> => new Promise<never>(() => {});

describe('runWithSignal', () => {
  it('resolves with what fn returns, giving it a signal that is not aborted', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let given: AbortSignal | undefined;
    const value = await runWithSignal(
      async (signal) => {
        given = signal;
        return 42;
      },
      { signal: controller.signal, timeoutMs: 1_000, clock },
    );
    expect(value).toBe(42);
    expect(given?.aborted).toBe(false);
    expect(clock.pending).toBe(0);
    expect(listenersOn(controller.signal)).toBe(0);
  });

  it('never calls fn when the signal is already aborted, and rejects with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('already gone');
    controller.abort(reason);
    const fn = vi.fn(async () => 1);
    await expect(runWithSignal(fn, { signal: controller.signal, clock: new FakeClock() })).rejects.toBe(reason);
    await expect(runWithSignal(fn, { signal: controller.signal, timeoutMs: 5, clock: new FakeClock() })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
  });

  it.each([
    ['no timeout', undefined],
    ['a timeout', 60_000],
  ])('with %s, a parent abort rejects at once with its reason even if fn ignores its signal', async (_label, timeoutMs) => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let given: AbortSignal | undefined;
    const run = track(
      runWithSignal(
        (signal) => {
          given = signal;
          return hang();
        },
        { signal: controller.signal, timeoutMs, clock },
      ),
    );
    await clock.settle();
    expect(run.state()).toBe('pending');
    const reason = new Error('shutdown');
    controller.abort(reason);
    await clock.settle(); // no virtual time passes
    expect(run.state()).toBe('rejected');
    expect(run.value()).toBe(reason);
    expect(given?.aborted).toBe(true);
    expect(given?.reason).toBe(reason);
    expect(listenersOn(controller.signal)).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('times out after timeoutMs of virtual time with a TimeoutError, even if fn ignores its signal', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let given: AbortSignal | undefined;
    const run = track(
      runWithSignal(
        (signal) => {
          given = signal;
          return hang();
        },
        { signal: controller.signal, timeoutMs: 5_000, clock },
      ),
    );
    expect(clock.pending).toBe(1);
    await clock.advance(4_999);
    expect(run.state()).toBe('pending');
    await clock.advance(1);
    expect(run.state()).toBe('rejected');
    const error = run.value() as Error;
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toMatch(/5000ms/);
    expect(given?.reason).toBe(error);
    expect(controller.signal.aborted).toBe(false); // the caller's signal is untouched
    expect(listenersOn(controller.signal)).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('times out without a caller signal too', async () => {
    const clock = new FakeClock();
    const run = track(runWithSignal(() => hang(), { timeoutMs: 100, clock }));
    await clock.advance(100);
    expect((run.value() as Error).name).toBe('TimeoutError');
    expect(clock.pending).toBe(0);
  });

  it('turns a synchronous throw into a rejection with that very error, leaving nothing behind', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const boom = new Error('sync boom');
    const thrower = (): Promise<never> => {
      throw boom;
    };
    await expect(runWithSignal(thrower, { clock })).rejects.toBe(boom);
    await expect(runWithSignal(thrower, { signal: controller.signal, clock })).rejects.toBe(boom);
    await expect(runWithSignal(thrower, { signal: controller.signal, timeoutMs: 1_000, clock })).rejects.toBe(boom);
    expect(listenersOn(controller.signal)).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('rejects with fn’s own error and removes its listener and timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const failure = new Error('nope');
    await expect(runWithSignal(async () => Promise.reject(failure), { signal: controller.signal, timeoutMs: 1_000, clock })).rejects.toBe(failure);
    expect(listenersOn(controller.signal)).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('holds no timer when there is no timeout (undefined or Infinity)', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const run = track(runWithSignal(() => hang(), { signal: controller.signal, timeoutMs: Infinity, clock }));
    await clock.settle();
    expect(clock.pending).toBe(0);
    expect(listenersOn(controller.signal)).toBe(1);
    controller.abort();
    await clock.settle();
    expect(run.state()).toBe('rejected');
    expect(listenersOn(controller.signal)).toBe(0);
  });

  it('a fn that rejects after it was timed out causes no unhandled rejection', async () => {
    const clock = new FakeClock();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const run = track(runWithSignal(() => clock.sleep(2_000).then(() => Promise.reject(new Error('late'))), { timeoutMs: 1_000, clock }));
      await clock.runAll();
      expect((run.value() as Error).name).toBe('TimeoutError');
      await clock.settle();
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('10,000 sequential runs sharing one signal leave no listener on it', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    for (let i = 0; i < 10_000; i++) {
      await runWithSignal(async () => i, { signal: controller.signal, timeoutMs: i % 2 === 0 ? 1_000 : undefined, clock });
    }
    expect(listenersOn(controller.signal)).toBe(0);
    expect(clock.pending).toBe(0);
  });
});

describe('signalOption', () => {
  it('passes an AbortSignal or undefined and names anything else with a TypeError', () => {
    const signal = new AbortController().signal;
    expect(signalOption('signal', signal)).toBe(signal);
    expect(signalOption('signal', undefined)).toBeUndefined();
    expect(() => signalOption('poll.signal', {} as AbortSignal)).toThrow(/poll\.signal must be an AbortSignal; got \{\}/);
    expect(() => signalOption('signal', null as unknown as AbortSignal)).toThrow(TypeError);
  });
});

describe('neverAborted', () => {
  it('is a signal that is never aborted, fresh each time so what fetch leaves on it is not shared', () => {
    expect(neverAborted()).not.toBe(neverAborted());
    expect(neverAborted().aborted).toBe(false);
  });

  it('runWithSignal without signal or timeout gives each call its own signal', async () => {
    const clock = new FakeClock();
    const given = new Set<AbortSignal>();
    for (let i = 0; i < 20; i++) {
      await runWithSignal(
        async (signal) => {
          given.add(signal);
          signal.addEventListener('abort', () => {}); // never removed, like undici's Request
        },
        { clock },
      );
    }
    expect(given.size).toBe(20);
    expect([...given].every((s) => listenersOn(s) === 1)).toBe(true);
  });
});

describe('runWithSignal: what fn leaves on its signal', () => {
  it('fn never gets the caller’s signal itself, so listeners fn leaves behind (as fetch does) do not pile up on it', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const given = new Set<AbortSignal>();
    for (let i = 0; i < 20; i++) {
      await runWithSignal(
        async (signal) => {
          given.add(signal);
          signal.addEventListener('abort', () => {}); // never removed, like undici's Request
          return i;
        },
        { signal: controller.signal, clock },
      );
    }
    expect(given.has(controller.signal)).toBe(false);
    expect(given.size).toBe(20);
    expect(listenersOn(controller.signal)).toBe(0);
  });
});
