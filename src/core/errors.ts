/**
 * Error classes and shape-based recognition (pure). Errors are recognised by name, code, status
 * and cause, never only by `instanceof`, so two copies of steadfast in one app still agree.
 */

/**
 * A non-2xx HTTP response, thrown by `ResilientClient` once retries are over.
 *
 * @example
 * try { await client.getJSON('/tasks') } catch (e) {
 *   if (e instanceof HttpError && !isTransient(e)) markFailed(); // the server refused for good
 * }
 */
export class HttpError extends Error {
  override readonly name = 'HttpError' as const;
  /** HTTP status code. */
  readonly status: number;
  // `declare`: with ES2022 class fields an absent option would otherwise be an own `undefined` property.
  /** The response (its body may already be consumed or cancelled). */
  declare readonly response?: Response;
  /** Milliseconds the server asked us to wait (`Retry-After`), if any. */
  declare readonly retryAfterMs?: number;

  constructor(
    status: number,
    message?: string,
    options: { response?: Response; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message ?? `HTTP ${status}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    if (options.response !== undefined) this.response = options.response;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * Thrown by `CircuitBreaker.execute` when the breaker is open (or isolated, or its half-open
 * trial slots are taken). `fn` was not called.
 *
 * @example
 * catch (e) { if (isBrokenCircuit(e)) await sleep(e.retryAfterMs) }
 */
export class BrokenCircuitError extends Error {
  override readonly name = 'BrokenCircuitError' as const;
  /** Milliseconds until the breaker lets a trial call through (`Infinity` while isolated). */
  readonly retryAfterMs: number;
  /** The breaker's state when the call was refused. */
  readonly state: 'open' | 'half-open' | 'isolated';

  constructor(retryAfterMs: number, state: 'open' | 'half-open' | 'isolated' = 'open', breakerName?: string) {
    super(
      state === 'isolated'
        ? `circuit${breakerName ? ` ${breakerName}` : ''} is isolated`
        : `circuit${breakerName ? ` ${breakerName}` : ''} is ${state}; retry in ${Math.ceil(retryAfterMs)}ms`,
    );
    this.retryAfterMs = retryAfterMs;
    this.state = state;
  }
}

/**
 * Thrown by `Bulkhead.execute` (and a `ResilientClient` with `maxConcurrent`) when a call can't
 * run: `maxConcurrent` calls are running and `maxQueued` are waiting (`reason: 'full'`), or it
 * waited `queueTimeout` for a slot (`reason: 'queue-timeout'`). `fn` was not called. Transient:
 * the service is busy, not broken; it is not retried inside the same call (that would only queue it again).
 *
 * @example
 * catch (e) { if (isBulkheadRejected(e)) res.status(503).set('retry-after', '1').end() }
 */
export class BulkheadRejectedError extends Error {
  override readonly name = 'BulkheadRejectedError' as const;
  /** Why: no room to wait, or the wait for a slot timed out. */
  readonly reason: 'full' | 'queue-timeout';
  /** The limits in force when the call was refused. */
  readonly maxConcurrent: number;
  readonly maxQueued: number;

  constructor(reason: 'full' | 'queue-timeout', maxConcurrent: number, maxQueued: number, bulkheadName?: string) {
    const who = `bulkhead${bulkheadName ? ` ${bulkheadName}` : ''}`;
    super(
      reason === 'full'
        ? `${who} is full: ${maxConcurrent} running and ${maxQueued} waiting`
        : `${who}: no slot freed up within the queue timeout (${maxConcurrent} running)`,
    );
    this.reason = reason;
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
  }
}

/**
 * Whether `error` looks like a {@link BulkheadRejectedError} (by name, so duplicates of the package agree).
 *
 * @example
 * catch (e) { if (isBulkheadRejected(e)) shedLoad() }
 */
export function isBulkheadRejected(error: unknown): error is BulkheadRejectedError {
  return isObject(error) && error['name'] === 'BulkheadRejectedError';
}

/**
 * Whether `error` looks like a {@link BrokenCircuitError} (by name, so duplicates of the package agree).
 *
 * @example
 * catch (e) { if (isBrokenCircuit(e)) console.log(`breaker open, retry in ${e.retryAfterMs}ms`) }
 */
export function isBrokenCircuit(error: unknown): error is BrokenCircuitError {
  return isObject(error) && error['name'] === 'BrokenCircuitError' && typeof error['retryAfterMs'] === 'number';
}

/**
 * Whether `error` is an abort caused by the caller (`AbortError`), as opposed to a timeout.
 *
 * @example
 * catch (e) { if (isAbortError(e)) return; } // shutting down: not a failure worth logging
 */
export function isAbortError(error: unknown): boolean {
  return isObject(error) && error['name'] === 'AbortError';
}

/**
 * Whether `error` is a timeout (`TimeoutError`, as raised by `AbortSignal.timeout` and per-attempt timeouts).
 *
 * @example
 * isTimeoutError(timeoutError(5_000)) // true
 */
export function isTimeoutError(error: unknown): boolean {
  return isObject(error) && error['name'] === 'TimeoutError';
}

/**
 * Creates the `TimeoutError` a per-attempt timeout aborts with (a `DOMException`, like `AbortSignal.timeout`).
 *
 * @example
 * controller.abort(timeoutError(5_000)) // message: "attempt timed out after 5000ms"
 */
export function timeoutError(ms: number): Error {
  return new DOMException(`attempt timed out after ${ms}ms`, 'TimeoutError');
}

/**
 * @internal Plain-object check that lets us read arbitrary properties safely.
 *
 * @example
 * if (isObject(error) && typeof error['code'] === 'string') use(error['code']);
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** How far down a `cause` chain errors are inspected (SPEC §2: depth <= 5), so a cyclic chain ends. */
const MAX_CAUSE_DEPTH = 5;

/**
 * @internal Calls `visit` on `error` and then on each `cause` below it (at most 5 deep) and
 * returns the first answer that is not `undefined`.
 *
 * @example
 * onCauseChain(err, (e) => (typeof e['code'] === 'string' ? e['code'] : undefined)) // the first code on the chain
 */
export function onCauseChain<T>(error: unknown, visit: (error: Record<string, unknown>) => T | undefined): T | undefined {
  for (let current = error, depth = 0; depth <= MAX_CAUSE_DEPTH && isObject(current); depth++, current = current['cause']) {
    const found = visit(current);
    if (found !== undefined) return found;
  }
  return undefined;
}
