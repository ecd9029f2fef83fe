// FakeClock under the test framework's own fake timers: it used to hang, because settle() waited
// for the global setTimeout(0), which vi.useFakeTimers() and node:test's mock.timers freeze.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { HttpError } from '../../src/core/errors.js';
import { withRetry } from '../../src/policies/retry.js';
import { poll } from '../../src/policies/poll.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const root = join(import.meta.dirname, '..', '..');

// The README's vitest recipe registers its own tests here (it is a vitest test file).
describe('README: testing with fake timers (examples/readme/fake-timers-vitest.ts)', async () => {
  await import('../../examples/readme/fake-timers-vitest.js');
});

// Captured before any test fakes the timers: the watchdog below must use real time.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** Rejects after `ms` of real time, so a hang fails fast instead of hitting the test timeout. */
async function within<T>(work: Promise<T>, ms = 3_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = realSetTimeout(() => reject(new Error(`hung for ${ms}ms of real time`)), ms);
  });
  try {
    return await Promise.race([work, watchdog]);
  } finally {
    realClearTimeout(timer);
  }
}

describe('FakeClock under vi.useFakeTimers()', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runAll() plays a withRetry with two 1s sleeps without hanging', async () => {
    vi.useFakeTimers();
    const clock = new FakeClock();
    let calls = 0;
    const done = withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new HttpError(503);
        return 'ok';
      },
      { clock, backoff: constant('1s', { jitter: 'none' }) },
    );
    expect(await within(clock.runAll())).toBe(2_000);
    expect(await done).toBe('ok');
    expect(calls).toBe(3);
  });

  it('advance() fires a poll loop’s interval with every fake timer API on', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'Date'] });
    const clock = new FakeClock();
    let runs = 0;
    const poller = poll(async () => void runs++, { interval: '10s', jitter: 0, clock, immediate: true });
    await within(clock.advance(30_000));
    expect(runs).toBe(4);
    await within(Promise.all([poller.stop(), clock.runAll()]));
  });
});

describe('the default clock under vi.useFakeTimers()', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('advanceTimersByTimeAsync drives withRetry’s real sleeps (the README recipe)', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const done = withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new HttpError(503);
        return 'ok';
      },
      { backoff: constant('5s', { jitter: 'none' }) },
    );
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await done).toBe('ok');
    expect(calls).toBe(3);
  });
});

describe('FakeClock under node:test mock.timers', () => {
  it('passes the node:test suite (run with node --test)', async () => {
    const exec = promisify(execFile);
    const file = join('test', 'testing', 'fake-timers.node-test.ts');
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], { cwd: root, timeout: 30_000 });
    expect(stdout).toMatch(/# pass 2\b/);
    expect(stdout).toMatch(/# fail 0\b/);
  });
});
