/**
 * Events to a pino-style logger (`logger[level](fields, message)`) at a level fitting each event,
 * without the keys such loggers write themselves.
 */
import { isObject } from '../core/errors.js';
import { redact, type EventSink, type ResilienceEvent, type ResilienceEventType } from '../core/events.js';
import { methodsOption } from '../core/options.js';
import { formatEvent } from '../policies/log.js';

/** A log level, as named by pino, bunyan, winston and the console. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A logger with pino's calling convention: `logger.warn({ fields }, 'message')`. pino and bunyan fit (winston takes the message first: wrap it). */
export interface LevelLogger {
  debug(fields: object, message: string): unknown;
  info(fields: object, message: string): unknown;
  warn(fields: object, message: string): unknown;
  error(fields: object, message: string): unknown;
  /** pino's level check; when present, events below the logger's level are skipped before formatting. */
  isLevelEnabled?(level: LogLevel): boolean;
}

// error: the work failed or is refused; warn: a failure being handled; info: a recovery or rare
// maintenance; debug: per-request/per-item routine. README "Logging with pino" has the same table.
const LEVELS: Readonly<Record<ResilienceEventType, LogLevel>> = {
  attempt: 'debug',
  retry: 'warn',
  give_up: 'error',
  breaker_open: 'error',
  breaker_half_open: 'warn',
  breaker_closed: 'info',
  breaker_isolated: 'error',
  health_ok: 'debug',
  health_fail: 'warn',
  recovered: 'info',
  poll_failed: 'warn',
  outbox_enqueued: 'debug',
  outbox_delivered: 'debug',
  outbox_retry: 'warn',
  outbox_dead: 'error',
  outbox_full: 'error',
  outbox_torn: 'warn',
  outbox_corrupt: 'error', // damaged lines moved aside: someone should look at the file
  outbox_compacted: 'info',
};

/**
 * The level an event deserves: `error` when work failed or is refused (give_up, breaker_open,
 * breaker_isolated, outbox_dead, outbox_full) or data was damaged (outbox_corrupt); `warn` for a
 * failure being handled (retry, breaker_half_open, health_fail, poll_failed, outbox_retry,
 * outbox_torn); `info` for recoveries and maintenance (breaker_closed, recovered,
 * outbox_compacted); `debug` for routine (attempt, health_ok, outbox_enqueued, outbox_delivered).
 * An unknown type is `info`.
 *
 * @example
 * logLevel({ type: 'retry', ... }) // 'warn'
 */
export function logLevel(event: ResilienceEvent): LogLevel {
  const type = isObject(event) ? event.type : undefined;
  return typeof type === 'string' && Object.hasOwn(LEVELS, type) ? LEVELS[type] : 'info';
}

/**
 * A sink writing each event to a pino-style logger at {@link logLevel}'s level, with
 * {@link formatEvent}'s line as the message and the event's fields as the object. The logger's
 * own keys are left to it: the component's `name` is written as `component` (pino's `name` is the
 * logger's), and the event's `time` is dropped (sinks run when the event happens, so the logger's
 * `time` is the same instant). Strings are redacted like `textLines`.
 *
 * @param logger a pino (or bunyan) logger, or a child of one.
 * @example
 * const client = new ResilientClient({ baseUrl, onEvent: loggerSink(pino()) });
 * // {"level":40,"time":…,"type":"retry","component":"agent","attempt":1,…,"msg":"[RETRY] agent: retry 1/3 in 1s: HTTP 502"}
 */
export function loggerSink(logger: LevelLogger): EventSink {
  const log = methodsOption('loggerSink logger', logger, ['debug', 'info', 'warn', 'error']);
  if (log === undefined) throw new TypeError('steadfast: loggerSink needs a logger with debug(), info(), warn() and error(); got undefined');
  // pino's isLevelEnabled: a debug event under an info logger then costs no formatting at all.
  const enabled = typeof (log as { isLevelEnabled?: unknown }).isLevelEnabled === 'function' ? (log as Required<LevelLogger>).isLevelEnabled.bind(log) : undefined;
  return (event) => {
    if (!isObject(event)) return;
    const level = logLevel(event);
    if (enabled !== undefined && enabled(level) === false) return;
    log[level](logFields(event), formatEvent(event));
  };
}

/** The event as log fields: `type`, `component`, then its own fields, redacted; no `time`, `name` or symbol keys. */
function logFields(event: ResilienceEvent): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: event.type, component: event.name };
  for (const key of Object.keys(event)) {
    if (key === 'type' || key === 'name' || key === 'time') continue;
    fields[key] = redactValue((event as unknown as Record<string, unknown>)[key], 1);
  }
  return fields;
}

// One level of nesting covers `error` and `verdict`; events are flat otherwise.
function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth === 0 || !isObject(value) || Array.isArray(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = redactValue(value[key], depth - 1);
  return copy;
}
