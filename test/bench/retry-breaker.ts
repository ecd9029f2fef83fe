/**
 * Suites 1 and 2: the cost steadfast's retry loop and breaker add to a call, next to cockatiel,
 * opossum and p-retry doing the same job. Every policy object is built once, outside the loop,
 * as an application would; each contender writes its own loop (see harness.ts).
 */
import {
  circuitBreaker,
  ConsecutiveBreaker,
  ConstantBackoff,
  ExponentialBackoff,
  handleAll,
  retry,
  wrap,
} from 'cockatiel';
import OpossumBreaker from 'opossum';
import pRetry from 'p-retry';
import type { Suite } from './harness.js';
import type * as SteadfastModule from './steadfast.js';

/** steadfast as run.ts loaded it: the bundled build, or the sources under `--source`. */
export type Steadfast = typeof SteadfastModule;

const fn = async (): Promise<number> => 42;

/** Suite 1: every call succeeds at once; ratios to a bare `await fn()`. */
export function successSuite(sf: Steadfast): Suite {
  const { withRetry } = sf;
  const breaker = new sf.CircuitBreaker();
  const cRetry = retry(handleAll, { maxAttempts: 5, backoff: new ExponentialBackoff() });
  const cBreaker = circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) });
  const cBoth = wrap(cRetry, cBreaker);
  // timeout: false — opossum's default 10s per-call timer would be a cost the others don't pay.
  const opossum = new OpossumBreaker(fn, { timeout: false, resetTimeout: 30_000, errorThresholdPercentage: 50 });
  const pOptions = { retries: 5 };
  // User options, built once outside the loop as an application would (issue 11).
  const userOptions: SteadfastModule.RetryOptions = {
    maxRetries: 3,
    backoff: sf.exponential({ initial: '1s', max: '30s' }),
    retryOn: (_error, verdict) => verdict.kind === 'transient',
  };
  const viaBreaker = (): Promise<number> => breaker.execute(fn);
  return {
    title: 'success path',
    baseline: {
      name: 'await fn()',
      batch: async (n) => {
        for (let i = 0; i < n; i++) await fn();
      },
    },
    contenders: [
      {
        name: 'steadfast withRetry(fn)',
        target: 1.85,
        batch: async (n) => {
          for (let i = 0; i < n; i++) await withRetry(fn);
        },
      },
      {
        name: 'steadfast withRetry(fn, options)',
        note: 'maxRetries, backoff, retryOn',
        target: 1.9,
        batch: async (n) => {
          for (let i = 0; i < n; i++) await withRetry(fn, userOptions);
        },
      },
      {
        name: 'steadfast breaker.execute(fn)',
        target: 1.9,
        batch: async (n) => {
          for (let i = 0; i < n; i++) await breaker.execute(fn);
        },
      },
      {
        name: 'steadfast withRetry(() => breaker.execute(fn), options)',
        target: 2.6,
        batch: async (n) => {
          for (let i = 0; i < n; i++) await withRetry(viaBreaker, userOptions);
        },
      },
      {
        name: 'cockatiel retry.execute(fn)',
        batch: async (n) => {
          for (let i = 0; i < n; i++) await cRetry.execute(fn);
        },
      },
      {
        name: 'cockatiel circuitBreaker.execute(fn)',
        batch: async (n) => {
          for (let i = 0; i < n; i++) await cBreaker.execute(fn);
        },
      },
      {
        name: 'cockatiel wrap(retry, breaker).execute(fn)',
        batch: async (n) => {
          for (let i = 0; i < n; i++) await cBoth.execute(fn);
        },
      },
      {
        name: 'opossum breaker.fire()',
        note: 'timeout: false',
        batch: async (n) => {
          for (let i = 0; i < n; i++) await opossum.fire();
        },
      },
      {
        name: 'p-retry pRetry(fn, {retries: 5})',
        batch: async (n) => {
          for (let i = 0; i < n; i++) await pRetry(fn, pOptions);
        },
      },
    ],
  };
}

/**
 * One error instance, thrown again and again: building a fresh Error (stack capture) costs more
 * than any of the loops, and would hide the very overhead this suite is about.
 */
const transient = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/** A function that fails twice with a transient error, then succeeds. */
function flaky(): () => Promise<number> {
  let calls = 0;
  return async () => {
    if (++calls <= 2) throw transient;
    return 42;
  };
}

/** The hand-written loop of the issue: at most 5 retries, no delay, no classification. */
async function handLoop<T>(f: () => Promise<T>): Promise<T> {
  let n = 0;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (++n > 5) throw e;
    }
  }
}

/** Suite 2: two transient failures then success, no delay; ratios to a hand-written loop. */
export function failureSuite(sf: Steadfast): Suite {
  const { withRetry } = sf;
  const sOptions: SteadfastModule.RetryOptions = { backoff: sf.constant(0) };
  const cRetry = retry(handleAll, { maxAttempts: 5, backoff: new ConstantBackoff(0) });
  const pOptions = { retries: 5, minTimeout: 0, factor: 1, randomize: false };
  return {
    title: 'failure path (2 failures, then ok)',
    baseline: {
      name: 'hand-written loop',
      batch: async (n) => {
        for (let i = 0; i < n; i++) await handLoop(flaky());
      },
    },
    contenders: [
      {
        name: 'steadfast withRetry(fn, {backoff: constant(0)})',
        target: 1.15,
        batch: async (n) => {
          for (let i = 0; i < n; i++) await withRetry(flaky(), sOptions);
        },
      },
      {
        name: 'cockatiel retry(ConstantBackoff(0))',
        note: 'sleeps via setTimeout(0) even for 0 ms',
        batch: async (n) => {
          for (let i = 0; i < n; i++) await cRetry.execute(flaky());
        },
      },
      {
        name: 'p-retry {minTimeout: 0, factor: 1}',
        batch: async (n) => {
          for (let i = 0; i < n; i++) await pRetry(flaky(), pOptions);
        },
      },
    ],
  };
}
