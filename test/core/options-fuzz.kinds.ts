/**
 * Bad-value generators for the option fuzz (options-fuzz.test.ts): one per kind of option, each
 * yielding only values the option must refuse with a TypeError or RangeError.
 */
import fc from 'fast-check';

type Arb = fc.Arbitrary<unknown>;

// Values of every JavaScript type, the usual suspects first (null, '', 'true', 1 for a boolean...).
const suspects: unknown[] = [null, true, false, 0, 1, -1, 0.5, -0.5, NaN, Infinity, -Infinity, '', 'x', 'true', '5s', '-5s', [], [1], {}, { a: 1 }, () => 1, 10n, Symbol('s'), new Date(0), /x/];
const anything: Arb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...suspects) }, { weight: 1, arbitrary: fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true }) });

const isDurationLike = (v: unknown, o: { infinity: boolean; zero: boolean }): boolean => {
  if (typeof v === 'number') return !Number.isNaN(v) && v >= 0 && (v !== Infinity || o.infinity) && (v !== 0 || o.zero);
  if (typeof v !== 'string') return false;
  const s = v.trim();
  if (s === 'Infinity') return o.infinity;
  if (/^\d+(\.\d+)?$/.test(s)) return o.zero || Number(s) > 0;
  return /^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(s) && (o.zero || /[1-9]/.test(s));
};

/** Every kind of option the fuzz knows, as a generator of values it must refuse. */
export const bad = {
  /** A Duration (ms or "5s"); `positive`: 0 refused too; `infinity`: Infinity allowed. */
  duration: (o: { positive?: boolean; infinity?: boolean } = {}): Arb =>
    fc
      .oneof(anything, fc.double(), fc.string(), fc.constantFrom('5 parsecs', 'soon', '1x', '-1s', '0s', 'Infinity', '1e3', '5s5'))
      .filter((v) => v !== undefined && !isDurationLike(v, { infinity: o.infinity === true, zero: o.positive !== true })),
  /** An integer >= min (Infinity when allowed). */
  count: (o: { min?: number; infinity?: boolean } = {}): Arb =>
    fc
      .oneof(anything, fc.double(), fc.integer({ min: -1_000, max: (o.min ?? 0) - 1 }))
      .filter((v) => v !== undefined && !(typeof v === 'number' && v >= (o.min ?? 0) && (Number.isInteger(v) || (v === Infinity && o.infinity === true)))),
  /** A number in [min, max] (exclusive of min when `above`). */
  number: (min: number, max: number, o: { above?: boolean } = {}): Arb =>
    fc.oneof(anything, fc.double()).filter((v) => v !== undefined && !(typeof v === 'number' && (o.above === true ? v > min : v >= min) && v <= max)),
  /** A finite number (e.g. a start time). */
  finite: (): Arb => anything.filter((v) => v !== undefined && !(typeof v === 'number' && Number.isFinite(v))),
  function: (): Arb => anything.filter((v) => v !== undefined && typeof v !== 'function'),
  boolean: (): Arb => anything.filter((v) => v !== undefined && typeof v !== 'boolean'),
  string: (o: { nonEmpty?: boolean } = {}): Arb => anything.filter((v) => v !== undefined && (typeof v !== 'string' || (o.nonEmpty === true && v === ''))),
  /** A plain options object (arrays, functions and primitives refused). */
  object: (): Arb => anything.filter((v) => v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date || v instanceof RegExp || v instanceof Map || v instanceof Set)),
  /** One of the listed values. */
  oneOf: (...allowed: unknown[]): Arb => fc.oneof(anything, fc.string()).filter((v) => v !== undefined && !allowed.includes(v)),
  jitter: (): Arb =>
    fc
      .oneof(anything, fc.double(), fc.constantFrom('Full', 'random', 'none ', 2, -0.1))
      .filter((v) => v !== undefined && !['none', 'full', 'equal', 'decorrelated'].includes(v as string) && !(typeof v === 'number' && v >= 0 && v <= 1)),
  signal: (): Arb => anything.filter((v) => v !== undefined && !(v instanceof AbortSignal)),
  /** A Clock; `full`: one with only now() is refused too (components that sleep or draw random numbers). */
  clock: (o: { full?: boolean } = {}): Arb =>
    fc.oneof(anything, fc.constantFrom({ now: 1, sleep: 2, random: 3 }, { sleep: () => Promise.resolve() }, ...(o.full === true ? [{ now: () => 0 }] : []))).filter((v) => v !== undefined),
  backoff: (): Arb => fc.oneof(anything, fc.constantFrom({ first: 1 }, { next: () => 1 })).filter((v) => v !== undefined),
  /** An instance of a class (e.g. RetryBudget); plain look-alikes refused. */
  instance: (): Arb => fc.oneof(anything, fc.constantFrom({ tryRetry: () => true }, { recordCall: 1 })).filter((v) => v !== undefined),
  /** A record of `kind` values, e.g. ClassifyOptions.statuses. */
  recordOf: (values: readonly string[]): Arb =>
    fc.oneof(bad.object(), fc.constantFrom({ 503: 'retry' }, { 404: true }, { ECONNRESET: 1 }, { x: null })).filter((v) => v !== undefined && !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => values.includes(x as string)))),
  /** A non-empty list of Durations. */
  durationList: (): Arb =>
    fc
      .oneof(anything, fc.constant([]), fc.array(bad.duration(), { minLength: 1, maxLength: 3 }), fc.constant(['1s', 'soon']))
      .filter((v) => v !== undefined && !(Array.isArray(v) && v.length > 0 && v.every((d) => isDurationLike(d, { infinity: false, zero: true })))),
  /** A URL (string or URL). */
  url: (): Arb => fc.oneof(anything, fc.constantFrom('not a url', '/relative', 'ftp://x.example/', '')).filter((v) => v !== undefined && !(v instanceof URL)),
};
