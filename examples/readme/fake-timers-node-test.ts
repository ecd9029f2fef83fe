// Testing with node:test's mock.timers on: FakeClock keeps working (run: node --test, or run the file).
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { constant, HttpError, withRetry } from 'steadfast';
import { FakeClock } from 'steadfast/testing';

test('FakeClock under mock.timers', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'setImmediate', 'Date'] });
  t.after(() => mock.timers.reset());
  const clock = new FakeClock();
  let calls = 0;
  const result = withRetry(
    async () => {
      if (++calls <= 2) throw new HttpError(503);
      return 'ok';
    },
    { clock, backoff: constant('5s', { jitter: 'none' }) },
  );
  assert.equal(await clock.runAll(), 10_000);
  assert.equal(await result, 'ok');
});
