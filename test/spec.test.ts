/**
 * SPEC conformance, through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'). Each test quotes the SPEC sentence it pins; organised by SPEC section.
 */
import { describe, expect, it } from 'vitest';
import * as core from 'steadfast';
import {
  BreakerRegistry,
  BrokenCircuitError,
  CircuitBreaker,
  HealthCheck,
  HttpError,
  ResilientClient,
  RetryBudget,
  classify,
  constant,
  delays,
  exponential,
  formatEvent,
  httpProbe,
  isTransient,
  jsonLines,
  linear,
  parseDuration,
  parseRetryAfter,
  poll,
  pollDefaults,
  schedule,
  systemClock,
  textLines,
  withRetry,
  type ResilienceEvent,
} from 'steadfast';
import * as testing from 'steadfast/testing';
import { FakeClock, scriptedFetch, seededRandom, simulate } from 'steadfast/testing';
import * as nodeEntry from 'steadfast/node';

const netError = (code: string, message = `connect ${code} 10.0.0.1:443`): Error =>
  Object.assign(new Error(message), { code });
const fetchFailed = (code: string): TypeError => new TypeError('fetch failed', { cause: netError(code) });

function collect(): { sink: (e: ResilienceEvent) => void; events: ResilienceEvent[]; of: <T extends ResilienceEvent['type']>(t: T) => Extract<ResilienceEvent, { type: T }>[] } {
  const events: ResilienceEvent[] = [];
  return {
    sink: (e) => events.push(e),
    events,
    of: <T extends ResilienceEvent['type']>(t: T) => events.filter((e): e is Extract<ResilienceEvent, { type: T }> => e.type === t),
  };
}

/** Rejection captured without leaving an unhandled promise while virtual time runs. */
function settleLater<T>(p: Promise<T>): { value: () => T | undefined; error: () => unknown; done: () => boolean } {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      error = e;
    },
  );
  return { value: () => value, error: () => error, done: () => done };
}

describe('SPEC Packaging: entry points', () => {
  it('steadfast exports the core names the SPEC fixes', () => {
    for (const name of [
      'parseDuration', 'exponential', 'constant', 'linear', 'schedule', 'delays', 'classify', 'isTransient',
      'parseRetryAfter', 'HttpError', 'withRetry', 'CircuitBreaker', 'BrokenCircuitError', 'BreakerRegistry',
      'RetryBudget', 'HealthCheck', 'httpProbe', 'ResilientClient', 'poll', 'pollDefaults', 'jsonLines',
      'textLines', 'systemClock',
    ]) {
      expect(core, name).toHaveProperty(name);
      expect((core as Record<string, unknown>)[name], name).toBeDefined();
    }
  });

  it('steadfast/testing has FakeClock, seededRandom, scriptedFetch, simulate', () => {
    for (const name of ['FakeClock', 'seededRandom', 'scriptedFetch', 'simulate']) expect(typeof (testing as Record<string, unknown>)[name], name).toBe('function');
  });

  it('steadfast/node has the file-backed Outbox with a static open()', () => {
    expect(typeof nodeEntry.Outbox).toBe('function');
    expect(typeof nodeEntry.Outbox.open).toBe('function');
  });

  it('the core entry does not export the Node-only Outbox', () => {
    expect(core).not.toHaveProperty('Outbox');
  });
});

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

describe('SPEC §1 Backoff', () => {
  it('waits 5s, 10s, 20s, 40s, 60s, 60s for {initial: "5s", max: "60s"} without jitter', () => {
    expect(delays(exponential({ initial: '5s', max: '60s', jitter: 'none' }), 6)).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it('"n = 10,000 still yields max": no overflow, NaN or Infinity', () => {
    const d = delays(exponential({ initial: '5s', max: '60s', jitter: 'none', multiplier: 10 }), 10_000);
    expect(d[9_999]).toBe(60_000);
    expect(d.every((x) => Number.isFinite(x) && x <= 60_000)).toBe(true);
  });

  it('multiplier defaults to 2 and jitter to full (every delay in [0, d])', () => {
    const random = seededRandom(3);
    const d = delays(exponential({ initial: '1s', max: '1h' }), 8, { random });
    d.forEach((x, i) => {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1_000 * 2 ** i);
    });
    // full jitter actually jitters
    expect(d.some((x, i) => x !== 1_000 * 2 ** i)).toBe(true);
  });

  it('multiplier < 1 is rejected', () => {
    expect(() => exponential({ initial: '1s', max: '5s', multiplier: 0.5 })).toThrow(/multiplier/);
  });

  it('"full: uniform in [0, d]" with random 0 and ~1 hits the ends', () => {
    const b = exponential({ initial: '4s', max: '1m', jitter: 'full' });
    expect(delays(b, 1, { random: () => 0 })).toEqual([0]);
    expect(delays(b, 1, { random: () => 0.999999 })[0]).toBeCloseTo(4_000, -1);
  });

  it('"equal: d/2 + uniform [0, d/2]"', () => {
    const b = exponential({ initial: '4s', max: '1m', jitter: 'equal' });
    expect(delays(b, 1, { random: () => 0 })).toEqual([2_000]);
    expect(delays(b, 1, { random: () => 0.5 })).toEqual([3_000]);
  });

  it('"decorrelated: min(max, uniform [initial, previous * 3])" stays in [initial, max]', () => {
    const b = exponential({ initial: '1s', max: '20s', jitter: 'decorrelated' });
    const d = delays(b, 200, { random: seededRandom(9) });
    expect(d.every((x) => x >= 1_000 && x <= 20_000)).toBe(true);
    let previous = 1_000;
    for (const x of d) {
      expect(x).toBeLessThanOrEqual(Math.max(1_000, previous * 3) + 1e-6);
      previous = x;
    }
  });

  it('"number f: d * (1 ± f)" and every delay lies in [0, max]', () => {
    const b = constant('10s', { jitter: 0.2 });
    expect(delays(b, 1, { random: () => 0 })[0]).toBeCloseTo(8_000, 0);
    expect(delays(b, 1, { random: () => 0.999999 })[0]).toBeCloseTo(12_000, -1);
    const e = exponential({ initial: '10s', max: '30s', jitter: 0.5 });
    expect(delays(e, 50, { random: seededRandom(1) }).every((x) => x >= 0 && x <= 30_000)).toBe(true);
  });

  it('jitter fraction outside [0, 1] is rejected', () => {
    expect(() => constant('1s', { jitter: 1.5 })).toThrow(RangeError);
    expect(() => constant('1s', { jitter: -0.1 })).toThrow(RangeError);
  });

  it('"for schedule, in [0, the largest listed delay * (1 + f)]"', () => {
    const b = schedule(['1s', '8s', '2s'], { jitter: 0.25, repeatLast: true });
    expect(delays(b, 100, { random: seededRandom(4) }).every((x) => x >= 0 && x <= 10_000)).toBe(true);
  });

  it('"schedule([4s, 8s, 16s, 32s, 64s]) allows exactly 5 retries (6 attempts) then stops"', async () => {
    const b = schedule(['4s', '8s', '16s', '32s', '64s']);
    expect(delays(b, 10)).toEqual([4_000, 8_000, 16_000, 32_000, 64_000]);
    const clock = new FakeClock();
    let attempts = 0;
    const run = settleLater(withRetry(async () => { attempts++; throw new Error('connection refused'); }, { backoff: b, maxRetries: Infinity, clock }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    expect(attempts).toBe(6);
    expect(clock.now()).toBe(124_000);
  });

  it('"with repeatLast it repeats the last delay forever"', () => {
    expect(delays(schedule(['4s', '8s'], { repeatLast: true }), 5)).toEqual([4_000, 8_000, 8_000, 8_000, 8_000]);
  });

  it('linear grows by step up to max', () => {
    expect(delays(linear({ initial: '1s', step: '2s', max: '6s', jitter: 'none' }), 5)).toEqual([1_000, 3_000, 5_000, 6_000, 6_000]);
  });

  it('"Pure: same inputs and random give the same delays"; a Backoff is reusable', () => {
    const b = exponential({ initial: '1s', max: '30s', jitter: 'decorrelated' });
    expect(delays(b, 20, { random: seededRandom(42) })).toEqual(delays(b, 20, { random: seededRandom(42) }));
  });
});

describe('SPEC §2 Classification', () => {
  it('rule 1: a caller AbortError is aborted; a TimeoutError is transient', () => {
    const abort = new AbortController();
    abort.abort();
    expect(classify(abort.signal.reason).kind).toBe('aborted');
    expect(classify(new DOMException('t', 'TimeoutError')).kind).toBe('transient');
    expect(isTransient(new DOMException('a', 'AbortError'))).toBe(false);
  });

  it('rule 2: BrokenCircuitError is transient with retryAfterMs = time until half-open', () => {
    const v = classify(new BrokenCircuitError(12_000, 'open'));
    expect(v.kind).toBe('transient');
    expect(v.retryAfterMs).toBe(12_000);
  });

  it.each([408, 425, 429, 500, 502, 503, 504, 507, 599])('rule 3: status %i is transient', (status) => {
    expect(classify(new HttpError(status)).kind).toBe('transient');
    expect(classify(new HttpError(status)).status).toBe(status);
  });

  it.each([400, 401, 403, 404, 409, 410, 422, 501, 505])('rule 3: status %i is permanent', (status) => {
    expect(classify(new HttpError(status)).kind).toBe('permanent');
  });

  it('rule 3: "any error with a numeric status/statusCode" counts', () => {
    expect(classify(Object.assign(new Error('x'), { statusCode: 503 })).kind).toBe('transient');
    expect(classify({ status: 404, message: 'gone' }).kind).toBe('permanent');
  });

  it('rule 3: "A Retry-After header on 429/503 sets retryAfterMs"', () => {
    const r429 = new Response(null, { status: 429, headers: { 'retry-after': '7' } });
    expect(classify(new HttpError(429, undefined, { response: r429 })).retryAfterMs).toBe(7_000);
    const r503 = new Response(null, { status: 503, headers: { 'retry-after': new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString() } });
    expect(classify(new HttpError(503, undefined, { response: r503 }), { now: Date.UTC(2030, 0, 1) }).retryAfterMs).toBe(30_000);
  });

  it.each([
    'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH',
    'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
  ])('rule 4: %s inside fetch failed is transient with the code', (code) => {
    const v = classify(fetchFailed(code));
    expect(v.kind).toBe('transient');
    expect(v.code).toBe(code);
  });

  it('rule 4: "anywhere on the cause chain (depth <= 5)"', () => {
    let e: Error = netError('ECONNRESET');
    for (let i = 0; i < 4; i++) e = new Error('wrapped', { cause: e });
    expect(classify(e).code).toBe('ECONNRESET');
    expect(classify(e).kind).toBe('transient');
  });

  it.each(['CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN'])(
    'rule 4: TLS trust failure %s is permanent "even inside a fetch failed"',
    (code) => {
      expect(classify(fetchFailed(code)).kind).toBe('permanent');
    },
  );

  it.each(['Failed to fetch', 'NetworkError when attempting to fetch resource.', 'Network request failed', 'Load failed'])(
    'rule 4: browser message "%s" is transient',
    (message) => {
      expect(classify(new TypeError(message)).kind).toBe('transient');
    },
  );

  it('rule 4: a bare TypeError("fetch failed") is transient', () => {
    expect(classify(new TypeError('fetch failed')).kind).toBe('transient');
  });

  it.each([
    ['TypeError', new TypeError('x is not a function')],
    ['RangeError', new RangeError('bad length')],
    ['SyntaxError', new SyntaxError('Unexpected token < in JSON')],
    ['ReferenceError', new ReferenceError('foo is not defined')],
  ])('rule 5: programmer error %s is permanent', (_n, e) => {
    expect(classify(e).kind).toBe('permanent');
  });

  it('rule 5 comes before rule 6: a RangeError mentioning "timeout" is still permanent', () => {
    expect(classify(new RangeError('timeout must be positive')).kind).toBe('permanent');
  });

  it.each(['Validation failed', 'invalid token', 'Unauthorized', 'Forbidden', 'Bad Request', 'malformed payload', 'missing required field', 'user not found'])(
    'rule 6: "%s" is permanent',
    (m) => {
      expect(classify(new Error(m)).kind).toBe('permanent');
    },
  );

  it.each(['Connection lost', 'TIMEOUT', 'request timed out', 'service unavailable', 'temporarily down', 'network down', 'refused', 'host unreachable', 'no route to host', 'socket reset', 'broken pipe', 'node offline', 'node not found'])(
    'rule 6: "%s" is transient',
    (m) => {
      expect(classify(new Error(m)).kind).toBe('transient');
    },
  );

  it('rule 6: "permanent ones take precedence" (invalid + timeout → permanent)', () => {
    expect(classify(new Error('invalid timeout value from upstream')).kind).toBe('permanent');
  });

  it('rule 7: anything else is o.unknown (default transient), reason "unclassified"', () => {
    expect(classify(new Error('the flux capacitor hiccuped'))).toMatchObject({ kind: 'transient', reason: 'unclassified' });
    expect(classify(new Error('the flux capacitor hiccuped'), { unknown: 'permanent' })).toMatchObject({ kind: 'permanent', reason: 'unclassified' });
    expect(classify('a string').kind).toBe('transient');
  });

  it('"ClassifyOptions lets users add or override statuses, codes and patterns"', () => {
    expect(classify(new HttpError(404), { statuses: { 404: 'transient' } } ).kind).toBe('transient');
    expect(classify(new HttpError(503), { statuses: { 503: 'permanent' } } ).kind).toBe('permanent');
    expect(classify(netError('EMYCODE', 'boom'), { codes: { EMYCODE: 'transient' } } ).kind).toBe('transient');
    expect(classify(netError('ECONNRESET'), { codes: { ECONNRESET: 'permanent' } } ).kind).toBe('permanent');
    expect(classify(new Error('quota exceeded'), { patterns: { transient: ['quota'] } }).kind).toBe('transient');
    expect(classify(new Error('printer on fire'), { patterns: { permanent: [/on fire/] } }).kind).toBe('permanent');
  });

  it('parseRetryAfter: delta-seconds or HTTP-date, in ms; garbage → undefined', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 7, 27, 0))).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.UTC(2015, 9, 21, 7, 29, 0))).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
  });

  it('HttpError carries status, response and retryAfterMs', () => {
    const response = new Response('x', { status: 503 });
    const e = new HttpError(503, 'down', { response, retryAfterMs: 4_000 });
    expect(e).toBeInstanceOf(Error);
    expect(e.status).toBe(503);
    expect(e.response).toBe(response);
    expect(e.retryAfterMs).toBe(4_000);
    expect(e.name).toBe('HttpError');
  });
});

describe('SPEC §3 withRetry', () => {
  const fixed = constant('1s', { jitter: 'none' });

  it('"A permanent error stops at once"; rejects with the last error, identity kept', async () => {
    const clock = new FakeClock();
    const error = new HttpError(404);
    let attempts = 0;
    const run = settleLater(withRetry(async () => { attempts++; throw error; }, { clock, backoff: fixed }));
    await clock.runAll();
    expect(run.error()).toBe(error);
    expect(attempts).toBe(1);
  });

  it('"rejects with the last attempt\'s error, unchanged" after retries run out', async () => {
    const clock = new FakeClock();
    const errors: Error[] = [];
    const run = settleLater(withRetry(async ({ attempt }) => {
      const e = new Error(`connection refused #${attempt}`);
      errors.push(e);
      throw e;
    }, { clock, backoff: fixed, maxRetries: 3 }));
    await clock.runAll();
    expect(errors).toHaveLength(4);
    expect(run.error()).toBe(errors[3]);
  });

  it('"maxRetries ... default 5"', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    const run = settleLater(withRetry(async () => { attempts++; throw new Error('timeout'); }, { clock, backoff: fixed }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    expect(attempts).toBe(6);
  });

  it('"0 = one attempt"', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    await expect(withRetry(async () => { attempts++; throw new Error('timeout'); }, { clock, maxRetries: 0 })).rejects.toThrow('timeout');
    expect(attempts).toBe(1);
  });

  it('"default exponential 500ms..30s, full jitter": first delay in [0, 500ms], later ones ≤ 30s', async () => {
    const clock = new FakeClock({ seed: 7 });
    const log = collect();
    const run = settleLater(withRetry(async () => { throw new Error('timeout'); }, { clock, maxRetries: 12, onEvent: log.sink }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    const d = log.of('retry').map((e) => e.delayMs);
    expect(d).toHaveLength(12);
    expect(d[0]).toBeLessThanOrEqual(500);
    expect(d[1]).toBeLessThanOrEqual(1_000);
    expect(d.every((x) => x >= 0 && x <= 30_000)).toBe(true);
  });

  it('attempt numbers are 1-based and ctx.signal is an AbortSignal', async () => {
    const clock = new FakeClock();
    const seen: number[] = [];
    const run = settleLater(withRetry(async ({ attempt, signal }) => {
      expect(signal).toBeInstanceOf(AbortSignal);
      seen.push(attempt);
      if (attempt < 3) throw new Error('timeout');
      return 'ok';
    }, { clock, backoff: fixed }));
    await clock.runAll();
    expect(run.value()).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('"Delay before retry n = max(backoff delay, retryAfterMs capped at maxRetryAfter)"', async () => {
    const clock = new FakeClock();
    const log = collect();
    const outcomes = [new HttpError(503, undefined, { retryAfterMs: 20_000 }), new HttpError(503, undefined, { retryAfterMs: 500 }), new HttpError(429, undefined, { retryAfterMs: 3_600_000 })];
    const run = settleLater(withRetry(async ({ attempt }) => {
      const e = outcomes[attempt - 1];
      if (e !== undefined) throw e;
      return 'ok';
    }, { clock, backoff: fixed, maxRetryAfter: '1m', onEvent: log.sink }));
    await clock.runAll();
    expect(run.value()).toBe('ok');
    expect(log.of('retry').map((e) => e.delayMs)).toEqual([20_000, 1_000, 60_000]);
  });

  it('"maxRetryAfter default 5m": a Retry-After of one hour waits 5 minutes', async () => {
    const clock = new FakeClock();
    const log = collect();
    const run = settleLater(withRetry(async ({ attempt }) => {
      if (attempt === 1) throw new HttpError(503, undefined, { retryAfterMs: 3_600_000 });
    }, { clock, backoff: fixed, onEvent: log.sink }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    expect(log.of('retry')[0]?.delayMs).toBe(300_000);
  });

  it('"signal aborts a sleep at once; the promise rejects with signal.reason"', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    const run = settleLater(withRetry(async () => { throw new Error('timeout'); }, { clock, backoff: constant('1h'), signal: abort.signal }));
    await clock.advance(1_000);
    expect(run.done()).toBe(false);
    const reason = new Error('shutting down');
    abort.abort(reason);
    await clock.settle();
    expect(run.error()).toBe(reason);
    expect(clock.pending).toBe(0);
  });

  it('"signal aborts an attempt at once" even when fn ignores its signal', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    const run = settleLater(withRetry(() => new Promise<never>(() => {}), { clock, signal: abort.signal }));
    await clock.settle();
    abort.abort('bye');
    await clock.settle();
    expect(run.error()).toBe('bye');
  });

  it('an already-aborted signal never calls fn', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; }, { signal: AbortSignal.abort('early'), clock: new FakeClock() })).rejects.toBe('early');
    expect(calls).toBe(0);
  });

  it('"No listener is left on signal after the call settles" (10,000 calls share one signal)', async () => {
    const { EventEmitter } = await import('node:events');
    const getEventListeners = EventEmitter.getEventListeners.bind(EventEmitter);
    const abort = new AbortController();
    const clock = new FakeClock();
    const warnings: unknown[] = [];
    const onWarning = (w: unknown): void => { warnings.push(w); };
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 10_000; i++) {
        await withRetry(async ({ attempt }) => (attempt === 1 && i % 100 === 0 ? Promise.reject(new Error('timeout')) : i), {
          clock, signal: abort.signal, backoff: constant(0), attemptTimeout: '5s',
        });
      }
      expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
      expect(warnings).toEqual([]);
      expect(clock.pending).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('attemptTimeout: a hung attempt fails with a transient TimeoutError and is retried', async () => {
    const clock = new FakeClock();
    const log = collect();
    const run = settleLater(withRetry(async ({ attempt, signal }) => {
      if (attempt === 1) return new Promise<string>((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      return 'second';
    }, { clock, attemptTimeout: '2s', backoff: fixed, onEvent: log.sink }));
    await clock.runAll();
    expect(run.value()).toBe('second');
    expect(log.of('retry')[0]?.verdict.kind).toBe('transient');
    expect(clock.now()).toBe(3_000);
  });

  it('"maxElapsed: no retry is started whose sleep would end past it"', async () => {
    const clock = new FakeClock();
    const log = collect();
    let attempts = 0;
    const run = settleLater(withRetry(async () => { attempts++; throw new Error('timeout'); }, {
      clock, backoff: constant('4s'), maxRetries: Infinity, maxElapsed: '10s', onEvent: log.sink,
    }));
    await clock.runAll();
    // sleeps end at 4s, 8s; the third would end at 12s > 10s
    expect(attempts).toBe(3);
    expect(clock.now()).toBe(8_000);
    expect(log.of('give_up')[0]?.reason).toBe('max-elapsed');
  });

  it('"budget: a retry the budget refuses is not made; the last error is thrown"', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 0, clock });
    const error = new Error('timeout');
    let attempts = 0;
    const log = collect();
    const run = settleLater(withRetry(async () => { attempts++; throw error; }, { clock, budget, backoff: fixed, onEvent: log.sink }));
    await clock.runAll();
    expect(run.error()).toBe(error);
    expect(attempts).toBe(1);
    expect(log.of('give_up')[0]?.reason).toBe('budget');
  });

  it('retryOn decides instead of the verdict (here: retry a 404 twice)', async () => {
    const clock = new FakeClock();
    let attempts = 0;
    const run = settleLater(withRetry(async () => { attempts++; if (attempts < 3) throw new HttpError(404); return 'found'; }, {
      clock, backoff: fixed, retryOn: (_e, v) => v.status === 404,
    }));
    await clock.runAll();
    expect(run.value()).toBe('found');
    expect(attempts).toBe(3);
  });

  it('"Emits retry before each sleep": fields attempt, maxRetries, delayMs, verdict, error', async () => {
    const clock = new FakeClock({ now: Date.UTC(2026, 0, 1) });
    const log = collect();
    let sleptBeforeEvent: boolean | undefined;
    const start = clock.now();
    const run = settleLater(withRetry(async ({ attempt }) => {
      if (attempt === 1) throw fetchFailed('ECONNREFUSED');
      return 1;
    }, {
      clock, backoff: constant('5s'), maxRetries: 10, name: 'checkin',
      onEvent: (e) => { sleptBeforeEvent = clock.now() !== start; log.sink(e); },
    }));
    await clock.runAll();
    expect(run.value()).toBe(1);
    expect(sleptBeforeEvent).toBe(false);
    expect(log.events).toEqual([
      {
        type: 'retry', time: '2026-01-01T00:00:00.000Z', name: 'checkin', attempt: 1, maxRetries: 10, delayMs: 5_000,
        verdict: expect.objectContaining({ kind: 'transient', code: 'ECONNREFUSED' }),
        error: expect.objectContaining({ name: 'TypeError', code: 'ECONNREFUSED' }),
      },
    ]);
    expect(formatEvent(log.events[0] as ResilienceEvent)).toBe('[RETRY] checkin: retry 1/10 in 5s: connection refused');
  });

  it('"give_up when it stops on an error": attempts, elapsedMs, reason, error', async () => {
    const clock = new FakeClock();
    const log = collect();
    const run = settleLater(withRetry(async () => { throw new HttpError(503); }, { clock, backoff: constant('2s'), maxRetries: 2, name: 'upload', onEvent: log.sink }));
    await clock.runAll();
    expect(run.error()).toBeInstanceOf(HttpError);
    const g = log.of('give_up');
    expect(g).toHaveLength(1);
    expect(g[0]).toMatchObject({ type: 'give_up', name: 'upload', attempts: 3, elapsedMs: 4_000, reason: 'max-retries', error: { name: 'HttpError', status: 503 } });
  });

  it('give_up for a permanent error has reason "permanent" and no retry event', async () => {
    const clock = new FakeClock();
    const log = collect();
    await expect(withRetry(async () => { throw new HttpError(400); }, { clock, onEvent: log.sink })).rejects.toBeInstanceOf(HttpError);
    expect(log.of('retry')).toHaveLength(0);
    expect(log.of('give_up')[0]).toMatchObject({ attempts: 1, reason: 'permanent' });
  });

  it('no give_up on success, and a throwing sink does not break the call', async () => {
    const clock = new FakeClock();
    const run = settleLater(withRetry(async ({ attempt }) => { if (attempt === 1) throw new Error('timeout'); return 'ok'; }, {
      clock, backoff: fixed, onEvent: () => { throw new Error('logger broke'); },
    }));
    await clock.runAll();
    expect(run.value()).toBe('ok');
  });

  it('maxRetries: Infinity is JSON-safe in events (maxRetries: null)', async () => {
    const clock = new FakeClock();
    const log = collect();
    const run = settleLater(withRetry(async ({ attempt }) => { if (attempt === 1) throw new Error('timeout'); }, { clock, backoff: fixed, maxRetries: Infinity, onEvent: log.sink }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    expect(log.of('retry')[0]?.maxRetries).toBeNull();
    expect(JSON.parse(JSON.stringify(log.events))).toEqual(log.events);
  });
});

describe('SPEC §3 withRetry: invalid options reject naming the option (documented: rejects, never throws)', () => {
  it.each([
    ['maxRetries', { maxRetries: -1 }],
    ['maxRetries', { maxRetries: 1.5 }],
    ['retryOn', { retryOn: 'x' as never }],
    ['backoff', { backoff: {} as never }],
    ['maxRetryAfter', { maxRetryAfter: 'x' }],
    ['attemptTimeout', { attemptTimeout: 0 }],
  ])('a bad %s rejects before the first attempt', async (option, o) => {
    let calls = 0;
    const p = withRetry(async () => { calls++; }, { clock: new FakeClock(), ...o });
    await expect(p).rejects.toThrow(new RegExp(option));
    expect(calls).toBe(0);
  });

  it('a non-function fn rejects with a TypeError saying so (not "fn is not a function")', async () => {
    await expect(withRetry('nope' as never)).rejects.toThrow(/steadfast: withRetry needs a function/);
  });
});

describe('SPEC §4 CircuitBreaker', () => {
  const boom = (): Promise<never> => Promise.reject(new Error('connection refused'));

  async function openBreaker(b: CircuitBreaker, n = 5): Promise<void> {
    for (let i = 0; i < n; i++) await b.execute(boom).catch(() => {});
  }

  it('defaults: opens after 5 consecutive failures, for 30s', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock });
    await openBreaker(b, 4);
    expect(b.state).toBe('closed');
    await openBreaker(b, 1);
    expect(b.state).toBe('open');
    await clock.advance(29_999);
    expect(b.state).toBe('open');
    await clock.advance(1);
    expect(b.state).toBe('half-open');
  });

  it('a success resets the consecutive count', async () => {
    const b = new CircuitBreaker({ clock: new FakeClock(), failureThreshold: 3 });
    await openBreaker(b, 2);
    await b.execute(async () => 1);
    await openBreaker(b, 2);
    expect(b.state).toBe('closed');
  });

  it('"Open → rejects at once with BrokenCircuitError, fn not called"; retryAfterMs counts down', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '10s' });
    await openBreaker(b, 1);
    await clock.advance(4_000);
    let called = false;
    const e = await b.execute(async () => { called = true; }).catch((x: unknown) => x);
    expect(called).toBe(false);
    expect(e).toBeInstanceOf(BrokenCircuitError);
    expect((e as BrokenCircuitError).retryAfterMs).toBe(6_000);
    expect(classify(e).retryAfterMs).toBe(6_000);
  });

  it('"at most halfOpenMaxCalls at a time; the others get BrokenCircuitError"; all trials succeeding close it', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '1s', halfOpenMaxCalls: 2 });
    await openBreaker(b, 1);
    await clock.advance(1_000);
    const gates: Array<() => void> = [];
    const trial = (): Promise<string> => b.execute(() => new Promise<string>((r) => gates.push(() => r('ok'))));
    const t1 = trial();
    const t2 = trial();
    await expect(trial()).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(gates).toHaveLength(2);
    gates[0]?.();
    await t1;
    expect(b.state).toBe('half-open');
    gates[1]?.();
    await t2;
    expect(b.state).toBe('closed');
  });

  it('"any trial failing re-opens it"', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '1s' });
    await openBreaker(b, 1);
    await clock.advance(1_000);
    await b.execute(boom).catch(() => {});
    expect(b.state).toBe('open');
  });

  it('"a Backoff grows the open time on each re-open"', async () => {
    const clock = new FakeClock();
    const log = collect();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: exponential({ initial: '1s', max: '1m', jitter: 'none' }), onEvent: log.sink });
    await openBreaker(b, 1);
    for (const wait of [1_000, 2_000, 4_000]) {
      await clock.advance(wait);
      expect(b.state).toBe('half-open');
      await b.execute(boom).catch(() => {});
    }
    expect(log.of('breaker_open').map((e) => e.openForMs)).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('"By default only transient errors count as failures (a 404 or a caller abort does not open it)"', async () => {
    const b = new CircuitBreaker({ clock: new FakeClock(), failureThreshold: 1 });
    await b.execute(() => Promise.reject(new HttpError(404))).catch(() => {});
    const abort = new AbortController();
    abort.abort();
    await b.execute(() => Promise.reject(abort.signal.reason)).catch(() => {});
    expect(b.state).toBe('closed');
  });

  it('isFailure overrides what counts', async () => {
    const b = new CircuitBreaker({ clock: new FakeClock(), failureThreshold: 1, isFailure: (e) => e instanceof HttpError });
    await b.execute(() => Promise.reject(new HttpError(404))).catch(() => {});
    expect(b.state).toBe('open');
  });

  it('"A trial that never settles cannot wedge the breaker": its slot is released after openFor', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '5s' });
    await openBreaker(b, 1);
    await clock.advance(5_000);
    void b.execute(() => new Promise(() => {})).catch(() => {});
    await expect(b.execute(async () => 1)).rejects.toBeInstanceOf(BrokenCircuitError);
    await clock.advance(5_000);
    // the hung trial counted as failed → re-opened; after openFor again a trial is allowed
    await clock.advance(10_000);
    await expect(b.execute(async () => 'alive')).resolves.toBe('alive');
  });

  it('"With failureRate, opens only once at least minimumCalls calls were seen in window"', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureRate: 0.5, minimumCalls: 4, window: '10s' });
    await openBreaker(b, 3);
    expect(b.state).toBe('closed');
    await openBreaker(b, 1);
    expect(b.state).toBe('open');
  });

  it('"simultaneous failures at the threshold still lead to half-open after openFor"', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureRate: 0.5, minimumCalls: 4, window: '10s', openFor: '3s' });
    const rejects: Array<() => void> = [];
    const calls = Array.from({ length: 8 }, () => b.execute(() => new Promise<never>((_r, j) => rejects.push(() => j(new Error('timeout'))))).catch(() => {}));
    for (const r of rejects) r();
    await Promise.all(calls);
    expect(b.state).toBe('open');
    await clock.advance(3_000);
    expect(b.state).toBe('half-open');
    await b.execute(async () => 1);
    expect(b.state).toBe('closed');
  });

  it('"No timers": an open breaker leaves no pending virtual timer', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1 });
    await openBreaker(b, 1);
    expect(clock.pending).toBe(0);
  });

  it('isolate() refuses every call until reset(); reset() closes it', async () => {
    const b = new CircuitBreaker({ clock: new FakeClock() });
    b.isolate();
    expect(b.state).toBe('isolated');
    const e = await b.execute(async () => 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BrokenCircuitError);
    b.reset();
    expect(b.state).toBe('closed');
    await expect(b.execute(async () => 2)).resolves.toBe(2);
  });

  it('snapshot() is JSON-safe and restores via initialState', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '10s' });
    await openBreaker(b, 1);
    const snap = JSON.parse(JSON.stringify(b.snapshot())) as ReturnType<CircuitBreaker['snapshot']>;
    expect(JSON.parse(JSON.stringify(snap))).toEqual(b.snapshot());
    const restored = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '10s', initialState: snap });
    expect(restored.state).toBe('open');
    await clock.advance(10_000);
    expect(restored.state).toBe('half-open');
  });

  it('events: breaker_open {failures, openForMs}, breaker_half_open, breaker_closed {downtimeMs}', async () => {
    const clock = new FakeClock();
    const log = collect();
    const b = new CircuitBreaker({ clock, name: 'api', onEvent: log.sink });
    await openBreaker(b, 5);
    await clock.advance(30_000);
    await b.execute(async () => 1);
    expect(log.events.map((e) => e.type)).toEqual(['breaker_open', 'breaker_half_open', 'breaker_closed']);
    expect(log.of('breaker_open')[0]).toMatchObject({ name: 'api', failures: 5, openForMs: 30_000 });
    expect(log.of('breaker_closed')[0]).toMatchObject({ name: 'api', downtimeMs: 30_000 });
    expect(formatEvent(log.events[0] as ResilienceEvent)).toMatch(/^\[CIRCUIT_BREAKER\] api: opened after 5 failures/);
  });

  it('cross: withRetry(() => breaker.execute(fn)) waits for half-open instead of spinning', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 2, openFor: '20s' });
    let calls = 0;
    const run = settleLater(withRetry(() => b.execute(async () => { calls++; if (calls <= 2) throw new Error('connection refused'); return 'up'; }), {
      clock, backoff: constant('100ms', { jitter: 'none' }), maxRetries: 5,
    }));
    await clock.runAll();
    expect(run.value()).toBe('up');
    expect(calls).toBe(3);
    // 100ms after the first failure, then the breaker's 20s
    expect(clock.now()).toBeGreaterThanOrEqual(20_100);
    expect(b.state).toBe('closed');
  });

  it('BreakerRegistry keeps one breaker per key', () => {
    const reg = new BreakerRegistry({ clock: new FakeClock() });
    expect(reg.get('a.example')).toBe(reg.get('a.example'));
    expect(reg.get('a.example')).not.toBe(reg.get('b.example'));
  });

  it('"bounded in size": 10,000 keys in a registry do not grow it past maxSize; open ones survive eviction', async () => {
    const clock = new FakeClock();
    const reg = new BreakerRegistry({ maxSize: 100, clock });
    const open = reg.get('sick-host', { failureThreshold: 1 });
    await open.execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
    for (let i = 0; i < 10_000; i++) reg.get(`host-${i}`);
    expect(reg.size).toBeLessThanOrEqual(100);
    expect(reg.get('sick-host').state).toBe('open');
  });

  it('"Ten thousand breakers fit in a few MB" (each opened once, no timers)', async () => {
    const clock = new FakeClock();
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    const all: CircuitBreaker[] = [];
    for (let i = 0; i < 10_000; i++) {
      const b = new CircuitBreaker({ clock, failureThreshold: 1, name: `b${i}` });
      await b.execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
      all.push(b);
    }
    const used = process.memoryUsage().heapUsed - before;
    expect(all.every((b) => b.state === 'open')).toBe(true);
    expect(clock.pending).toBe(0);
    expect(used).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('SPEC §5 RetryBudget', () => {
  it('defaults: ratio 0.2, minPerSecond 10, window 10s → with no calls, 100 retries then refusal', () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ clock });
    let allowed = 0;
    for (let i = 0; i < 500; i++) if (budget.tryRetry()) allowed++;
    expect(allowed).toBe(100);
  });

  it('"retries may add at most ratio of the calls seen in window, plus minPerSecond"', () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 0, window: '10s', clock });
    for (let i = 0; i < 10; i++) budget.recordCall();
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (budget.tryRetry()) allowed++;
    expect(allowed).toBe(5);
  });

  it('the budget refills as calls leave the window', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, window: '10s', clock });
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (budget.tryRetry()) allowed++;
    expect(allowed).toBe(10);
    expect(budget.tryRetry()).toBe(false);
    await clock.advance(11_000);
    expect(budget.tryRetry()).toBe(true);
  });

  it('"Shared by every call of a client, it caps retry amplification during an outage"', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([503], { clock, repeatLast: true });
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 0, window: '10s', clock });
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, budget, breaker: false, health: false,
      retry: { backoff: constant('10ms', { jitter: 'none' }), maxRetries: 5 },
    });
    const runs = Array.from({ length: 50 }, () => settleLater(client.getJSON('/x')));
    await clock.runAll();
    expect(runs.every((r) => r.error() instanceof HttpError)).toBe(true);
    // 50 calls, at most 10% extra attempts (not 50 * 6)
    expect(fetch.calls.length).toBeLessThanOrEqual(55);
    expect(client.stats().requests).toBe(50);
    client.close();
  });
});

describe('SPEC §6 HealthCheck', () => {
  it('"A probe that throws ... is a failure"; status goes unknown → unhealthy → healthy', async () => {
    const clock = new FakeClock();
    let ok = false;
    const h = new HealthCheck({ clock, probe: async () => { if (!ok) throw new Error('connection refused'); } });
    expect(h.status).toBe('unknown');
    expect(await h.check()).toBe(false);
    expect(h.status).toBe('unhealthy');
    ok = true;
    expect(await h.check()).toBe(true);
    expect(h.status).toBe('healthy');
  });

  it('"A probe that ... times out is a failure" (default 5s), and the probe signal is aborted', async () => {
    const clock = new FakeClock();
    let aborted = false;
    const h = new HealthCheck({ clock, probe: (signal) => new Promise((_r, j) => signal.addEventListener('abort', () => { aborted = true; j(signal.reason); })) });
    const result = settleLater(h.check());
    await clock.advance(4_999);
    expect(result.done()).toBe(false);
    await clock.advance(1);
    await clock.settle();
    expect(result.value()).toBe(false);
    expect(aborted).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('"(for httpProbe) answers non-2xx is a failure"; 2xx passes; expect narrows but never admits a non-2xx', async () => {
    const clock = new FakeClock();
    for (const [status, want] of [[200, true], [204, true], [301, false], [404, false], [503, false]] as const) {
      const h = new HealthCheck({ clock, probe: httpProbe('http://api.test/health', { fetch: scriptedFetch([status], { clock }) }) });
      expect(await h.check(), String(status)).toBe(want);
    }
    const lenient = new HealthCheck({ clock, probe: httpProbe('http://api.test/health', { fetch: scriptedFetch([503], { clock }), expect: () => true }) });
    expect(await lenient.check()).toBe(false);
    const strict = new HealthCheck({ clock, probe: httpProbe('http://api.test/health', { fetch: scriptedFetch([200], { clock }), expect: (r) => r.headers.get('x-ready') === '1' }) });
    expect(await strict.check()).toBe(false);
  });

  it('healthyAfter / unhealthyAfter need consecutive results before flipping', async () => {
    const clock = new FakeClock();
    let ok = true;
    const h = new HealthCheck({ clock, healthyAfter: 2, unhealthyAfter: 3, probe: async () => { if (!ok) throw new Error('down'); } });
    await h.check();
    expect(h.status).not.toBe('healthy');
    await h.check();
    expect(h.status).toBe('healthy');
    ok = false;
    await h.check();
    await h.check();
    expect(h.status).toBe('healthy');
    await h.check();
    expect(h.status).toBe('unhealthy');
  });

  it('start() probes every interval (default 30s); stop() leaves no timer', async () => {
    const clock = new FakeClock();
    let probes = 0;
    const h = new HealthCheck({ clock, probe: async () => { probes++; } });
    h.start();
    await clock.advance(90_500);
    expect(probes).toBeGreaterThanOrEqual(3);
    expect(probes).toBeLessThanOrEqual(4);
    h.stop();
    await clock.settle();
    const after = probes;
    await clock.advance(120_000);
    expect(probes).toBe(after);
    expect(clock.pending).toBe(0);
  });

  it('"Periodic timers are unref\'d": start() with the system clock does not keep Node alive', () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const h = new HealthCheck({ probe: async () => {}, interval: '1h' });
    h.start();
    try {
      // an unref'd Timeout is not reported as an active resource
      const during = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      expect(during).toBe(before);
    } finally {
      h.stop();
    }
  });

  it('events: health_ok {latencyMs}, health_fail {error}', async () => {
    const clock = new FakeClock();
    const log = collect();
    let ok = false;
    const h = new HealthCheck({ clock, name: 'api', onEvent: log.sink, probe: async () => { await clock.sleep(12); if (!ok) throw netError('ECONNREFUSED'); } });
    const a = settleLater(h.check());
    await clock.runAll();
    ok = true;
    const b = settleLater(h.check());
    await clock.runAll();
    expect([a.value(), b.value()]).toEqual([false, true]);
    expect(log.of('health_fail')[0]).toMatchObject({ name: 'api', error: { code: 'ECONNREFUSED' } });
    expect(log.of('health_ok')[0]).toMatchObject({ name: 'api', latencyMs: 12 });
  });

  it('waitUntilHealthy() resolves once a probe passes; rejects with signal.reason on abort', async () => {
    const clock = new FakeClock();
    let n = 0;
    const h = new HealthCheck({ clock, probe: async () => { n++; if (n < 3) throw new Error('down'); } });
    const w = settleLater(h.waitUntilHealthy({ backoff: constant('1s', { jitter: 'none' }) }));
    await clock.runAll();
    expect(w.done()).toBe(true);
    expect(w.error()).toBeUndefined();
    expect(n).toBe(3);

    const never = new HealthCheck({ clock, probe: async () => { throw new Error('down'); } });
    const abort = new AbortController();
    const w2 = settleLater(never.waitUntilHealthy({ signal: abort.signal, backoff: constant('1s') }));
    await clock.advance(5_000);
    abort.abort('stop waiting');
    await clock.settle();
    expect(w2.error()).toBe('stop waiting');
    expect(clock.pending).toBe(0);
  });
});

describe('SPEC §4 BreakerRegistry bound holds even when every breaker is open', () => {
  it('10,000 open breakers through a registry of maxSize 50 keep it at 50', async () => {
    const clock = new FakeClock();
    const reg = new BreakerRegistry({ maxSize: 50, clock });
    for (let i = 0; i < 10_000; i++) {
      await reg.get(`h${i}`, { failureThreshold: 1 }).execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
    }
    expect(reg.size).toBe(50);
    expect(clock.pending).toBe(0);
    expect(JSON.parse(JSON.stringify(reg.snapshot()))).toEqual(reg.snapshot());
  });
});

describe('SPEC §7 ResilientClient', () => {
  const quick = { backoff: constant('1s', { jitter: 'none' }), maxRetries: 3 };
  function make(script: Parameters<typeof scriptedFetch>[0], extra: Partial<ConstructorParameters<typeof ResilientClient>[0]> = {}, repeatLast = false) {
    const clock = new FakeClock({ now: Date.UTC(2026, 0, 1) });
    const fetch = scriptedFetch(script, { clock, repeatLast });
    const log = collect();
    const client = new ResilientClient({ baseUrl: 'http://api.test/v1/', fetch, clock, retry: quick, breaker: false, health: false, budget: false, onEvent: log.sink, ...extra });
    return { clock, fetch, log, client };
  }

  it('"Each attempt gets its own timeout signal": a hung first attempt times out, the second succeeds', async () => {
    const { clock, fetch, client } = make(['hang', 200], { timeout: '3s' });
    const r = settleLater(client.fetch('/ping'));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls.map((c) => c.time - Date.UTC(2026, 0, 1))).toEqual([0, 4_000]);
    expect(clock.pending).toBe(0);
  });

  it('"...combined with the caller\'s signal": aborting rejects at once with its reason, not retried', async () => {
    const { clock, fetch, client } = make(['hang', 200]);
    const abort = new AbortController();
    const r = settleLater(client.fetch('/ping', { signal: abort.signal }));
    await clock.advance(100);
    abort.abort(new Error('user cancelled'));
    await clock.runAll();
    expect((r.error() as Error).message).toBe('user cancelled');
    expect(fetch.calls).toHaveLength(1);
    expect(client.stats().failures.aborted).toBe(1);
  });

  it('"Non-2xx after retries → rejects with HttpError (status, response, retryAfterMs)", isTransient tells', async () => {
    const { clock, client } = make([{ status: 503, headers: { 'retry-after': '2' } }], {}, true);
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    const e = r.error() as HttpError;
    expect(e).toBeInstanceOf(HttpError);
    expect(e.status).toBe(503);
    expect(e.response).toBeInstanceOf(Response);
    expect(e.retryAfterMs).toBe(2_000);
    expect(isTransient(e)).toBe(true);

    const p = make([403]);
    const r2 = settleLater(p.client.fetch('/x'));
    await p.clock.runAll();
    expect((r2.error() as HttpError).status).toBe(403);
    expect(isTransient(r2.error())).toBe(false);
    expect(p.fetch.calls).toHaveLength(1);
  });

  it('a server Retry-After is honoured, capped by maxRetryAfter', async () => {
    const { clock, fetch, client } = make([{ status: 429, headers: { 'retry-after': '3600' } }, 200], { retry: { ...quick, maxRetryAfter: '20s' } });
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect((fetch.calls[1]?.time ?? 0) - (fetch.calls[0]?.time ?? 0)).toBe(20_000);
  });

  it('3xx responses resolve (documented: only 4xx/5xx throw)', async () => {
    const { clock, client } = make([304]);
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.value()?.status).toBe(304);
  });

  it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])('"%s ... are retried" on a 503', async (method) => {
    const { clock, fetch, client } = make([503, 200]);
    const r = settleLater(client.fetch('/x', { method }));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls.map((c) => c.method)).toEqual([method, method]);
  });

  it.each(['POST', 'PATCH'])('"%s only with idempotent: true or an idempotencyKey"', async (method) => {
    const plain = make([503, 200]);
    const r1 = settleLater(plain.client.fetch('/x', { method, body: 'a' }));
    await plain.clock.runAll();
    expect((r1.error() as HttpError).status).toBe(503);
    expect(plain.fetch.calls).toHaveLength(1);

    const marked = make([503, 200]);
    const r2 = settleLater(marked.client.fetch('/x', { method, body: 'a', idempotent: true }));
    await marked.clock.runAll();
    expect(r2.value()?.status).toBe(200);
    expect(marked.fetch.calls).toHaveLength(2);
  });

  it('"an idempotencyKey (sent as the Idempotency-Key header, the same value on every attempt)"', async () => {
    const { clock, fetch, client } = make([503, 502, 200]);
    const r = settleLater(client.postJSON('/checkin', { id: 1 }, { idempotencyKey: 'checkin-1' }));
    const fetch2 = make([503, 200]);
    const r2 = settleLater(fetch2.client.fetch('/x', { method: 'POST', body: 'x', idempotencyKey: true }));
    await clock.runAll();
    await fetch2.clock.runAll();
    expect(r.error()).toBeUndefined();
    expect(fetch.calls.map((c) => c.headers['idempotency-key'])).toEqual(['checkin-1', 'checkin-1', 'checkin-1']);
    expect(r2.value()?.status).toBe(200);
    const keys = fetch2.fetch.calls.map((c) => c.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    '"A failure that proves the request never reached the server (%s) is retried for every method"',
    async (code) => {
      const { clock, fetch, client } = make([fetchFailed(code), 201]);
      const r = settleLater(client.fetch('/x', { method: 'POST', body: 'payload' }));
      await clock.runAll();
      expect(r.value()?.status).toBe(201);
      expect(fetch.calls).toHaveLength(2);
    },
  );

  it('a POST whose connection reset mid-flight (may have reached the server) is not retried', async () => {
    const { clock, fetch, client } = make([fetchFailed('ECONNRESET'), 201]);
    const r = settleLater(client.fetch('/x', { method: 'POST', body: 'payload' }));
    await clock.runAll();
    expect(r.error()).toBeInstanceOf(TypeError);
    expect(fetch.calls).toHaveLength(1);
  });

  it('"...an open breaker" refusal is retried for a POST too, once the breaker half-opens', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([fetchFailed('ECONNRESET'), 201], { clock });
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, budget: false, health: false,
      breaker: { failureThreshold: 1, openFor: '5s' }, retry: { backoff: constant('100ms', { jitter: 'none' }), maxRetries: 5 },
    });
    // ECONNRESET opens the breaker; the keyed POST is retried, the breaker refuses until 5s, then it goes through
    const r = settleLater(client.fetch('/a', { method: 'POST', body: 'x', idempotencyKey: 'k' }));
    await clock.runAll();
    expect(r.value()?.status).toBe(201);
    expect(fetch.calls).toHaveLength(2);
    expect((fetch.calls[1]?.time ?? 0) - (fetch.calls[0]?.time ?? 0)).toBeGreaterThanOrEqual(5_000);
    const s = client.stats();
    expect(s.breakerOpens).toBe(1);
    expect(s.shortCircuited).toBeGreaterThanOrEqual(0);
    client.close();
  });

  it('a plain POST (no key) refused by an open breaker is retried: the refusal proves it was never sent', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([503, 201], { clock });
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, budget: false, health: false,
      breaker: { failureThreshold: 1, openFor: '5s' }, retry: { backoff: constant('100ms', { jitter: 'none' }), maxRetries: 5 },
    });
    const g = settleLater(client.fetch('/a', { retry: { maxRetries: 0 } }));
    await clock.settle();
    expect((g.error() as HttpError).status).toBe(503);
    expect(client.stats().state).toBe('open');
    const p = settleLater(client.fetch('/b', { method: 'POST', body: 'x' }));
    await clock.runAll();
    expect(p.value()?.status).toBe(201);
    expect(fetch.calls.map((c) => c.method)).toEqual(['GET', 'POST']);
    expect(fetch.calls[1]?.time).toBeGreaterThanOrEqual(5_000);
    expect(client.stats().shortCircuited).toBeGreaterThanOrEqual(1);
    client.close();
  });

  it('"The body of a response that will be retried is cancelled before the next attempt"', async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    const body = (): ReadableStream<Uint8Array> => new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(8)); }, cancel() { order.push('cancel'); } });
    // A hand-written fetch: scriptedFetch plays clones, whose cancel never reaches the source stream.
    let n = 0;
    const fetch = async (): Promise<Response> => {
      n++;
      order.push(`call ${n}`);
      return n === 1 ? new Response(body(), { status: 503 }) : new Response('ok');
    };
    const client = new ResilientClient({ baseUrl: 'http://api.test', fetch, clock, retry: quick, breaker: false, health: false, budget: false });
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(order).toEqual(['call 1', 'cancel', 'call 2']);
  });

  it.each([
    ['string', () => 'hello'],
    ['ArrayBuffer', () => new TextEncoder().encode('hello').buffer],
    ['Uint8Array', () => new TextEncoder().encode('hello')],
    ['Blob', () => new Blob(['hello'])],
    ['URLSearchParams', () => new URLSearchParams({ a: '1' })],
  ])('"Bodies that can be replayed (%s) are sent again on each attempt"', async (_k, makeBody) => {
    const { clock, fetch, client } = make([503, 503, 200]);
    const r = settleLater(client.fetch('/x', { method: 'PUT', body: makeBody() }));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls).toHaveLength(3);
    expect(new Set(fetch.calls.map((c) => c.body)).size).toBe(1);
    expect(fetch.calls[0]?.body).not.toBe('');
  });

  it('FormData bodies are replayed too', async () => {
    const { clock, fetch, client } = make([503, 200]);
    const form = new FormData();
    form.set('field', 'value');
    const r = settleLater(client.fetch('/x', { method: 'PUT', body: form }));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls.every((c) => c.body?.includes('value'))).toBe(true);
  });

  it('"a stream body is sent once and not retried"', async () => {
    const { clock, fetch, client } = make([503, 200]);
    const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('s')); c.close(); } });
    const r = settleLater(client.fetch('/x', { method: 'PUT', body: stream }));
    await clock.runAll();
    expect((r.error() as HttpError).status).toBe(503);
    expect(fetch.calls).toHaveLength(1);
  });

  it('"401 → onUnauthorized() once, then the request is retried once with fresh headers()"', async () => {
    let token = 'old';
    let refreshes = 0;
    const { clock, fetch, client } = make([401, 401, 200], {
      headers: () => ({ authorization: `Bearer ${token}` }),
      onUnauthorized: async () => { refreshes++; token = 'new'; },
    });
    const r = settleLater(client.fetch('/me'));
    await clock.runAll();
    expect((r.error() as HttpError).status).toBe(401);
    expect(refreshes).toBe(1);
    expect(fetch.calls.map((c) => c.headers['authorization'])).toEqual(['Bearer old', 'Bearer new']);

    token = 'old';
    const ok = make([401, 200], { headers: () => ({ authorization: `Bearer ${token}` }), onUnauthorized: async () => { token = 'fresh'; } });
    const r2 = settleLater(ok.client.fetch('/me'));
    await ok.clock.runAll();
    expect(r2.value()?.status).toBe(200);
    expect(ok.fetch.calls[1]?.headers['authorization']).toBe('Bearer fresh');
  });

  it('"While the breaker is open and health is on, the client probes health.path and half-opens the breaker as soon as a probe succeeds"', async () => {
    const clock = new FakeClock();
    let serverUp = false;
    const fetch = scriptedFetch([(call) => (serverUp ? 200 : call.url.endsWith('/status') ? 503 : fetchFailed('ECONNREFUSED'))], { clock, repeatLast: true });
    const log = collect();
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, budget: false, onEvent: log.sink, name: 'checkin',
      breaker: { failureThreshold: 2, openFor: '10m' }, health: { path: '/status', interval: '2s' },
      retry: { backoff: constant('1s', { jitter: 'none' }), maxRetries: Infinity },
    });
    const r = settleLater(client.getJSON('/tasks').catch(() => 'x'));
    await clock.advance(30_000);
    expect(client.stats().state).toBe('open');
    const probesBefore = fetch.calls.filter((c) => c.url === 'http://api.test/status').length;
    expect(probesBefore).toBeGreaterThan(0);
    serverUp = true;
    const upAt = clock.now();
    await clock.advance(5_000);
    await clock.settle();
    expect(r.done()).toBe(true);
    const reqs = fetch.calls.filter((c) => c.url === 'http://api.test/tasks');
    // recovered via the probe in ≤ one probe interval, long before openFor (10m)
    expect((reqs.at(-1)?.time ?? 0) - upAt).toBeLessThanOrEqual(2_000);
    expect(client.stats().state).toBe('closed');
    const types = log.events.map((e) => e.type);
    expect(types).toContain('breaker_half_open');
    expect(types).toContain('health_ok');
    const rec = log.of('recovered');
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ name: 'checkin' });
    expect(rec[0]?.downtimeMs).toBeGreaterThanOrEqual(30_000);
    expect(rec[0]?.failures).toBeGreaterThanOrEqual(2);
    client.close();
    await clock.settle();
    expect(clock.pending).toBe(0);
  });

  it('"stats() counts requests, attempts, retries, successes, failures by verdict, breaker opens, state, health probes ok/failed, recoveries and the last downtime"', async () => {
    const clock = new FakeClock();
    let up = false;
    const fetch = scriptedFetch([(call) => (call.url.endsWith('/bad') ? 404 : up ? 200 : 503)], { clock, repeatLast: true });
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, budget: false,
      breaker: { failureThreshold: 3, openFor: '1m' }, health: { interval: '1s' },
      retry: { backoff: constant('500ms', { jitter: 'none' }), maxRetries: Infinity },
    });
    const bad = settleLater(client.fetch('/bad'));
    const r = settleLater(client.fetch('/ok'));
    await clock.advance(10_000);
    up = true;
    await clock.advance(5_000);
    await clock.settle();
    expect(bad.error()).toBeInstanceOf(HttpError);
    expect(r.value()?.status).toBe(200);
    const s = client.stats();
    expect(Object.keys(s).sort()).toEqual(
      ['attempts', 'breakerOpens', 'breakers', 'failures', 'healthProbes', 'lastDowntimeMs', 'recoveries', 'requests', 'retries', 'shortCircuited', 'state', 'successes'].sort(),
    );
    expect(s.requests).toBe(2);
    expect(s.successes).toBe(1);
    expect(s.failures).toEqual({ transient: 0, permanent: 1, aborted: 0 });
    expect(s.breakerOpens).toBe(1);
    expect(s.state).toBe('closed');
    expect(s.healthProbes.failed).toBeGreaterThanOrEqual(1);
    expect(s.healthProbes.ok).toBeGreaterThanOrEqual(1);
    expect(s.recoveries).toBe(1);
    expect(s.lastDowntimeMs).toBeGreaterThan(0);
    expect(s.attempts).toBeGreaterThanOrEqual(s.retries + s.requests - s.shortCircuited);
    expect(s.retries).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    client.close();
  });

  it('"Logs never contain header values, request bodies, URL userinfo or query strings"', async () => {
    const clock = new FakeClock();
    const secret = 'S3CR3T-t0ken';
    const fetch = scriptedFetch([
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect ECONNREFUSED https://bob:${secret}@api.test/v1?key=${secret}`), { code: 'ECONNREFUSED' }) }),
      { status: 503, body: `upstream said ${secret}` },
      new Error(`request to https://api.test/v1/x?token=${secret}#${secret} timed out`),
      { status: 500, body: secret },
    ], { clock });
    const lines: string[] = [];
    const text = textLines({ write: (s: string) => lines.push(s) });
    const json = jsonLines({ write: (s: string) => lines.push(s) });
    const client = new ResilientClient({
      baseUrl: `https://bob:${secret}@api.test/v1/`, fetch, clock, budget: false, health: { path: '/health' },
      breaker: { failureThreshold: 2, openFor: '1s' }, headers: { authorization: `Bearer ${secret}`, 'x-api-key': secret },
      retry: { backoff: constant('1s', { jitter: 'none' }), maxRetries: 3 },
      onEvent: (e) => { text(e); json(e); },
    });
    const r = settleLater(client.fetch(`/items?api_key=${secret}`, { method: 'PUT', body: `{"password":"${secret}"}` }));
    await clock.advance(60_000);
    expect(r.done()).toBe(true);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l).not.toContain(secret);
    // userinfo from the baseUrl became an Authorization header
    expect(fetch.calls[0]?.url).not.toContain(secret.slice(0, 3) + '@');
    client.close();
  });

  it('relative paths append to the baseUrl path (like ky prefixUrl)', async () => {
    const { clock, fetch, client } = make([200, 200]);
    const a = settleLater(client.fetch('tasks'));
    const b = settleLater(client.fetch('/tasks/1'));
    await clock.runAll();
    expect(a.done() && b.done()).toBe(true);
    expect(fetch.calls.map((c) => c.url)).toEqual(['http://api.test/v1/tasks', 'http://api.test/v1/tasks/1']);
  });

  it('getJSON sends Accept: application/json and parses; postJSON sends a JSON body', async () => {
    const { clock, fetch, client } = make([{ status: 200, body: '{"a":1}' }, { status: 201, body: '{"id":7}' }]);
    const a = settleLater(client.getJSON<{ a: number }>('/a'));
    await clock.runAll();
    const b = settleLater(client.postJSON<{ id: number }>('/b', { x: 1 }));
    await clock.runAll();
    expect(a.value()).toEqual({ a: 1 });
    expect(b.value()).toEqual({ id: 7 });
    expect(fetch.calls[0]?.headers['accept']).toBe('application/json');
    expect(fetch.calls[1]?.headers['content-type']).toBe('application/json');
    expect(fetch.calls[1]?.body).toBe('{"x":1}');
  });

  it('per-request retry options override the client (retry: { maxRetries: 0 })', async () => {
    const { clock, fetch, client } = make([503, 200]);
    const r = settleLater(client.fetch('/x', { retry: { maxRetries: 0 } }));
    await clock.runAll();
    expect((r.error() as HttpError).status).toBe(503);
    expect(fetch.calls).toHaveLength(1);
  });

  it('retry: false makes one attempt', async () => {
    const { clock, fetch, client } = make([503, 200], { retry: false });
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.error()).toBeInstanceOf(HttpError);
    expect(fetch.calls).toHaveLength(1);
  });

  it('close() refuses new requests and leaves no timer', async () => {
    const { clock, client } = make([200], { health: {}, breaker: {} });
    client.close();
    await expect(client.fetch('/x')).rejects.toThrow(/closed/);
    expect(clock.pending).toBe(0);
  });

  it('bad options are validated in the constructor', () => {
    expect(() => new ResilientClient({ baseUrl: 'not a url' })).toThrow();
    expect(() => new ResilientClient({ baseUrl: 'http://a.test', health: { interval: '-1s' }, fetch: async () => new Response() })).toThrow(/interval/);
    expect(() => new ResilientClient({ baseUrl: 'http://a.test', breaker: { failureThreshold: 0 }, fetch: async () => new Response() })).toThrow(/failureThreshold/);
  });
});

describe('SPEC §8 poll', () => {
  it('"pollDefaults: { backoff: Backoff; jitter: number }" (1s..12s equal jitter per issue 6; jitter 0.1)', () => {
    expect(pollDefaults.jitter).toBe(0.1);
    expect(typeof pollDefaults.backoff.first).toBe('function');
    const d = delays(pollDefaults.backoff, 10, { random: () => 0 });
    expect(d[0]).toBe(500);
    expect(delays(pollDefaults.backoff, 10, { random: () => 0.999999 })[9]).toBeCloseTo(12_000, -1);
  });

  it('"Runs task every interval after a success", jittered ±10% by default', async () => {
    const clock = new FakeClock({ seed: 5 });
    const times: number[] = [];
    const p = poll(async () => { times.push(clock.now()); }, { interval: '10s', clock });
    await clock.advance(200_000);
    await p.stop();
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps.length).toBeGreaterThan(15);
    expect(gaps.every((g) => g >= 9_000 && g <= 11_000)).toBe(true);
    expect(new Set(gaps).size).toBeGreaterThan(1);
    expect(clock.pending).toBe(0);
  });

  it('jitter: 0 gives an exact interval; immediate: false waits one interval first', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const p = poll(async () => { times.push(clock.now()); }, { interval: '5s', jitter: 0, immediate: false, clock });
    await clock.advance(15_000);
    await p.stop();
    expect(times).toEqual([5_000, 10_000, 15_000]);
  });

  it('"after a failure waits the backoff delay for the consecutive-failure count; a success resets it"', async () => {
    const clock = new FakeClock();
    const log = collect();
    const results = [false, false, false, true, false, true];
    const seen: number[] = [];
    let i = 0;
    const p = poll(async ({ failures }) => { seen.push(failures); if (results[i++] === false) throw new Error('connection refused'); }, {
      interval: '1m', jitter: 0, backoff: exponential({ initial: '1s', max: '1m', jitter: 'none' }), clock, onEvent: log.sink, name: 'checkin',
    });
    await clock.advance(60_000 + 7_000 + 1_000);
    await p.stop();
    expect(seen).toEqual([0, 1, 2, 3, 0, 1]);
    expect(log.of('poll_failed').map((e) => [e.failures, e.delayMs])).toEqual([[1, 1_000], [2, 2_000], [3, 4_000], [1, 1_000]]);
    expect(log.of('poll_failed')[0]).toMatchObject({ name: 'checkin', error: { message: 'connection refused' } });
  });

  it('"recovered {downtimeMs, failures}" after a failure streak, formatted as [RECOVERY] checkin: recovered after 42s', async () => {
    const clock2 = new FakeClock();
    const log2 = collect();
    let m = 0;
    const p3 = poll(async () => { m++; if (m <= 2) throw new Error('timeout'); }, {
      interval: '1m', jitter: 0, backoff: schedule(['20s', '22s']), clock: clock2, onEvent: log2.sink, name: 'checkin',
    });
    await clock2.advance(42_000);
    await p3.stop();
    expect(log2.of('recovered')).toEqual([{ type: 'recovered', time: new Date(42_000).toISOString(), name: 'checkin', downtimeMs: 42_000, failures: 2 }]);
    expect(formatEvent(log2.of('recovered')[0] as ResilienceEvent)).toMatch(/^\[RECOVERY\] checkin: recovered after 42s/);
  });

  it('"It never stops on its own, whatever the error" (sync throw, non-Error, programmer error, 404)', async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [new HttpError(404), 'a string', undefined, new TypeError('x is not a function'), new RangeError('bad')];
    let n = 0;
    const task = ((): Promise<void> => {
      const e = errors[n++ % errors.length];
      if (n % 2 === 0) throw e; // synchronous throw from a non-async task
      return Promise.reject(e);
    }) as () => Promise<void>;
    const p = poll(task, { interval: '1s', clock, backoff: constant('1s') });
    await clock.advance(60_000);
    expect(p.state).toBe('backing-off');
    expect(p.failures).toBeGreaterThan(20);
    await p.stop();
    expect(p.state).toBe('stopped');
  });

  it('a Backoff that ends (finite schedule) keeps its last delay, never stopping', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const p = poll(async () => { times.push(clock.now()); throw new Error('down'); }, { interval: '1m', clock, backoff: schedule(['1s', '3s']) });
    await clock.advance(10_000);
    await p.stop();
    expect(times).toEqual([0, 1_000, 4_000, 7_000, 10_000]);
  });

  it('"stop() waits for the task in flight"', async () => {
    const clock = new FakeClock();
    let finish: (() => void) | undefined;
    let finished = false;
    const p = poll(() => new Promise<void>((r) => { finish = () => { finished = true; r(); }; }), { interval: '1s', clock });
    await clock.settle();
    const stopped = settleLater(p.stop());
    await clock.settle();
    expect(stopped.done()).toBe(false);
    finish?.();
    await clock.settle();
    expect(stopped.done()).toBe(true);
    expect(finished).toBe(true);
    expect(p.state).toBe('stopped');
    expect(clock.pending).toBe(0);
  });

  it('"only stop() or signal end it": aborting the signal ends a backoff sleep at once', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    let runs = 0;
    const p = poll(async () => { runs++; throw new Error('down'); }, { interval: '1s', clock, signal: abort.signal, backoff: constant('1h') });
    await clock.advance(1_000);
    abort.abort();
    await clock.settle();
    expect(p.state).toBe('stopped');
    expect(runs).toBe(1);
    expect(clock.pending).toBe(0);
    await p.stop();
  });

  it('states: running after success, backing-off after failure, failures counter', async () => {
    const clock = new FakeClock();
    let fail = true;
    const p = poll(async () => { if (fail) throw new Error('down'); }, { interval: '10s', clock, backoff: constant('1s', { jitter: 'none' }), jitter: 0 });
    await clock.settle();
    expect(p.state).toBe('backing-off');
    expect(p.failures).toBe(1);
    fail = false;
    await clock.advance(1_000);
    expect(p.state).toBe('running');
    expect(p.failures).toBe(0);
    await p.stop();
  });
});

describe('SPEC §10 Events and logging', () => {
  const base = { time: '2026-01-01T00:00:00.000Z', name: 'checkin' };
  const err = { name: 'TypeError', message: 'fetch failed', code: 'ECONNREFUSED' };

  it('textLines writes "[RETRY] checkin: retry 1/10 in 5s: connection refused"', () => {
    const out: string[] = [];
    textLines({ write: (s: string) => out.push(s) })({ ...base, type: 'retry', attempt: 1, maxRetries: 10, delayMs: 5_000, verdict: { kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' }, error: err });
    expect(out).toEqual(['[RETRY] checkin: retry 1/10 in 5s: connection refused\n']);
  });

  it('textLines writes "[CIRCUIT_BREAKER] ... opened after 5 failures"', () => {
    expect(formatEvent({ ...base, type: 'breaker_open', failures: 5, openForMs: 30_000 })).toMatch(/^\[CIRCUIT_BREAKER\] checkin: opened after 5 failures/);
  });

  it('textLines writes "[RECOVERY] checkin: recovered after 42s"', () => {
    expect(formatEvent({ ...base, type: 'recovered', downtimeMs: 42_000, failures: 3 })).toMatch(/^\[RECOVERY\] checkin: recovered after 42s/);
  });

  it('durations in lines use the compact form ("1m30s")', () => {
    expect(formatEvent({ ...base, type: 'recovered', downtimeMs: 90_000, failures: 1 })).toContain('1m30s');
  });

  it('jsonLines writes one JSON object per line that parses back to the event', () => {
    const out: string[] = [];
    const e: ResilienceEvent = { ...base, type: 'poll_failed', failures: 2, delayMs: 4_000, error: err };
    jsonLines({ write: (s: string) => out.push(s) })(e);
    expect(out).toHaveLength(1);
    expect(out[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(out[0] ?? '')).toEqual(e);
  });

  it('every event type has a text line naming its component', () => {
    const all: ResilienceEvent[] = [
      { ...base, type: 'retry', attempt: 1, maxRetries: null, delayMs: 1, verdict: { kind: 'transient', reason: 'x' }, error: err },
      { ...base, type: 'give_up', attempts: 3, elapsedMs: 10, reason: 'max-retries', error: err },
      { ...base, type: 'breaker_open', failures: 5, openForMs: 1 },
      { ...base, type: 'breaker_half_open' },
      { ...base, type: 'breaker_closed', downtimeMs: 1 },
      { ...base, type: 'health_ok', latencyMs: 3 },
      { ...base, type: 'health_fail', error: err },
      { ...base, type: 'recovered', downtimeMs: 1, failures: 1 },
      { ...base, type: 'poll_failed', failures: 1, delayMs: 1, error: err },
      { ...base, type: 'outbox_enqueued', key: 'k', size: 1 },
      { ...base, type: 'outbox_delivered', key: 'k', attempts: 1, size: 0 },
      { ...base, type: 'outbox_dead', key: 'k', verdict: { kind: 'permanent', reason: 'HTTP 400' }, error: err },
    ];
    for (const e of all) expect(formatEvent(e)).toMatch(/^\[[A-Z_]+\] checkin: /);
  });

  it('events are plain JSON-safe objects with an ISO time, across a whole client outage', async () => {
    const clock = new FakeClock({ now: Date.UTC(2026, 5, 1) });
    const log = collect();
    let up = false;
    const fetch = scriptedFetch([() => (up ? 200 : fetchFailed('ECONNREFUSED'))], { clock, repeatLast: true });
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, onEvent: log.sink, name: 'agent',
      breaker: { failureThreshold: 2, openFor: '1m' }, health: { interval: '1s' }, retry: { maxRetries: Infinity, backoff: constant('1s') },
    });
    const r = settleLater(client.fetch('/x'));
    await clock.advance(20_000);
    up = true;
    await clock.advance(20_000);
    expect(r.value()?.status).toBe(200);
    client.close();
    const types = new Set(log.events.map((e) => e.type));
    for (const t of ['retry', 'breaker_open', 'health_fail', 'health_ok', 'breaker_half_open', 'breaker_closed', 'recovered']) expect(types, t).toContain(t);
    for (const e of log.events) {
      expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(e))).toEqual(e);
      expect(new Date(e.time).toISOString()).toBe(e.time);
      expect(e.name).toBe('agent');
      if ('error' in e) expect(Object.keys(e.error).every((k) => ['name', 'message', 'code', 'status'].includes(k))).toBe(true);
    }
  });
});

describe('SPEC §11 Clock and steadfast/testing', () => {
  it('systemClock.sleep "rejects with signal.reason on abort and removes its listener"', async () => {
    const { EventEmitter } = await import('node:events');
    const getEventListeners = EventEmitter.getEventListeners.bind(EventEmitter);
    const abort = new AbortController();
    const p = systemClock.sleep(60_000, abort.signal);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(1);
    const reason = new Error('stop');
    abort.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
    await systemClock.sleep(0, abort.signal).catch(() => {});
    const ok = new AbortController();
    await systemClock.sleep(1, ok.signal);
    expect(getEventListeners(ok.signal, 'abort')).toHaveLength(0);
  });

  it('systemClock.now/random are real time and [0, 1)', () => {
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1_000);
    const r = systemClock.random();
    expect(r >= 0 && r < 1).toBe(true);
  });

  it('FakeClock: now(), sleep(ms, signal), advance(ms), runAll(), random() seeded', async () => {
    const clock = new FakeClock({ now: 1_000 });
    const order: string[] = [];
    void clock.sleep(500).then(() => order.push('a'));
    void clock.sleep(100).then(() => order.push('b'));
    const abort = new AbortController();
    const aborted = clock.sleep(50, abort.signal).catch((e: unknown) => e);
    abort.abort('no');
    expect(await aborted).toBe('no');
    await clock.advance(100);
    expect(order).toEqual(['b']);
    expect(clock.now()).toBe(1_100);
    await clock.runAll();
    expect(order).toEqual(['b', 'a']);
    expect(clock.now()).toBe(1_500);
    expect(clock.pending).toBe(0);
    const a = new FakeClock({ seed: 3 });
    const b = new FakeClock({ seed: 3 });
    expect([a.random(), a.random()]).toEqual([b.random(), b.random()]);
  });

  it('seededRandom(seed) is deterministic and in [0, 1)', () => {
    const a = seededRandom(11);
    const b = seededRandom(11);
    for (let i = 0; i < 100; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('scriptedFetch "plays statuses, Responses and errors in order; records method, url, headers and virtual time"', async () => {
    const clock = new FakeClock({ now: 5_000 });
    const err = new TypeError('fetch failed');
    const f = scriptedFetch([201, new Response('hi', { status: 202 }), err], { clock });
    const r1 = await f('http://x.test/a', { method: 'PUT', headers: { 'X-Trace': 't1' }, body: 'b' });
    await clock.advance(1_000);
    const r2 = await f('http://x.test/b');
    await expect(f('http://x.test/c')).rejects.toBe(err);
    expect([r1.status, r2.status, await r2.text()]).toEqual([201, 202, 'hi']);
    expect(f.calls.map((c) => [c.method, c.url, c.time])).toEqual([['PUT', 'http://x.test/a', 5_000], ['GET', 'http://x.test/b', 6_000], ['GET', 'http://x.test/c', 6_000]]);
    expect(f.calls[0]?.headers['x-trace']).toBe('t1');
    await expect(f('http://x.test/d')).rejects.toThrow(/no step/);
  });

  it('simulate "dry-runs a retry policy in virtual time and returns the timeline of attempts"', async () => {
    const result = await simulate({ backoff: constant('2s', { jitter: 'none' }), maxRetries: 5 }, [503, 503, { status: 429, retryAfter: '10' }, 'ok']);
    expect(result.timeline.map((a) => [a.attempt, a.at, a.ok])).toEqual([[1, 0, false], [2, 2_000, false], [3, 4_000, false], [4, 14_000, true]]);
    expect(result.timeline[2]?.status).toBe(429);
    expect(result.timeline[2]?.delayMs).toBe(10_000);
  });

  it('"Every component takes clock": none touches real timers under a FakeClock', async () => {
    const clock = new FakeClock();
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const b = new CircuitBreaker({ clock, failureThreshold: 1 });
    const h = new HealthCheck({ clock, probe: async () => {} });
    h.start();
    const p = poll(async () => { throw new Error('down'); }, { interval: '1s', clock });
    const c = new ResilientClient({ baseUrl: 'http://a.test', clock, fetch: scriptedFetch([503], { clock, repeatLast: true }) });
    void c.fetch('/x').catch(() => {});
    void b.execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
    void withRetry(async () => { throw new Error('timeout'); }, { clock }).catch(() => {});
    void new RetryBudget({ clock }).tryRetry();
    await clock.advance(100);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
    h.stop();
    await p.stop();
    c.close();
    await clock.runAll();
  });
});

describe('SPEC §7 regressions found by the conformance audit', () => {
  it('"Logs never contain header values": a static header with an invalid value fails at construction, naming the header only', () => {
    const make = (): ResilientClient => new ResilientClient({ baseUrl: 'http://a.test', fetch: async () => new Response(), headers: { authorization: 'Bearer abc\ndef-SECRET' } });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(/authorization/);
    expect(make).not.toThrow(/SECRET/);
  });

  it('"Logs never contain header values": an invalid value from headers() never reaches an event', async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const fetch = scriptedFetch([200], { clock });
    const client = new ResilientClient({
      baseUrl: 'http://a.test', fetch, clock, health: false,
      headers: () => ({ authorization: 'Bearer abc\ndef-SECRET' }), onEvent: (e) => lines.push(JSON.stringify(e)),
    });
    const e = await client.fetch('/x').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect(String(e)).toMatch(/authorization/);
    expect(String(e)).not.toContain('SECRET');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).not.toContain('SECRET');
    expect(fetch.calls).toHaveLength(0);
  });

  it('an invalid per-request header value is refused without quoting it', async () => {
    const clock = new FakeClock();
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch: scriptedFetch([200], { clock }), clock, health: false });
    const e = await client.fetch('/x', { headers: [['x-api-key', 'k\r\nSECRET']] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TypeError);
    expect(String(e)).toMatch(/x-api-key/);
    expect(String(e)).not.toContain('SECRET');
  });

  it('a Retry-After HTTP-date is measured on the client clock', async () => {
    const clock = new FakeClock({ now: Date.UTC(2030, 0, 1) });
    const fetch = scriptedFetch([{ status: 503, headers: { 'retry-after': new Date(Date.UTC(2030, 0, 1, 0, 0, 40)).toUTCString() } }, 200], { clock });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, retry: { backoff: constant(0) } });
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls.map((c) => c.time - Date.UTC(2030, 0, 1))).toEqual([0, 40_000]);
  });

  it('timeout defaults to 10s per attempt', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch(['hang', 200], { clock });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, retry: { backoff: constant(0) } });
    const r = settleLater(client.fetch('/x'));
    await clock.runAll();
    expect(r.value()?.status).toBe(200);
    expect(fetch.calls.map((c) => c.time)).toEqual([0, 10_000]);
  });

  it('the final HttpError keeps a readable response body (e.g. validation details of a 422)', async () => {
    const clock = new FakeClock();
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch: scriptedFetch([{ status: 422, body: '{"field":"name"}' }], { clock }), clock, health: false });
    const e = (await client.postJSON('/x', {}).catch((x: unknown) => x)) as HttpError;
    expect(e.status).toBe(422);
    expect(await e.response?.json()).toEqual({ field: 'name' });
  });

  it('concurrent 401s call onUnauthorized once and all retry with the fresh headers', async () => {
    const clock = new FakeClock();
    let refreshes = 0;
    let token = 'old';
    const fetch = scriptedFetch([(call) => (call.headers['authorization'] === 'new' ? 200 : 401)], { clock, repeatLast: true });
    const client = new ResilientClient({
      baseUrl: 'http://a.test', fetch, clock, health: false, headers: () => ({ authorization: token }),
      onUnauthorized: async () => { refreshes++; await clock.sleep(100); token = 'new'; },
    });
    const runs = [settleLater(client.fetch('/a')), settleLater(client.fetch('/b')), settleLater(client.fetch('/c', { method: 'POST', body: 'x' }))];
    await clock.runAll();
    expect(refreshes).toBe(1);
    expect(runs.map((r) => r.value()?.status)).toEqual([200, 200, 200]);
  });

  it('health.path resolves against the baseUrl path like request paths', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([503], { clock, repeatLast: true });
    const client = new ResilientClient({ baseUrl: 'http://a.test/api/v1/', fetch, clock, breaker: { failureThreshold: 1 }, retry: { maxRetries: 0 } });
    await client.fetch('/x').catch(() => {});
    await clock.advance(20_000);
    expect(new Set(fetch.calls.map((c) => c.url))).toEqual(new Set(['http://a.test/api/v1/x', 'http://a.test/api/v1/health']));
    client.close();
  });
});

describe('SPEC cross-component and edge behaviour found by the audit', () => {
  it('§4 a hung trial is treated as failed exactly at openFor after it started', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '5s' });
    await b.execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
    await clock.advance(5_000);
    void b.execute(() => new Promise(() => {})).catch(() => {});
    await clock.advance(4_999);
    expect(b.state).toBe('half-open');
    await clock.advance(1);
    expect(b.state).toBe('open');
    await clock.advance(5_000);
    expect(b.state).toBe('half-open');
  });

  it('§4 "(or a halfOpenTimeout)": the slot is released after halfOpenTimeout', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker({ clock, failureThreshold: 1, openFor: '1m', halfOpenTimeout: '2s' });
    await b.execute(() => Promise.reject(new Error('timeout'))).catch(() => {});
    await clock.advance(60_000);
    void b.execute(() => new Promise(() => {})).catch(() => {});
    await clock.advance(1_999);
    expect(b.state).toBe('half-open');
    await clock.advance(1);
    expect(b.state).toBe('open');
  });

  it('§7 a POST whose attempt timed out (it may have reached the server) is not retried', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch(['hang', 201], { clock });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, timeout: '1s' });
    const r = settleLater(client.fetch('/x', { method: 'POST', body: 'x' }));
    await clock.runAll();
    expect((r.error() as Error).name).toBe('TimeoutError');
    expect(fetch.calls).toHaveLength(1);
  });

  it('§7 a keyed POST that timed out is retried with the same Idempotency-Key', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch(['hang', 201], { clock });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, timeout: '1s', retry: { backoff: constant(0) } });
    const r = settleLater(client.fetch('/x', { method: 'POST', body: 'x', idempotencyKey: 'abc' }));
    await clock.runAll();
    expect(r.value()?.status).toBe(201);
    expect(fetch.calls.map((c) => c.headers['idempotency-key'])).toEqual(['abc', 'abc']);
  });

  it('§7 a stream body refused by ECONNREFUSED is not retried (the stream may be consumed)', async () => {
    const clock = new FakeClock();
    const fetch = scriptedFetch([fetchFailed('ECONNREFUSED'), 200], { clock });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false });
    const stream = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(3)); c.close(); } });
    const r = settleLater(client.fetch('/x', { method: 'PUT', body: stream }));
    await clock.runAll();
    expect(r.error()).toBeInstanceOf(TypeError);
    expect(fetch.calls).toHaveLength(1);
  });

  it('§7 a health check that passes while the API still fails re-opens the breaker and keeps probing until real recovery', async () => {
    const clock = new FakeClock();
    let healthUp = false;
    let apiUp = false;
    const fetch = scriptedFetch([(call) => (call.url.endsWith('/health') ? (healthUp ? 200 : fetchFailed('ECONNREFUSED')) : apiUp ? 200 : 503)], { clock, repeatLast: true });
    const log = collect();
    const client = new ResilientClient({
      baseUrl: 'http://a.test', fetch, clock, budget: false, onEvent: log.sink, breaker: { failureThreshold: 2, openFor: '10m' }, health: { interval: '2s' },
      retry: { maxRetries: Infinity, backoff: constant('1s', { jitter: 'none' }) },
    });
    const r = settleLater(client.fetch('/x'));
    await clock.advance(10_000);
    healthUp = true;
    await clock.advance(10_000);
    expect(r.done()).toBe(false);
    expect(client.stats().state).toBe('open');
    apiUp = true;
    await clock.advance(3_000);
    expect(r.value()?.status).toBe(200);
    const s = client.stats();
    expect(s.state).toBe('closed');
    expect(s.recoveries).toBe(1);
    expect(s.breakerOpens).toBeGreaterThan(2);
    expect(s.attempts).toBe(s.requests + s.retries - s.shortCircuited);
    expect(log.of('recovered')).toHaveLength(1);
    client.close();
  });

  it('§7 an idle client (no request waiting) still probes while open, half-opens once, then stops probing', async () => {
    const clock = new FakeClock();
    let up = false;
    const fetch = scriptedFetch([() => (up ? 200 : 503)], { clock, repeatLast: true });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, breaker: { failureThreshold: 1, openFor: '10m' }, health: { interval: '2s' }, retry: { maxRetries: 0 } });
    await client.fetch('/x').catch(() => {});
    await clock.advance(5_000);
    up = true;
    await clock.advance(5_000);
    expect(client.stats().state).toBe('half-open');
    const calls = fetch.calls.length;
    await clock.advance(60_000);
    expect(fetch.calls.length).toBe(calls);
    expect(clock.pending).toBe(0);
    client.close();
  });

  it('§8 poll with an already-aborted signal never runs the task', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const p = poll(async () => { runs++; }, { interval: '1s', clock, signal: AbortSignal.abort() });
    await clock.advance(5_000);
    expect(runs).toBe(0);
    expect(p.state).toBe('stopped');
    await p.stop();
  });

  it('§8 aborting the signal aborts the task\'s signal and ends the loop', async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    let taskAborted = false;
    const p = poll(({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => { taskAborted = true; resolve(); })), { interval: '1s', clock, signal: abort.signal });
    await clock.settle();
    abort.abort();
    await clock.settle();
    expect(taskAborted).toBe(true);
    expect(p.state).toBe('stopped');
  });
});

describe('SPEC §7/§10 more pinned behaviour', () => {
  it('§7 the signal fetch receives is aborted by the caller and by the attempt timeout (the socket is released)', async () => {
    const clock = new FakeClock();
    const seen: AbortSignal[] = [];
    const fetch = (async (_url: unknown, init?: RequestInit) => {
      const signal = init?.signal as AbortSignal;
      seen.push(signal);
      return new Promise<Response>((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }) as typeof globalThis.fetch;
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, timeout: '2s', retry: { maxRetries: 1, backoff: constant(0) } });
    const abort = new AbortController();
    const caller = settleLater(client.fetch('/a', { signal: abort.signal }));
    await clock.settle();
    abort.abort(new Error('bye'));
    await clock.settle();
    expect(seen[0]?.aborted).toBe(true);
    expect((caller.error() as Error).message).toBe('bye');
    const timed = settleLater(client.fetch('/b'));
    await clock.runAll();
    expect(seen.slice(1).map((s) => s.aborted)).toEqual([true, true]);
    expect((timed.error() as Error).name).toBe('TimeoutError');
    expect(seen.slice(1).map((s) => (s.reason as Error).name)).toEqual(['TimeoutError', 'TimeoutError']);
  });

  it('§7 no listener is left on a caller signal shared by 300 requests', async () => {
    const { EventEmitter } = await import('node:events');
    const clock = new FakeClock();
    const abort = new AbortController();
    const fetch = scriptedFetch([(c) => (c.url.endsWith('0') ? 503 : 200)], { clock, repeatLast: true });
    const client = new ResilientClient({ baseUrl: 'http://a.test', fetch, clock, health: false, retry: { backoff: constant(0), maxRetries: 1 } });
    for (let batch = 0; batch < 3; batch++) {
      const runs = Array.from({ length: 100 }, (_v, i) => client.fetch(`/x/${batch * 100 + i}`, { signal: abort.signal }).catch(() => {}));
      await clock.runAll();
      await Promise.all(runs);
    }
    expect(EventEmitter.getEventListeners(abort.signal, 'abort')).toHaveLength(0);
    client.close();
  });

  it('§3 a backoff delay longer than Retry-After wins: max(backoff, retryAfter)', async () => {
    const clock = new FakeClock();
    const log = collect();
    const run = settleLater(withRetry(async ({ attempt }) => {
      if (attempt === 1) throw new HttpError(503, undefined, { retryAfterMs: 1_000 });
    }, { clock, backoff: constant('10m', { jitter: 'none' }), maxRetryAfter: '5m', onEvent: log.sink }));
    await clock.runAll();
    expect(run.done()).toBe(true);
    expect(log.of('retry')[0]?.delayMs).toBe(600_000);
  });

  it('§10 textLines() and jsonLines() write to process.stderr by default', () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => { written.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      const e: ResilienceEvent = { type: 'health_ok', time: '2026-01-01T00:00:00.000Z', name: 'api', latencyMs: 12 };
      textLines()(e);
      jsonLines()(e);
    } finally {
      process.stderr.write = original;
    }
    expect(written).toEqual(['[HEALTH] api: ok in 12ms\n', '{"type":"health_ok","time":"2026-01-01T00:00:00.000Z","name":"api","latencyMs":12}\n']);
  });
});
