/**
 * SPEC §2 Classification.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import { BrokenCircuitError, HttpError, classify, isTransient, parseRetryAfter } from 'steadfast';
import { netError, fetchFailed } from './helpers.js';

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
