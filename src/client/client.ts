/**
 * ResilientClient: `fetch` with a per-attempt timeout, retries that respect method safety, a
 * circuit breaker, a shared retry budget, health probing that finds recovery early, and
 * structured events. Everything is resolved once in the constructor; a call only does its own work.
 */
import type { CircuitBreaker } from '../breaker/breaker.js';
import { RetryBudget } from '../policies/budget.js';
import { classify } from '../core/classify.js';
import { clockOption, type Clock } from '../core/clock.js';
import { signalOption } from '../core/abort.js';
import { Call, type Engine } from './call.js';
import { Deadlines } from './deadlines.js';
import {
  DEFAULT_HEALTH_INTERVAL,
  DEFAULT_TIMEOUT,
  healthOption,
  makeBreaker,
  makeHealth,
  spendOnly,
  type ClientRequestInit,
  type ResilientClientOptions,
} from './options.js';
import { Recovery } from './recovery.js';
import { globalFetch } from '../core/fetch.js';
import { baseUrlOption, bodyKind, type BaseUrl, headerRecord, isIdempotentMethod, parseJSON, resolveUrl, splitCredentials } from './request.js';
import { ClientCounters, type ClientStats } from './stats.js';
import { booleanOption, describeValue, functionOption, headersOption, isOptionsObject, nameOption, objectOption, orDefault, positiveDuration } from '../core/options.js';
import { isObject } from '../core/errors.js';
import { retrySettings, withRetry, type RetryOptions } from '../policies/retry.js';

export type { ClientHeaders } from './call.js';

/** Timeouts and intervals may be `Infinity` (none). */
const INFINITY_OK = { allowInfinity: true } as const;
export type { ClientHealthOptions, ClientRequestInit, ResilientClientOptions } from './options.js';

/**
 * `fetch` that survives a flaky or restarting server. Non-2xx answers reject with an `HttpError`
 * once retries are over, so `isTransient(error)` tells whether the server refused for good.
 *
 * @example
 * const client = new ResilientClient({ baseUrl: 'https://api.example.com', onEvent: textLines() });
 * const tasks = await client.getJSON<Task[]>('/tasks');
 * await client.postJSON('/tasks/42/done', { ok: true }, { idempotencyKey: 'task-42-done' });
 * client.close();
 */
export class ResilientClient {
  /** The name carried by events. */
  readonly name: string;
  /** The breaker every call goes through (`undefined` with `breaker: false`). */
  readonly breaker: CircuitBreaker | undefined;
  private readonly baseUrl: BaseUrl;
  private readonly engine: Engine;
  private readonly timeoutMs: number;
  private readonly retry: RetryOptions;
  private readonly counters = new ClientCounters();
  private readonly recovery: Recovery | undefined;
  private readonly opensAtStart: number;
  private readonly deadlines: Deadlines | undefined;
  private readonly budget: RetryBudget | undefined;
  private refreshing: Promise<void> | undefined;
  private closed = false;

  constructor(o: ResilientClientOptions) {
    if (!isOptionsObject(o)) throw new TypeError(`steadfast: ResilientClient needs an options object with a baseUrl; got ${describeValue(o)}`);
    this.baseUrl = baseUrlOption(o.baseUrl);
    const name = (this.name = nameOption('ResilientClient.name', o.name, 'client', { nonEmpty: true }));
    const clock = clockOption('ResilientClient.clock', o.clock);
    const doFetch = functionOption('ResilientClient.fetch', o.fetch) ?? globalFetch('ResilientClient({ fetch })');
    const onEvent = functionOption('ResilientClient.onEvent', o.onEvent);
    const onUnauthorized = functionOption('ResilientClient.onUnauthorized', o.onUnauthorized);
    this.timeoutMs = positiveDuration('ResilientClient.timeout', orDefault(o.timeout, DEFAULT_TIMEOUT), INFINITY_OK);

    if (o.retry !== undefined && o.retry !== false && !isOptionsObject(o.retry)) {
      throw new TypeError(`steadfast: ResilientClient.retry must be RetryOptions or false; got ${describeValue(o.retry)}`);
    }
    if (o.retry !== undefined && o.retry !== false) retrySettings(o.retry); // every retry option as given (clock, name included) is checked
    const retry: RetryOptions = o.retry === false ? { maxRetries: 0 } : { ...o.retry };
    if (retry.attemptTimeout !== undefined) this.timeoutMs = positiveDuration('ResilientClient.retry.attemptTimeout', retry.attemptTimeout, INFINITY_OK);
    delete retry.attemptTimeout; // each attempt is timed by the call itself, on the client's clock
    const budget = o.budget === undefined ? new RetryBudget({ clock }) : o.budget === false ? undefined : o.budget;
    if (budget !== undefined && !(budget instanceof RetryBudget)) {
      throw new TypeError(`steadfast: ResilientClient.budget must be a RetryBudget or false; got ${describeValue(budget)}`);
    }
    this.budget = retry.budget ?? budget;
    // The client records each call itself (successes never reach withRetry), so withRetry only spends.
    if (this.budget !== undefined) retry.budget = spendOnly(this.budget);
    retry.clock = clock;
    retry.name = name;
    if (onEvent !== undefined) retry.onEvent = onEvent;
    retrySettings(retry); // validates now, not at the first request
    this.retry = retry;

    const breaker = (this.breaker = makeBreaker(o.breaker, name, clock, onEvent));
    this.opensAtStart = breaker?.opens ?? 0;
    headersOption('ResilientClient.headers', o.headers);
    const headers = typeof o.headers === 'function' ? o.headers : headerRecord(o.headers, 'ResilientClient.headers');
    const h = healthOption(o.health);
    const healthTarget = h === undefined ? undefined : splitCredentials(resolveUrl(this.baseUrl, h.path));
    const health =
      breaker === undefined || h === undefined || healthTarget === undefined
        ? undefined
        : makeHealth(h, { url: healthTarget.url, authorization: healthTarget.authorization, headers, fetch: doFetch, clock, onEvent, name, counters: this.counters });
    this.recovery =
      breaker === undefined
        ? undefined
        : new Recovery({ breaker, health, healthIntervalMs: h?.intervalMs ?? DEFAULT_HEALTH_INTERVAL, clock, counters: this.counters, onEvent, name });

    this.deadlines = this.timeoutMs === Infinity ? undefined : new Deadlines(clock, this.timeoutMs);
    this.engine = {
      fetch: doFetch,
      clock,
      timeoutMs: this.timeoutMs,
      deadlines: this.deadlines,
      breaker,
      recovery: this.recovery,
      counters: this.counters,
      headers,
      refreshAuth: onUnauthorized === undefined ? undefined : () => (this.refreshing ??= this.refresh(onUnauthorized)),
    };
  }

  /**
   * Sends a request with retries, breaker and timeouts. Resolves with a 2xx (or 3xx) response;
   * rejects with an `HttpError` for a 4xx/5xx once retries are over, or with the last error.
   * GET, HEAD, OPTIONS, PUT and DELETE are retried; POST and PATCH only with `idempotent: true`
   * or an `idempotencyKey`, or when the request provably never left (connection refused, open breaker).
   *
   * @example
   * const res = await client.fetch('/tasks/42/result', { method: 'POST', body, idempotencyKey: true });
   */
  fetch(input: string | URL, init: ClientRequestInit = {}): Promise<Response> {
    return this.request(input, init, undefined) as Promise<Response>;
  }

  private async request(input: string | URL, init: ClientRequestInit, read: ((r: Response) => Promise<unknown>) | undefined): Promise<unknown> {
    if (this.closed) throw new Error(`steadfast: ResilientClient ${this.name} is closed`);
    objectOption('init', init);
    const { idempotent, idempotencyKey, retry, signal, headers, ...rest } = init;
    booleanOption('init.idempotent', idempotent);
    if (signal !== null) signalOption('init.signal', signal); // null is allowed by RequestInit
    if (idempotencyKey !== true) nameOption('init.idempotencyKey (a non-empty string or true)', idempotencyKey, '', { nonEmpty: true });
    if (retry !== undefined) objectOption('init.retry', retry);
    this.counters.requests++;
    const method = (rest.method ?? 'GET').toUpperCase();
    rest.method = method;
    const body = bodyKind(rest.body);
    // Node's fetch needs duplex for a stream body.
    if (body === 'stream') (rest as { duplex?: string }).duplex = 'half';
    let extraHeaders = headers === undefined ? undefined : headerRecord(headers, 'init.headers');
    if (idempotencyKey !== undefined) {
      const key = idempotencyKey === true ? crypto.randomUUID() : idempotencyKey;
      extraHeaders = { ...extraHeaders, 'idempotency-key': key };
    }
    const timeoutMs = retry?.attemptTimeout === undefined ? this.timeoutMs : positiveDuration('retry.attemptTimeout', retry.attemptTimeout, INFINITY_OK);
    if (retry !== undefined) retrySettings({ ...this.retry, ...retry }); // a bad per-request option fails now, not after a failure
    const { url, authorization } = splitCredentials(resolveUrl(this.baseUrl, input));
    // The request's signal, else one given in the retry options (e.g. a client-wide shutdown signal).
    const caller = signal ?? retry?.signal ?? this.retry.signal;
    const call = new Call(this.engine, {
      url,
      urlAuth: authorization,
      method,
      init: rest,
      extraHeaders,
      body,
      repeatable: isIdempotentMethod(method) || idempotent === true || idempotencyKey !== undefined,
      timeoutMs,
      hasSignal: caller !== undefined,
      retryOn: retry?.retryOn ?? this.retry.retryOn,
      read,
    });
    const started = this.engine.clock.now();
    this.budget?.recordCall(started);
    // Hot path: the first attempt runs outside withRetry, so a success costs no retry bookkeeping.
    let first: unknown;
    try {
      const value = await call.attempt({ attempt: 1, signal: caller });
      this.counters.successes++;
      return value;
    } catch (error) {
      first = error;
    }
    const options: RetryOptions = retry === undefined ? { ...this.retry } : { ...this.retry, ...retry, clock: this.retry.clock as Clock };
    delete options.attemptTimeout;
    options.retryOn = (error, verdict) => call.retryOn(error, verdict);
    options.clock = call.startingAt(started); // elapsed time counts from the first attempt
    if (caller !== undefined) options.signal = caller;
    try {
      // withRetry's attempt 1 is the one that already failed: it classifies it, sleeps, then retries.
      const value = await withRetry((ctx) => (ctx.attempt === 1 ? Promise.reject(first) : call.attempt(ctx)), options);
      this.counters.successes++;
      return value;
    } catch (error) {
      this.counters.fail(caller?.aborted === true ? 'aborted' : classify(error).kind);
      throw error;
    }
  }

  /**
   * GETs `path` with `Accept: application/json` and parses the body (`undefined` for an empty body).
   *
   * @example
   * const tasks = await client.getJSON<Task[]>('/tasks');
   */
  getJSON<T>(path: string | URL, init: ClientRequestInit = {}): Promise<T> {
    objectOption('init', init);
    const headers = { accept: 'application/json', ...headerRecord(init.headers, 'init.headers') };
    return this.request(path, { ...init, method: init.method ?? 'GET', headers }, parseJSON) as Promise<T>;
  }

  /**
   * POSTs `body` as JSON and parses the JSON answer. A POST is only retried when it provably
   * never reached the server, unless you pass `idempotencyKey` (or `idempotent: true`).
   *
   * @example
   * await client.postJSON('/checkin', { id, status }, { idempotencyKey: `checkin-${id}-${seq}` });
   */
  postJSON<T>(path: string | URL, body: unknown, init: ClientRequestInit = {}): Promise<T> {
    objectOption('init', init);
    const headers = { accept: 'application/json', 'content-type': 'application/json', ...headerRecord(init.headers, 'init.headers') };
    return this.request(path, { ...init, method: init.method ?? 'POST', headers, body: JSON.stringify(body) }, parseJSON) as Promise<T>;
  }

  /**
   * A JSON-safe snapshot of what the client has done (see {@link ClientStats}).
   *
   * @example
   * setInterval(() => console.log(JSON.stringify(client.stats())), 60_000);
   */
  stats(): ClientStats {
    const breaker = this.breaker;
    return this.counters.snapshot(breaker?.state ?? 'disabled', breaker === undefined ? 0 : breaker.opens - this.opensAtStart);
  }

  /**
   * Stops background health probing and refuses new requests. Requests in flight finish (their
   * timeouts still apply); once they have, the client holds no timer.
   *
   * @example
   * process.once('SIGTERM', async () => { await poller.stop(); client.close(); });
   */
  close(): void {
    this.closed = true;
    this.recovery?.close();
    this.deadlines?.close();
  }

  private async refresh(onUnauthorized: () => Promise<void>): Promise<void> {
    try {
      await onUnauthorized();
    } finally {
      this.refreshing = undefined;
    }
  }
}
