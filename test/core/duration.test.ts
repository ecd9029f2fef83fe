import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration, parseDuration, type Duration } from '../../src/core/duration.js';
import { countOption, describeValue, functionOption, nameOption, numberOption, positiveDuration } from '../../src/core/options.js';

describe('parseDuration: valid values', () => {
  const cases: Array<[Duration, number]> = [
    [0, 0],
    [250, 250],
    [1.5, 1.5],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['0', 0],
    ['250', 250],
    ['0ms', 0],
    ['250ms', 250],
    ['5s', 5_000],
    ['1.5s', 1_500],
    ['0.25s', 250],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    ['1h30m', 5_400_000],
    ['1h1m1s1ms', 3_661_001],
    [' 5s ', 5_000],
  ];
  it.each(cases)('reads %j as %d ms', (value, ms) => {
    expect(parseDuration(value)).toBe(ms);
  });

  it('tells "5m" (minutes) from "5ms" (milliseconds)', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('5ms')).toBe(5);
  });

  it('accepts Infinity, as a number or the string "Infinity", only with allowInfinity', () => {
    expect(parseDuration(Infinity, { allowInfinity: true })).toBe(Infinity);
    expect(parseDuration('Infinity', { allowInfinity: true })).toBe(Infinity);
    expect(() => parseDuration(Infinity)).toThrow(RangeError);
    expect(() => parseDuration('Infinity', { option: 'maxElapsed' })).toThrow(/maxElapsed.*"Infinity"/);
  });
});

describe('parseDuration: invalid values throw a RangeError naming the option and the value', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a negative number', -1, '-1'],
    ['NaN', NaN, 'NaN'],
    ['Infinity when not allowed', Infinity, 'Infinity'],
    ['-Infinity', -Infinity, '-Infinity'],
    ['an empty string', '', '""'],
    ['blanks', '   ', '"   "'],
    ['an unknown unit', '5x', '"5x"'],
    ['a unit before the number', 's5', '"s5"'],
    ['a negative string', '-1s', '"-1s"'],
    ['a unit without a number', 'ms', '"ms"'],
    ['trailing junk', '5s!', '"5s!"'],
    ['an exponent', '1e3', '"1e3"'],
    ['words', 'soon', '"soon"'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a boolean', true, 'true'],
    ['an object', { ms: 5 }, '{"ms":5}'],
    ['an array', [5], '[5]'],
    ['a function', () => 5, 'a function'],
  ];
  it.each(cases)('rejects %s', (_label, value, shown) => {
    const attempt = (): number => parseDuration(value as Duration, { option: 'interval' });
    expect(attempt).toThrow(RangeError);
    expect(attempt).toThrow(/interval/);
    expect(attempt).toThrow(shown);
  });

  it('names "duration" when no option is given', () => {
    expect(() => parseDuration(-5)).toThrow(/duration.*-5/);
  });

  it('mentions Infinity as allowed when the option allows it', () => {
    expect(() => parseDuration(-5, { option: 'timeout', allowInfinity: true })).toThrow(/or Infinity/);
  });

  it('never returns NaN, a negative or Infinity (unless allowed) for any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.stringMatching(/^[0-9.]{0,6}(ms|s|m|h|d|x)?[0-9]{0,3}(ms|s)?$/)), (value) => {
        let ms: number;
        try {
          ms = parseDuration(value);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
          return;
        }
        expect(Number.isFinite(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('round-trips every whole number of milliseconds written as "<n>ms"', () => {
    fc.assert(fc.property(fc.nat(), (n) => parseDuration(`${n}ms`) === n && parseDuration(n) === n));
  });
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0ms'],
    [1, '1ms'],
    [250, '250ms'],
    [999, '999ms'],
    [999.7, '1s'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [5_000, '5s'],
    [59_900, '59.9s'],
    [59_999, '1m'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [300_000, '5m'],
    [3_600_000, '1h'],
    [3_661_000, '1h1m1s'],
    [5_400_000, '1h30m'],
    [Infinity, '∞'],
  ];
  it.each(cases)('writes %d ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('writes whole seconds, minutes and hours back in a form parseDuration reads to the same value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), (seconds) => {
        const ms = seconds * 1_000;
        return parseDuration(formatDuration(ms)) === ms;
      }),
    );
  });
});

describe('option validators', () => {
  it('countOption accepts integers >= min and Infinity only when allowed', () => {
    expect(countOption('maxRetries', 0)).toBe(0);
    expect(countOption('maxRetries', 5, { min: 1 })).toBe(5);
    expect(countOption('maxRetries', Infinity, { allowInfinity: true })).toBe(Infinity);
    expect(() => countOption('maxRetries', Infinity)).toThrow(/maxRetries.*Infinity/);
    expect(() => countOption('maxRetries', 1.5)).toThrow(/maxRetries.*1\.5/);
    expect(() => countOption('maxRetries', -1)).toThrow(RangeError);
    expect(() => countOption('halfOpenMaxCalls', 0, { min: 1 })).toThrow(/halfOpenMaxCalls must be an integer >= 1; got 0/);
    expect(() => countOption('maxRetries', NaN)).toThrow(/NaN/);
    expect(() => countOption('maxRetries', '3' as unknown as number)).toThrow(/"3"/);
  });

  it('numberOption accepts [min, max] and rejects NaN and values outside', () => {
    expect(numberOption('ratio', 0.2, 0, 1)).toBe(0.2);
    expect(numberOption('ratio', 0, 0, 1)).toBe(0);
    expect(numberOption('ratio', 1, 0, 1)).toBe(1);
    expect(() => numberOption('ratio', 1.5, 0, 1)).toThrow(/ratio must be a number in \[0, 1\]; got 1\.5/);
    expect(() => numberOption('ratio', NaN, 0, 1)).toThrow(RangeError);
    expect(() => numberOption('ratio', -0.1, 0, 1)).toThrow(/-0\.1/);
  });

  it('functionOption accepts a function or undefined and names a non-function with a TypeError', () => {
    const f = (): void => {};
    expect(functionOption('onEvent', f)).toBe(f);
    expect(functionOption('onEvent', undefined)).toBeUndefined();
    expect(() => functionOption('onEvent', 'log' as unknown as () => void)).toThrow(TypeError);
    expect(() => functionOption('onEvent', 'log' as unknown as () => void)).toThrow(/onEvent must be a function; got "log"/);
  });

  it('positiveDuration parses a duration and refuses 0 naming the option and the value; Infinity only when allowed', () => {
    expect(positiveDuration('window', '10s')).toBe(10_000);
    expect(() => positiveDuration('window', '0s')).toThrow(/window must be > 0; got "0s"/);
    expect(() => positiveDuration('window', 0)).toThrow(RangeError);
    expect(() => positiveDuration('window', -1)).toThrow(/window must be a non-negative duration/);
    expect(() => positiveDuration('window', Infinity)).toThrow(RangeError);
    expect(positiveDuration('timeout', Infinity, { allowInfinity: true })).toBe(Infinity);
  });

  it('nameOption applies the default, keeps a string and names a non-string (or an empty one when nonEmpty)', () => {
    expect(nameOption('poll.name', undefined, 'poll')).toBe('poll');
    expect(nameOption('poll.name', 'checkin', 'poll')).toBe('checkin');
    expect(nameOption('name', '', 'retry')).toBe('');
    expect(() => nameOption('name', 42 as unknown as string, 'retry')).toThrow(/name must be a string; got 42/);
    expect(() => nameOption('name', '', 'breaker', { nonEmpty: true })).toThrow(/name must be a non-empty string; got ""/);
  });

  it('describeValue quotes strings and survives values JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(describeValue('5x')).toBe('"5x"');
    expect(describeValue(5)).toBe('5');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(cyclic)).toBe('[object Object]');
    expect(describeValue(Symbol('s'))).toBe('Symbol(s)');
  });
});
