// Coming from cockatiel: each row of the README table, run in virtual time (in your code leave
// `clock` out).
import { CircuitBreaker, constant, delays, exponential, isBrokenCircuit, schedule, withRetry } from 'steadfast';
import { FakeClock } from 'steadfast/testing';

const clock = new FakeClock();
const down = (): Promise<never> => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

// retry(handleAll, { maxAttempts, backoff: new ExponentialBackoff(...) }) → withRetry(fn, { maxRetries, backoff: exponential(...) })
const backoff = exponential({ initial: '128ms', max: '30s', multiplier: 2, jitter: 'none' });
console.log('backoff:', delays(backoff, 4).join(' ')); // prints: backoff: 128 256 512 1024

// IterableBackoff repeats its last delay; a steadfast schedule stops when its list ends, unless repeatLast
console.log('schedule:', delays(schedule(['1s', '2s']), 4).join(' ')); // prints: schedule: 1000 2000
console.log('repeatLast:', delays(schedule(['1s', '2s'], { repeatLast: true }), 4).join(' ')); // prints: repeatLast: 1000 2000 2000 2000

// circuitBreaker(handleAll, { halfOpenAfter, breaker: new ConsecutiveBreaker(3) }) → new CircuitBreaker({ openFor, failureThreshold })
const breaker = new CircuitBreaker({ failureThreshold: 3, openFor: '10s', clock });
for (let i = 0; i < 3; i++) await breaker.execute(down).catch(() => {});
console.log('breaker:', breaker.state); // prints: breaker: open

// Half-open: calls beyond halfOpenMaxCalls (default 1) are refused at once, not queued behind the trial
await clock.advance(10_000);
let finishTrial = (): void => {};
const trial = breaker.execute(() => new Promise<string>((resolve) => (finishTrial = () => resolve('trial ok'))));
const second = await breaker.execute(async () => 'second').catch((e: unknown) => (isBrokenCircuit(e) ? `refused (${e.state})` : 'failed'));
finishTrial();
console.log('half-open:', await trial, '/', second); // prints: half-open: trial ok / refused (half-open)

// SamplingBreaker({ threshold, duration, minimumRps }) → failureRate, window, minimumCalls; it opens AT the rate (cockatiel: above it)
const rate = new CircuitBreaker({ failureRate: 0.5, minimumCalls: 4, window: '10s', clock });
for (const fail of [false, true, false, true]) await rate.execute(fail ? down : async () => 'ok').catch(() => {});
console.log('rate:', rate.state); // prints: rate: open

// wrap(retry, breaker) → withRetry around breaker.execute; timeout(ms) → attemptTimeout
const done = withRetry(() => new CircuitBreaker({ clock }).execute(async () => 'through both'), { clock, attemptTimeout: '5s', backoff: constant('1s') });
console.log('wrap:', await done); // prints: wrap: through both
