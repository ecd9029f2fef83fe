// Coming from p-retry: each row of the README table, run. Virtual time (FakeClock) makes the
// waits instant here; in your code leave `clock` out and just await.
import { exponential, HttpError, withRetry, type RetryOptions } from 'steadfast';
import { FakeClock } from 'steadfast/testing';

const clock = new FakeClock();
async function run<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T | string> {
  const done = withRetry(fn, { ...o, clock }).catch((error: unknown) => `rejected with ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  await clock.runAll();
  return done;
}
const failing = (times: number, error: unknown = new HttpError(503)): (() => Promise<string>) => {
  let calls = 0;
  return async () => {
    if (++calls <= times) throw error;
    return `ok on call ${calls}`;
  };
};

// retries, minTimeout, maxTimeout, factor, randomize → maxRetries and a Backoff
const backoff = exponential({ initial: '1s', max: '30s', multiplier: 2, jitter: 'none' }); // randomize: true → jitter: 'full'
console.log('retries:', await run(failing(2), { maxRetries: 10, backoff })); // prints: retries: ok on call 3

// shouldRetry → retryOn, which replaces the whole decision (p-retry's shouldRetry only narrows it)
const retryOn = (error: unknown): boolean => error instanceof HttpError && error.status === 404;
console.log('retryOn:', await run(failing(1, new HttpError(404)), { backoff, retryOn })); // prints: retryOn: ok on call 2

// onFailedAttempt → onEvent, which receives a `retry` event before each wait
const seen: string[] = [];
await run(failing(2), { backoff, onEvent: (e) => e.type === 'retry' && seen.push(`${e.attempt}:${e.delayMs}ms`) });
console.log('onEvent:', seen.join(' ')); // prints: onEvent: 1:1000ms 2:2000ms

// maxRetryTime → maxElapsed: no retry starts whose wait would end past it
console.log('maxElapsed:', await run(failing(9), { backoff, maxElapsed: '2s' })); // prints: maxElapsed: rejected with HTTP 503

// p-retry's AbortError (stop now) → any permanent error, e.g. a 4xx: never retried
console.log('permanent:', await run(failing(1, new HttpError(400)), { backoff })); // prints: permanent: rejected with HTTP 400

// A non-Error rejection comes back as it was (p-retry wraps it in a TypeError)
console.log('non-Error:', await run(failing(1, { code: 'BUSY' }), { backoff, maxRetries: 0 })); // prints: non-Error: rejected with {"code":"BUSY"}
