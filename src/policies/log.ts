/**
 * Ready-made event sinks: JSON lines for machines, one readable line per event for people.
 * Runtime-agnostic: writes to any `{ write(chunk) }`, by default `process.stderr` when there is
 * one, else `console.error`.
 */
import { classify } from '../core/classify.js';
import { formatDuration } from '../core/duration.js';
import { describeValue, isOptionsObject } from '../core/options.js';
import { isObject } from '../core/errors.js';
import { redact, type ErrorSummary, type EventSink, type EventVerdict, type ResilienceEvent } from '../core/events.js';

/** Where a sink writes: anything with `write(string)`, such as `process.stderr` or a file stream. */
export interface LineStream {
  write(chunk: string): unknown;
}

/** Options for {@link textLines}. */
export interface TextLinesOptions {
  /** Start each line with the event's ISO time. @default false */
  time?: boolean | undefined;
}

/**
 * A sink writing each event as one JSON object per line (`JSON.stringify(event) + '\n'`).
 *
 * @param stream @default process.stderr when present, else console.error
 * @example
 * const client = new ResilientClient({ baseUrl, onEvent: jsonLines(process.stdout) });
 */
export function jsonLines(stream?: LineStream): EventSink {
  const write = writer('jsonLines', stream);
  return (event) => write(`${JSON.stringify(event)}\n`);
}

/**
 * A sink writing one readable line per event, such as
 * `[RETRY] checkin: retry 1/10 in 5s: connection refused`. Lines never contain URL userinfo,
 * query strings or fragments.
 *
 * @param stream @default process.stderr when present, else console.error
 * @param o.time prefix the ISO time. @default false
 * @example
 * poll(checkIn, { interval: '30s', name: 'checkin', onEvent: textLines() });
 * // [POLL] checkin: check-in failed (3 in a row), next try in 4s: connection refused
 */
export function textLines(stream?: LineStream, o: TextLinesOptions = {}): EventSink {
  if (!isOptionsObject(o)) throw new TypeError(`steadfast: textLines options must be an options object; got ${describeValue(o)}`);
  if (o.time !== undefined && typeof o.time !== 'boolean') {
    throw new TypeError(`steadfast: textLines.time must be a boolean; got ${describeValue(o.time)}`);
  }
  const write = writer('textLines', stream);
  const time = o.time === true;
  return (event) => write(`${time ? `${event.time} ` : ''}${formatEvent(event)}\n`);
}

/**
 * The line {@link textLines} writes for an event, without time or newline, with secrets redacted.
 *
 * @example
 * formatEvent({ type: 'health_ok', time, name: 'api', latencyMs: 12 }) // "[HEALTH] api: ok in 12ms"
 */
export function formatEvent(event: ResilienceEvent): string {
  // Defence in depth: events already carry redacted errors, but a custom emitter may not.
  return redact(describe(event));
}

function describe(e: ResilienceEvent): string {
  const who = e.name;
  switch (e.type) {
    case 'attempt':
      return `[ATTEMPT] ${who}: ${e.method} ${e.origin} ${e.status === undefined ? (e.verdict === undefined ? 'ok' : e.verdict.reason) : `HTTP ${e.status}`} in ${formatDuration(e.durationMs)} (attempt ${e.attempt})`;
    case 'retry':
      return `[RETRY] ${who}: retry ${e.attempt}/${e.maxRetries ?? '∞'} in ${formatDuration(e.delayMs)}: ${verdictText(e.verdict, e.error)}`;
    case 'give_up':
      return `[GIVE_UP] ${who}: gave up after ${plural(e.attempts, 'attempt')} in ${formatDuration(e.elapsedMs)}: ${errorText(e.error)}${giveUpSuffix(e.reason)}`;
    case 'breaker_open':
      return `[CIRCUIT_BREAKER] ${who}: opened after ${plural(e.failures, 'failure')}, half-open in ${formatDuration(e.openForMs)}`;
    case 'breaker_half_open':
      return `[CIRCUIT_BREAKER] ${who}: half-open, trying a request`;
    case 'breaker_closed':
      return `[CIRCUIT_BREAKER] ${who}: closed after ${formatDuration(e.downtimeMs)} down`;
    case 'breaker_isolated':
      return `[CIRCUIT_BREAKER] ${who}: isolated, refusing every call until reset`;
    case 'health_ok':
      return `[HEALTH] ${who}: ok in ${formatDuration(e.latencyMs)}`;
    case 'health_fail':
      return `[HEALTH] ${who}: probe failed: ${errorText(e.error)}`;
    case 'recovered':
      return `[RECOVERY] ${who}: recovered after ${formatDuration(e.downtimeMs)} (${e.failures} failed check-in${e.failures === 1 ? '' : 's'})`;
    case 'poll_failed':
      return `[POLL] ${who}: check-in failed${e.failures > 1 ? ` (${e.failures} in a row)` : ''}, next try in ${formatDuration(e.delayMs)}: ${errorText(e.error)}`;
    case 'outbox_enqueued':
      return `[OUTBOX] ${who}: queued ${e.key} (${e.size} waiting)`;
    case 'outbox_delivered':
      return `[OUTBOX] ${who}: delivered ${e.key} after ${plural(e.attempts, 'attempt')} (${e.size} waiting)`;
    case 'outbox_retry':
      return `[OUTBOX] ${who}: delivery of ${e.key} failed (attempt ${e.attempt}), next try in ${formatDuration(e.delayMs)}: ${errorText(e.error)}`;
    case 'outbox_dead':
      return `[OUTBOX] ${who}: ${e.key} moved to dead letters: ${verdictText(e.verdict, e.error)}`;
    case 'outbox_full':
      return `[OUTBOX] ${who}: full (${e.size}/${e.maxItems ?? '∞'} items, ${e.bytes}/${e.maxBytes ?? '∞'} bytes), enqueue refused`;
    case 'outbox_torn':
      return `[OUTBOX] ${who}: skipped torn line ${e.line} (${plural(e.bytes, 'byte')}) left by a crash`;
    case 'outbox_corrupt':
      return `[OUTBOX] ${who}: moved ${plural(e.lines, 'damaged line')} (from line ${e.line}, ${plural(e.bytes, 'byte')}) to ${e.file}; every intact item kept`;
    case 'outbox_compacted':
      return `[OUTBOX] ${who}: compacted ${e.bytesBefore} → ${plural(e.bytesAfter, 'byte')} (${e.size} waiting)`;
    default:
      return unknownEvent(e);
  }
}

// An event type added later still gets a line instead of breaking the logger.
function unknownEvent(e: never): string {
  const { type, name, time: _time, ...fields } = e as unknown as Record<string, unknown>;
  return `[${String(type).toUpperCase()}] ${String(name)}: ${JSON.stringify(fields)}`;
}

/** A short description of an error: the network reason or HTTP status when known, else its message. */
function errorText(error: ErrorSummary | undefined): string {
  if (!isObject(error)) return 'unknown error';
  const v = classify(error);
  if (v.code !== undefined || v.status !== undefined || v.reason === 'network error') return v.reason;
  return error.message || error.name || 'unknown error';
}

/** The verdict's reason, unless it only says which word of the message matched: then the message. */
function verdictText(verdict: EventVerdict | undefined, error: ErrorSummary | undefined): string {
  const reason = verdict?.reason;
  if (reason === undefined || reason === 'unclassified' || reason.startsWith('message matches') || reason.startsWith('programmer error')) {
    return errorText(error);
  }
  return reason;
}

const GIVE_UP_REASONS: Readonly<Record<string, string>> = {
  permanent: 'permanent error',
  aborted: 'aborted',
  'max-retries': 'no retries left',
  'schedule-exhausted': 'backoff schedule exhausted',
  'max-elapsed': 'maxElapsed reached',
  budget: 'retry budget exhausted',
  'not-retryable': 'not retryable',
};

function giveUpSuffix(reason: string): string {
  if (typeof reason !== 'string' || reason === '') return '';
  return ` (${GIVE_UP_REASONS[reason] ?? reason})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function writer(option: string, stream: LineStream | undefined): (line: string) => void {
  if (stream !== undefined) {
    if (!isObject(stream) || typeof stream.write !== 'function') {
      throw new TypeError(`steadfast: ${option} stream must have a write(chunk) method; got ${describeValue(stream)}`);
    }
    return (line) => void stream.write(line);
  }
  // Resolved once: the core never imports node:process, so look for a global one.
  const stderr = (globalThis as { process?: { stderr?: unknown } }).process?.stderr;
  if (isObject(stderr) && typeof stderr['write'] === 'function') {
    const out = stderr as unknown as LineStream;
    return (line) => void out.write(line);
  }
  return (line) => console.error(line.endsWith('\n') ? line.slice(0, -1) : line);
}
