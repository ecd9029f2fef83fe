// Testing with vitest's fake timers on: FakeClock keeps working, and the default clock follows
// vi.advanceTimersByTimeAsync. (A vitest test file: test/testing/fake-timers.test.ts runs it.)
import { afterEach, expect, it, vi } from 'vitest';
import { constant, HttpError, withRetry } from 'steadfast';
import { FakeClock } from 'steadfast/testing';

const flaky = (failures: number): (() => Promise<string>) => {
  let calls = 0;
  return async () => {
    if (++calls <= failures) throw new HttpError(503);
    return `ok after ${calls} calls`;
  };
};

afterEach(() => {
  vi.useRealTimers();
});

it('with FakeClock: runAll() plays every sleep, even with vi.useFakeTimers() on', async () => {
  vi.useFakeTimers(); // e.g. enabled for the whole file by other tests
  const clock = new FakeClock();
  const result = withRetry(flaky(2), { clock, backoff: constant('5s', { jitter: 'none' }) });
  expect(await clock.runAll()).toBe(10_000); // two 5s sleeps, in virtual time
  expect(await result).toBe('ok after 3 calls');
});

it('with the default clock: vi.advanceTimersByTimeAsync moves withRetry along', async () => {
  vi.useFakeTimers();
  const result = withRetry(flaky(2), { backoff: constant('5s', { jitter: 'none' }) });
  await vi.advanceTimersByTimeAsync(10_000); // the async variant lets the retry loop run between timers
  expect(await result).toBe('ok after 3 calls');
});
