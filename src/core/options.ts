/**
 * The option validators (pure): every option of every component is checked by one of these when
 * the object is built, with a TypeError/RangeError naming the option and the value.
 */
import { describeValue } from './describe.js';
import { parseDuration, type Duration } from './duration.js';

export { describeValue };

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

/**
 * Validates an optional object option that must have the given methods (a caller's logger, meter
 * or tracer, typed structurally): `undefined` passes, anything else must be an object with each.
 *
 * @example
 * methodsOption('otelSink.tracer', o.tracer, ['startSpan']) // the tracer, or a TypeError naming it
 */
export function methodsOption<T>(option: string, value: T | undefined, methods: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  const given = value as Record<string, unknown> | null;
  const missing = typeof given === 'object' && given !== null ? methods.filter((m) => typeof given[m] !== 'function') : methods;
  if (missing.length > 0) {
    throw new TypeError(`steadfast: ${option} must be an object with ${missing.map((m) => `${m}()`).join(', ')}; got ${describeValue(value)}`);
  }
  return value;
}
