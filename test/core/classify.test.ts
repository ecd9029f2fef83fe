import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classify, isTransient, isTransientStatus, NOT_SENT_CODES, parseRetryAfter, type ClassifyOptions, type Verdict } from '../../src/core/classify.js';
import { BrokenCircuitError, HttpError, timeoutError } from '../../src/core/errors.js';

const withCode = (code: string, message = `boom ${code}`): Error => Object.assign(new Error(message), { code });
/** Wraps `inner` in `depth` layers of `new Error('wrapper', { cause })`. */
function nested(inner: unknown, depth: number): unknown {
  let e = inner;
  for (let i = 0; i < depth; i++) e = new Error(`wrapper ${i}`, { cause: e });
  return e;
}
const kind = (error: unknown, o?: ClassifyOptions): Verdict['kind'] => classify(error, o).kind;

describe('rule 1: caller aborts and timeouts', () => {
  it("a DOMException 'AbortError' is aborted, never retried", () => {
    expect(classify(new DOMException('x', 'AbortError'))).toEqual({ kind: 'aborted', reason: 'aborted' });
  });

  it("an AbortController's default reason is aborted", () => {
    const c = new AbortController();
    c.abort();
    expect(kind(c.signal.reason)).toBe('aborted');
  });

  it("a DOMException 'TimeoutError' is transient", () => {
    expect(classify(new DOMException('x', 'TimeoutError'))).toMatchObject({ kind: 'transient', reason: 'timed out' });
  });

  it('the reason AbortSignal.timeout aborts with is transient', () => {
    // Same shape Node gives an AbortSignal.timeout() reason, built without waiting a real timer.
    const signal = AbortSignal.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    expect(kind(signal.reason)).toBe('transient');
    expect(kind(timeoutError(5_000))).toBe('transient');
  });

  it('an abort wins over anything else on the error', () => {
    expect(kind({ name: 'AbortError', message: 'connection reset', status: 503, code: 'ECONNRESET' })).toBe('aborted');
  });
});

describe('rule 2: open circuit', () => {
  it('an isolated breaker is permanent: it never half-opens until someone resets it', () => {
    expect(classify(new BrokenCircuitError(Infinity, 'isolated'))).toEqual({ kind: 'permanent', reason: 'circuit isolated' });
    expect(classify(new BrokenCircuitError(500, 'half-open'))).toMatchObject({ kind: 'transient', retryAfterMs: 500 });
  });

  it('a BrokenCircuitError is transient with retryAfterMs = time until half-open', () => {
    expect(classify(new BrokenCircuitError(1_234))).toEqual({ kind: 'transient', reason: 'circuit open', retryAfterMs: 1_234 });
  });

  it('is recognised by shape, as from another copy of the package', () => {
    expect(classify({ name: 'BrokenCircuitError', retryAfterMs: 5 })).toMatchObject({ kind: 'transient', retryAfterMs: 5 });
  });
});

describe('rule 3: HTTP status', () => {
  const table: Array<[number, Verdict['kind']]> = [
    [408, 'transient'],
    [425, 'transient'],
    [429, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
    [599, 'transient'],
    [501, 'permanent'],
    [505, 'permanent'],
    [400, 'permanent'],
    [401, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
    [409, 'permanent'],
    [410, 'permanent'],
    [422, 'permanent'],
    [499, 'permanent'],
  ];
  const shapes: Array<[string, (status: number) => unknown]> = [
    ['HttpError', (status) => new HttpError(status)],
    ['{ status }', (status) => ({ status, message: 'x' })],
    ['{ statusCode }', (status) => Object.assign(new Error('x'), { statusCode: status })],
    ['ky-style { response: { status } }', (status) => Object.assign(new Error('Request failed'), { name: 'HTTPError', response: { status } })],
    ['a thrown Response', (status) => new Response(null, { status })],
    ['a wrapper whose cause has the status', (status) => new Error('check-in failed', { cause: new HttpError(status) })],
  ];
  for (const [shape, make] of shapes) {
    it.each(table)(`${shape}: %d is %s`, (status, expected) => {
      expect(classify(make(status))).toMatchObject({ kind: expected, reason: `HTTP ${status}`, status });
    });
  }

  it('isTransientStatus agrees: 408, 425, 429 and every 5xx except 501 and 505', () => {
    for (let status = 100; status <= 599; status++) {
      const expected = status === 408 || status === 425 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
      expect(isTransientStatus(status), `status ${status}`).toBe(expected);
    }
  });

  it('a status wins over message words ("invalid" on a 503 is still transient)', () => {
    expect(kind(new HttpError(503, 'invalid upstream'))).toBe('transient');
    expect(kind(new HttpError(400, 'connection timeout'))).toBe('permanent');
  });

  it('a status outside 400..599 is ignored unless overridden', () => {
    expect(classify({ status: 200, message: 'weird' })).toEqual({ kind: 'transient', reason: 'unclassified' });
    expect(classify({ status: 304, message: 'x' }, { statuses: { 304: 'permanent' } })).toMatchObject({ kind: 'permanent', status: 304 });
  });
});

describe('rule 3: Retry-After on 429 and 503', () => {
  it.each([429, 503])('HttpError(%d).retryAfterMs becomes verdict.retryAfterMs', (status) => {
    expect(classify(new HttpError(status, undefined, { retryAfterMs: 7_000 }))).toMatchObject({ retryAfterMs: 7_000 });
  });

  it.each([429, 503])('a real Response with retry-after: 120 on %d gives 120000 ms', (status) => {
    const response = new Response(null, { status, headers: { 'retry-after': '120' } });
    expect(classify(new HttpError(status, undefined, { response }))).toMatchObject({ kind: 'transient', retryAfterMs: 120_000 });
  });

  it('an HTTP-date Retry-After is resolved against o.now', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const response = new Response(null, { status: 503, headers: { 'retry-after': 'Thu, 01 Jan 2026 12:00:30 GMT' } });
    expect(classify(new HttpError(503, undefined, { response }), { now })).toMatchObject({ retryAfterMs: 30_000 });
    expect(classify(new HttpError(503, undefined, { response }))).not.toHaveProperty('retryAfterMs');
  });

  it('Retry-After with surrounding whitespace (which fetch passes through) is honoured', () => {
    const response = new Response(null, { status: 503, headers: { 'retry-after': '10 ' } });
    expect(classify(new HttpError(503, undefined, { response }))).toMatchObject({ retryAfterMs: 10_000 });
    expect(classify({ status: 429, response: { status: 429, headers: { 'retry-after': '\t 10 ' } } })).toMatchObject({ retryAfterMs: 10_000 });
  });

  it('a 413 with Retry-After is temporary (RFC 9110 §15.5.14); without it, permanent', () => {
    const response = new Response(null, { status: 413, headers: { 'retry-after': '30' } });
    expect(classify(new HttpError(413, undefined, { response }))).toEqual({ kind: 'transient', reason: 'HTTP 413', status: 413, retryAfterMs: 30_000 });
    expect(classify(new HttpError(413, undefined, { retryAfterMs: 5_000 }))).toMatchObject({ kind: 'transient', retryAfterMs: 5_000 });
    expect(classify(new HttpError(413))).toEqual({ kind: 'permanent', reason: 'HTTP 413', status: 413 });
  });

  it.each([429, 503])('RateLimit-Reset / X-RateLimit-Reset on %d without Retry-After: delta-seconds', (status) => {
    for (const name of ['ratelimit-reset', 'x-ratelimit-reset']) {
      const response = new Response(null, { status, headers: { [name]: '30' } });
      expect(classify(new HttpError(status, undefined, { response }))).toMatchObject({ kind: 'transient', retryAfterMs: 30_000 });
    }
  });

  it('X-RateLimit-Reset larger than the current epoch is epoch seconds, resolved against o.now', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const response = new Response(null, { status: 429, headers: { 'x-ratelimit-reset': String(now / 1000 + 45) } });
    expect(classify(new HttpError(429, undefined, { response }), { now })).toMatchObject({ retryAfterMs: 45_000 });
    // Without now, an epoch-looking value cannot be told from a delta: ignored, not read as 56 years.
    expect(classify(new HttpError(429, undefined, { response }))).not.toHaveProperty('retryAfterMs');
  });

  it('Retry-After wins over RateLimit-Reset; RateLimit-Reset is not read on a 413 or a 500', () => {
    const both = new Response(null, { status: 429, headers: { 'retry-after': '5', 'ratelimit-reset': '50' } });
    expect(classify(new HttpError(429, undefined, { response: both }))).toMatchObject({ retryAfterMs: 5_000 });
    for (const status of [413, 500]) {
      const response = new Response(null, { status, headers: { 'ratelimit-reset': '50' } });
      expect(classify(new HttpError(status, undefined, { response }))).not.toHaveProperty('retryAfterMs');
    }
  });

  it('a plain headers object also works', () => {
    expect(classify({ status: 429, response: { status: 429, headers: { 'retry-after': '3' } } })).toMatchObject({ retryAfterMs: 3_000 });
  });

  it.each([500, 502, 504, 408, 400, 404])('is NOT applied on %d', (status) => {
    const response = new Response(null, { status, headers: { 'retry-after': '120' } });
    expect(classify(new HttpError(status, undefined, { response, retryAfterMs: 120_000 }))).not.toHaveProperty('retryAfterMs');
  });

  it('ignores junk headers and a NaN or negative retryAfterMs', () => {
    const response = new Response(null, { status: 503, headers: { 'retry-after': 'soon' } });
    expect(classify(new HttpError(503, undefined, { response }))).not.toHaveProperty('retryAfterMs');
    expect(classify({ status: 503, retryAfterMs: NaN })).not.toHaveProperty('retryAfterMs');
    expect(classify({ status: 503, retryAfterMs: -5 })).not.toHaveProperty('retryAfterMs');
  });
});

describe('rule 4: network codes anywhere on the cause chain', () => {
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ECONNABORTED',
    'ETIMEDOUT',
    'EPIPE',
    'EHOSTUNREACH',
    'EHOSTDOWN',
    'ENETUNREACH',
    'ENETDOWN',
    'EAI_AGAIN',
    'ENOTFOUND',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'UND_ERR_CLOSED',
  ];
  const cases = codes.flatMap((code) => [0, 1, 2, 3].map((depth) => [code, depth] as const));
  it.each(cases)('%s at depth %d is transient and reports the code', (code, depth) => {
    // "zzz" keeps message rules out of it: the code alone must decide.
    const verdict = classify(nested(withCode(code, 'zzz'), depth));
    expect(verdict.kind).toBe('transient');
    expect(verdict.code).toBe(code);
    expect(verdict.reason).not.toBe('unclassified');
  });

  it("undici's TypeError('fetch failed') with an ECONNREFUSED cause is transient, code ECONNREFUSED", () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(classify(error)).toEqual({ kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' });
  });

  it("a bare TypeError('fetch failed') is transient", () => {
    expect(classify(new TypeError('fetch failed'))).toEqual({ kind: 'transient', reason: 'network error' });
  });

  it('an AggregateError cause (happy eyeballs) is searched for member codes', () => {
    const aggregate = new AggregateError([withCode('ECONNREFUSED', 'connect ::1'), withCode('ECONNREFUSED', 'connect 127.0.0.1')], 'zzz');
    expect(classify(new TypeError('fetch failed', { cause: aggregate }))).toMatchObject({ kind: 'transient', code: 'ECONNREFUSED' });
    expect(classify(aggregate)).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('stops looking after depth 5', () => {
    expect(classify(nested(withCode('ECONNRESET', 'zzz'), 5))).toMatchObject({ code: 'ECONNRESET' });
    expect(classify(nested(withCode('ECONNRESET', 'zzz'), 6))).not.toHaveProperty('code');
  });

  it('survives a cyclic cause chain', () => {
    const a = new Error('zzz a');
    const b = new Error('zzz b', { cause: a });
    Object.assign(a, { cause: b });
    expect(classify(a)).toEqual({ kind: 'transient', reason: 'unclassified' });
  });

  it('NOT_SENT_CODES are the codes that prove the request never left', () => {
    expect([...NOT_SENT_CODES].sort()).toEqual(['EAI_AGAIN', 'ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT']);
  });
});

describe('rule 4: TLS trust failures are permanent, even inside fetch failed', () => {
  const tls = ['CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_NOT_YET_VALID'];
  it.each(tls)('%s', (code) => {
    expect(classify(withCode(code))).toMatchObject({ kind: 'permanent', code });
    expect(classify(new TypeError('fetch failed', { cause: withCode(code, 'certificate has expired') }))).toMatchObject({ kind: 'permanent', code });
  });
});

describe('rule 4: browser and runtime network messages are transient', () => {
  it.each([
    'Failed to fetch',
    'NetworkError when attempting to fetch resource.',
    'Network request failed',
    'Load failed',
    'The Internet connection appears to be offline.',
    'terminated',
    'error sending request for url (https://api.example.com/): connection closed',
    // Found by running Chromium 156: a connection dropped while `response.body.getReader()` reads.
    'network error',
    // Found by running Bun 1.4 (the messages it gives when no code is attached).
    'Unable to connect. Is the computer able to access the url?',
    'The socket connection was closed unexpectedly. For more information, pass `verbose: true` in the second argument to fetch()',
  ])('TypeError(%j)', (message) => {
    expect(classify(new TypeError(message))).toEqual({ kind: 'transient', reason: 'network error' });
  });

  it.each([
    ['ECONNREFUSED: Unable to connect. Is the computer able to access the url?', 'ECONNREFUSED', 'connection refused'],
    ['ECONNRESET: The socket connection was closed unexpectedly. For more information, pass `verbose: true` in the second argument to fetch()', 'ECONNRESET', 'connection reset'],
  ])("Bun's TypeError(%j), even without its code property, is transient with the code", (message, code, reason) => {
    expect(classify(new TypeError(message))).toEqual({ kind: 'transient', reason, code });
  });

  it('a code-like prefix that is not a network code does not make a programmer error transient', () => {
    expect(classify(new TypeError('ERR_INVALID_ARG_TYPE: bad argument'))).toMatchObject({ kind: 'permanent' });
  });
});

describe('rule 5: programmer errors are permanent', () => {
  it.each([
    new TypeError('x is not a function'),
    new RangeError('Invalid array length'),
    new SyntaxError('Unexpected token < in JSON'),
    new ReferenceError('foo is not defined'),
    new TypeError('connection.send is not a function'),
  ])('%s', (error) => {
    expect(classify(error)).toEqual({ kind: 'permanent', reason: `programmer error (${error.name})` });
  });
});

describe('rule 6: message patterns', () => {
  const permanent = ['validation failed', 'Invalid token', 'Unauthorized', 'FORBIDDEN', 'bad request', 'malformed JSON', 'missing required field: id', 'user not found'];
  const transient = [
    'connection lost',
    'request timeout',
    'operation timed out',
    'service unavailable',
    'temporarily down',
    'Temporary failure in name resolution',
    'network is down',
    'connect refused by peer',
    'host unreachable',
    'no route to host',
    'socket hang up: reset by peer',
    'write: broken pipe',
    'node offline',
    'node not found',
  ];
  it.each(permanent)('%j is permanent', (message) => {
    expect(classify(new Error(message))).toMatchObject({ kind: 'permanent' });
  });
  it.each(transient)('%j is transient', (message) => {
    const verdict = classify(new Error(message));
    expect(verdict.kind).toBe('transient');
    expect(verdict.reason).toMatch(/^message matches/);
  });

  it('permanent words take precedence: "connection validation failed" is permanent', () => {
    expect(classify(new Error('connection validation failed'))).toEqual({ kind: 'permanent', reason: 'message matches "validation"' });
  });

  it('"node not found" is transient while "user not found" is permanent', () => {
    expect(kind(new Error('Node not found in cluster'))).toBe('transient');
    expect(kind(new Error('user not found'))).toBe('permanent');
  });

  it('reads messages down the cause chain, and thrown strings too', () => {
    expect(kind(new Error('sync failed', { cause: new Error('service unavailable') }))).toBe('transient');
    expect(kind(new Error('sync failed', { cause: new Error('invalid payload') }))).toBe('permanent');
    expect(kind('connection refused')).toBe('transient');
    expect(kind('bad request')).toBe('permanent');
  });
});

describe('rule 7: anything else', () => {
  it.each([new Error('something odd'), 'odd', 42, null, undefined, {}])('%j is unclassified, transient by default', (error) => {
    expect(classify(error)).toEqual({ kind: 'transient', reason: 'unclassified' });
  });

  it('is permanent with unknown: permanent', () => {
    expect(classify(new Error('something odd'), { unknown: 'permanent' })).toEqual({ kind: 'permanent', reason: 'unclassified' });
    expect(classify(undefined, { unknown: 'permanent' })).toEqual({ kind: 'permanent', reason: 'unclassified' });
  });

  it('is transient with unknown: transient', () => {
    expect(classify(new Error('something odd'), { unknown: 'transient' })).toEqual({ kind: 'transient', reason: 'unclassified' });
  });
});

describe('ClassifyOptions overrides', () => {
  it('statuses: a 404 while the server starts can be made transient, a 503 permanent', () => {
    expect(classify(new HttpError(404), { statuses: { 404: 'transient' } })).toMatchObject({ kind: 'transient', status: 404 });
    expect(classify(new HttpError(503), { statuses: { 503: 'permanent' } })).toMatchObject({ kind: 'permanent', status: 503 });
    expect(kind(new HttpError(404), { statuses: { 500: 'permanent' } })).toBe('permanent');
  });

  it('codes: add a new code or override a built-in one', () => {
    expect(classify(withCode('ESOCKETTIMEDOUT', 'zzz'), { codes: { ESOCKETTIMEDOUT: 'transient' } })).toMatchObject({ kind: 'transient', code: 'ESOCKETTIMEDOUT' });
    expect(kind(withCode('ECONNREFUSED'), { codes: { ECONNREFUSED: 'permanent' } })).toBe('permanent');
    expect(kind(nested(withCode('EACCES', 'zzz'), 2), { codes: { EACCES: 'permanent' }, unknown: 'transient' })).toBe('permanent');
  });

  it('patterns: strings match case-insensitively, RegExps as written', () => {
    const o: ClassifyOptions = { patterns: { transient: ['Quota Refresh'], permanent: [/^ACCOUNT \d+ CLOSED$/] } };
    expect(classify(new Error('quota refresh pending'), o)).toEqual({ kind: 'transient', reason: 'message matches "Quota Refresh"' });
    expect(classify(new Error('ACCOUNT 42 CLOSED'), o)).toEqual({ kind: 'permanent', reason: 'message matches /^ACCOUNT \\d+ CLOSED$/' });
    expect(kind(new Error('account 42 closed'), o)).toBe('transient');
  });

  it('patterns win over the built-in words, permanent before transient', () => {
    expect(kind(new Error('invalid state, try later'), { patterns: { transient: ['try later'] } })).toBe('transient');
    expect(kind(new Error('connection pool exhausted'), { patterns: { permanent: ['exhausted'] } })).toBe('permanent');
    expect(kind(new Error('a b'), { patterns: { permanent: ['a'], transient: ['b'] } })).toBe('permanent');
  });

  it('patterns override the programmer-error rule', () => {
    expect(kind(new TypeError('terminated early by peer'), { patterns: { transient: ['peer'] } })).toBe('transient');
  });

  it('a global RegExp matches every time, not every other time', () => {
    const o: ClassifyOptions = { patterns: { transient: [/busy/g] } };
    const verdicts = [1, 2, 3, 4].map(() => classify(new Error('zzz busy'), o).reason);
    expect(new Set(verdicts)).toEqual(new Set(['message matches /busy/g']));
  });
});

describe('isTransient', () => {
  it.each<[unknown, boolean]>([
    [withCode('ECONNREFUSED'), true],
    [new HttpError(503), true],
    [new HttpError(404), false],
    [new DOMException('x', 'AbortError'), false],
    [new TypeError('undefined is not a function'), false],
    [new Error('weird'), true],
  ])('%s → %s', (error, expected) => {
    expect(isTransient(error)).toBe(expected);
  });
});

describe('classify never throws', () => {
  it('for any value', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withNullPrototype: true }), (value) => {
        const verdict = classify(value);
        expect(['transient', 'permanent', 'aborted']).toContain(verdict.kind);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a code exposed through a getter', () => {
    const viaGetter = Object.defineProperty(new Error('zzz'), 'code', { get: () => 'ECONNRESET' });
    expect(classify(viaGetter)).toMatchObject({ kind: 'transient', code: 'ECONNRESET' });
  });
});

describe('parseRetryAfter', () => {
  // RFC 9110's example instant, and "now" 30 s before it.
  const at = Date.UTC(1994, 10, 6, 8, 49, 37);
  const now = at - 30_000;

  it.each<[string, number]>([
    ['0', 0],
    ['1', 1_000],
    ['120', 120_000],
    ['007', 7_000],
  ])('reads delta-seconds %j as %d ms', (value, ms) => {
    expect(parseRetryAfter(value)).toBe(ms);
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT'],
    ['RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT'],
    ['asctime', 'Sun Nov  6 08:49:37 1994'],
  ])('reads an %s date as the time from now until it', (_form, value) => {
    expect(parseRetryAfter(value, now)).toBe(30_000);
  });

  it('reads delta-seconds and dates with surrounding spaces or tabs (RFC 9110 optional whitespace)', () => {
    expect(parseRetryAfter(' 120 ')).toBe(120_000);
    expect(parseRetryAfter('\t10')).toBe(10_000);
    expect(parseRetryAfter(' Sun, 06 Nov 1994 08:49:37 GMT ', now)).toBe(30_000);
  });

  it.each<[string, number, number]>([
    // [two-digit year, now's year, full year]: more than 50 years ahead means the past century.
    ['94', 2026, 1994],
    ['30', 2026, 2030],
    ['76', 2026, 2076],
    ['77', 2026, 1977],
    ['69', 2026, 2069],
    ['70', 2026, 2070],
    ['05', 2080, 2005],
  ])('RFC 850 year %s seen in %d is %d (RFC 9110 §5.6.7, relative to now)', (yy, nowYear, year) => {
    const nowAt = Date.UTC(nowYear, 0, 1);
    const expected = Math.max(0, Date.UTC(year, 10, 6, 8, 49, 37) - nowAt);
    expect(parseRetryAfter(`Sunday, 06-Nov-${yy} 08:49:37 GMT`, nowAt)).toBe(expected);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', at + 60_000)).toBe(0);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', at + 1)).toBe(0);
  });

  it('ignores an HTTP-date when no now is given: the pure function never reads the clock', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT')).toBeUndefined();
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NaN)).toBeUndefined();
  });

  it.each([null, undefined])('gives undefined for %s', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it.each(['-5', '1.5', '+3', '1 20', '', 'abc', '1e3', 'Sun, 32 Nov 1994 08:49:37 GMT', 'Sun, 06 Foo 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT'])(
    'junk %j gives undefined, never NaN or a negative',
    (value) => {
      expect(parseRetryAfter(value)).toBeUndefined();
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );

  it('an absurdly large delta stays a finite, non-negative number', () => {
    for (const value of ['99999999999999999999999', '9'.repeat(400)]) {
      const ms = parseRetryAfter(value);
      expect(Number.isFinite(ms)).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('returns undefined or a finite number >= 0 for any string (fast-check)', () => {
    const dateLike = fc
      .tuple(fc.integer({ min: 0, max: 99 }), fc.constantFrom('Nov', 'Feb', 'Xyz'), fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }))
      .map(([d, m, y, h]) => `Sun, ${String(d).padStart(2, '0')} ${m} ${y} ${String(h).padStart(2, '0')}:00:00 GMT`);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[-+ ]?\d{0,25}(\.\d)?$/), dateLike), fc.option(fc.double(), { nil: undefined }), (value, at) => {
        const ms = parseRetryAfter(value, at);
        if (ms !== undefined) {
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
