// Run by test/testing/fake-timers.test.ts with `node --import tsx --test`: FakeClock under
// node:test's mock.timers, whose frozen setTimeout(0) used to hang FakeClock's settle().
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { constant } from '../../src/core/backoff.js';
import { HttpError } from '../../src/core/errors.js';
import { withRetry } from '../../src/policies/retry.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

test('FakeClock.runAll() plays withRetry while mock.timers is enabled', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'setImmediate', 'Date'] });
  t.after(() => mock.timers.reset());
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
  assert.equal(await clock.runAll(), 2_000);
  assert.equal(await done, 'ok');
  assert.equal(calls, 3);
});

test('the default clock is driven by mock.timers.tick()', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let calls = 0;
  const done = withRetry(
    async () => {
      calls++;
      if (calls < 2) throw new HttpError(503);
      return 'ok';
    },
    { backoff: constant('5s', { jitter: 'none' }) },
  );
  // Let the first attempt fail and the retry sleep start before moving time.
  for (let i = 0; i < 10; i++) await Promise.resolve();
  mock.timers.tick(5_000);
  assert.equal(await done, 'ok');
  assert.equal(calls, 2);
});
