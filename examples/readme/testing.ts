// Testing your own retrying code in virtual time: FakeClock, scriptedFetch, seededRandom, simulate.
import assert from 'node:assert/strict';
import { delays, exponential, HttpError, schedule, systemClock, withRetry, type Clock } from 'steadfast';
import { FakeClock, scriptedFetch, seededRandom, simulate } from 'steadfast/testing';

// The code under test takes fetch and a clock, defaulting to the real ones.
async function fetchTasks(fetchFn: typeof fetch = fetch, clock: Clock = systemClock): Promise<string[]> {
  return withRetry(
    async ({ signal }) => {
      const res = await fetchFn('https://api.example.com/tasks', { signal });
      if (!res.ok) throw new HttpError(res.status, `HTTP ${res.status}`, { response: res });
      return (await res.json()) as string[];
    },
    { backoff: schedule(['4s', '8s', '16s']), attemptTimeout: '10s', clock },
  );
}

// 1. Script the server: a 502, a request that hangs, a 503 with Retry-After, then the answer.
const clock = new FakeClock();
const fakeFetch = scriptedFetch([502, 'hang', { status: 503, headers: { 'Retry-After': '30' } }, Response.json(['a', 'b'])], { clock });
const tasks = fetchTasks(fakeFetch, clock);
const elapsed = await clock.runAll(); // plays every sleep and timeout at once: no real waiting
assert.deepEqual(await tasks, ['a', 'b']);
assert.equal(clock.pending, 0); // no timer left behind
console.log(`calls at ${fakeFetch.calls.map((c) => c.time / 1_000).join(', ')} s; done after ${elapsed / 1_000} s`);
console.log(`${fakeFetch.calls[0]?.method} ${fakeFetch.calls[0]?.url}`);

// 2. Jitter you can assert on: the same seed gives the same delays.
const jittered = exponential({ initial: '1s', max: '30s' });
assert.deepEqual(delays(jittered, 4, { random: seededRandom(7) }), delays(jittered, 4, { random: seededRandom(7) }));

// 3. Dry-run a policy without writing the loop: what happens against three 503s?
const run = await simulate({ backoff: schedule(['4s', '8s', '16s', '32s', '64s']), seed: 1 }, [503, 503, 503, 'ok']);
console.log(run.timeline.map((a) => `#${a.attempt} at ${a.at / 1_000}s ${a.ok ? 'ok' : a.status}`).join(', '));
const stubborn = await simulate({ backoff: schedule(['4s', '8s']) }, [502]);
console.log(`gave up after ${stubborn.attempts} attempts: ${stubborn.giveUpReason}`);

// prints: calls at 0, 4, 22, 52 s; done after 52 s
// prints: GET https://api.example.com/tasks
// prints: #1 at 0s 503, #2 at 4s 503, #3 at 12s 503, #4 at 28s ok
// prints: gave up after 3 attempts: schedule-exhausted
