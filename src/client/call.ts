/**
 * One `ResilientClient` request as the retry loop's attempt function and hooks: each attempt goes
 * through the origin's breaker under the per-attempt timeout (and the call's deadline), the
 * method-safety rule decides retries, a 401 refreshes once, and the retry sleep releases the
 * previous response and wakes early when the server is found again.
 */
import { runWithSignal } from '../core/abort.js';
import { classify, type Verdict } from '../core/classify.js';
import { BrokenCircuitError, isBrokenCircuit } from '../core/errors.js';
import { emit, EVENT_REQUEST, type EventSink } from '../core/events.js';
import type { RetryHooks, RetryInfo } from '../policies/retry-loop.js';
import type { GiveUpReason } from '../policies/retry.js';
import type { CallSpec, Engine } from './call-spec.js';
import { Deadlines, type KeepBody } from './deadlines.js';
import { hookResult } from './hooks.js';
import { cancelBody, headerRecord, httpErrorFor, isUnauthorized, neverSent } from './request.js';
import { totalTimeoutError } from './total-timeout.js';

const NO_HEADERS: Record<string, string> = {};

/** An afterResponse hook's error, carried out of the breaker as a value so it is not counted as the server's failure. */
class HookFailure {
  constructor(readonly error: unknown) {}
}

function isEmpty(record: Record<string, string>): boolean {
  for (const _ in record) return false;
  return true;
}

/** @internal The state of one request across its attempts, and the hooks it gives the retry loop. */
export class Call implements RetryHooks {
  /** The client times attempts itself (deadline queue): the loop hands over the caller's signal as it is. */
  readonly rawSignal = true;
  /** Why the loop stopped, for the deadline's error. */
  gaveUp: GiveUpReason | undefined;
  /** The first attempt may outlive the deadline (`totalTimeout` < `timeout`, or the call waited for a bulkhead slot). */
  tight = false;
  private lastResponse: Response | undefined;
  private lastRequest: Request | undefined;
  private waitingOutBreaker = false;
  private refreshed = false;
  private sent = 0;
  /** The error a hook threw: it ends the call, so it is neither retried nor counted against the server. */
  private hookError: { error: unknown } | undefined;
  /** A per-request timeout other than the client's, or one cut short by the deadline, gets its own queue. */
  private ownDeadlines: Deadlines | undefined;
  private lastDeadlines: Deadlines | undefined;
  /** The last attempt's error: the deadline's error carries it as `cause`. */
  private lastError: unknown;

  constructor(
    private readonly e: Engine,
    private readonly spec: CallSpec,
  ) {}

  /**
   * One attempt, plus the single replay after a 401 refresh. It reads the caller's signal from the
   * spec, never `ctx.signal`: the loop builds that one lazily, an AbortController per read.
   */
  async attempt(ctx: { readonly attempt: number }): Promise<unknown> {
    if (ctx.attempt > 1) {
      this.e.counters.retries++;
      this.release();
    }
    try {
      return await this.timed(ctx.attempt === 1);
    } catch (error) {
      const refresh = this.e.refreshAuth;
      if (refresh === undefined || this.refreshed || !isUnauthorized(error) || this.spec.body === 'stream') throw error;
      this.refreshed = true;
      this.release();
      await refresh();
      this.e.counters.retries++;
      return await this.timed(false);
    }
  }

  /** The loop's extra condition: safe to send again (and not a hook's error). */
  allow(error: unknown, verdict: Verdict): boolean {
    if (this.hookError !== undefined && this.hookError.error === error) return false;
    const breakerRefused = isBrokenCircuit(error);
    // A stream is consumed by the first send; only a call the breaker refused left it untouched.
    const safe = this.spec.body === 'stream' ? breakerRefused : this.spec.repeatable || neverSent(error, verdict);
    if (safe) this.waitingOutBreaker = breakerRefused;
    return safe;
  }

  /** The user's `beforeRetry` hook, if any; what it throws ends the call. */
  beforeRetry(info: RetryInfo): void | Promise<void> {
    const hook = this.e.hooks?.beforeRetry;
    if (hook === undefined || this.lastRequest === undefined) return;
    const request = this.lastRequest;
    return this.hook(() => hook({ request, error: info.error, attempt: info.attempt, delayMs: info.delayMs })) as Promise<void>;
  }

  /** Retry sleeps: the previous response is released first, and waiting out the breaker wakes on recovery. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    this.release();
    const recovery = this.spec.recovery;
    return this.waitingOutBreaker && recovery !== undefined ? recovery.sleep(ms, signal) : this.e.clock.sleep(ms, signal);
  }

  onGiveUp(reason: GiveUpReason): void {
    this.gaveUp = reason;
  }

  /** The error the call rejects with: the loop's, or the deadline's when `totalTimeout` is what stopped it. */
  finalError(error: unknown, maxElapsed: number): unknown {
    return this.gaveUp === 'max-elapsed' && this.spec.totalMs <= maxElapsed ? totalTimeoutError(this.spec.totalMs, error) : error;
  }

  /** Stops the sweepers of per-request deadline queues once their attempts (and bodies) are done. */
  close(): void {
    this.ownDeadlines?.close();
    this.lastDeadlines?.close();
  }

  private async timed(first: boolean): Promise<unknown> {
    const { counters, clock } = this.e;
    const { signal, timeoutMs, deadlineAt } = this.spec;
    // Hot path: attempts on the client's own timeout share one deadline queue, which also follows the caller's signal.
    let deadlines =
      timeoutMs === this.e.timeoutMs ? this.e.deadlines : timeoutMs === Infinity ? undefined : (this.ownDeadlines ??= new Deadlines(clock, timeoutMs));
    // Hot path: a first attempt that cannot outlive the deadline reads no clock for it.
    if (deadlineAt !== Infinity && (!first || this.tight)) {
      // This attempt could outlive the call's deadline: time it to the deadline instead.
      const left = deadlineAt - clock.now();
      if (left <= 0) throw totalTimeoutError(this.spec.totalMs, this.lastError);
      if (left < timeoutMs) {
        this.lastDeadlines?.close();
        deadlines = this.lastDeadlines = new Deadlines(clock, left, () => totalTimeoutError(this.spec.totalMs, undefined));
      }
    }
    const recovery = this.spec.recovery;
    try {
      const response =
        deadlines !== undefined
          ? await deadlines.run((s, keep) => this.send(s, keep), signal)
          : signal !== undefined
            ? await runWithSignal((s) => this.send(s, undefined), { signal, clock })
            : await this.send(undefined, undefined);
      recovery?.succeeded();
      return response;
    } catch (error) {
      this.lastError = error;
      if (this.hookError?.error !== error) recovery?.failed(error);
      if (!isBrokenCircuit(error)) throw error;
      counters.shortCircuited++;
      // Health probing may find the server before the breaker's own wait ends: wait until the
      // deadline at most (woken by recovery), rather than give up because openFor is longer.
      const left = deadlineAt - clock.now();
      if (recovery?.probes === true && error.state === 'open' && error.retryAfterMs > left && left > 0) {
        throw new BrokenCircuitError(left, 'open', this.spec.breaker?.name);
      }
      throw error;
    }
  }

  private async send(signal: AbortSignal | undefined, keep: KeepBody | undefined): Promise<unknown> {
    const own = this.e.headers;
    const headers = typeof own === 'function' ? this.merge(headerRecord(await own(), 'headers()')) : this.merge(own);
    const init: RequestInit = { ...this.spec.init };
    if (headers !== NO_HEADERS) init.headers = headers;
    if (signal !== undefined) init.signal = signal;
    const hooks = this.e.hooks;
    // With hooks, each attempt is a Request of its own (what the hooks and the attempt event see).
    let request: Request | undefined;
    if (hooks !== undefined) {
      request = this.lastRequest = new Request(this.spec.url, init);
      const before = hooks.beforeRequest;
      if (before !== undefined) {
        const given = request;
        const replaced = hookResult(await this.hook(() => before(given, { attempt: this.sent + 1 })), Request, 'beforeRequest');
        // The Request sent is the one the later hooks and the attempt event describe.
        if (replaced !== undefined) request = this.lastRequest = replaced;
      }
    }
    const breaker = this.spec.breaker;
    const pending = breaker === undefined ? this.exchange(init, request, keep) : breaker.execute(() => this.exchange(init, request, keep));
    if (hooks?.afterResponse === undefined) return pending; // hot path: no extra hop
    const outcome = await pending;
    // The server answered; the afterResponse hook failed: the breaker counted a success, the call ends with the hook's error.
    if (outcome instanceof HookFailure) throw outcome.error;
    return outcome;
  }

  /**
   * The fetch itself; a 4xx/5xx is thrown here so the breaker sees it and the loop classifies it.
   * getJSON reads the body inside the attempt; a `fetch` caller gets the body under the deadline (`keep`).
   */
  private async exchange(init: RequestInit, request: Request | undefined, keep: KeepBody | undefined): Promise<unknown> {
    const { counters, clock, onEvent: sink } = this.e;
    counters.attempts++;
    const attempt = ++this.sent;
    const started = sink === undefined ? 0 : clock.now();
    let response: Response;
    try {
      response = await (request === undefined ? this.e.fetch(this.spec.url, init) : this.e.fetch(request));
      const after = this.e.hooks?.afterResponse;
      if (after !== undefined) {
        const [got, sentRequest] = [response, this.lastRequest as Request];
        try {
          response = hookResult(await this.hook(() => after(got, { request: sentRequest, attempt })), Response, 'afterResponse') ?? got;
        } catch (error) {
          cancelBody(got);
          return new HookFailure(error);
        }
      }
    } catch (error) {
      if (sink !== undefined) this.report(sink, attempt, started, undefined, error);
      throw error;
    }
    if (response.status < 400) {
      if (sink !== undefined) this.report(sink, attempt, started, response.status, undefined);
      return this.spec.read !== undefined ? this.spec.read(response) : keep === undefined ? response : keep(response);
    }
    this.lastResponse = response;
    const error = httpErrorFor(response, this.spec.method, this.spec.url, clock.now());
    if (sink !== undefined) this.report(sink, attempt, started, response.status, error);
    throw error;
  }

  /** Runs a user hook; what it throws is remembered as the call's end, not a failure of the server. */
  private async hook<T>(run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.hookError = { error };
      throw error;
    }
  }

  /** The `attempt` event; it carries the attempt's Request (when hooks made one) under {@link EVENT_REQUEST}. */
  private report(sink: EventSink, attempt: number, started: number, status: number | undefined, error: unknown): void {
    const now = this.e.clock.now();
    const fields: Record<string | symbol, unknown> = { attempt, method: this.spec.method, origin: this.spec.origin, durationMs: now - started };
    if (status !== undefined) fields['status'] = status;
    if (error !== undefined) {
      const { kind, reason, status: s, code, retryAfterMs } = classify(error, { now });
      fields['verdict'] = { kind, reason, ...(s === undefined ? {} : { status: s }), ...(code === undefined ? {} : { code }), ...(retryAfterMs === undefined || !Number.isFinite(retryAfterMs) ? {} : { retryAfterMs }) };
    }
    if (this.lastRequest !== undefined) fields[EVENT_REQUEST] = this.lastRequest;
    emit(sink, 'attempt', this.e.name, now, fields as never);
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
