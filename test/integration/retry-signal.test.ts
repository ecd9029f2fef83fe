import { execFile } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { systemClock } from '../../src/core/clock.js';
import { HttpError } from '../../src/core/errors.js';
import { withRetry } from '../../src/policies/retry.js';

// Real timers and processes, bounded to a few seconds in all.

/** Collects process warnings while `body` runs (warnings are emitted on a later tick). */
async function warningsDuring(body: () => Promise<void>): Promise<Error[]> {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };
  process.on('warning', onWarning);
  try {
    await body();
    await systemClock.sleep(20);
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}

const maxListenerWarnings = (warnings: Error[]): Error[] => warnings.filter((w) => w.name === 'MaxListenersExceededWarning');

describe('withRetry with a real clock and one shared signal', () => {
  it('10,000 calls sharing one signal cause no MaxListenersExceededWarning and leave no listener', async () => {
    const controller = new AbortController();
    const signal = controller.signal;
    const warnings = await warningsDuring(async () => {
      for (let i = 0; i < 10_000; i++) {
        let failedOnce = i % 2 === 1; // every other call fails once, then succeeds (delay 0: no timer)
        await withRetry(
          async () => {
            if (!failedOnce) {
              failedOnce = true;
              throw new HttpError(503);
            }
            return i;
          },
          { signal, backoff: constant(0), clock: systemClock },
        );
      }
    });
    expect(maxListenerWarnings(warnings)).toEqual([]);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('10,000 calls with attemptTimeout sharing one signal cause no warning and leave no listener or timer', async () => {
    const controller = new AbortController();
    const signal = controller.signal;
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const warnings = await warningsDuring(async () => {
      // Five at a time, as a small worker pool would: still under the 10-listener warning line.
      for (let i = 0; i < 10_000; i += 5) {
        await Promise.all(
          Array.from({ length: 5 }, (_, k) => withRetry(async ({ signal: s }) => (s.aborted ? -1 : i + k), { signal, attemptTimeout: '10s', clock: systemClock })),
        );
      }
    });
    expect(maxListenerWarnings(warnings)).toEqual([]);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(timersBefore);
  });

  it('an abort during a real 10s backoff sleep rejects within milliseconds with signal.reason', async () => {
    const controller = new AbortController();
    let attempts = 0;
    const done = withRetry(
      async () => {
        attempts++;
        throw new HttpError(503);
      },
      { signal: controller.signal, backoff: constant('10s'), clock: systemClock },
    );
    await systemClock.sleep(20);
    const reason = new Error('shutdown');
    const start = performance.now();
    controller.abort(reason);
    await expect(done).rejects.toBe(reason);
    expect(performance.now() - start).toBeLessThan(100);
    expect(attempts).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('a real per-attempt timeout stops an attempt that ignores its signal, and the next attempt succeeds', async () => {
    let attempts = 0;
    const start = performance.now();
    const value = await withRetry(
      () => {
        attempts++;
        return attempts === 1 ? new Promise<string>(() => {}) : Promise.resolve('second');
      },
      { attemptTimeout: 30, backoff: constant(0), clock: systemClock },
    );
    expect(value).toBe('second');
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe('withRetry around the real fetch, one shared signal', () => {
  it('1,000 fetches to a local server leave no listener on the shared signal (fetch keeps one on its own signal until GC)', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const controller = new AbortController();
    try {
      const warnings = await warningsDuring(async () => {
        for (let i = 0; i < 1_000; i++) {
          await withRetry(async ({ signal }) => (await fetch(url, { signal })).text(), { signal: controller.signal, clock: systemClock });
        }
      });
      expect(maxListenerWarnings(warnings)).toEqual([]);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('systemClock.sleep unref', () => {
  const clockFile = fileURLToPath(new URL('../../src/core/clock.ts', import.meta.url));
  const run = (sleepMs: number, unref: boolean): Promise<{ stdout: string; ms: number }> => {
    const code = `import { systemClock } from ${JSON.stringify(clockFile)};
systemClock.sleep(${sleepMs}, undefined, { unref: ${unref} }).then(() => console.log('fired'));`;
    const start = performance.now();
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { timeout: 8_000 }, (error, stdout) => {
        if (error) reject(error);
        else resolve({ stdout, ms: performance.now() - start });
      });
    });
  };

  it('a process whose only work is an unref’d 10s sleep exits at once', async () => {
    const { stdout, ms } = await run(10_000, true);
    expect(stdout).toBe('');
    expect(ms).toBeLessThan(6_000);
  });

  it('a ref’d sleep keeps the process alive until it fires', async () => {
    const { stdout } = await run(200, false);
    expect(stdout.trim()).toBe('fired');
  });
});
