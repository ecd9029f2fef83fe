/** The HTTP client semantic-convention attributes, computed from requests and attempt events (pure). */
import { describe, expect, it } from 'vitest';
import { errorType, methodAttributes, requestAttributes, serverAttributes, traceparent, wasSent } from '../../src/telemetry/semconv.js';

describe('requestAttributes', () => {
  it('names the span by method and drops userinfo, query and fragment from url.full', () => {
    expect(requestAttributes('get', 'https://bob:pw@api.example.com/v1/items?token=abc#x', 1)).toEqual({
      name: 'GET',
      attributes: { 'http.request.method': 'GET', 'server.address': 'api.example.com', 'server.port': 443, 'url.full': 'https://api.example.com/v1/items' },
    });
  });

  it('sets http.request.resend_count = attempt - 1 on resends only', () => {
    expect(requestAttributes('GET', 'http://h/', 1).attributes['http.request.resend_count']).toBeUndefined();
    expect(requestAttributes('GET', 'http://h/', 4).attributes['http.request.resend_count']).toBe(3);
    expect(requestAttributes('GET', 'http://h/', Number.NaN).attributes['http.request.resend_count']).toBeUndefined();
  });
});

describe('methodAttributes', () => {
  it('upper-cases a known method and reports any other as _OTHER with the original', () => {
    expect(methodAttributes('patch')).toEqual({ 'http.request.method': 'PATCH' });
    expect(methodAttributes('PURGE')).toEqual({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' });
  });
});

describe('serverAttributes', () => {
  it('gives the scheme\'s default port when the URL names none, strips IPv6 brackets, and nothing for a non-URL', () => {
    expect(serverAttributes('http://api.example.com')).toEqual({ 'server.address': 'api.example.com', 'server.port': 80 });
    expect(serverAttributes('https://[::1]:8443/x')).toEqual({ 'server.address': '::1', 'server.port': 8443 });
    expect(serverAttributes('not a url')).toEqual({});
  });
});

describe('errorType', () => {
  it('is the status for >= 400, the code, or a fixed low-cardinality identifier; undefined for a success', () => {
    expect(errorType(200, undefined)).toBeUndefined();
    expect(errorType(304, undefined)).toBeUndefined();
    expect(errorType(404, { kind: 'permanent', reason: 'HTTP 404', status: 404 })).toBe('404');
    expect(errorType(undefined, { kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' })).toBe('ECONNREFUSED');
    expect(errorType(undefined, { kind: 'aborted', reason: 'aborted' })).toBe('aborted');
    expect(errorType(undefined, { kind: 'transient', reason: 'network error' })).toBe('network_error');
    expect(errorType(undefined, { kind: 'transient', reason: 'message matches "try again"' })).toBe('_OTHER');
  });
});

describe('traceparent', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const spanId = '00f067aa0ba902b7';
  it('formats the W3C header: version 00, ids, flags as two hex digits', () => {
    expect(traceparent({ traceId, spanId, traceFlags: 1 })).toBe(`00-${traceId}-${spanId}-01`);
    expect(traceparent({ traceId, spanId, traceFlags: 0 })).toBe(`00-${traceId}-${spanId}-00`);
  });

  it('refuses an invalid context (a no-op tracer\'s zero ids, malformed ids)', () => {
    expect(traceparent({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })).toBeUndefined();
    expect(traceparent({ traceId, spanId: 'xyz', traceFlags: 1 })).toBeUndefined();
    expect(traceparent({ traceId: traceId.toUpperCase(), spanId, traceFlags: 1 })).toBeUndefined();
  });
});

describe('wasSent', () => {
  it('is false only for an attempt the open breaker refused (no HTTP request went out)', () => {
    expect(wasSent({ verdict: { kind: 'transient', reason: 'circuit open' } })).toBe(false);
    expect(wasSent({ verdict: { kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' } })).toBe(true);
    expect(wasSent({ status: 200 })).toBe(true);
  });
});
