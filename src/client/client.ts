/**
 * ResilientClient: `fetch` with a per-attempt timeout, a deadline per call, retries that respect
 * method safety, a breaker per origin, a shared retry budget, a concurrency limit, health probing
 * that finds recovery early, hooks and structured events. Everything is resolved once in the
 * constructor; a call only does its own work, and its first attempt is the retry loop's first.
 */
import type { CircuitBreaker } from '../breaker/breaker.js';
import { classify } from '../core/classify.js';
import { clockOption } from '../core/clock.js';
import { globalFetch } from '../core/fetch.js';
import { booleanOption, describeValue, functionOption, headersOption, isOptionsObject, nameOption, objectOption, orDefault, positiveDuration } from '../core/options.js';
import { signalOption } from '../core/abort.js';
import { RetryBudget } from '../policies/budget.js';
import type { Bulkhead } from '../policies/bulkhead.js';
import { retryLoop, type RetrySettings } from '../policies/retry-loop.js';
import { retrySettings, type RetryOptions } from '../policies/retry.js';
import { OriginBreakers } from './breakers.js';
import { Call } from './call.js';
import type { Engine } from './call-spec.js';
import { Deadlines } from './deadlines.js';
import { hooksOption } from './hooks.js';
import { bulkheadOption, DEFAULT_TIMEOUT, healthOption, type ClientRequestInit, type ResilientClientOptions } from './options.js';
import { baseUrlOption, bodyKind, type BaseUrl, headerRecord, isIdempotentMethod, originOf, parseJSON, resolveUrl, splitCredentials } from './request.js';
import { ClientCounters, type ClientStats } from './stats.js';
import { callerMaxElapsed, DEFAULT_TOTAL_TIMEOUT, throughBulkhead, withDeadline } from './total-timeout.js';

export type { ClientHeaders } from './call-spec.js';
export type { ClientHooks } from './hooks.js';
export type { ClientHealthOptions, ClientRequestInit, ResilientClientOptions } from './options.js';

/** Timeouts and intervals may be `Infinity` (none). */
const INFINITY_OK = { allowInfinity: true } as const;

interface Target {
  readonly input: string | URL;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly origin: string;
}

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
  private readonly baseUrl: BaseUrl;
  private readonly baseOrigin: string;
  private readonly breakers: OriginBreakers | undefined;
  private readonly bulkhead: Bulkhead | undefined;
  private readonly engine: Engine;
  private readonly timeoutMs: number;
  private readonly totalMs: number;
  /** The retry options as given (plus clock, name, budget, sink), for per-request overrides, and resolved once. */
  private readonly retry: RetryOptions;
  private readonly settings: RetrySettings;
  private readonly counters = new ClientCounters();
  private readonly deadlines: Deadlines | undefined;
  private refreshing: Promise<void> | undefined;
  private closed = false;
  private lastTarget: Target | undefined;

  constructor(o: ResilientClientOptions) {
    if (!isOptionsObject(o)) throw new TypeError(`steadfast: ResilientClient needs an options object with a baseUrl; got ${describeValue(o)}`);
    this.baseUrl = baseUrlOption(o.baseUrl);
    this.baseOrigin = new URL(this.baseUrl.prefix).origin;
    const name = (this.name = nameOption('ResilientClient.name', o.name, 'client', { nonEmpty: true }));
    const clock = clockOption('ResilientClient.clock', o.clock);
    const doFetch = functionOption('ResilientClient.fetch', o.fetch) ?? globalFetch('ResilientClient({ fetch })');
    const onEvent = functionOption('ResilientClient.onEvent', o.onEvent);
    const onUnauthorized = functionOption('ResilientClient.onUnauthorized', o.onUnauthorized);
    this.timeoutMs = positiveDuration('ResilientClient.timeout', orDefault(o.timeout, DEFAULT_TIMEOUT), INFINITY_OK);
    this.totalMs = positiveDuration('ResilientClient.totalTimeout', orDefault(o.totalTimeout, DEFAULT_TOTAL_TIMEOUT), INFINITY_OK);
    const hooks = hooksOption(o.hooks);
    this.bulkhead = bulkheadOption(o.maxConcurrent, o.maxQueued, clock, name);

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
    if (retry.budget === undefined && budget !== undefined) retry.budget = budget;
    retry.clock = clock;
    retry.name = name;
    if (onEvent !== undefined) retry.onEvent = onEvent;
    this.retry = retry;
    this.settings = withDeadline(retrySettings(retry), this.totalMs); // validates now, not at the first request

    headersOption('ResilientClient.headers', o.headers);
    const headers = typeof o.headers === 'function' ? o.headers : headerRecord(o.headers, 'ResilientClient.headers');
    const health = healthOption(o.health);
    const counters = this.counters;
    const setup = { name, clock, onEvent, baseUrl: this.baseUrl, baseOrigin: this.baseOrigin, health, headers, fetch: doFetch, counters };
    this.breakers = o.breaker === false ? undefined : new OriginBreakers({ option: o.breaker, ...setup });

    this.deadlines = this.timeoutMs === Infinity ? undefined : new Deadlines(clock, this.timeoutMs);
    const refreshAuth = onUnauthorized === undefined ? undefined : () => (this.refreshing ??= this.refresh(onUnauthorized));
    this.engine = { fetch: doFetch, clock, timeoutMs: this.timeoutMs, deadlines: this.deadlines, counters, headers, refreshAuth, hooks, onEvent, name };
  }

  /**
   * Sends a request with retries, breaker and timeouts. Resolves with a 2xx (or 3xx) response;
   * rejects with an `HttpError` for a 4xx/5xx once retries are over, or with the last error.
   * GET, HEAD, OPTIONS, PUT and DELETE are retried; POST and PATCH only with `idempotent: true`
   * or an `idempotencyKey`, or when the request provably never left (connection refused, open breaker).
   * The attempt's timeout also bounds reading the body: read it promptly.
   *
   * @example
   * const res = await client.fetch('/tasks/42/result', { method: 'POST', body, idempotencyKey: true });
   */
  fetch(input: string | URL, init: ClientRequestInit = {}): Promise<Response> {
    return this.request(input, init, undefined) as Promise<Response>;
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

  /** Where `input` goes: resolved against `baseUrl`, credentials split off, its origin. An agent calls the same few paths over and over: the last string is remembered. */
  private target(input: string | URL): Target {
    const last = this.lastTarget;
    if (last !== undefined && last.input === input) return last;
    const { url, authorization } = splitCredentials(resolveUrl(this.baseUrl, input));
    const target: Target = { input, url, authorization, origin: originOf(this.baseOrigin, input, url) };
    if (typeof input === 'string') this.lastTarget = target;
    return target;
  }

  private async request(input: string | URL, init: ClientRequestInit, read: ((r: Response) => Promise<unknown>) | undefined): Promise<unknown> {
    if (this.closed) throw new Error(`steadfast: ResilientClient ${this.name} is closed`);
    objectOption('init', init);
    const { idempotent, idempotencyKey, retry, totalTimeout, signal, headers, ...rest } = init;
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
    const totalMs = totalTimeout === undefined ? this.totalMs : positiveDuration('init.totalTimeout', totalTimeout, INFINITY_OK);
    // A bad per-request option fails now, before anything is sent.
    let settings = retry === undefined && totalMs === this.totalMs ? this.settings : withDeadline(retrySettings({ ...this.retry, ...retry }), totalMs);
    // The request's signal, else one given in the retry options (e.g. a client-wide shutdown signal).
    const caller = signal ?? settings.signal;
    if (caller !== settings.signal) settings = { ...settings, signal: caller };
    const { url, authorization, origin } = this.target(input);
    const breaker = this.breakers?.breaker(origin);
    const clock = this.engine.clock;
    const started = totalMs === Infinity ? 0 : clock.now();
    const call = new Call(this.engine, {
      url,
      origin,
      breaker,
      recovery: breaker === undefined ? undefined : this.breakers?.recovery(origin, breaker),
      urlAuth: authorization,
      method,
      init: rest,
      extraHeaders,
      body,
      repeatable: isIdempotentMethod(method) || idempotent === true || idempotencyKey !== undefined,
      timeoutMs,
      signal: caller,
      read,
      totalMs,
      deadlineAt: started + totalMs,
    });
    call.tight = totalMs < timeoutMs;
    const s = settings;
    const run = (): Promise<unknown> => {
      if (this.bulkhead === undefined) return retryLoop((ctx) => call.attempt(ctx), s, call);
      // Time spent waiting for a slot comes out of the deadline.
      const waited = totalMs === Infinity ? 0 : clock.now() - started;
      if (waited > 0) call.tight = true;
      return retryLoop((ctx) => call.attempt(ctx), waited > 0 ? { ...s, maxElapsed: Math.min(s.maxElapsed, totalMs - waited), timed: true } : s, call);
    };
    try {
      const value = await (this.bulkhead === undefined ? run() : throughBulkhead(this.bulkhead, run, { signal: caller, remainingMs: totalMs, totalMs, clock }));
      this.counters.successes++;
      return value;
    } catch (error) {
      this.counters.fail(caller?.aborted === true ? 'aborted' : classify(error).kind);
      throw call.finalError(error, callerMaxElapsed(s, totalMs));
    } finally {
      call.close();
    }
  }

  /**
   * A JSON-safe snapshot of what the client has done (see {@link ClientStats}).
   *
   * @example
   * setInterval(() => console.log(JSON.stringify(client.stats())), 60_000);
   */
  stats(): ClientStats {
    const b = this.breakers;
    return this.counters.snapshot(b?.state() ?? 'disabled', b?.opens() ?? 0, b?.states() ?? {});
  }

  /**
   * The breaker requests to `url`'s origin go through (relative paths: the `baseUrl`'s), created
   * on first use; the shared instance when one was given; `undefined` with `breaker: false`.
   *
   * @example
   * if (client.breakerFor('https://billing.internal/')?.state === 'open') useCachedInvoices();
   * client.breakerFor('/')?.isolate(); // maintenance window on the main API
   */
  breakerFor(url: string | URL): CircuitBreaker | undefined {
    if (this.breakers === undefined) return undefined;
    return this.breakers.breaker(originOf(this.baseOrigin, url, splitCredentials(resolveUrl(this.baseUrl, url)).url));
  }

  /** The breaker of the `baseUrl`'s origin (`undefined` with `breaker: false`); see {@link breakerFor} for other hosts. */
  get breaker(): CircuitBreaker | undefined {
    return this.breakers?.breaker(this.baseOrigin);
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
    this.breakers?.close();
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
