// The bad options a new user hit (issue 10), each refused where it is given, naming the option.
import { describe, expect, it } from 'vitest';
import { constant, schedule } from '../../src/core/backoff.js';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { ResilientClient } from '../../src/client/client.js';
import { withRetry } from '../../src/policies/retry.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';
import { simulate } from '../../src/testing/simulate.js';
import { booleanOption, budgetOption, classifyOption, objectOption, orDefault } from '../../src/core/options.js';

const never = (): Promise<never> => Promise.reject(new Error('must not run'));
const client = (o: object = {}): ResilientClient =>
  new ResilientClient({ baseUrl: 'http://h.test', fetch: scriptedFetch([200], { repeatLast: true }), clock: new FakeClock(), ...o });

describe('options a user got wrong are refused at once', () => {
  it.each(['true', 1, null])("schedule(list, { repeatLast: %j }) is a TypeError, not a quietly finite schedule", (repeatLast) => {
    expect(() => schedule(['1s'], { repeatLast } as never)).toThrow(/repeatLast/);
  });

  it('withRetry(fn, { budget: {} }) rejects before fn runs, naming budget', async () => {
    let ran = false;
    await expect(withRetry(async () => void (ran = true), { budget: {} as never })).rejects.toThrow(/budget must be a RetryBudget/);
    expect(ran).toBe(false);
  });

  it('new ResilientClient({ retry: { budget: {} } }) throws at construction, not at the first fetch', () => {
    expect(() => client({ retry: { budget: {} } })).toThrow(/budget must be a RetryBudget/);
  });

  it("the client's retry.classify is checked", () => {
    expect(() => client({ retry: { classify: { statuses: { 404: 'retry' } } } })).toThrow(RangeError);
    expect(() => client({ retry: { classify: 'aggressive' } })).toThrow(/classify must be an options object/);
  });

  it.each([{}, '', 42])('idempotencyKey %j is refused at the call, never sent as "[object Object]"', async (idempotencyKey) => {
    const fetch = scriptedFetch([200], { repeatLast: true });
    const c = new ResilientClient({ baseUrl: 'http://h.test', fetch, clock: new FakeClock() });
    await expect(c.fetch('/x', { method: 'POST', idempotencyKey } as never)).rejects.toThrow(/idempotencyKey/);
    expect(fetch.calls).toHaveLength(0);
  });

  it('options arguments that are not objects are refused', async () => {
    expect(() => new CircuitBreaker(5 as never)).toThrow(/CircuitBreaker options must be an options object; got 5/);
    await expect(withRetry(never, 'x' as never)).rejects.toThrow(/retry options must be an options object; got "x"/);
    expect(() => constant('1s', 5 as never)).toThrow(/constant options must be an options object; got 5/);
    expect(() => client({ retry: [] })).toThrow(/ResilientClient.retry must be RetryOptions or false; got \[\]/);
  });

  it('null is refused like any wrong value; undefined means the default (one rule everywhere)', async () => {
    await expect(withRetry(never, { maxElapsed: null } as never)).rejects.toThrow(RangeError);
    expect(() => new CircuitBreaker({ failureThreshold: null } as never)).toThrow(/failureThreshold/);
    expect(() => new CircuitBreaker({ failureThreshold: undefined })).not.toThrow();
    expect(() => client({ timeout: null })).toThrow(/timeout/);
    expect(() => client({ timeout: undefined })).not.toThrow();
  });

  it('simulate throws on a bad option instead of reporting a failed run', async () => {
    await expect(simulate({ maxRetries: -1 }, ['ok'])).rejects.toThrow(/maxRetries/);
  });

  it('a zero openFor is refused like a zero window (a breaker that never stays open is a typo)', () => {
    expect(() => new CircuitBreaker({ openFor: 0 })).toThrow(/openFor must be > 0/);
  });
});

describe('the validators', () => {
  it('orDefault applies the default for undefined only', () => {
    expect(orDefault(undefined, 5)).toBe(5);
    expect(orDefault(null as unknown as number, 5)).toBe(null);
    expect(orDefault(0, 5)).toBe(0);
  });

  it('objectOption takes plain objects and class instances, refuses arrays, Dates, functions and primitives', () => {
    expect(objectOption('o', { a: 1 })).toEqual({ a: 1 });
    expect(objectOption('o', new CircuitBreaker())).toBeInstanceOf(CircuitBreaker);
    for (const bad of [null, [], new Date(0), () => {}, 'x', 1, new Map()]) expect(() => objectOption('o', bad as never)).toThrow(TypeError);
  });

  it('booleanOption never coerces', () => {
    expect(booleanOption('b', false)).toBe(false);
    for (const bad of ['true', 1, 0, null]) expect(() => booleanOption('b', bad as never)).toThrow(/b must be true or false/);
  });

  it('budgetOption checks the shape withRetry uses', () => {
    const budget = { recordCall: () => {}, tryRetry: () => true };
    expect(budgetOption('budget', budget)).toBe(budget);
    expect(() => budgetOption('budget', { tryRetry: () => true } as never)).toThrow(TypeError);
  });

  it('classifyOption checks every field of ClassifyOptions', () => {
    expect(classifyOption('classify', { unknown: 'permanent', statuses: { 404: 'transient' }, codes: { X: 'permanent' }, patterns: { transient: ['x', /y/] }, now: 0 })).toBeDefined();
    expect(() => classifyOption('classify', { unknown: 'maybe' } as never)).toThrow(/classify.unknown/);
    expect(() => classifyOption('classify', { codes: { X: 1 } } as never)).toThrow(/classify.codes\["X"\]/);
    expect(() => classifyOption('classify', { patterns: { permanent: 'x' } } as never)).toThrow(/classify.patterns.permanent/);
    expect(() => classifyOption('classify', { now: NaN })).toThrow(/classify.now/);
  });
});
