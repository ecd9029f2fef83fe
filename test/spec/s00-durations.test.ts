/**
 * SPEC Durations.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  HealthCheck,
  ResilientClient,
  RetryBudget,
  constant,
  exponential,
  linear,
  parseDuration,
  poll,
  schedule,
  withRetry,
} from 'steadfast';

describe('SPEC Durations', () => {
  it('takes milliseconds or "250ms", "5s", "5m", "1h", "1m30s"', () => {
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5s')).toBe(5_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1m30s')).toBe(90_000);
  });

  it.each([
    ['negative', -1],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
    ['unparseable', '5 parsecs'],
    ['negative string', '-5s'],
  ])('a %s value throws a RangeError', (_label, value) => {
    expect(() => parseDuration(value as never)).toThrow(RangeError);
  });

  it('"whose message names the option and the bad value" (exponential.initial)', () => {
    expect(() => exponential({ initial: 'soon', max: '1m' })).toThrow(RangeError);
    expect(() => exponential({ initial: 'soon', max: '1m' })).toThrow(/initial/);
    expect(() => exponential({ initial: 'soon', max: '1m' })).toThrow(/soon/);
  });

  it.each([
    ['CircuitBreaker.openFor', () => new CircuitBreaker({ openFor: '-3s' }), /openFor/],
    ['HealthCheck.interval', () => new HealthCheck({ probe: async () => {}, interval: 'often' }), /interval/],
    ['HealthCheck.timeout', () => new HealthCheck({ probe: async () => {}, timeout: Number.NaN }), /timeout/],
    ['RetryBudget.window', () => new RetryBudget({ window: 'xyz' }), /window/],
    ['ResilientClient.timeout', () => new ResilientClient({ baseUrl: 'http://a.test', timeout: 'nope' }), /timeout/],
    ['poll.interval', () => poll(async () => {}, { interval: 'whenever' }), /interval/],
    ['constant delay', () => constant('bad'), /bad/],
    ['linear.step', () => linear({ initial: '1s', step: '-1s', max: '5s' }), /step/],
    ['schedule entry', () => schedule(['1s', 'later']), /later/],
  ])('%s is validated at construction, with a RangeError naming it', (_label, make, pattern) => {
    expect(make).toThrow(RangeError);
    expect(make).toThrow(pattern);
  });

  it('withRetry validates maxElapsed before the first attempt (rejects naming the option)', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; }, { maxElapsed: 'ages' })).rejects.toThrow(/maxElapsed/);
    expect(calls).toBe(0);
  });
});
