/**
 * otelSink with a real ResilientClient (its hooks and attempt events) against a real server on
 * 127.0.0.1, read back from the real OpenTelemetry SDK: the traceparent of each attempt's span
 * reaches the server, and the spans, histogram and counters match what happened.
 */
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { ResilientClient } from '../../src/client/client.js';
import { otelSink, type OtelSink } from '../../src/telemetry/otel-sink.js';
import { metering, tracing, useContextManager, type Metering, type Tracing } from '../telemetry/otel-harness.js';
import { fastForwardClock } from './helpers/fast-forward-clock.js';
import { startServer, type Handler, type TestServer } from './helpers/http-server.js';

let server: TestServer | undefined;
let traces: Tracing;
let metrics: Metering;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await traces.shutdown();
  await metrics.shutdown();
});

async function setup(handler: Handler): Promise<{ sink: OtelSink; url: string }> {
  server = await startServer(handler);
  traces = tracing();
  metrics = metering();
  const sink = otelSink({ tracer: traces.provider.getTracer('agent'), meter: metrics.provider.getMeter('agent') });
  return { sink, url: server.url };
}

describe('otelSink over a real socket', () => {
  it('sends each attempt\'s traceparent through the client\'s hooks, a child of the caller\'s span, and records one span and one duration per attempt', async () => {
    const { sink, url } = await setup((_req, res, _seen, n) => void res.writeHead(n <= 2 ? 503 : 200).end('ok'));
    const client = new ResilientClient({ baseUrl: url, retry: { backoff: constant('10ms'), maxRetries: 3 }, health: false, onEvent: sink, hooks: sink.hooks, name: 'api' });
    const tracer = traces.provider.getTracer('agent');
    const stop = useContextManager();
    const parent = tracer.startSpan('checkin');
    try {
      const response = await context.with(trace.setSpan(context.active(), parent), () => client.fetch('/v1/checkin?token=s3cret'));
      expect(await response.text()).toBe('ok');
    } finally {
      parent.end();
      stop();
      client.close();
      sink.close();
    }

    const spans = traces.spans().filter((s) => s.name === 'GET');
    expect(spans).toHaveLength(3);
    // What the server received on every attempt is the traceparent of that attempt's span.
    expect(server?.requests.map((r) => r.headers['traceparent'])).toEqual(spans.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
    for (const span of spans) {
      expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(span.attributes['url.full']).toBe(`${url}/v1/checkin`);
      expect(span.attributes['server.address']).toBe('127.0.0.1');
      expect(span.attributes['server.port']).toBe(server?.port);
    }
    expect(spans.map((s) => [s.attributes['http.response.status_code'], s.attributes['http.request.resend_count'], s.attributes['error.type'], s.status.code])).toEqual([
      [503, undefined, '503', SpanStatusCode.ERROR],
      [503, 1, '503', SpanStatusCode.ERROR],
      [200, 2, undefined, SpanStatusCode.UNSET],
    ]);

    const collected = await metrics.collect();
    const durations = collected.get('http.client.request.duration')?.dataPoints.map((p) => [p.attributes['http.response.status_code'], (p.value as { count: number }).count]);
    expect(durations).toEqual([[503, 2], [200, 1]]);
    expect(collected.get('steadfast.retries')?.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ 'steadfast.component': 'api', 'error.type': '503' }, 2]]);
  });

  it('counts a real ResilientClient\'s retries, give-up, breaker opening and reports the breaker open', async () => {
    const { sink, url } = await setup((_req, res) => void res.writeHead(502).end('bad gateway'));
    const client = new ResilientClient({
      baseUrl: url,
      clock: fastForwardClock(),
      timeout: Infinity,
      totalTimeout: Infinity, // the fast-forward clock jumps time: the 60s default deadline would end the call
      retry: { backoff: constant('100ms'), maxRetries: 2 },
      breaker: { failureThreshold: 3, openFor: '30s' },
      health: false,
      onEvent: sink,
      name: 'api',
    });
    try {
      await expect(client.fetch('/v1/jobs')).rejects.toMatchObject({ status: 502 });
    } finally {
      client.close();
    }
    const collected = await metrics.collect();
    const total = (name: string): number => (collected.get(name)?.dataPoints ?? []).reduce((sum, p) => sum + (p.value as number), 0);
    expect(total('steadfast.retries')).toBe(2);
    expect(total('steadfast.give_ups')).toBe(1);
    expect(collected.get('steadfast.breaker.transitions')?.dataPoints.map((p) => [p.attributes['steadfast.breaker.state'], p.value])).toEqual([['open', 1]]);
    const open = collected.get('steadfast.breaker.state')?.dataPoints.filter((p) => p.value === 1).map((p) => p.attributes);
    expect(open).toEqual([{ 'steadfast.component': expect.stringContaining('api') as unknown, 'steadfast.breaker.state': 'open' }]);
    sink.close();
  });
});
