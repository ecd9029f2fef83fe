import { describe, expect, it } from 'vitest';
import {
  BrokenCircuitError,
  HttpError,
  isAbortError,
  isBrokenCircuit,
  isObject,
  isTimeoutError,
  onCauseChain,
  timeoutError,
} from '../../src/core/errors.js';

describe('HttpError', () => {
  it('carries status, a default message "HTTP <status>" and the literal name', () => {
    const e = new HttpError(503);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('HttpError');
    expect(e.status).toBe(503);
    expect(e.message).toBe('HTTP 503');
    expect(e).not.toHaveProperty('response');
    expect(e).not.toHaveProperty('retryAfterMs');
    expect(e).not.toHaveProperty('cause');
  });

  it('keeps the response, retryAfterMs, a custom message and the cause', () => {
    const response = new Response('busy', { status: 429 });
    const cause = new Error('upstream');
    const e = new HttpError(429, 'slow down', { response, retryAfterMs: 2_000, cause });
    expect(e.message).toBe('slow down');
    expect(e.response).toBe(response);
    expect(e.retryAfterMs).toBe(2_000);
    expect(e.cause).toBe(cause);
  });

  it('shows its name in String() and stack', () => {
    const e = new HttpError(404);
    expect(String(e)).toBe('HttpError: HTTP 404');
    expect(e.stack).toContain('HttpError');
  });

  it('survives a JSON round trip as plain data (name, status)', () => {
    const plain = JSON.parse(JSON.stringify(new HttpError(502))) as Record<string, unknown>;
    expect(plain).toMatchObject({ name: 'HttpError', status: 502 });
  });
});

describe('BrokenCircuitError', () => {
  it('carries retryAfterMs, state and the literal name; the message says when to retry', () => {
    const e = new BrokenCircuitError(1_500.2, 'open', 'api');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('BrokenCircuitError');
    expect(e.retryAfterMs).toBe(1_500.2);
    expect(e.state).toBe('open');
    expect(e.message).toBe('circuit api is open; retry in 1501ms');
  });

  it('defaults to state open and omits the name when not given', () => {
    const e = new BrokenCircuitError(10);
    expect(e.state).toBe('open');
    expect(e.message).toBe('circuit is open; retry in 10ms');
  });

  it('describes half-open and isolated breakers', () => {
    expect(new BrokenCircuitError(0, 'half-open', 'db').message).toBe('circuit db is half-open; retry in 0ms');
    expect(new BrokenCircuitError(Infinity, 'isolated', 'db').message).toBe('circuit db is isolated');
  });
});

describe('recognition by shape, not only instanceof', () => {
  it('isBrokenCircuit accepts the class and a plain object of the same shape', () => {
    expect(isBrokenCircuit(new BrokenCircuitError(5))).toBe(true);
    expect(isBrokenCircuit({ name: 'BrokenCircuitError', retryAfterMs: 5 })).toBe(true);
  });

  it.each<[string, unknown]>([
    ['no retryAfterMs', { name: 'BrokenCircuitError' }],
    ['a string retryAfterMs', { name: 'BrokenCircuitError', retryAfterMs: '5' }],
    ['another name', { name: 'Error', retryAfterMs: 5 }],
    ['null', null],
    ['a string', 'BrokenCircuitError'],
  ])('isBrokenCircuit rejects %s', (_label, value) => {
    expect(isBrokenCircuit(value)).toBe(false);
  });

  it('isAbortError: AbortError by name, not TimeoutError', () => {
    expect(isAbortError(new DOMException('x', 'AbortError'))).toBe(true);
    expect(isAbortError({ name: 'AbortError' })).toBe(true);
    expect(isAbortError(new DOMException('x', 'TimeoutError'))).toBe(false);
    expect(isAbortError(new Error('AbortError'))).toBe(false);
    expect(isAbortError(undefined)).toBe(false);
  });

  it('isTimeoutError: TimeoutError by name, not AbortError', () => {
    expect(isTimeoutError(new DOMException('x', 'TimeoutError'))).toBe(true);
    expect(isTimeoutError({ name: 'TimeoutError' })).toBe(true);
    expect(isTimeoutError(new DOMException('x', 'AbortError'))).toBe(false);
    expect(isTimeoutError('TimeoutError')).toBe(false);
  });

  it('timeoutError(ms) is a DOMException TimeoutError that names the duration', () => {
    const e = timeoutError(2_500);
    expect(e).toBeInstanceOf(DOMException);
    expect(e.name).toBe('TimeoutError');
    expect(e.message).toContain('2500ms');
    expect(isTimeoutError(e)).toBe(true);
  });

  it('isObject is true only for non-null objects (functions excluded)', () => {
    expect(isObject({})).toBe(true);
    expect(isObject(new Error('x'))).toBe(true);
    expect(isObject(null)).toBe(false);
    expect(isObject('x')).toBe(false);
    expect(isObject(() => 1)).toBe(false);
  });
});

describe('onCauseChain', () => {
  const chain = (depth: number): Error => {
    let e = new Error('0');
    for (let i = 1; i <= depth; i++) e = new Error(String(i), { cause: e });
    return e;
  };

  it('visits the error and then its causes, returning the first answer', () => {
    const seen: string[] = [];
    const found = onCauseChain(chain(3), (e) => {
      seen.push(String(e['message']));
      return e['message'] === '1' ? 'found' : undefined;
    });
    expect(found).toBe('found');
    expect(seen).toEqual(['3', '2', '1']);
  });

  it('looks at most 5 causes deep and ends on a cyclic chain', () => {
    const visits = (error: unknown): number => {
      let n = 0;
      onCauseChain(error, () => void n++);
      return n;
    };
    expect(visits(chain(10))).toBe(6); // the error itself and 5 causes
    const a = new Error('a');
    Object.assign(a, { cause: new Error('b', { cause: a }) });
    expect(visits(a)).toBe(6);
    expect(visits('not an object')).toBe(0);
  });
});
