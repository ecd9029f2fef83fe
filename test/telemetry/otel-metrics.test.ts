/**
 * otelSink's metrics, read back from the real SDK's MeterProvider: the conventions'
 * http.client.request.duration histogram and the steadfast.* counters and breaker state gauge.
 */
import { DataPointType, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OtelAttributes, OtelMeter, OtelObservableResult } from '../../src/telemetry/otel-types.js';
import { MAX_BREAKERS } from '../../src/telemetry/otel-metrics.js';
import { otelSink } from '../../src/telemetry/otel-sink.js';
import { event, metering, type Metering } from './otel-harness.js';

const SEMCONV_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The data points of a metric as `[attributes, value]`, value being a number or a histogram. */
function points(metric: MetricData | undefined): [Record<string, unknown>, unknown][] {
  return (metric?.dataPoints ?? []).map((p) => [p.attributes, p.value] as [Record<string, unknown>, unknown]);
}

let otel: Metering;
beforeEach(() => {
  otel = metering();
});
afterEach(async () => {
  await otel.shutdown();
});

describe('http.client.request.duration', () => {
  it('is a histogram in seconds with the recommended buckets, one recording per attempt, by method, server, status and error type', async () => {
    const sink = otelSink({ meter: otel.provider.getMeter('agent') });
    const origin = 'https://api.example.com';
    sink(event('attempt', { attempt: 1, method: 'GET', origin, status: 503, durationMs: 300, verdict: { kind: 'transient', reason: 'HTTP 503', status: 503 } }));
    sink(event('attempt', { attempt: 2, method: 'GET', origin, status: 200, durationMs: 12 }));
    sink(event('attempt', { attempt: 3, method: 'GET', origin, status: 200, durationMs: 40 }));
    sink(event('attempt', { attempt: 1, method: 'POST', origin: 'http://10.0.0.7:8080', durationMs: 5, verdict: { kind: 'transient', reason: 'timed out', code: 'TimeoutError' } }));
    sink(event('attempt', { attempt: 4, method: 'GET', origin, durationMs: 0, verdict: { kind: 'transient', reason: 'circuit open' } })); // refused, never sent: not a request duration

    const metric = (await otel.collect()).get('http.client.request.duration');
    expect(metric?.descriptor).toMatchObject({ name: 'http.client.request.duration', unit: 's', description: 'Duration of HTTP client requests (one per attempt).' });
    expect(metric?.dataPointType).toBe(DataPointType.HISTOGRAM);
    const byKey = new Map(points(metric).map(([a, v]) => [JSON.stringify(a), v as Histogram]));
    const ok = byKey.get(JSON.stringify({ 'http.request.method': 'GET', 'server.address': 'api.example.com', 'server.port': 443, 'http.response.status_code': 200 }));
    expect(ok?.count).toBe(2);
    expect(ok?.sum).toBeCloseTo(0.052, 9);
    expect(ok?.buckets.boundaries).toEqual(SEMCONV_BUCKETS);
    // 0.012 s falls in (0.01, 0.025], 0.040 s in (0.025, 0.05].
    expect(ok?.buckets.counts).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const failed = byKey.get(JSON.stringify({ 'http.request.method': 'GET', 'server.address': 'api.example.com', 'server.port': 443, 'http.response.status_code': 503, 'error.type': '503' }));
    expect([failed?.count, failed?.sum]).toEqual([1, 0.3]);
    const timedOut = byKey.get(JSON.stringify({ 'http.request.method': 'POST', 'server.address': '10.0.0.7', 'server.port': 8080, 'error.type': 'TimeoutError' }));
    expect([timedOut?.count, timedOut?.sum]).toEqual([1, 0.005]);
    expect(byKey.size).toBe(3);
  });

  it('keeps an unknown method out of the attributes (bounded cardinality)', async () => {
    const sink = otelSink({ meter: otel.provider.getMeter('agent') });
    sink(event('attempt', { attempt: 1, method: 'X-CUSTOM-1', origin: 'http://h', status: 200, durationMs: 1 }));
    expect(points((await otel.collect()).get('http.client.request.duration'))[0]?.[0]).toEqual({
      'http.request.method': '_OTHER',
      'server.address': 'h',
      'server.port': 80,
      'http.response.status_code': 200,
    });
  });
});

describe('steadfast.* counters', () => {
  it('counts retries by component and error type, give-ups by reason, breaker transitions by state entered, outbox deliveries by outcome', async () => {
    const sink = otelSink({ meter: otel.provider.getMeter('agent') });
    const refused = { name: 'TypeError', message: 'fetch failed', code: 'ECONNREFUSED' };
    const http502 = { name: 'HttpError', message: 'HTTP 502', status: 502 };
    sink(event('retry', { attempt: 1, maxRetries: 3, delayMs: 100, verdict: { kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' }, error: refused }));
    sink(event('retry', { attempt: 2, maxRetries: 3, delayMs: 200, verdict: { kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' }, error: refused }));
    sink(event('retry', { attempt: 1, maxRetries: 3, delayMs: 100, verdict: { kind: 'transient', reason: 'HTTP 502', status: 502 }, error: http502 }, 'billing'));
    sink(event('give_up', { attempts: 4, elapsedMs: 700, reason: 'max-retries', error: http502 }));
    sink(event('breaker_open', { failures: 5, openForMs: 30_000 }));
    sink(event('breaker_half_open', {}));
    sink(event('breaker_open', { failures: 1, openForMs: 60_000 }));
    sink(event('outbox_retry', { key: 'k-1', attempt: 1, delayMs: 1_000, error: http502 }, 'reports'));
    sink(event('outbox_delivered', { key: 'k-1', attempts: 2, size: 0 }, 'reports'));
    sink(event('outbox_dead', { key: 'k-2', verdict: { kind: 'permanent', reason: 'HTTP 422', status: 422 }, error: { name: 'HttpError', message: 'HTTP 422', status: 422 } }, 'reports'));
    sink(event('outbox_enqueued', { key: 'k-3', size: 1 }, 'reports')); // not a delivery

    const metrics = await otel.collect();
    expect(metrics.get('steadfast.retries')?.descriptor).toMatchObject({ unit: '{retry}' });
    expect(points(metrics.get('steadfast.retries'))).toEqual([
      [{ 'steadfast.component': 'agent', 'error.type': 'ECONNREFUSED' }, 2],
      [{ 'steadfast.component': 'billing', 'error.type': '502' }, 1],
    ]);
    expect(points(metrics.get('steadfast.give_ups'))).toEqual([[{ 'steadfast.component': 'agent', 'steadfast.give_up.reason': 'max-retries', 'error.type': '502' }, 1]]);
    expect(points(metrics.get('steadfast.breaker.transitions'))).toEqual([
      [{ 'steadfast.component': 'agent', 'steadfast.breaker.state': 'open' }, 2],
      [{ 'steadfast.component': 'agent', 'steadfast.breaker.state': 'half-open' }, 1],
    ]);
    expect(points(metrics.get('steadfast.outbox.deliveries'))).toEqual([
      [{ 'steadfast.component': 'reports', 'steadfast.outbox.outcome': 'retry' }, 1],
      [{ 'steadfast.component': 'reports', 'steadfast.outbox.outcome': 'delivered' }, 1],
      [{ 'steadfast.component': 'reports', 'steadfast.outbox.outcome': 'dead' }, 1],
    ]);
    for (const name of ['steadfast.retries', 'steadfast.give_ups', 'steadfast.breaker.transitions', 'steadfast.outbox.deliveries']) {
      expect(metrics.get(name)?.dataPointType, name).toBe(DataPointType.SUM);
      expect((metrics.get(name) as { isMonotonic?: boolean } | undefined)?.isMonotonic, name).toBe(true);
    }
  });
});

describe('steadfast.breaker.state', () => {
  it('reports each breaker\'s current state as 1 and the other states as 0, following its transitions', async () => {
    const sink = otelSink({ meter: otel.provider.getMeter('agent') });
    sink(event('breaker_open', { failures: 5, openForMs: 30_000 }, 'api'));
    sink(event('breaker_closed', { downtimeMs: 1 }, 'auth'));
    const state = async (): Promise<Record<string, number>> => {
      const metric = (await otel.collect()).get('steadfast.breaker.state');
      expect(metric?.dataPointType).toBe(DataPointType.GAUGE);
      return Object.fromEntries(points(metric).map(([a, v]) => [`${String(a['steadfast.component'])} ${String(a['steadfast.breaker.state'])}`, v as number]));
    };
    expect(await state()).toEqual({
      'api closed': 0, 'api open': 1, 'api half-open': 0, 'api isolated': 0,
      'auth closed': 1, 'auth open': 0, 'auth half-open': 0, 'auth isolated': 0,
    });
    sink(event('breaker_half_open', {}, 'api'));
    expect(await state()).toMatchObject({ 'api open': 0, 'api half-open': 1 });
    sink(event('breaker_isolated', {}, 'api'));
    expect(await state()).toMatchObject({ 'api half-open': 0, 'api isolated': 1 });
  });

  it(`reports at most ${MAX_BREAKERS} breakers, dropping the one that changed least recently`, () => {
    const fake = fakeMeter();
    const sink = otelSink({ meter: fake.meter });
    for (let i = 0; i <= MAX_BREAKERS; i++) sink(event('breaker_open', { failures: 1, openForMs: 1 }, `b${i}`));
    sink(event('breaker_closed', { downtimeMs: 1 }, 'b1')); // b1 is now the most recent: b2 goes next
    sink(event('breaker_open', { failures: 1, openForMs: 1 }, 'late'));
    const names = new Set(fake.observe().map((a) => a['steadfast.component']));
    expect(names.size).toBe(MAX_BREAKERS);
    expect([names.has('b0'), names.has('b1'), names.has('b2'), names.has('late')]).toEqual([false, true, false, true]);
  });

  it('close() removes the gauge callback from the meter (no callback left behind per sink)', () => {
    const fake = fakeMeter();
    const sink = otelSink({ meter: fake.meter });
    expect(fake.callbacks.size).toBe(1);
    sink.close();
    expect(fake.callbacks.size).toBe(0);
  });

  it('a meter whose instruments throw costs the span nothing and never reaches the caller', () => {
    const fake = fakeMeter({ throwing: true });
    const spans: string[] = [];
    const sink = otelSink({
      meter: fake.meter,
      tracer: { startSpan: (name) => ({ spanContext: () => ({ traceId: '', spanId: '', traceFlags: 0 }), setAttribute: () => undefined, setStatus: () => undefined, end: () => void spans.push(name) }) },
    });
    expect(() => sink(event('attempt', { attempt: 1, method: 'GET', origin: 'http://h', status: 200, durationMs: 1 }))).not.toThrow();
    expect(spans).toEqual(['GET']);
  });
});

/** A structural meter recording gauge callbacks, for what the SDK makes hard to observe. */
function fakeMeter(o: { throwing?: boolean } = {}): { meter: OtelMeter; callbacks: Set<(r: OtelObservableResult) => void>; observe(): OtelAttributes[] } {
  const callbacks = new Set<(r: OtelObservableResult) => void>();
  const record = (): void => {
    if (o.throwing === true) throw new Error('meter broken');
  };
  const meter: OtelMeter = {
    createHistogram: () => ({ record }),
    createCounter: () => ({ add: record }),
    createObservableGauge: () => ({ addCallback: (cb) => void callbacks.add(cb), removeCallback: (cb) => void callbacks.delete(cb) }),
  };
  const observe = (): OtelAttributes[] => {
    const seen: OtelAttributes[] = [];
    for (const cb of callbacks) cb({ observe: (_v, attributes) => void seen.push(attributes ?? {}) });
    return seen;
  };
  return { meter, callbacks, observe };
}
