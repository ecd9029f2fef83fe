/**
 * Durations: every time option takes milliseconds or a short string.
 * Pure: no clock, no I/O.
 */

/** Milliseconds as a number, or a string such as `"250ms"`, `"5s"`, `"5m"`, `"1h"`, `"1m30s"`. */
export type Duration = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Options for {@link parseDuration}. */
export interface ParseDurationOptions {
  /** The option name used in error messages. @default "duration" */
  option?: string;
  /** Whether `Infinity` (number or the string `"Infinity"`) is accepted. @default false */
  allowInfinity?: boolean;
}

/**
 * Converts a {@link Duration} to milliseconds.
 *
 * Throws a `RangeError` naming the option and the value for a negative, NaN, infinite
 * (unless `allowInfinity`) or unparseable value.
 *
 * @example
 * parseDuration('1m30s') // 90_000
 * parseDuration(250)     // 250
 * parseDuration('soon', { option: 'interval' }) // RangeError: interval must be ...
 */
export function parseDuration(value: Duration, options: ParseDurationOptions = {}): number {
  const ms = typeof value === 'number' ? value : parseString(value);
  if (ms === undefined || Number.isNaN(ms) || ms < 0 || (ms === Infinity && options.allowInfinity !== true)) {
    throw new RangeError(
      `steadfast: ${options.option ?? 'duration'} must be a non-negative duration in ms or a string like "250ms", "5s", "1m30s"` +
        `${options.allowInfinity === true ? ' (or Infinity)' : ''}; got ${describeValue(value)}`,
    );
  }
  return ms;
}

function parseString(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const s = text.trim();
  if (s === 'Infinity') return Infinity;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  if (s === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const match = PART.exec(s);
    if (match === null) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return total;
}

/**
 * Renders a value for an error message: strings quoted, everything else as written.
 *
 * @example
 * describeValue('5s') // '"5s"'
 * describeValue(NaN)  // 'NaN'
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Formats milliseconds for humans: `250ms`, `5s`, `1.5s`, `1m30s`, `2h`, `∞`.
 *
 * @example
 * formatDuration(90_000) // "1m30s"
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  // Thresholds sit where rounding would reach the next unit, so 999.7 is "1s", not "1000ms".
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  if (ms < 59_950) {
    const s = Math.round(ms / 100) / 10;
    return `${s}s`;
  }
  let rest = Math.round(ms / 1_000);
  const h = Math.floor(rest / 3_600);
  rest -= h * 3_600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}` || '0s';
}

/**
 * Validates a count option (an integer >= `min`, default 0; Infinity only with `allowInfinity`).
 *
 * @example
 * countOption('maxRetries', Infinity, { allowInfinity: true }) // Infinity
 * countOption('halfOpenMaxCalls', 0, { min: 1 })               // RangeError naming halfOpenMaxCalls
 */
export function countOption(option: string, value: number, o: { min?: number; allowInfinity?: boolean } = {}): number {
  const min = o.min ?? 0;
  const ok =
    typeof value === 'number' &&
    value >= min &&
    (Number.isInteger(value) || (value === Infinity && o.allowInfinity === true));
  if (!ok) {
    throw new RangeError(
      `steadfast: ${option} must be an integer >= ${min}${o.allowInfinity === true ? ' or Infinity' : ''}; got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Validates a number option within [min, max].
 *
 * @example
 * numberOption('poll.jitter', 0.1, 0, 1) // 0.1
 */
export function numberOption(option: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new RangeError(`steadfast: ${option} must be a number in [${min}, ${max}]; got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Validates an optional callback option: `undefined` passes, anything else must be a function.
 *
 * @example
 * const onEvent = functionOption('onEvent', o.onEvent); // EventSink | undefined
 */
export function functionOption<F>(option: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`steadfast: ${option} must be a function; got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Validates a Duration option that must be longer than 0 (a zero timeout or window is a typo,
 * never a wish), and returns it in ms.
 *
 * @example
 * positiveDuration('attemptTimeout', '10s') // 10_000
 * positiveDuration('window', 0)             // RangeError: steadfast: window must be > 0; got 0
 */
export function positiveDuration(option: string, value: Duration, o: { allowInfinity?: boolean } = {}): number {
  const ms = parseDuration(value, { option, allowInfinity: o.allowInfinity === true });
  if (ms <= 0) throw new RangeError(`steadfast: ${option} must be > 0; got ${describeValue(value)}`);
  return ms;
}

/**
 * Validates an optional name option (used in events and errors) and applies its default.
 *
 * @example
 * nameOption('poll.name', undefined, 'poll') // 'poll'
 * nameOption('name', 42 as never, 'retry')   // TypeError: steadfast: name must be a string; got 42
 */
export function nameOption(option: string, value: string | undefined, fallback: string, o: { nonEmpty?: boolean } = {}): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || (o.nonEmpty === true && value === '')) {
    throw new TypeError(`steadfast: ${option} must be a ${o.nonEmpty === true ? 'non-empty ' : ''}string; got ${describeValue(value)}`);
  }
  return value;
}
