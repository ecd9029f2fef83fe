/**
 * Durations: every time option takes milliseconds or a short string.
 * Pure: no clock, no I/O.
 */
import { describeValue } from './describe.js';

/** Milliseconds as a number, or a string such as `"250ms"`, `"5s"`, `"5m"`, `"1h"`, `"1m30s"`. */
export type Duration = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** Options for {@link parseDuration}. */
export interface ParseDurationOptions {
  /** The option name used in error messages. @default "duration" */
  option?: string | undefined;
  /** Whether `Infinity` (number or the string `"Infinity"`) is accepted. @default false */
  allowInfinity?: boolean | undefined;
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
  checkParseOptions(options);
  const ms = typeof value === 'number' ? value : parseString(value);
  if (ms === undefined || Number.isNaN(ms) || ms < 0 || (ms === Infinity && options.allowInfinity !== true)) {
    throw new RangeError(
      `steadfast: ${options.option ?? 'duration'} must be a non-negative duration in ms or a string like "250ms", "5s", "1m30s"` +
        `${options.allowInfinity === true ? ' (or Infinity)' : ''}; got ${describeValue(value)}`,
    );
  }
  return ms;
}

// Inline rather than core/options.ts, which builds on this file.
function checkParseOptions(o: ParseDurationOptions): void {
  if (Object.prototype.toString.call(o) !== '[object Object]') throw new TypeError(`steadfast: parseDuration options must be an options object; got ${describeValue(o)}`);
  if (o.option !== undefined && typeof o.option !== 'string') throw new TypeError(`steadfast: parseDuration option must be a string; got ${describeValue(o.option)}`);
  if (o.allowInfinity !== undefined && typeof o.allowInfinity !== 'boolean') {
    throw new TypeError(`steadfast: parseDuration allowInfinity must be true or false; got ${describeValue(o.allowInfinity)}`);
  }
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

