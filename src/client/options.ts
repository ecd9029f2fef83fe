/**
 * ResilientClient options: their types, defaults and the helpers that resolve them once, in the
 * constructor (breaker, health check, budget view, durations, fetch).
 */
import type { CircuitBreaker, CircuitBreakerOptions } from '../breaker/breaker.js';
import type { RetryBudget } from '../policies/budget.js';
import type { Clock } from '../core/clock.js';
import type { ClientHeaders } from './call-spec.js';
import type { ClientHooks } from './hooks.js';
import { headerRecord } from './request.js';
import type { ClientCounters } from './stats.js';
import { type Duration } from '../core/duration.js';
import { countOption, describeValue, functionOption, isOptionsObject, orDefault, positiveDuration } from '../core/options.js';
import { Bulkhead } from '../policies/bulkhead.js';
import type { EventSink } from '../core/events.js';
import { HealthCheck, httpProbe } from '../policies/health.js';
import type { RetryOptions } from '../policies/retry.js';

/** @internal */
export const DEFAULT_TIMEOUT = 10_000;
/** @internal */
// Above the default breaker's longest open period (28s): a client whose requests keep coming is never probed on top (issue 13).
export const DEFAULT_HEALTH_INTERVAL = 30_000;
/** @internal */
const DEFAULT_HEALTH_TIMEOUT = 5_000;

/**
 * Health probing while the breaker is open.
 *
 * @example
 * new ResilientClient({ baseUrl, health: { path: '/healthz', interval: '10s', timeout: '1s' } });
 */
export interface ClientHealthOptions {
  /** Path (joined to `baseUrl`) or absolute URL probed with GET; any 2xx passes. @default '/health' */
  path?: string | undefined;
  /**
   * While the breaker is not closed, how often (between half and all of it, at random) the client
   * looks at it and probes `path` if no request has tried the server within this time. A passing
   * probe half-opens an open breaker; while half-open the probe is the trial itself.
   * @default '30s'
   */
  interval?: Duration | undefined;
  /** Longest a probe may take. @default '5s' */
  timeout?: Duration | undefined;
}

/**
 * Options for `ResilientClient`. Durations are ms or strings such as `"5s"`.
 *
 * @example
 * const o: ResilientClientOptions = { baseUrl: 'https://api.example.com', timeout: '5s', breaker: { openFor: '30s' } };
 */
export interface ResilientClientOptions {
  /** Prefix for relative paths: `/checkin` on `https://h/api` is `https://h/api/checkin`. */
  baseUrl: string | URL;
  /** The fetch to use, resolved once. @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
  /** Time limit of each attempt (`Infinity` for none); a timed-out attempt is retried. @default '10s' */
  timeout?: Duration | undefined;
  /** Retry policy (see `withRetry`); `false` = one attempt. @default exponential 500ms..30s, full jitter, 5 retries */
  retry?: RetryOptions | false | undefined;
  /**
   * Options for one breaker per origin (scheme, host, port), so one failing host never blocks
   * another; a `CircuitBreaker` instance, shared by every origin; or `false` for none.
   * @default a breaker per origin with the default options (at most 1,000 origins kept)
   */
  breaker?: CircuitBreakerOptions | CircuitBreaker | false | undefined;
  /** Probe the server while the breaker is open; `false` = wait out `openFor`. @default on when the breaker is on */
  health?: ClientHealthOptions | false | undefined;
  /**
   * Bounds a whole call: waiting for a concurrency slot, every attempt, retry sleeps and waiting out
   * an open breaker. When it passes the call rejects with a `TimeoutError` saying so (transient),
   * whose `cause` is the last attempt's error; no retry starts whose sleep would end past it.
   * `Infinity` for none. @default '60s': the default retry policy against a server that refuses or
   * answers 5xx ends well within it, and six hung 10 s attempts are cut at one minute.
   */
  totalTimeout?: Duration | undefined;
  /** Hooks around each attempt: sign it, see or veto a retry, replace a response (see {@link ClientHooks}). */
  hooks?: ClientHooks | undefined;
  /** Calls of this client in flight at once (attempts, sleeps and breaker waits included); more wait in line. @default Infinity */
  maxConcurrent?: number | undefined;
  /** Calls that may wait for a slot once `maxConcurrent` are in flight; past it a call rejects at once with `BulkheadRejectedError`. @default Infinity */
  maxQueued?: number | undefined;
  /** Caps retries across every call of this client during an outage. @default a new RetryBudget() */
  budget?: RetryBudget | false | undefined;
  /** Headers sent on every attempt: fixed, or a function called before each attempt. */
  headers?: ClientHeaders | undefined;
  /** Called once when a request gets a 401 (e.g. to refresh a token); the request is then sent once more. */
  onUnauthorized?: (() => Promise<void>) | undefined;
  /** Receives `retry`, `give_up`, `breaker_*`, `health_*` and `recovered` events. */
  onEvent?: EventSink | undefined;
  /** Name carried by every event. @default 'client' */
  name?: string | undefined;
  /** Time source. @default systemClock */
  clock?: Clock | undefined;
}

/**
 * Per-request options on top of `RequestInit`.
 *
 * @example
 * await client.fetch('/tasks/42/result', { method: 'PUT', body, retry: { maxRetries: 2 } });
 * await client.fetch('/tasks/42/done', { method: 'POST', idempotencyKey: 'task-42-done' });
 */
export interface ClientRequestInit extends RequestInit {
  /** Allow retrying a POST or PATCH: the server tolerates duplicates. @default false */
  idempotent?: boolean | undefined;
  /** Sent as `Idempotency-Key`, the same on every attempt, and allows retrying; `true` generates one. */
  idempotencyKey?: string | true | undefined;
  /** Overrides of the client's retry policy for this request (`attemptTimeout` overrides `timeout`). */
  retry?: Partial<RetryOptions> | undefined;
  /** This request's deadline over all its attempts, instead of the client's `totalTimeout`. */
  totalTimeout?: Duration | undefined;
}

/** @internal `health` validated and in ms. */
export interface HealthSettings {
  path: string;
  intervalMs: number;
  /** ms; Infinity for none. */
  timeoutMs: number;
}

/**
 * @internal Validates `health` (naming `ResilientClient.health.*`, not the HealthCheck it becomes),
 * even when no breaker will use it, so a typo fails at construction. `undefined` for `health: false`.
 */
export function healthOption(value: ClientHealthOptions | false | undefined): HealthSettings | undefined {
  if (value === false) return undefined;
  if (value !== undefined && !isOptionsObject(value)) {
    throw new TypeError(`steadfast: ResilientClient.health must be { path, interval, timeout } or false; got ${describeValue(value)}`);
  }
  const h: ClientHealthOptions = value ?? {};
  if (h.path !== undefined && typeof h.path !== 'string') {
    throw new TypeError(`steadfast: ResilientClient.health.path must be a string; got ${describeValue(h.path)}`);
  }
  return {
    path: h.path ?? '/health',
    intervalMs: positiveDuration('ResilientClient.health.interval', orDefault(h.interval, DEFAULT_HEALTH_INTERVAL)),
    timeoutMs: positiveDuration('ResilientClient.health.timeout', orDefault(h.timeout, DEFAULT_HEALTH_TIMEOUT), { allowInfinity: true }),
  };
}

/** @internal What the health check of a client needs. */
export interface HealthSetup {
  url: string;
  fetch: typeof fetch;
  /** The client's own headers (fixed, lower-cased, or computed per probe): a health path behind auth must pass too. */
  headers: Record<string, string> | (() => HeadersInit | Promise<HeadersInit>);
  /** Basic credentials taken out of the base URL; an `authorization` header wins. */
  authorization: string | undefined;
  clock: Clock;
  onEvent: EventSink | undefined;
  name: string;
  counters: ClientCounters;
}

/** @internal The client's health check: probes `url` with the client's fetch, counts probes, unref'd timers. */
export function makeHealth(h: HealthSettings, o: HealthSetup): HealthCheck {
  const { clock, counters, onEvent } = o;
  const { headers, authorization } = o;
  // Probes carry what every request carries, so a health path behind the same auth answers 2xx.
  const probeFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const own = typeof headers === 'function' ? headerRecord(await headers(), 'headers()') : headers;
    const merged: Record<string, string> = { ...own, ...headerRecord(init?.headers, 'probe headers') };
    if (authorization !== undefined && merged['authorization'] === undefined) merged['authorization'] = authorization;
    return o.fetch(input, { ...init, headers: merged });
  };
  return new HealthCheck({
    probe: httpProbe(o.url, { fetch: probeFetch }),
    interval: h.intervalMs,
    timeout: h.timeoutMs,
    // Background probing must never keep a process alive on its own (waitUntilHealthy sleeps on this clock).
    clock: { now: () => clock.now(), random: () => clock.random(), sleep: (ms, signal) => clock.sleep(ms, signal, { unref: true }) },
    name: o.name,
    onEvent: (event) => {
      if (event.type === 'health_ok') counters.healthOk++;
      else if (event.type === 'health_fail') counters.healthFailed++;
      onEvent?.(event);
    },
  });
}

/**
 * @internal The options every per-origin breaker is built with: the client's clock and name, and
 * a sink that counts opens for `stats()` and passes events to the breaker's own sink, then the client's.
 */
export function breakerOptions(option: CircuitBreakerOptions | undefined, clock: Clock, onEvent: EventSink | undefined, counters: ClientCounters): CircuitBreakerOptions {
  if (option !== undefined && !isOptionsObject(option)) {
    throw new TypeError(`steadfast: ResilientClient.breaker must be CircuitBreakerOptions, a CircuitBreaker or false; got ${describeValue(option)}`);
  }
  const opts: CircuitBreakerOptions = option ?? {};
  const own = functionOption('ResilientClient.breaker.onEvent', opts.onEvent);
  const sink: EventSink = (event) => {
    if (event.type === 'breaker_open') counters.breakerOpens++;
    // A throwing breaker sink must not hide the event from the client's own sink (the logs).
    try {
      own?.(event);
    } finally {
      onEvent?.(event);
    }
  };
  return { clock, ...opts, onEvent: sink };
}

/** @internal The client's concurrency limit from `maxConcurrent`/`maxQueued` (none when both are absent or `maxConcurrent` is Infinity). */
export function bulkheadOption(maxConcurrent: number | undefined, maxQueued: number | undefined, clock: Clock, name: string): Bulkhead | undefined {
  if (maxConcurrent === undefined && maxQueued === undefined) return undefined;
  if (maxConcurrent === undefined) throw new TypeError('steadfast: ResilientClient.maxQueued needs maxConcurrent');
  const concurrent = countOption('ResilientClient.maxConcurrent', maxConcurrent, { min: 1, allowInfinity: true });
  const queued = maxQueued === undefined ? Infinity : countOption('ResilientClient.maxQueued', maxQueued, { allowInfinity: true });
  return concurrent === Infinity ? undefined : new Bulkhead({ maxConcurrent: concurrent, maxQueued: queued, clock, name });
}
