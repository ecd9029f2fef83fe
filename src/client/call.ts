/**
 * One `ResilientClient` request: its attempts (through the breaker, under a per-attempt timeout),
 * the method-safety rule deciding retries, the 401 refresh, and the retry sleep that releases the
 * previous response and can be woken when the server is found again.
 */
import { runWithSignal } from '../core/abort.js';
import type { CircuitBreaker } from '../breaker/breaker.js';
import type { Verdict } from '../core/classify.js';
import type { Clock } from '../core/clock.js';
import { cancelBody, headerRecord, httpErrorFor, isUnauthorized, neverSent, type BodyKind } from './request.js';
import { Deadlines, type KeepBody } from './deadlines.js';
import type { Recovery } from './recovery.js';
import type { ClientCounters } from './stats.js';
import { isBrokenCircuit } from '../core/errors.js';
import type { RetryOptions } from '../policies/retry.js';

/**
 * Headers given to the client: fixed, or computed before each attempt (e.g. a fresh token).
 *
 * @example
 * const headers: ClientHeaders = async () => ({ authorization: `Bearer ${await tokens.current()}` });
 */
export type ClientHeaders = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

/** @internal Everything a call needs from its client, resolved once in the client's constructor. */
export interface Engine {
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly counters: ClientCounters;
  /** The client's per-attempt timeout (ms, may be Infinity) and its shared deadline queue (none for Infinity). */
  readonly timeoutMs: number;
  readonly deadlines: Deadlines | undefined;
  /** Lower-cased fixed headers, or the function to call per attempt. */
  readonly headers: Record<string, string> | (() => HeadersInit | Promise<HeadersInit>);
  /** Runs `onUnauthorized` (one run shared by concurrent 401s); `undefined` when not configured. */
  readonly refreshAuth: (() => Promise<void>) | undefined;
}

/** @internal Per-request values, computed once per `client.fetch`. */
export interface CallSpec {
  url: string;
  /** The breaker of the URL's origin and the recovery watching it (`undefined` with `breaker: false`). */
  breaker: CircuitBreaker | undefined;
  recovery: Recovery | undefined;
  method: string;
  /** What goes to `fetch` on every attempt, except `headers` and `signal`. */
  init: RequestInit;
  /** Per-request headers (lower-cased), applied over the client's. */
  extraHeaders: Record<string, string> | undefined;
  /** Basic credentials taken out of the URL; other headers' `authorization` wins. */
  urlAuth: string | undefined;
  body: BodyKind;
  /** The method is idempotent, or the caller vouched for it (`idempotent`, `idempotencyKey`). */
  repeatable: boolean;
  timeoutMs: number;
  /** The caller passed a signal: attempts must also end when it aborts. */
  hasSignal: boolean;
  retryOn: RetryOptions['retryOn'];
  /** Reads the body inside the attempt (getJSON), so a connection reset mid-body is retried like any failure. */
  read: ((response: Response) => Promise<unknown>) | undefined;
}

const NO_HEADERS: Record<string, string> = {};

function isEmpty(record: Record<string, string>): boolean {
  for (const _ in record) return false;
  return true;
}

/** @internal The state of one request across its attempts; it is also the Clock its retry loop sleeps on. */
export class Call implements Clock {
  private lastResponse: Response | undefined;
  private waitingOutBreaker = false;
  private refreshed = false;
  private origin: number | undefined;
  /** A per-request timeout other than the client's gets its own deadline queue (made on first use). */
  private ownDeadlines: Deadlines | undefined;

  constructor(
    private readonly e: Engine,
    private readonly spec: CallSpec,
  ) {}

  now(): number {
    const origin = this.origin;
    if (origin === undefined) return this.e.clock.now();
    this.origin = undefined;
    return origin;
  }

  /** Makes the first `now()` return `time`: withRetry, entered after attempt 1 failed, then counts elapsed time from it. */
  startingAt(time: number): this {
    this.origin = time;
    return this;
  }

  random(): number {
    return this.e.clock.random();
  }

  /** Only retry sleeps come here (the per-attempt timeout runs on the client's own clock). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.release();
    const recovery = this.spec.recovery;
    return this.waitingOutBreaker && recovery !== undefined ? recovery.sleep(ms, signal) : this.e.clock.sleep(ms, signal);
  }

  /** withRetry's decision: transient (or the caller's `retryOn`) AND safe to send again. A method, not a per-call closure: only a failed first attempt needs it. */
  retryOn(error: unknown, verdict: Verdict): boolean {
    const wanted = this.spec.retryOn !== undefined ? this.spec.retryOn(error, verdict) : verdict.kind === 'transient';
    if (!wanted) return false;
    const breakerRefused = isBrokenCircuit(error);
    // A stream is consumed by the first send; only a call the breaker refused left it untouched.
    const safe = this.spec.body === 'stream' ? breakerRefused : this.spec.repeatable || neverSent(error, verdict);
    if (safe) this.waitingOutBreaker = breakerRefused;
    return safe;
  }

  /**
   * One attempt of withRetry, plus the single replay after a 401 refresh. The client's own first
   * attempt passes no signal when the caller gave none: the deadline queue brings its own.
   */
  async attempt(ctx: { readonly attempt: number; readonly signal: AbortSignal | undefined }): Promise<unknown> {
    if (ctx.attempt > 1) {
      this.e.counters.retries++;
      this.release();
    }
    try {
      return await this.timed(ctx.signal);
    } catch (error) {
      const refresh = this.e.refreshAuth;
      if (refresh === undefined || this.refreshed || !isUnauthorized(error) || this.spec.body === 'stream') throw error;
      this.refreshed = true;
      this.release();
      await refresh();
      this.e.counters.retries++;
      return await this.timed(ctx.signal);
    }
  }

  /** Stops the sweeper of a per-request deadline queue once its attempts (and bodies) are done. */
  close(): void {
    this.ownDeadlines?.close();
  }

  private async timed(signal: AbortSignal | undefined): Promise<unknown> {
    const { counters, clock } = this.e;
    const recovery = this.spec.recovery;
    const { hasSignal, timeoutMs } = this.spec;
    // Hot path: attempts on the client's own timeout share one deadline queue, which also follows the caller's signal.
    const deadlines =
      timeoutMs === this.e.timeoutMs ? this.e.deadlines : timeoutMs === Infinity ? undefined : (this.ownDeadlines ??= new Deadlines(clock, timeoutMs));
    try {
      const response =
        deadlines !== undefined
          ? await deadlines.run((s, keep) => this.send(s, keep), hasSignal ? signal : undefined)
          : hasSignal
            ? await runWithSignal((s) => this.send(s, undefined), { signal, clock })
            : await this.send(undefined, undefined);
      recovery?.succeeded();
      return response;
    } catch (error) {
      if (isBrokenCircuit(error)) counters.shortCircuited++;
      recovery?.failed(error);
      throw error;
    }
  }

  private async send(signal: AbortSignal | undefined, keep: KeepBody | undefined): Promise<unknown> {
    const own = this.e.headers;
    const headers = typeof own === 'function' ? this.merge(headerRecord(await own(), 'headers()')) : this.merge(own);
    const init: RequestInit = { ...this.spec.init };
    if (headers !== NO_HEADERS) init.headers = headers;
    if (signal !== undefined) init.signal = signal;
    const breaker = this.spec.breaker;
    return breaker === undefined ? this.exchange(init, keep) : breaker.execute(() => this.exchange(init, keep));
  }

  /**
   * The fetch itself; a 4xx/5xx is thrown here so the breaker sees it and withRetry classifies it.
   * getJSON reads the body inside the attempt; a `fetch` caller gets the body under the deadline (`keep`).
   */
  private async exchange(init: RequestInit, keep: KeepBody | undefined): Promise<unknown> {
    this.e.counters.attempts++;
    const response = await this.e.fetch(this.spec.url, init);
    if (response.status < 400) return this.spec.read !== undefined ? this.spec.read(response) : keep === undefined ? response : keep(response);
    this.lastResponse = response;
    throw httpErrorFor(response, this.spec.method, this.spec.url, this.e.clock.now());
  }

  private merge(base: Record<string, string>): Record<string, string> {
    const { extraHeaders: extra, urlAuth } = this.spec;
    const merged = extra === undefined ? (isEmpty(base) ? NO_HEADERS : base) : { ...base, ...extra };
    return urlAuth === undefined || merged['authorization'] !== undefined ? merged : { ...merged, authorization: urlAuth };
  }

  /** The failed response will not be read: free its socket before the next attempt. */
  private release(): void {
    cancelBody(this.lastResponse);
    this.lastResponse = undefined;
  }
}
