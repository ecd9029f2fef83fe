// Coming from opossum: each row of the README table, run in virtual time (in your code leave
// `clock` out).
import { CircuitBreaker, HttpError, withRetry } from 'steadfast';
import { FakeClock } from 'steadfast/testing';

const clock = new FakeClock();
const events: string[] = [];
const unavailable = (): Promise<never> => Promise.reject(new HttpError(503));

// new CircuitBreaker(fn, { errorThresholdPercentage: 50, resetTimeout, rollingCountTimeout, volumeThreshold })
// → new CircuitBreaker({ failureRate: 0.5, openFor, window, minimumCalls }), and breaker.fire(x) → breaker.execute(() => fn(x))
const breaker = new CircuitBreaker({
  failureRate: 0.5,
  openFor: '30s',
  window: '10s',
  minimumCalls: 2,
  clock,
  onEvent: (e) => events.push(e.type), // on('open'|'halfOpen'|'close') → breaker_open | breaker_half_open | breaker_closed
});
for (let i = 0; i < 2; i++) await breaker.execute(unavailable).catch(() => {});
console.log('opened:', breaker.state, events.join(' ')); // prints: opened: open breaker_open

// opossum's halfOpen fires from a timer; this breaker keeps no timer: it half-opens on the next call or state read
await clock.advance(30_000);
console.log('after resetTimeout, before any read:', events.join(' ')); // prints: after resetTimeout, before any read: breaker_open
console.log('state read:', breaker.state, events.join(' ')); // prints: state read: half-open breaker_open breaker_half_open

// errorFilter → isFailure; by default only transient errors count (a 404 never opens it; opossum counts every error)
const strict = new CircuitBreaker({ failureThreshold: 1, clock });
await strict.execute(() => Promise.reject(new HttpError(404))).catch(() => {});
console.log('404 counts:', strict.state); // prints: 404 counts: closed

// options.timeout (10s by default in opossum) → none on the breaker: give the call a timeout, e.g. withRetry's attemptTimeout
const slow = withRetry(({ signal }) => breaker.execute(() => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))), { clock, attemptTimeout: '2s', maxRetries: 0 });
const outcome = slow.catch((e: unknown) => (e instanceof Error ? e.name : 'failed'));
await clock.runAll();
console.log('timeout:', await outcome); // prints: timeout: TimeoutError

// fallback → a catch at the call site; shutdown() → nothing to release (no timer, no listener)
console.log('fallback:', await breaker.execute(unavailable).catch(() => 'cached answer')); // prints: fallback: cached answer
