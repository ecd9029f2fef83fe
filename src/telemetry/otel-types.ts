/**
 * The parts of the OpenTelemetry API that steadfast calls, typed structurally: a `Tracer` and a
 * `Meter` from `@opentelemetry/api` 1.x fit them, yet nothing here imports that package, so the
 * built `steadfast/otel` has no runtime (or type) dependency on it.
 */

/** An attribute value, as in `@opentelemetry/api`. */
export type OtelAttributeValue = string | number | boolean;

/** Attributes, as in `@opentelemetry/api`. */
export type OtelAttributes = Record<string, OtelAttributeValue | undefined>;

/** The identity of a span (`span.spanContext()`), as in `@opentelemetry/api`. */
export interface OtelSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  traceState?: { serialize(): string };
}

/** The span methods steadfast calls. */
export interface OtelSpan {
  spanContext(): OtelSpanContext;
  setAttribute(key: string, value: OtelAttributeValue): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: Date): void;
}

/** The tracer method steadfast calls: `tracer.startSpan(name, { kind, attributes, startTime })`. */
export interface OtelTracer {
  startSpan(name: string, options?: { kind?: number; attributes?: OtelAttributes; startTime?: Date }): OtelSpan;
}

/** Options of an instrument, as in `@opentelemetry/api`'s `MetricOptions`. */
export interface OtelInstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}

/** What an observable gauge's callback is handed. */
export interface OtelObservableResult {
  observe(value: number, attributes?: OtelAttributes): void;
}

/** An observable gauge: steadfast adds one callback and removes it on `close()`. */
export interface OtelObservableGauge {
  addCallback(callback: (result: OtelObservableResult) => void): void;
  removeCallback(callback: (result: OtelObservableResult) => void): void;
}

/** The meter methods steadfast calls. */
export interface OtelMeter {
  createHistogram(name: string, options?: OtelInstrumentOptions): { record(value: number, attributes?: OtelAttributes): void };
  createCounter(name: string, options?: OtelInstrumentOptions): { add(value: number, attributes?: OtelAttributes): void };
  createObservableGauge(name: string, options?: OtelInstrumentOptions): OtelObservableGauge;
}

/** `SpanKind.CLIENT` in `@opentelemetry/api`. */
export const SPAN_KIND_CLIENT = 2;
/** `SpanStatusCode.ERROR` in `@opentelemetry/api`. */
export const SPAN_STATUS_ERROR = 2;
