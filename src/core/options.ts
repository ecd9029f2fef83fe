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
 * The one rule for absent options: `undefined` means "the default"; `null` is a value like any
 * other, checked by the option's validator (and refused, unless the option documents `null`).
 * Use it instead of `??`, which would quietly turn `null` into the default.
 *
 * @example
 * countOption('failureThreshold', orDefault(o.failureThreshold, 5), { min: 1 }) // null → RangeError
 */
export function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

/**
 * Whether `value` is an options object: a plain object or class instance, never `null`, an array,
 * a function, a primitive, a Date, a Map...
 *
 * @example
 * isOptionsObject({ maxRetries: 3 }) // true
 * isOptionsObject([])                // false
 */
export function isOptionsObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Object]';
}

/**
 * Validates an options argument or a nested options object: `undefined` passes (the defaults),
 * anything but an options object (`null`, `5`, `'x'`, `[]`) is a TypeError.
 *
 * @example
 * objectOption('CircuitBreaker options', o)  // o, or TypeError for new CircuitBreaker(5)
 */
export function objectOption<T extends object>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && !isOptionsObject(value)) {
    throw new TypeError(`steadfast: ${option} must be an options object; got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Validates an optional boolean option: `undefined` passes; `'true'`, `1` or `null` are refused,
 * never coerced.
 *
 * @example
 * booleanOption('schedule.repeatLast', o.repeatLast) // true | false | undefined
 */
export function booleanOption(option: string, value: boolean | undefined): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`steadfast: ${option} must be true or false; got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Validates a headers option: `HeadersInit` (a record, `Headers`, an array or any iterable of
 * pairs) or a function returning one; `undefined` passes. Names and values are checked later,
 * where they are used, without showing the values.
 *
 * @example
 * headersOption('ResilientClient.headers', 42) // TypeError naming ResilientClient.headers
 */
export function headersOption<H>(option: string, value: H | undefined): H | undefined {
  const ok = value === undefined || typeof value === 'function' || isOptionsObject(value) || (typeof value === 'object' && value !== null && Symbol.iterator in value);
  if (!ok) throw new TypeError(`steadfast: ${option} must be HeadersInit or a function returning it; got ${describeValue(value)}`);
  return value;
}

/** The part of a `RetryBudget` the retry engine uses (structural: the class lives above core). */
export interface BudgetLike {
  recordCall(now: number): void;
  tryRetry(now: number): boolean;
}

/**
 * Validates a `budget` option: a `RetryBudget` (anything with `recordCall` and `tryRetry`), so
 * `budget: {}` fails at construction instead of at the first retry.
 *
 * @example
 * budgetOption('budget', new RetryBudget()) // the budget
 * budgetOption('budget', {})                // TypeError: steadfast: budget must be a RetryBudget; got {}
 */
export function budgetOption<B extends BudgetLike>(option: string, value: B | undefined): B | undefined {
  if (value !== undefined && !(isOptionsObject(value) && typeof value.recordCall === 'function' && typeof value.tryRetry === 'function')) {
    throw new TypeError(`steadfast: ${option} must be a RetryBudget; got ${describeValue(value)}`);
  }
  return value;
}

const KINDS: ReadonlySet<unknown> = new Set(['transient', 'permanent']);

/**
 * Validates `ClassifyOptions` (`unknown`, `statuses`, `codes`, `patterns`, `now`) once, where the
 * options are received; `classify()` itself stays a fast, unchecked pure function.
 *
 * @example
 * classifyOption('classify', { statuses: { 404: 'retry' } }) // RangeError naming classify.statuses
 */
export function classifyOption<C extends object>(option: string, value: C | undefined): C | undefined {
  const o = objectOption(option, value) as Record<string, unknown> | undefined;
  if (o === undefined) return value;
  const kind = (name: string, v: unknown): void => {
    if (!KINDS.has(v)) throw new RangeError(`steadfast: ${name} must be 'transient' or 'permanent'; got ${describeValue(v)}`);
  };
  if (o['unknown'] !== undefined) kind(`${option}.unknown`, o['unknown']);
  for (const field of ['statuses', 'codes']) {
    const table = objectOption(`${option}.${field}`, o[field] as object | undefined) as Record<string, unknown> | undefined;
    for (const key of Object.keys(table ?? {})) kind(`${option}.${field}[${JSON.stringify(key)}]`, table?.[key]);
  }
  const patterns = objectOption(`${option}.patterns`, o['patterns'] as object | undefined) as Record<string, unknown> | undefined;
  for (const field of ['transient', 'permanent']) {
    const list = patterns?.[field];
    if (list !== undefined && (!Array.isArray(list) || !list.every((p) => typeof p === 'string' || p instanceof RegExp))) {
      throw new TypeError(`steadfast: ${option}.patterns.${field} must be an array of strings and RegExps; got ${describeValue(list)}`);
    }
  }
  const now = o['now'];
  if (now !== undefined && (typeof now !== 'number' || !Number.isFinite(now))) {
    throw new TypeError(`steadfast: ${option}.now must be a finite number of epoch ms; got ${describeValue(now)}`);
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
