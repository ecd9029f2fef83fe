/**
 * OpenTelemetry's HTTP client semantic conventions (stable attributes), computed from a request or
 * an `attempt` event (pure). Every URL goes through `safeUrl`: no userinfo, query or fragment.
 */
import { isObject } from '../core/errors.js';
import { safeUrl, type EventOf, type EventVerdict } from '../core/events.js';
import type { OtelAttributes, OtelSpanContext } from './otel-types.js';

/** Bucket boundaries (s) the conventions recommend for `http.client.request.duration`. */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

// The conventions' known methods; any other is reported as `_OTHER` (bounded cardinality).
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);
const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/**
 * The span name (`{method}`, or `HTTP` for an unknown method) and the attributes known before the
 * request is sent: method, server address and port, `url.full` (redacted), and the resend count.
 *
 * @example
 * requestAttributes('GET', 'https://u:p@api.example/v1?k=1', 2)
 * // { name: 'GET', attributes: { 'http.request.method': 'GET', 'server.address': 'api.example',
 * //   'server.port': 443, 'url.full': 'https://api.example/v1', 'http.request.resend_count': 1 } }
 */
export function requestAttributes(method: string, url: string | undefined, attempt: number | undefined): { name: string; attributes: OtelAttributes } {
  const attributes = methodAttributes(method);
  if (url !== undefined) {
    Object.assign(attributes, serverAttributes(url));
    attributes['url.full'] = safeUrl(url);
  }
  // Set on resends only (attempt 2 is the first resend), as the conventions ask.
  if (typeof attempt === 'number' && Number.isInteger(attempt) && attempt > 1) attributes['http.request.resend_count'] = attempt - 1;
  const known = attributes['http.request.method'] !== '_OTHER';
  return { name: known ? String(attributes['http.request.method']) : 'HTTP', attributes };
}

/**
 * `http.request.method` (upper case when known, else `_OTHER` plus `http.request.method_original`).
 *
 * @example
 * methodAttributes('get')   // { 'http.request.method': 'GET' }
 * methodAttributes('PURGE') // { 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' }
 */
export function methodAttributes(method: string): OtelAttributes {
  const upper = String(method).toUpperCase();
  if (KNOWN_METHODS.has(upper)) return { 'http.request.method': upper };
  return { 'http.request.method': '_OTHER', 'http.request.method_original': String(method) };
}

/**
 * `server.address` and `server.port` of a URL or origin; the port is the scheme's default when
 * the URL names none. Nothing for a string that is not a URL.
 *
 * @example
 * serverAttributes('https://api.example') // { 'server.address': 'api.example', 'server.port': 443 }
 */
export function serverAttributes(url: string): OtelAttributes {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return {};
  }
  const attributes: OtelAttributes = { 'server.address': u.hostname.replace(/^\[(.*)\]$/, '$1') };
  const port = u.port === '' ? DEFAULT_PORTS[u.protocol] : Number(u.port);
  if (port !== undefined) attributes['server.port'] = port;
  return attributes;
}

/**
 * The outcome of an attempt: `http.response.status_code` when a response came, and `error.type`
 * when it failed (the status as a string for >= 400, else the error code or a fixed identifier).
 *
 * @example
 * outcomeAttributes({ status: 503 })                                           // { 'http.response.status_code': 503, 'error.type': '503' }
 * outcomeAttributes({ verdict: { kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' } }) // { 'error.type': 'ECONNREFUSED' }
 */
export function outcomeAttributes(e: Pick<EventOf<'attempt'>, 'status' | 'verdict'>): OtelAttributes {
  const attributes: OtelAttributes = {};
  if (typeof e.status === 'number') attributes['http.response.status_code'] = e.status;
  const type = errorType(e.status, e.verdict);
  if (type !== undefined) attributes['error.type'] = type;
  return attributes;
}

// Fixed identifiers for failures without a status or code: error.type must stay low-cardinality.
const REASON_TYPES: Readonly<Record<string, string>> = { 'network error': 'network_error', 'circuit open': 'circuit_open', 'timed out': 'timeout' };

/**
 * The `error.type` of a failure, or undefined for a success (a status below 400 and no verdict).
 *
 * @example
 * errorType(undefined, { kind: 'aborted', reason: 'aborted' }) // 'aborted'
 */
export function errorType(status: number | undefined, verdict: EventVerdict | undefined): string | undefined {
  if (typeof status === 'number') return status >= 400 ? String(status) : undefined;
  if (!isObject(verdict)) return undefined;
  if (typeof verdict.code === 'string' && verdict.code !== '') return verdict.code;
  if (verdict.kind === 'aborted') return 'aborted';
  return REASON_TYPES[verdict.reason] ?? '_OTHER';
}

/**
 * Whether an attempt reached the network: an attempt the open breaker refused sent no HTTP
 * request, so it gets no client span and no duration (its 0 ms would drag latency percentiles).
 *
 * @example
 * wasSent({ verdict: { kind: 'transient', reason: 'circuit open' } }) // false
 */
export function wasSent(e: Pick<EventOf<'attempt'>, 'status' | 'verdict'>): boolean {
  return errorType(e.status, e.verdict) !== 'circuit_open';
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * The W3C `traceparent` header of a span (`00-<trace-id>-<span-id>-<flags>`), or undefined for an
 * invalid context (a no-op tracer's all-zero ids), which must not be propagated.
 *
 * @example
 * traceparent({ traceId: '4bf9…4736', spanId: '00f0…02b7', traceFlags: 1 }) // '00-4bf9…4736-00f0…02b7-01'
 */
export function traceparent(context: OtelSpanContext): string | undefined {
  const { traceId, spanId, traceFlags } = context;
  if (!TRACE_ID.test(traceId) || !SPAN_ID.test(spanId) || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  const flags = Number.isInteger(traceFlags) && traceFlags >= 0 && traceFlags <= 0xff ? traceFlags : 0;
  return `00-${traceId}-${spanId}-${flags.toString(16).padStart(2, '0')}`;
}
