/**
 * otelSink's spans, checked field by field in the real SDK's in-memory exporter: one CLIENT span
 * per attempt following the HTTP client semantic conventions, and the W3C trace context that the
 * client hook puts on each attempt's request.
 */
import { createTraceState, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_REQUEST, type ResilienceEvent } from '../../src/core/events.js';
import { otelSink } from '../../src/telemetry/otel-sink.js';
import { event, hrMs, tracing, useContextManager, type Tracing } from './otel-harness.js';

const ORIGIN = 'https://api.example.com:8443';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

/** The attempt event the client emits, carrying the Request that was sent. */
function attempt(request: Request | undefined, fields: { attempt: number; status?: number; durationMs?: number; verdict?: NonNullable<Extract<ResilienceEvent, { type: 'attempt' }>['verdict']> }): ResilienceEvent {
  const e = event('attempt', { method: request?.method ?? 'GET', origin: ORIGIN, durationMs: 12, ...fields });
  return request === undefined ? e : Object.assign(e, { [EVENT_REQUEST]: request });
}

let otel: Tracing;
beforeEach(() => {
  otel = tracing();
});
afterEach(async () => {
  await otel.shutdown();
});

describe('otelSink spans with the client hook', () => {
  it('starts a CLIENT span named GET before the request, sends its traceparent, and ends it on the attempt event with the semconv attributes', () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    const request = new Request(`${ORIGIN}/v1/items?token=secret#frag`);
    const sent = sink.hooks.beforeRequest(request, { attempt: 1 });
    expect(sent).not.toBe(request);
    expect(otel.spans()).toHaveLength(0); // still open while the request is in flight

    sink(attempt(sent, { attempt: 1, status: 200 }));

    const [span] = otel.spans();
    expect(otel.spans()).toHaveLength(1);
    expect(span?.name).toBe('GET');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': 'api.example.com',
      'server.port': 8443,
      'url.full': `${ORIGIN}/v1/items`,
      'http.response.status_code': 200,
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.parentSpanContext).toBeUndefined(); // no active span: a root span
    const ctx = span?.spanContext();
    expect(sent.headers.get('traceparent')).toBe(`00-${ctx?.traceId}-${ctx?.spanId}-01`);
    expect(sent.url).toBe(request.url); // only the header changed
    expect(hrMs(span?.endTime as [number, number])).toBeGreaterThanOrEqual(hrMs(span?.startTime as [number, number]));
  });

  it('gives each retry its own span with http.request.resend_count, and marks a 503 as ERROR with error.type "503"', () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    const first = sink.hooks.beforeRequest(new Request(`${ORIGIN}/v1/jobs`, { method: 'POST', body: '{}' }), { attempt: 1 });
    sink(attempt(first, { attempt: 1, status: 503, verdict: { kind: 'transient', reason: 'HTTP 503', status: 503 } }));
    const second = sink.hooks.beforeRequest(new Request(`${ORIGIN}/v1/jobs`, { method: 'POST', body: '{}' }), { attempt: 2 });
    sink(attempt(second, { attempt: 2, status: 201 }));

    const [failed, resent] = otel.spans();
    expect(failed?.name).toBe('POST');
    expect(failed?.attributes['http.request.resend_count']).toBeUndefined(); // set on resends only
    expect(failed?.attributes['error.type']).toBe('503');
    expect(failed?.attributes['http.response.status_code']).toBe(503);
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP 503' });
    expect(resent?.attributes['http.request.resend_count']).toBe(1);
    expect(resent?.attributes['error.type']).toBeUndefined();
    expect(resent?.status.code).toBe(SpanStatusCode.UNSET);
    // Two attempts, two distinct spans and traceparents in one trace only if the caller had one.
    expect(first.headers.get('traceparent')).not.toBe(second.headers.get('traceparent'));
  });

  it('records a connection failure as ERROR with error.type = the error code and no status code', () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    const sent = sink.hooks.beforeRequest(new Request(`${ORIGIN}/v1`), { attempt: 3 });
    sink(attempt(sent, { attempt: 3, verdict: { kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' } }));
    const [span] = otel.spans();
    expect(span?.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
    expect(span?.attributes['http.request.resend_count']).toBe(2);
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'connection refused' });
  });

  it('makes the span a child of the caller\'s active span, in the same trace, and carries its tracestate', () => {
    const stop = useContextManager();
    try {
      const tracer = otel.provider.getTracer('agent');
      const sink = otelSink({ tracer });
      const parent = tracer.startSpan('checkin');
      const remote = trace.setSpanContext(context.active(), { ...parent.spanContext(), traceState: createTraceState('vendor=abc') });
      const sent = context.with(remote, () => sink.hooks.beforeRequest(new Request(`${ORIGIN}/v1`), { attempt: 1 }));
      sink(attempt(sent, { attempt: 1, status: 204 }));
      parent.end();

      const child = otel.spans().find((s) => s.name === 'GET');
      expect(child?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(child?.spanContext().traceId).toBe(parent.spanContext().traceId);
      const [, traceId, spanId] = TRACEPARENT.exec(sent.headers.get('traceparent') ?? '') ?? [];
      expect([traceId, spanId]).toEqual([parent.spanContext().traceId, child?.spanContext().spanId]);
      expect(sent.headers.get('tracestate')).toBe('vendor=abc');
    } finally {
      stop();
    }
  });

  it('still propagates the trace (flags 00) when the sampler drops the span, and exports nothing', async () => {
    const provider = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
    const sink = otelSink({ tracer: provider.getTracer('agent') });
    const sent = sink.hooks.beforeRequest(new Request(`${ORIGIN}/v1`, { headers: { tracestate: 'stale=1' } }), { attempt: 1 });
    expect(sent.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(sent.headers.has('tracestate')).toBe(false); // a stale tracestate must not ride on a new traceparent
    sink(attempt(sent, { attempt: 1, status: 200 }));
    expect(otel.spans()).toHaveLength(0);
    await provider.shutdown();
  });

  it('ends the same span when the attempt event carries the Request the hook was given rather than the one it returned', () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    const given = new Request(`${ORIGIN}/v1`);
    const sent = sink.hooks.beforeRequest(given, { attempt: 1 });
    sink(attempt(given, { attempt: 1, status: 200 }));
    const [span] = otel.spans();
    expect(otel.spans()).toHaveLength(1); // not a second span recorded after the fact
    expect(sent.headers.get('traceparent')).toBe(`00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`);
    sink(attempt(sent, { attempt: 1, status: 200 })); // a late duplicate finds nothing open: a separate span, never the ended one
    expect(otel.spans()[1]?.spanContext().spanId).not.toBe(span?.spanContext().spanId);
  });

  it('keeps the request, its other headers and its body', async () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    const sent = sink.hooks.beforeRequest(
      new Request(`${ORIGIN}/v1/jobs`, { method: 'PUT', body: '{"a":1}', headers: { 'idempotency-key': 'k-1', 'content-type': 'application/json' } }),
      { attempt: 1 },
    );
    expect(sent.method).toBe('PUT');
    expect(sent.headers.get('idempotency-key')).toBe('k-1');
    expect(sent.headers.get('content-type')).toBe('application/json');
    expect(await sent.text()).toBe('{"a":1}');
  });

  it('keeps a stream body (sent once) and follows the attempt\'s abort signal', async () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    const attemptTimeout = new AbortController();
    const body = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode('chunk')), c.close()) });
    const sent = sink.hooks.beforeRequest(
      new Request(`${ORIGIN}/v1/upload`, { method: 'POST', body, duplex: 'half', signal: attemptTimeout.signal } as RequestInit),
      { attempt: 1 },
    );
    attemptTimeout.abort(new Error('attempt timed out'));
    expect(sent.signal.aborted).toBe(true);
    expect(await sent.text()).toBe('chunk');
  });
});

describe('otelSink spans without the hook', () => {
  it('records the span after the fact: it ends at the event\'s time and lasts durationMs', () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    sink(attempt(undefined, { attempt: 2, status: 502, durationMs: 250, verdict: { kind: 'transient', reason: 'HTTP 502', status: 502 } }));
    const [span] = otel.spans();
    expect(span?.name).toBe('GET');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    // Only the origin is known without the Request: no url.full rather than a wrong one.
    expect(span?.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': 'api.example.com',
      'server.port': 8443,
      'http.request.resend_count': 1,
      'http.response.status_code': 502,
      'error.type': '502',
    });
    expect(hrMs(span?.endTime as [number, number])).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
    expect(hrMs(span?.duration as [number, number])).toBe(250);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('takes url.full from the Request the event carries when no hook started its span', () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    sink(attempt(new Request(`${ORIGIN}/v1/x?k=v`), { attempt: 1, status: 200 }));
    expect(otel.spans()[0]?.attributes['url.full']).toBe(`${ORIGIN}/v1/x`);
  });

  it('names a span HTTP for a method outside the conventions, with the original method as an attribute', () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    sink(event('attempt', { attempt: 1, method: 'PURGE', origin: 'http://cache.local', status: 200, durationMs: 1 }));
    const [span] = otel.spans();
    expect(span?.name).toBe('HTTP');
    expect(span?.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE', 'server.port': 80 });
  });

  it('makes no span for an attempt the open breaker refused: no request went out', () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    sink(attempt(undefined, { attempt: 2, durationMs: 0, verdict: { kind: 'transient', reason: 'circuit open' } }));
    expect(otel.spans()).toHaveLength(0);
  });

  it('makes no span from other events', () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    sink(event('breaker_open', { failures: 5, openForMs: 30_000 }));
    sink(event('health_ok', { latencyMs: 3 }));
    expect(otel.spans()).toHaveLength(0);
  });
});

describe('otelSink never breaks the call it observes', () => {
  it('sends the request untraced when the tracer throws, and swallows a throwing span on the event', () => {
    const sink = otelSink({
      tracer: {
        startSpan() {
          throw new Error('exporter down');
        },
      },
    });
    const request = new Request(`${ORIGIN}/v1`);
    expect(sink.hooks.beforeRequest(request, { attempt: 1 })).toBe(request);
    expect(() => sink(attempt(request, { attempt: 1, status: 200 }))).not.toThrow();
  });

  it('with no tracer, the hook returns the request as it was', () => {
    const sink = otelSink({});
    const request = new Request(`${ORIGIN}/v1`);
    expect(sink.hooks.beforeRequest(request, { attempt: 1 })).toBe(request);
    expect(request.headers.has('traceparent')).toBe(false);
  });

  it('after close(), starts no span that could never end', () => {
    const sink = otelSink({ tracer: otel.provider.getTracer('agent') });
    sink.close();
    sink.close();
    const request = new Request(`${ORIGIN}/v1`);
    expect(sink.hooks.beforeRequest(request, { attempt: 1 })).toBe(request);
    sink(attempt(request, { attempt: 1, status: 200 }));
    expect(otel.spans()).toHaveLength(0);
  });

  it('rejects a tracer or meter without the methods it calls, naming the option', () => {
    expect(() => otelSink({ tracer: {} as never })).toThrow(new TypeError('steadfast: otelSink.tracer must be an object with startSpan(); got {}'));
    expect(() => otelSink({ meter: { createHistogram: () => ({}) } as never })).toThrow(/otelSink\.meter must be an object with createCounter\(\), createObservableGauge\(\)/);
    expect(() => otelSink(null as never)).toThrow(new TypeError('steadfast: otelSink options must be an options object; got null'));
    expect(() => otelSink([] as never)).toThrow(TypeError);
    expect(() => otelSink('tracer' as never)).toThrow(TypeError);
  });
});
