import { describe, expect, it } from 'vitest';
import { emit, jsonCount, redact, safeUrl, summarizeError, type ResilienceEvent } from '../../src/core/events.js';
import { HttpError } from '../../src/core/errors.js';

describe('emit', () => {
  it('delivers a plain event with type, ISO time, name and fields', () => {
    const seen: ResilienceEvent[] = [];
    emit((e) => seen.push(e), 'breaker_open', 'api', Date.UTC(2026, 0, 2, 3, 4, 5, 6), { failures: 5, openForMs: 30_000 });
    expect(seen).toEqual([{ type: 'breaker_open', time: '2026-01-02T03:04:05.006Z', name: 'api', failures: 5, openForMs: 30_000 }]);
    expect(JSON.parse(JSON.stringify(seen[0]))).toEqual(seen[0]);
  });

  it('does nothing without a sink', () => {
    expect(() => emit(undefined, 'breaker_half_open', 'api', 0, {})).not.toThrow();
  });

  it('swallows exceptions thrown by the sink, so logging never breaks delivery', () => {
    const sink = (): void => {
      throw new Error('disk full');
    };
    expect(() => emit(sink, 'health_ok', 'api', 0, { latencyMs: 3 })).not.toThrow();
  });

  it('does not throw for an invalid time either', () => {
    expect(() => emit(() => {}, 'health_ok', 'api', NaN, { latencyMs: 3 })).not.toThrow();
  });
});

describe('summarizeError', () => {
  it('keeps name, message and status of an HttpError', () => {
    expect(summarizeError(new HttpError(502))).toEqual({ name: 'HttpError', message: 'HTTP 502', status: 502 });
  });

  it('finds code on the cause chain (undici fetch failed)', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(summarizeError(error)).toEqual({ name: 'TypeError', message: 'fetch failed', code: 'ECONNREFUSED' });
  });

  it('prefers the outermost code and reads statusCode too', () => {
    const error = Object.assign(new Error('x', { cause: Object.assign(new Error('y'), { code: 'INNER' }) }), { code: 'OUTER', statusCode: 500 });
    expect(summarizeError(error)).toEqual({ name: 'Error', message: 'x', code: 'OUTER', status: 500 });
  });

  it('strips URL userinfo, query and fragment from messages', () => {
    const error = new Error('GET https://bob:s3cret@api.example.com/v1/tasks?token=abc#frag failed');
    expect(summarizeError(error).message).toBe('GET https://api.example.com/v1/tasks failed');
  });

  it('summarises non-errors', () => {
    expect(summarizeError('boom')).toEqual({ name: 'string', message: 'boom' });
    expect(summarizeError(undefined)).toEqual({ name: 'undefined', message: 'undefined' });
    expect(summarizeError({ message: 42 })).toEqual({ name: 'Error', message: '[object Object]' });
  });

  it('never includes other properties (bodies, headers)', () => {
    const error = Object.assign(new Error('bad'), { body: 'secret body', headers: { authorization: 'Bearer x' } });
    expect(Object.keys(summarizeError(error)).sort()).toEqual(['message', 'name']);
  });
});

describe('redact', () => {
  it.each([
    ['https://user:pw@api.example.com/v1?token=abc', 'https://api.example.com/v1'],
    ['see http://h.example:8080/a/b#x and https://k.example/?q=1', 'see http://h.example:8080/a/b and https://k.example/'],
    ['https://user:p@ss@api.example.com/x', 'https://api.example.com/x'],
    ['wss://token@stream.example/ws', 'wss://stream.example/ws'],
    ['connect ECONNREFUSED 127.0.0.1:443', 'connect ECONNREFUSED 127.0.0.1:443'],
    ['no urls here', 'no urls here'],
    // Relative URLs quoted by fetch errors and user code leaked their tokens into jsonLines.
    ['GET /api/w?token=abc failed', 'GET /api/w failed'],
    ['request to "/api/w?token=abc&x=1" failed', 'request to "/api/w" failed'],
    ['(./w?k=v) and ../up#secret', '(./w) and ../up'],
    ['path api/w?token=abc failed', 'path api/w failed'],
    ['what? really?', 'what? really?'],
    ['a=b and /plain/path', 'a=b and /plain/path'],
  ])('%j → %j', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('a fetch error quoting a relative URL with a token leaks nothing into events', () => {
    const seen: ResilienceEvent[] = [];
    const error = new TypeError('Failed to parse URL from /api/w?token=s3cret');
    emit((e) => seen.push(e), 'health_fail', 'api', 0, { error: summarizeError(error) });
    expect(JSON.stringify(seen)).not.toContain('s3cret');
    expect(seen[0]).toMatchObject({ error: { message: 'Failed to parse URL from /api/w' } });
  });
});

describe('emit rounds durations to whole ms', () => {
  it('delayMs 1906.9999 is logged as 1907; every duration field is rounded', () => {
    const seen: ResilienceEvent[] = [];
    const sink = (e: ResilienceEvent): number => seen.push(e);
    const error = { name: 'Error', message: 'x' };
    const verdict = { kind: 'transient' as const, reason: 'HTTP 503', retryAfterMs: 999.6 };
    emit(sink, 'retry', 'api', 0, { attempt: 1, maxRetries: 5, delayMs: 1906.9999999, verdict, error });
    emit(sink, 'give_up', 'api', 0, { attempts: 2, elapsedMs: 12.4, reason: 'x', error });
    emit(sink, 'breaker_open', 'api', 0, { failures: 5, openForMs: 29_999.5 });
    emit(sink, 'breaker_closed', 'api', 0, { downtimeMs: 0.2 });
    emit(sink, 'health_ok', 'api', 0, { latencyMs: 3.7 });
    emit(sink, 'recovered', 'api', 0, { downtimeMs: 41_999.8, failures: 2 });
    emit(sink, 'attempt', 'api', 0, { attempt: 1, method: 'GET', origin: 'http://h', durationMs: 5.5 });
    expect(seen.map((e) => Object.entries(e).filter(([k]) => k.endsWith('Ms')).map(([, v]) => v))).toEqual([[1907], [12], [30_000], [0], [4], [42_000], [6]]);
    expect(seen[0]).toMatchObject({ verdict: { retryAfterMs: 1000 } });
    expect(verdict.retryAfterMs).toBe(999.6); // the caller's verdict is not mutated
  });

  it('keeps Infinity and integers as they are', () => {
    const seen: ResilienceEvent[] = [];
    emit((e) => seen.push(e), 'breaker_open', 'api', 0, { failures: 1, openForMs: Infinity });
    expect(seen[0]).toMatchObject({ openForMs: Infinity });
  });
});

describe('safeUrl', () => {
  it.each([
    ['https://u:p@h.example/a?k=v', 'https://h.example/a'],
    ['https://h.example:8443/a/b#frag', 'https://h.example:8443/a/b'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/'],
    ['/relative/path?token=x', '/relative/path'],
  ])('%j → %j', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });

  it('accepts a URL object', () => {
    expect(safeUrl(new URL('https://u:p@h.example/a?k=v'))).toBe('https://h.example/a');
  });
});

describe('jsonCount', () => {
  it('writes Infinity as null and keeps finite counts', () => {
    expect(jsonCount(Infinity)).toBeNull();
    expect(jsonCount(5)).toBe(5);
    expect(jsonCount(0)).toBe(0);
  });
});
