/**
 * ResilientClient options: their types, defaults and the helpers that resolve them once, in the
 * constructor (breaker, health check, budget view, durations, fetch).
 */
import { CircuitBreaker, type CircuitBreakerOptions } from '../breaker/breaker.js';
import type { RetryBudget } from '../policies/budget.js';
import type { Clock } from '../core/clock.js';
import type { ClientHeaders } from './call.js';
import { headerRecord } from './request.js';
import type { ClientCounters } from './stats.js';
import { type Duration } from '../core/duration.js';
import { describeValue, isOptionsObject, orDefault, positiveDuration } from '../core/options.js';
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
  /** A breaker shared by every call, its options, or `false` for none. @default a new breaker named after the client */
  breaker?: CircuitBreakerOptions | CircuitBreaker | false | undefined;
  /** Probe the server while the breaker is open; `false` = wait out `openFor`. @default on when the breaker is on */
  health?: ClientHealthOptions | false | undefined;
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

/** @internal The budget as seen by withRetry: it spends retries; the client records calls itself. */
export function spendOnly(budget: RetryBudget): RetryBudget {
  const view: Pick<RetryBudget, 'recordCall' | 'tryRetry'> = { recordCall: () => {}, tryRetry: (now) => budget.tryRetry(now) };
  return view as RetryBudget;
}

/** @internal The client's breaker: the instance given, or a new one named after the client and sharing its sink. */
export function makeBreaker(
  option: CircuitBreakerOptions | CircuitBreaker | false | undefined,
  name: string,
  clock: Clock,
  onEvent: EventSink | undefined,
): CircuitBreaker | undefined {
  if (option === false) return undefined;
  if (option instanceof CircuitBreaker) return option;
  if (option !== undefined && !isOptionsObject(option)) {
    throw new TypeError(`steadfast: ResilientClient.breaker must be CircuitBreakerOptions, a CircuitBreaker or false; got ${describeValue(option)}`);
  }
  const opts: CircuitBreakerOptions = option ?? {};
  const own = opts.onEvent;
  const sink: EventSink | undefined =
    own === undefined ? onEvent : onEvent === undefined ? own : (event) => {
      // A throwing breaker sink must not hide the event from the client's own sink (the logs).
      try {
        own(event);
      } finally {
        onEvent(event);
      }
    };
  const o: CircuitBreakerOptions = { name, clock, ...opts };
  if (sink !== undefined) o.onEvent = sink;
  return new CircuitBreaker(o);
}
