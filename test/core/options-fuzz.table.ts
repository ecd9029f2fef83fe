/**
 * The option fuzz table: every public entry, a valid call, and each option with the kind of bad
 * values it must refuse. Adding an option (or an entry) is one line here; the test
 * (options-fuzz.test.ts) throws random bad values at each and expects a TypeError/RangeError
 * naming the option, before any work starts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type fc from 'fast-check';
import { constant, exponential, linear, schedule } from '../../src/core/backoff.js';
import { delays } from '../../src/core/backoff-walk.js';
import { parseDuration } from '../../src/core/duration.js';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { BreakerRegistry } from '../../src/breaker/registry.js';
import { RetryBudget } from '../../src/policies/budget.js';
import { HealthCheck, httpProbe } from '../../src/policies/health.js';
import { jsonLines, textLines } from '../../src/policies/log.js';
import { poll } from '../../src/policies/poll.js';
import { withRetry } from '../../src/policies/retry.js';
import { ResilientClient } from '../../src/client/client.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';
import { simulate } from '../../src/testing/simulate.js';
import { bad } from './options-fuzz.kinds.js';

type Options = Record<string, unknown>;

/** One public entry under fuzz. */
export interface FuzzEntry {
  /** How the entry is called, e.g. `'new CircuitBreaker(o)'`. */
  entry: string;
  /** Calls the entry with `o`; may return a promise (a rejection counts as a refusal). */
  call: (o: never) => unknown;
  /** Valid options the bad value is put into. */
  base: () => Options;
  /** Option path (`'retry.maxRetries'` sets `o.retry.maxRetries`) → bad values. */
  options: Record<string, fc.Arbitrary<unknown>>;
  /** Options that have no default: left in place when the test sets every other option to `undefined`. */
  required?: readonly string[];
  /** `o` itself is an options argument: a non-object must be refused too. @default true */
  isOptionsArgument?: boolean;
  /** Real ms a returned promise gets to reject before the value counts as accepted. @default 100 */
  settleMs?: number;
  /** Releases what a (wrongly) accepted call built. */
  cleanup?: (result: unknown) => unknown;
}

const quiet = (): void => {};
const sink = { write: quiet };
const fetch200 = (): typeof fetch => scriptedFetch([200], { repeatLast: true });
let outboxes = 0;
const outboxDir = mkdtempSync(join(tmpdir(), 'steadfast-fuzz-'));

/** withRetry's options, shared by withRetry, the client's `retry`, `init.retry` and simulate. */
const retryOptions = (prefix: string, o: { signal?: boolean; clock?: boolean } = {}): Record<string, fc.Arbitrary<unknown>> => ({
  [`${prefix}backoff`]: bad.backoff(),
  [`${prefix}maxRetries`]: bad.count({ infinity: true }),
  [`${prefix}maxElapsed`]: bad.duration({ infinity: true }),
  [`${prefix}attemptTimeout`]: bad.duration({ positive: true, infinity: true }),
  [`${prefix}maxRetryAfter`]: bad.duration({ infinity: true }),
  ...(o.signal === false ? {} : { [`${prefix}signal`]: bad.signal() }),
  [`${prefix}retryOn`]: bad.function(),
  [`${prefix}budget`]: bad.instance(),
  [`${prefix}classify`]: bad.object(),
  [`${prefix}classify.unknown`]: bad.oneOf('transient', 'permanent'),
  [`${prefix}classify.statuses`]: bad.recordOf(['transient', 'permanent']),
  [`${prefix}classify.codes`]: bad.recordOf(['transient', 'permanent']),
  [`${prefix}classify.patterns`]: bad.object(),
  [`${prefix}classify.now`]: bad.finite(),
  ...(o.clock === false ? {} : { [`${prefix}clock`]: bad.clock({ full: true }) }),
  [`${prefix}onEvent`]: bad.function(),
  [`${prefix}name`]: bad.string(),
});

const breakerOptions = (prefix: string): Record<string, fc.Arbitrary<unknown>> => ({
  [`${prefix}name`]: bad.string({ nonEmpty: true }),
  [`${prefix}failureThreshold`]: bad.count({ min: 1 }),
  [`${prefix}failureRate`]: bad.number(0, 1, { above: true }),
  [`${prefix}minimumCalls`]: bad.count({ min: 1 }),
  [`${prefix}window`]: bad.duration({ positive: true }),
  [`${prefix}openFor`]: bad.duration({ positive: true }),
  [`${prefix}halfOpenMaxCalls`]: bad.count({ min: 1 }),
  [`${prefix}halfOpenTimeout`]: bad.duration({ positive: true }),
  [`${prefix}isFailure`]: bad.function(),
  [`${prefix}initialState`]: bad.object(),
  [`${prefix}clock`]: bad.clock(),
  [`${prefix}onEvent`]: bad.function(),
});

export const ENTRIES: FuzzEntry[] = [
  {
    entry: 'withRetry(fn, o)',
    call: (o) => withRetry(() => Promise.reject(new Error('fn must not run with bad options')), o),
    base: () => ({}),
    options: retryOptions(''),
  },
  { entry: 'new CircuitBreaker(o)', call: (o) => new CircuitBreaker(o), base: () => ({}), options: breakerOptions('') },
  {
    entry: 'new BreakerRegistry(o)',
    call: (o) => new BreakerRegistry(o),
    base: () => ({}),
    options: { maxSize: bad.count({ min: 1 }), defaults: bad.object(), 'defaults.failureThreshold': bad.count({ min: 1 }), clock: bad.clock(), onEvent: bad.function() },
  },
  {
    entry: 'new RetryBudget(o)',
    call: (o) => new RetryBudget(o),
    base: () => ({}),
    options: { ratio: bad.number(0, 1_000), minPerSecond: bad.number(0, Number.MAX_SAFE_INTEGER), window: bad.duration({ positive: true }), clock: bad.clock() },
  },
  {
    entry: 'new HealthCheck(o)',
    call: (o) => new HealthCheck(o),
    base: () => ({ probe: async () => {} }),
    required: ['probe'],
    options: {
      probe: bad.function(),
      interval: bad.duration({ positive: true }),
      timeout: bad.duration({ positive: true, infinity: true }),
      healthyAfter: bad.count({ min: 1 }),
      unhealthyAfter: bad.count({ min: 1 }),
      clock: bad.clock({ full: true }),
      onEvent: bad.function(),
      name: bad.string(),
    },
  },
  {
    entry: 'health.waitUntilHealthy(o)',
    call: (o) => new HealthCheck({ probe: async () => {}, clock: new FakeClock() }).waitUntilHealthy(o),
    base: () => ({}),
    options: { signal: bad.signal(), backoff: bad.backoff() },
  },
  {
    entry: 'httpProbe(url, o)',
    call: (o) => httpProbe('http://h.test/health', o),
    base: () => ({ fetch: fetch200() }),
    options: { fetch: bad.function(), expect: bad.function() },
  },
  { entry: 'httpProbe(url)', call: (o: Options) => httpProbe(o['url'] as string), base: () => ({ url: 'http://h.test/health' }), options: { url: bad.url() }, isOptionsArgument: false },
  {
    entry: 'poll(task, o)',
    call: (o) => poll(async () => {}, o),
    base: () => ({ interval: '10s', clock: new FakeClock() }),
    required: ['interval'],
    options: {
      interval: bad.duration(),
      backoff: bad.backoff(),
      jitter: bad.number(0, 1),
      signal: bad.signal(),
      immediate: bad.boolean(),
      clock: bad.clock({ full: true }),
      onEvent: bad.function(),
      name: bad.string(),
    },
    cleanup: (poller) => (poller as { stop(): Promise<void> }).stop(),
  },
  {
    entry: 'new ResilientClient(o)',
    call: (o) => new ResilientClient(o),
    base: () => ({ baseUrl: 'http://h.test/api', fetch: fetch200(), clock: new FakeClock() }),
    required: ['baseUrl'],
    options: {
      baseUrl: bad.url(),
      fetch: bad.function(),
      timeout: bad.duration({ positive: true, infinity: true }),
      retry: bad.object().filter((v) => v !== false),
      ...retryOptions('retry.'),
      breaker: bad.object().filter((v) => v !== false),
      ...breakerOptions('breaker.'),
      health: bad.object().filter((v) => v !== false),
      'health.path': bad.string(),
      'health.interval': bad.duration({ positive: true }),
      'health.timeout': bad.duration({ positive: true, infinity: true }),
      budget: bad.instance().filter((v) => v !== false),
      // Maps and Sets of pairs are valid HeadersInit.
      headers: bad.object().filter((v) => typeof v !== 'function' && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set)),
      onUnauthorized: bad.function(),
      onEvent: bad.function(),
      name: bad.string({ nonEmpty: true }),
      clock: bad.clock({ full: true }),
    },
    cleanup: (client) => (client as ResilientClient).close(),
  },
  {
    entry: 'client.fetch(url, init)',
    call: (init) => new ResilientClient({ baseUrl: 'http://h.test/api', fetch: fetch200(), clock: new FakeClock(), breaker: false }).fetch('/x', init),
    base: () => ({}),
    options: {
      idempotent: bad.boolean(),
      idempotencyKey: bad.string({ nonEmpty: true }).filter((v) => v !== true),
      retry: bad.object(),
      ...retryOptions('retry.', { clock: false }),
      // RequestInit allows `signal: null` (the fetch standard): the one documented exception.
      signal: bad.signal().filter((v) => v !== null),
    },
  },
  {
    entry: 'client.getJSON(path, init)',
    call: (init) => new ResilientClient({ baseUrl: 'http://h.test/api', fetch: fetch200(), clock: new FakeClock(), breaker: false }).getJSON('/x', init),
    base: () => ({}),
    options: { idempotencyKey: bad.string({ nonEmpty: true }).filter((v) => v !== true), retry: bad.object() },
  },
  {
    entry: 'registry.get(key, overrides)',
    call: (o) => new BreakerRegistry().get('k', o),
    base: () => ({}),
    options: breakerOptions(''),
  },
  {
    entry: 'outbox.enqueue(payload, o)',
    call: async (o) => {
      const outbox = await Outbox.open({ path: join(outboxDir, `e${outboxes++}.jsonl`), send: async () => {}, clock: new FakeClock() });
      try {
        return await outbox.enqueue({ job: 1 }, o);
      } finally {
        await outbox.close();
      }
    },
    base: () => ({}),
    options: { key: bad.string({ nonEmpty: true }) },
    settleMs: 5_000, // opens a file first
  },
  {
    entry: 'Outbox.open(o)',
    call: (o) => Outbox.open(o),
    base: () => ({ path: join(outboxDir, `o${outboxes++}.jsonl`), send: async () => {}, clock: new FakeClock() }),
    required: ['path', 'send'],
    options: {
      path: bad.string({ nonEmpty: true }),
      send: bad.function(),
      sendTimeout: bad.duration({ positive: true, infinity: true }),
      backoff: bad.backoff(),
      maxItems: bad.count({ min: 1, infinity: true }),
      maxBytes: bad.count({ min: 1, infinity: true }),
      compactAfter: bad.count({ min: 1, infinity: true }),
      compactAfterBytes: bad.count({ min: 1, infinity: true }),
      breaker: bad.object(),
      classify: bad.object(),
      onEvent: bad.function(),
      clock: bad.clock({ full: true }),
      name: bad.string(),
      lockTimeout: bad.duration({ infinity: true }),
    },
    cleanup: (outbox) => (outbox as Outbox).close(),
  },
  {
    entry: 'exponential(o)',
    call: (o) => exponential(o),
    base: () => ({ initial: '1s', max: '1m' }),
    required: ['initial', 'max'],
    options: { initial: bad.duration({ positive: true }), max: bad.duration({ positive: true }), multiplier: bad.number(1, Number.MAX_VALUE), jitter: bad.jitter() },
  },
  { entry: 'constant(delay, o)', call: (o) => constant('1s', o), base: () => ({}), options: { jitter: bad.jitter() } },
  { entry: 'constant(delay)', call: (o: Options) => constant(o['delay'] as string), base: () => ({ delay: '1s' }), options: { delay: bad.duration() }, isOptionsArgument: false },
  {
    entry: 'linear(o)',
    call: (o) => linear(o),
    base: () => ({ initial: '1s', step: '1s', max: '1m' }),
    required: ['initial', 'step', 'max'],
    options: { initial: bad.duration(), step: bad.duration(), max: bad.duration(), jitter: bad.jitter() },
  },
  { entry: 'schedule(list, o)', call: (o) => schedule(['1s', '2s'], o), base: () => ({}), options: { repeatLast: bad.boolean(), jitter: bad.jitter() } },
  // The list's errors name `schedule` ("schedule[1] must be...").
  { entry: 'schedule(list)', call: (o: Options) => schedule(o['schedule'] as string[]), base: () => ({ schedule: ['1s'] }), options: { schedule: bad.durationList() }, isOptionsArgument: false },
  { entry: 'delays(b, count, o)', call: (o) => delays(constant('1s'), 3, o), base: () => ({}), options: { random: bad.function() } },
  { entry: 'delays(b, count)', call: (o: Options) => delays(constant('1s'), o['count'] as number), base: () => ({ count: 3 }), options: { count: bad.count() }, isOptionsArgument: false },
  { entry: 'parseDuration(value, o)', call: (o) => parseDuration(5, o), base: () => ({}), options: { option: bad.string(), allowInfinity: bad.boolean() } },
  { entry: 'textLines(stream, o)', call: (o) => textLines(sink, o), base: () => ({}), options: { time: bad.boolean() } },
  { entry: 'textLines(stream)', call: (o: Options) => textLines(o['stream'] as typeof sink), base: () => ({ stream: sink }), options: { stream: bad.object() }, isOptionsArgument: false },
  { entry: 'jsonLines(stream)', call: (o: Options) => jsonLines(o['stream'] as typeof sink), base: () => ({ stream: sink }), options: { stream: bad.object() }, isOptionsArgument: false },
  { entry: 'scriptedFetch(script, o)', call: (o) => scriptedFetch([200], o), base: () => ({}), options: { clock: bad.clock({ full: true }), repeatLast: bad.boolean() } },
  { entry: 'new FakeClock(o)', call: (o) => new FakeClock(o), base: () => ({}), options: { now: bad.finite(), wall: bad.finite(), seed: bad.finite(), random: bad.function() } },
  {
    entry: 'simulate(o, outcomes)',
    call: (o) => simulate(o, ['ok']),
    base: () => ({}),
    options: { ...retryOptions('', { clock: false, signal: false }), seed: bad.finite() },
  },
];

void quiet;
