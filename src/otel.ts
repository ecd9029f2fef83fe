// steadfast/otel: OpenTelemetry spans and metrics, log levels and a pino-style logger sink, on the
// caller's own tracer, meter and logger. Explicit export list, no logic; imports nothing at run time.

// OpenTelemetry (rank 4)
export { otelSink } from './telemetry/otel-sink.js';
export type { OtelSink, OtelSinkOptions } from './telemetry/otel-sink.js';
export type { OtelClientHooks, BeforeRequestContext } from './telemetry/otel-spans.js';
export { METRIC_NAMES } from './telemetry/otel-metrics.js';
export type {
  OtelMeter,
  OtelTracer,
  OtelSpan,
  OtelSpanContext,
  OtelAttributes,
  OtelAttributeValue,
  OtelInstrumentOptions,
  OtelObservableGauge,
  OtelObservableResult,
} from './telemetry/otel-types.js';

// logs (rank 4)
export { logLevel, loggerSink } from './telemetry/logger-sink.js';
export type { LogLevel, LevelLogger } from './telemetry/logger-sink.js';
