// OpenTelemetry: a span per attempt (its traceparent sent to the server), request durations and steadfast's counters.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { constant, ResilientClient } from 'steadfast';
import { otelSink } from 'steadfast/otel';

// Your providers, as your app sets them up (here with in-memory exporters, to print what they got).
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
const spanExporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });

// A stand-in server whose proxy answers 502 twice, then 200.
let calls = 0;
const traceparents: unknown[] = [];
const server = createServer((req, res) => {
  traceparents.push(req.headers.traceparent);
  res.writeHead(++calls <= 2 ? 502 : 200).end('{}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

// steadfast uses only the meter and tracer you give it: no global provider, no runtime dependency.
const telemetry = otelSink({ meter: meterProvider.getMeter('agent'), tracer: tracerProvider.getTracer('agent') });
const client = new ResilientClient({
  baseUrl: `http://127.0.0.1:${port}`,
  retry: { backoff: constant('50ms'), maxRetries: 3 },
  onEvent: telemetry, // spans, durations, counters
  hooks: telemetry.hooks, // sends each attempt's traceparent
  name: 'agent',
});

try {
  await client.fetch('/checkin');
} finally {
  client.close();
  server.close();
}

for (const span of spanExporter.getFinishedSpans()) {
  const sent = traceparents.includes(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  console.log(span.name, span.attributes['http.response.status_code'], `resend ${span.attributes['http.request.resend_count'] ?? 0}`, sent ? 'traceparent sent' : '');
}
await reader.forceFlush();
for (const metric of metricExporter.getMetrics()[0]?.scopeMetrics[0]?.metrics ?? []) {
  for (const point of metric.dataPoints) {
    const value = typeof point.value === 'number' ? point.value : `${point.value.count} recorded`; // histograms: a count
    console.log(metric.descriptor.name, JSON.stringify(point.attributes), value);
  }
}
telemetry.close();
await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);

// prints: GET 502 resend 0 traceparent sent
// prints: GET 200 resend 2 traceparent sent
// prints: http.client.request.duration {"http.request.method":"GET","server.address":"127.0.0.1","server.port":
// prints: steadfast.retries {"steadfast.component":"agent","error.type":"502"} 2
