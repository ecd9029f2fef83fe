/**
 * What a `ResilientClient` call runs on: the client's resolved parts (`Engine`, made once in its
 * constructor) and one request's values (`CallSpec`, made once per call).
 */
import type { CircuitBreaker } from '../breaker/breaker.js';
import type { Clock } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import type { Deadlines } from './deadlines.js';
import type { ClientHooks } from './hooks.js';
import type { Recovery } from './recovery.js';
import type { BodyKind } from './request.js';
import type { ClientCounters } from './stats.js';

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
  readonly hooks: ClientHooks | undefined;
  /** Receives the `attempt` events (the client's sink). */
  readonly onEvent: EventSink | undefined;
  readonly name: string;
}

/** @internal Per-request values, computed once per `client.fetch`. */
export interface CallSpec {
  url: string;
  origin: string;
  /** The breaker of the URL's origin and the recovery watching it (`undefined` with `breaker: false`). */
  breaker: CircuitBreaker | undefined;
  recovery: Recovery | undefined;
  method: string;
  /** What goes to `fetch` on every attempt, except `headers` and `signal`. */
  init: RequestInit;
  /** Per-request headers (lower-cased), applied over the client's; basic credentials from the URL (other `authorization` wins). */
  extraHeaders: Record<string, string> | undefined;
  urlAuth: string | undefined;
  body: BodyKind;
  /** The method is idempotent, or the caller vouched for it (`idempotent`, `idempotencyKey`). */
  repeatable: boolean;
  timeoutMs: number;
  /** The caller's signal (the request's, else the retry options'): attempts also end when it aborts. */
  signal: AbortSignal | undefined;
  /** Reads the body inside the attempt (getJSON), so a connection reset mid-body is retried like any failure. */
  read: ((response: Response) => Promise<unknown>) | undefined;
  /** `totalTimeout` in ms (Infinity for none) and the time the call must end by. */
  totalMs: number;
  deadlineAt: number;
}
