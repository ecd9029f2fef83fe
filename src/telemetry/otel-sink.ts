/**
 * `otelSink`: steadfast's events as OpenTelemetry spans and metrics, on the tracer and meter the
 * caller gives (no global provider lookup, no runtime dependency on `@opentelemetry/api`).
 */
import { isObject } from '../core/errors.js';
import type { EventSink, ResilienceEvent } from '../core/events.js';
import { methodsOption, objectOption } from '../core/options.js';
import { createMetrics, type Metrics } from './otel-metrics.js';
import { createSpans, type OtelClientHooks, type Spans } from './otel-spans.js';
import type { OtelMeter, OtelTracer } from './otel-types.js';

/** Options for {@link otelSink}. With neither, the sink does nothing (telemetry switched off). */
export interface OtelSinkOptions {
  /** Your meter, e.g. `meterProvider.getMeter('my-agent')`: receives the histogram, counters and gauge. */
  meter?: OtelMeter | undefined;
  /** Your tracer, e.g. `tracerProvider.getTracer('my-agent')`: receives one CLIENT span per attempt. */
  tracer?: OtelTracer | undefined;
}

/** The event sink `otelSink` returns, with the client hooks that propagate trace context. */
export interface OtelSink extends EventSink {
  /**
   * Pass as the client's `hooks` (or call `hooks.beforeRequest` last from your own
   * `beforeRequest`): each attempt's span then starts before the request is sent and its
   * `traceparent` goes with it. Without a tracer it returns the request unchanged.
   */
  readonly hooks: OtelClientHooks;
  /** Unregisters the breaker state gauge's callback and stops recording. Safe to call twice. */
  close(): void;
}

/**
 * An event sink that turns steadfast's events into OpenTelemetry signals following the HTTP client
 * semantic conventions: one CLIENT span per attempt (named by its method, with
 * `http.request.resend_count` on retries, ERROR on a failure or a status >= 400), the
 * `http.client.request.duration` histogram (seconds), counters `steadfast.retries`,
 * `steadfast.give_ups`, `steadfast.breaker.transitions`, `steadfast.outbox.deliveries`, and the
 * gauge `steadfast.breaker.state`. URLs are recorded without userinfo, query or fragment.
 *
 * @param o.meter your meter; no metrics without it.
 * @param o.tracer your tracer; no spans without it.
 * @example
 * const telemetry = otelSink({ meter: metrics.getMeter('agent'), tracer: traces.getTracer('agent') });
 * const client = new ResilientClient({ baseUrl, onEvent: telemetry, hooks: telemetry.hooks });
 */
export function otelSink(o: OtelSinkOptions = {}): OtelSink {
  objectOption('otelSink options', o);
  const meter = methodsOption<OtelMeter>('otelSink.meter', o.meter, ['createHistogram', 'createCounter', 'createObservableGauge']);
  const tracer = methodsOption<OtelTracer>('otelSink.tracer', o.tracer, ['startSpan']);
  const metrics: Metrics | undefined = meter === undefined ? undefined : createMetrics(meter);
  const spans: Spans | undefined = tracer === undefined ? undefined : createSpans(tracer);
  let closed = false;

  const sink = (event: ResilienceEvent): void => {
    if (closed || !isObject(event)) return;
    // Each side on its own: a throwing meter must not cost the span, nor the reverse.
    try {
      metrics?.record(event);
    } catch {
      // Telemetry never breaks the work it observes.
    }
    if (spans !== undefined && event.type === 'attempt') {
      try {
        spans.onAttempt(event);
      } catch {
        // As above.
      }
    }
  };
  // After close no attempt event is read, so no span may start (it would never end).
  const hooks: OtelClientHooks = {
    beforeRequest: (request, context) => (closed || spans === undefined ? request : spans.hooks.beforeRequest(request, context)),
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    try {
      metrics?.close();
    } catch {
      // A meter already shut down may refuse; there is nothing left to remove then.
    }
  };
  return Object.assign(sink, { hooks, close });
}
