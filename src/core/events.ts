/**
 * Structured resilience events (pure): their types, the error summary they carry, and redaction.
 * Telemetry goes through one optional sink that costs nothing when absent.
 */
import { wallTime, type Clock } from './clock.js';
import { isObject, onCauseChain } from './errors.js';

/** Error details carried by events: never a body, header value or query string. */
export interface ErrorSummary {
  name: string;
  message: string;
  code?: string;
  status?: number;
}

/** The verdict fields carried by events (see `classify`). */
export interface EventVerdict {
  kind: 'transient' | 'permanent' | 'aborted';
  reason: string;
  status?: number;
  code?: string;
  retryAfterMs?: number;
}

interface Base<T extends string> {
  type: T;
  /** ISO-8601 time of the event (from the component's clock). */
  time: string;
  /** The emitting component's `name`. */
  name: string;
}

/** Every event steadfast emits. Plain, JSON-safe objects (`Infinity` is written as `null`). */
export type ResilienceEvent =
  | (Base<'attempt'> & { attempt: number; method: string; origin: string; status?: number; durationMs: number; verdict?: EventVerdict })
  | (Base<'retry'> & { attempt: number; maxRetries: number | null; delayMs: number; verdict: EventVerdict; error: ErrorSummary })
  | (Base<'give_up'> & { attempts: number; elapsedMs: number; reason: string; error: ErrorSummary })
  | (Base<'breaker_open'> & { failures: number; openForMs: number })
  | Base<'breaker_half_open'>
  | (Base<'breaker_closed'> & { downtimeMs: number })
  | Base<'breaker_isolated'>
  | (Base<'health_ok'> & { latencyMs: number })
  | (Base<'health_fail'> & { error: ErrorSummary })
  | (Base<'recovered'> & { downtimeMs: number; failures: number })
  | (Base<'poll_failed'> & { failures: number; delayMs: number; error: ErrorSummary })
  | (Base<'outbox_enqueued'> & { key: string; size: number })
  | (Base<'outbox_delivered'> & { key: string; attempts: number; size: number })
  | (Base<'outbox_retry'> & { key: string; attempt: number; delayMs: number; error: ErrorSummary })
  | (Base<'outbox_dead'> & { key: string; verdict: EventVerdict; error: ErrorSummary })
  | (Base<'outbox_full'> & { size: number; bytes: number; maxItems: number | null; maxBytes: number | null })
  | (Base<'outbox_torn'> & { line: number; bytes: number })
  | (Base<'outbox_corrupt'> & { line: number; lines: number; bytes: number; file: string })
  | (Base<'outbox_compacted'> & { size: number; bytesBefore: number; bytesAfter: number });

/**
 * The key under which an `attempt` event carries the `Request` it describes. A symbol, so
 * `JSON.stringify` and the log sinks never see it; telemetry uses it to find what it started for
 * that request in a `beforeRequest` hook (its span).
 *
 * @example
 * const request = (event as { [EVENT_REQUEST]?: Request })[EVENT_REQUEST];
 */
export const EVENT_REQUEST: unique symbol = Symbol.for('steadfast.request');

/** The `type` of every event. */
export type ResilienceEventType = ResilienceEvent['type'];

/** The event of one type. */
export type EventOf<T extends ResilienceEventType> = Extract<ResilienceEvent, { type: T }>;

/** Receives events. Keep it fast; exceptions it throws are swallowed so logging can't break delivery. */
export type EventSink = (event: ResilienceEvent) => void;

type Fields<T extends ResilienceEventType> = Omit<EventOf<T>, 'type' | 'time' | 'name'>;

/**
 * Emits an event if there is a sink. Callers check `sink !== undefined` first on hot paths so an
 * absent sink costs nothing. Pass the component's clock: the event's `time` is its wall time
 * (`wallTime(clock)`); a number is taken as epoch ms as it is.
 *
 * @example
 * if (onEvent !== undefined) emit(onEvent, 'health_ok', name, clock, { latencyMs: 12 });
 */
export function emit<T extends ResilienceEventType>(
  sink: EventSink | undefined,
  type: T,
  name: string,
  now: number | Pick<Clock, 'now' | 'wallNow'>,
  fields: Fields<T>,
): void {
  if (sink === undefined) return;
  try {
    // Built inside the try: a broken clock (NaN time) must not break delivery either.
    const time = typeof now === 'number' ? now : wallTime(now);
    const event = { type, time: new Date(time).toISOString(), name, ...fields } as unknown as Record<string, unknown>;
    roundDurations(event);
    const result: unknown = sink(event as unknown as ResilienceEvent);
    if (result !== undefined) ignoreResult(result); // an async sink: its rejection must not crash the process
  } catch {
    // A broken logger must never turn a recovered call into a failure.
  }
}

// Every duration field an event carries: whole ms in logs, never `1906.9999999`.
const DURATION_FIELDS = ['delayMs', 'elapsedMs', 'downtimeMs', 'latencyMs', 'openForMs', 'durationMs'] as const;

function roundDurations(event: Record<string, unknown>): void {
  for (const key of DURATION_FIELDS) {
    const value = event[key];
    if (typeof value === 'number' && !Number.isInteger(value)) event[key] = Math.round(value);
  }
  const verdict = event['verdict'];
  if (isObject(verdict) && typeof verdict['retryAfterMs'] === 'number' && !Number.isInteger(verdict['retryAfterMs'])) {
    // A copy: the verdict belongs to the caller.
    event['verdict'] = { ...verdict, retryAfterMs: Math.round(verdict['retryAfterMs']) };
  }
}

/**
 * Detaches a promise (or thenable) that a callback returned where nothing awaits it, so its
 * rejection is not an unhandled rejection (which ends a Node process). A `then` that throws is
 * ignored too. Anything else is left alone.
 *
 * @example
 * ignoreResult(onEvent(event)); // an async sink that rejects can't crash the process
 */
export function ignoreResult(value: unknown): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return;
  try {
    const then = (value as { then?: unknown }).then;
    if (typeof then === 'function') then.call(value, undefined, () => {});
  } catch {
    // a thenable whose `then` throws: there is nothing left to wait for
  }
}

/**
 * JSON-safe count: `Infinity` becomes `null`.
 *
 * @example
 * jsonCount(Infinity) // null: "retry 3/∞" in text logs
 */
export function jsonCount(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/**
 * Summarises an error for events and logs, with URLs reduced to origin and path.
 *
 * @example
 * summarizeError(new HttpError(502)) // { name: 'HttpError', message: 'HTTP 502', status: 502 }
 */
export function summarizeError(error: unknown): ErrorSummary {
  if (!isObject(error)) return { name: typeof error, message: redact(String(error)) };
  const summary: ErrorSummary = {
    name: typeof error['name'] === 'string' ? error['name'] : 'Error',
    message: redact(typeof error['message'] === 'string' ? error['message'] : String(error)),
  };
  const code = onCauseChain(error, codeOf);
  if (code !== undefined) summary.code = code;
  const status = error['status'] ?? error['statusCode'];
  if (typeof status === 'number') summary.status = status;
  return summary;
}

function codeOf(error: Record<string, unknown>): string | undefined {
  return typeof error['code'] === 'string' ? error['code'] : undefined;
}

// Userinfo runs to the last '@' before the path, so a password containing '@' is removed whole.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*@)?([^\s/?#]*)([^\s?#]*)(\?[^\s#]*)?(#\S*)?/gi;
// A relative URL ("/api/w?token=..."): the path stays, its query and fragment go.
const RELATIVE_URL_IN_TEXT = /(^|[\s"'`(<[=,])(\.{0,2}\/[^\s?#"'`<>)\]]*)[?#][^\s"'`<>)\]]*/g;
// Anything else that looks like a query string ("w?token=abc&x=1"), wherever it sits.
const QUERY_IN_TEXT = /\?[^\s#"'`<>?]*=[^\s"'`<>]*/g;

/**
 * Removes secrets from free text: URL userinfo, query strings and fragments are dropped, from
 * absolute URLs and from relative ones quoted in error messages alike.
 *
 * @example
 * redact('GET https://user:pw@api.example.com/v1?token=abc failed') // 'GET https://api.example.com/v1 failed'
 * redact('fetch /api/w?token=abc failed')                          // 'fetch /api/w failed'
 */
export function redact(text: string): string {
  return text
    .replace(URL_IN_TEXT, (_m, scheme: string, _user, host: string, path: string) => `${scheme}${host}${path}`)
    .replace(RELATIVE_URL_IN_TEXT, (_m, before: string, path: string) => `${before}${path}`)
    .replace(QUERY_IN_TEXT, '');
}

/**
 * A URL without userinfo, query or fragment: safe to log.
 *
 * @example
 * safeUrl('https://u:p@h.example/a?k=v') // 'https://h.example/a'
 */
export function safeUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return redact(String(url)).replace(/[?#].*$/, '');
  }
}
