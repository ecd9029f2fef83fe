// withRetry: a flaky check-in retried with backoff, Retry-After, a per-attempt timeout and a deadline.
import { exponential, HttpError, withRetry } from 'steadfast';

let calls = 0;
// Stands in for `fetch(url, { signal })`: refused once, then a 503 asking for 50ms, then fine.
async function checkIn(signal: AbortSignal): Promise<{ tasks: number }> {
  signal.throwIfAborted();
  calls++;
  if (calls === 1) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' });
  if (calls === 2) throw new HttpError(503, 'HTTP 503', { retryAfterMs: 50 });
  return { tasks: 3 };
}

const shutdown = new AbortController(); // abort it to stop at once, mid-attempt or mid-sleep

const result = await withRetry(({ signal }) => checkIn(signal), {
  backoff: exponential({ initial: '20ms', max: '1s' }), // full jitter by default
  maxRetries: 5, // 6 attempts at most
  maxElapsed: '10s', // no retry whose sleep would end later than this
  attemptTimeout: '2s', // each attempt gets its own timeout (a TimeoutError is retried)
  maxRetryAfter: '1m', // a server can't park us longer than this
  signal: shutdown.signal,
  retryOn: (_error, verdict) => verdict.kind === 'transient', // the default, written out
  name: 'checkin',
  onEvent: (e) => {
    if (e.type === 'retry') console.log(`${e.name}: retry ${e.attempt}/${e.maxRetries} after ${e.verdict.reason}`);
    if (e.type === 'retry' && e.attempt === 2) console.log(`waited ${e.delayMs}ms, as Retry-After asked`);
  },
});
console.log(result);

// prints: checkin: retry 1/5 after connection refused
// prints: checkin: retry 2/5 after HTTP 503
// prints: waited 50ms, as Retry-After asked
// prints: { tasks: 3 }
