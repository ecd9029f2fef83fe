/**
 * One CLIENT span per attempt. With the client hook, the span starts before the request is sent
 * (so its `traceparent` travels with the request) and ends on that attempt's `attempt` event;
 * without it, the span is recorded after the fact from the event's time and duration.
 */
import { isObject } from '../core/errors.js';
import { EVENT_REQUEST, redact, type EventOf } from '../core/events.js';
import { SPAN_KIND_CLIENT, SPAN_STATUS_ERROR, type OtelSpan, type OtelTracer } from './otel-types.js';
import { outcomeAttributes, requestAttributes, traceparent, wasSent } from './semconv.js';

/** What the client tells a `beforeRequest` hook. */
export interface BeforeRequestContext {
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  attempt: number;
}

/** Client hooks that start each attempt's span and propagate its trace context. */
export interface OtelClientHooks {
  /**
   * Starts the attempt's CLIENT span (a child of the caller's active context) and returns a copy
   * of `request` carrying its `traceparent` (and `tracestate`). Never throws: a failing tracer
   * leaves the request as it was.
   */
  beforeRequest(request: Request, context: BeforeRequestContext): Request;
}

/** @internal The tracer side of `otelSink`. */
export interface Spans {
  readonly hooks: OtelClientHooks;
  /** Ends the span of the attempt the event describes (or records one after the fact). */
  onAttempt(event: EventOf<'attempt'>): void;
}

/** @internal Builds the span side of `otelSink` on the caller's tracer. */
export function createSpans(tracer: OtelTracer): Spans {
  // Keyed by the Request the hook returned (the one the attempt event carries) and, in case the
  // event carries the Request the hook was given, by that one too.
  const open = new WeakMap<object, Started>();

  const beforeRequest = (request: Request, context: BeforeRequestContext): Request => {
    let span: OtelSpan | undefined;
    try {
      const { name, attributes } = requestAttributes(request.method, request.url, context?.attempt);
      span = tracer.startSpan(name, { kind: SPAN_KIND_CLIENT, attributes });
      const sent = withTraceContext(request, span);
      const started: Started = { span, keys: [request, sent] };
      open.set(request, started);
      open.set(sent, started);
      return sent;
    } catch {
      // A broken tracer must not fail the call: send the request untraced.
      span?.end();
      return request;
    }
  };

  const onAttempt = (event: EventOf<'attempt'>): void => {
    const carried = (event as { [EVENT_REQUEST]?: unknown })[EVENT_REQUEST];
    // Recognised by shape, not instanceof: a Request from another realm or polyfill still counts.
    const request = isObject(carried) && typeof carried['url'] === 'string' ? (carried as { url: string }) : undefined;
    const started = request === undefined ? undefined : open.get(request);
    if (started !== undefined) {
      for (const key of started.keys) open.delete(key);
      finish(started.span, event);
      started.span.end();
      return;
    }
    if (!wasSent(event)) return;
    const { name, attributes } = requestAttributes(event.method, request?.url ?? event.origin, event.attempt);
    if (request === undefined) delete attributes['url.full']; // an origin alone is not the URL called
    const end = Date.parse(event.time);
    const timed = Number.isFinite(end) && Number.isFinite(event.durationMs) && event.durationMs >= 0;
    const span = tracer.startSpan(name, { kind: SPAN_KIND_CLIENT, attributes, ...(timed ? { startTime: new Date(end - event.durationMs) } : {}) });
    finish(span, event);
    span.end(timed ? new Date(end) : undefined);
  };

  return { hooks: { beforeRequest }, onAttempt };
}

/** A span started by the hook, and the Requests an attempt event may carry for it. */
interface Started {
  span: OtelSpan;
  keys: readonly object[];
}

/** A copy of the request with the span's W3C trace context; the request itself when the context is invalid. */
function withTraceContext(request: Request, span: OtelSpan): Request {
  const context = span.spanContext();
  const header = traceparent(context);
  if (header === undefined) return request;
  const headers = new Headers(request.headers);
  headers.set('traceparent', header);
  const state = context.traceState?.serialize();
  if (state !== undefined && state !== '') headers.set('tracestate', state);
  else headers.delete('tracestate'); // a stale tracestate must not ride on a new traceparent
  return new Request(request, { headers });
}

/** Sets the outcome attributes and, on failure, the ERROR status (4xx/5xx and errors alike for a client). */
function finish(span: OtelSpan, event: EventOf<'attempt'>): void {
  const attributes = outcomeAttributes(event);
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) span.setAttribute(key, value);
  if (attributes['error.type'] !== undefined) {
    const reason = event.verdict?.reason;
    span.setStatus({ code: SPAN_STATUS_ERROR, message: redact(typeof reason === 'string' ? reason : String(attributes['error.type'])) });
  }
}
