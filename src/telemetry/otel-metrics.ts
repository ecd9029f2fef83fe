/**
 * The metric side of `otelSink`: the conventions' `http.client.request.duration` histogram, the
 * `steadfast.*` counters and the breaker state gauge, all on the caller's meter.
 */
import type { BreakerState } from '../breaker/breaker.js';
import { isObject } from '../core/errors.js';
import type { ErrorSummary, EventOf, ResilienceEvent } from '../core/events.js';
import type { OtelAttributes, OtelMeter, OtelObservableResult } from './otel-types.js';
import { DURATION_BUCKETS, errorType, methodAttributes, outcomeAttributes, serverAttributes, wasSent } from './semconv.js';

/**
 * The names of the instruments `otelSink` creates (README "OpenTelemetry" lists their attributes).
 *
 * @example
 * metricExporter.getMetrics() // … descriptor.name === METRIC_NAMES.retries ('steadfast.retries')
 */
export const METRIC_NAMES = {
  duration: 'http.client.request.duration',
  retries: 'steadfast.retries',
  giveUps: 'steadfast.give_ups',
  breakerTransitions: 'steadfast.breaker.transitions',
  breakerState: 'steadfast.breaker.state',
  outboxDeliveries: 'steadfast.outbox.deliveries',
} as const;

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open', 'isolated'];
const STATE_OF: Readonly<Partial<Record<ResilienceEvent['type'], BreakerState>>> = {
  breaker_open: 'open',
  breaker_half_open: 'half-open',
  breaker_closed: 'closed',
  breaker_isolated: 'isolated',
};
const OUTBOX_OUTCOME: Readonly<Partial<Record<ResilienceEvent['type'], string>>> = {
  outbox_delivered: 'delivered',
  outbox_retry: 'retry',
  outbox_dead: 'dead',
};

/**
 * Breakers whose state the gauge reports; past this many names, the least recently changed is
 * dropped. 250 × 4 states = 1000 series, half the SDK's default cardinality limit (2000).
 */
export const MAX_BREAKERS = 250;

/** @internal The meter side of `otelSink`. */
export interface Metrics {
  record(event: ResilienceEvent): void;
  /** Removes the gauge callback from the meter. */
  close(): void;
}

/** @internal Creates the instruments once, on the caller's meter. */
export function createMetrics(meter: OtelMeter): Metrics {
  const duration = meter.createHistogram(METRIC_NAMES.duration, {
    description: 'Duration of HTTP client requests (one per attempt).',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
  });
  const retries = meter.createCounter(METRIC_NAMES.retries, { description: 'Retries scheduled after a failed attempt.', unit: '{retry}' });
  const giveUps = meter.createCounter(METRIC_NAMES.giveUps, { description: 'Calls that stopped retrying and failed.', unit: '{call}' });
  const transitions = meter.createCounter(METRIC_NAMES.breakerTransitions, {
    description: 'Circuit breaker state changes, by the state entered.',
    unit: '{transition}',
  });
  const deliveries = meter.createCounter(METRIC_NAMES.outboxDeliveries, {
    description: 'Outbox delivery attempts, by outcome: delivered, retry or dead.',
    unit: '{delivery}',
  });
  const gauge = meter.createObservableGauge(METRIC_NAMES.breakerState, {
    description: 'Circuit breaker state: 1 for the current state, 0 for the others.',
    unit: '{state}',
  });

  // Insertion order doubles as recency: a changed breaker is re-inserted at the end.
  const states = new Map<string, BreakerState>();
  const observe = (result: OtelObservableResult): void => {
    for (const [component, current] of states) {
      for (const state of BREAKER_STATES) {
        result.observe(state === current ? 1 : 0, { 'steadfast.component': component, 'steadfast.breaker.state': state });
      }
    }
  };
  gauge.addCallback(observe);

  const record = (event: ResilienceEvent): void => {
    const component = { 'steadfast.component': event.name };
    switch (event.type) {
      case 'attempt':
        if (wasSent(event) && Number.isFinite(event.durationMs) && event.durationMs >= 0) duration.record(event.durationMs / 1000, durationAttributes(event));
        return;
      case 'retry':
        retries.add(1, withErrorType(component, event.verdict?.status, event.verdict));
        return;
      case 'give_up':
        giveUps.add(1, { ...component, 'steadfast.give_up.reason': String(event.reason), 'error.type': summaryErrorType(event.error) });
        return;
      default:
        break;
    }
    const state = STATE_OF[event.type];
    if (state !== undefined) {
      transitions.add(1, { ...component, 'steadfast.breaker.state': state });
      states.delete(event.name);
      states.set(event.name, state);
      if (states.size > MAX_BREAKERS) states.delete(states.keys().next().value as string);
      return;
    }
    const outcome = OUTBOX_OUTCOME[event.type];
    if (outcome !== undefined) deliveries.add(1, { ...component, 'steadfast.outbox.outcome': outcome });
  };

  return { record, close: () => gauge.removeCallback(observe) };
}

/** The histogram's attributes: method, server address and port, status code, error type. */
function durationAttributes(event: EventOf<'attempt'>): OtelAttributes {
  const attributes = methodAttributes(event.method);
  delete attributes['http.request.method_original']; // not a metric attribute: unbounded
  return { ...attributes, ...serverAttributes(event.origin), ...outcomeAttributes(event) };
}

function withErrorType(base: OtelAttributes, status: number | undefined, verdict: EventOf<'retry'>['verdict'] | undefined): OtelAttributes {
  const type = errorType(status, verdict);
  return type === undefined ? base : { ...base, 'error.type': type };
}

/** error.type from an error summary: its status (>= 400), code or class name; else `_OTHER`. */
function summaryErrorType(error: ErrorSummary | undefined): string {
  if (!isObject(error)) return '_OTHER';
  if (typeof error.status === 'number' && error.status >= 400) return String(error.status);
  if (typeof error.code === 'string' && error.code !== '') return error.code;
  return typeof error.name === 'string' && error.name !== '' ? error.name : '_OTHER';
}
