/**
 * SPEC §14 through the package name, as users import it: `steadfast/otel` uses only the tracer and
 * meter it is given (never a global provider) and its logger sink never writes `time` or `name`.
 */
import { metrics, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logLevel, loggerSink, otelSink } from 'steadfast/otel';
import { EVENT_REQUEST } from '../../src/core/events.js';
import { event, metering, tracing } from './otel-harness.js';

afterEach(() => {
  trace.disable();
  metrics.disable();
});

describe('SPEC §14 Telemetry (steadfast/otel)', () => {
  it('"It uses only what it is given (no global provider lookup)"', async () => {
    const getTracer = vi.fn();
    const getMeter = vi.fn();
    trace.setGlobalTracerProvider({ getTracer } as unknown as TracerProvider);
    metrics.setGlobalMeterProvider({ getMeter } as unknown as MeterProvider);
    const traces = tracing();
    const meters = metering();
    const sink = otelSink({ tracer: traces.provider.getTracer('mine'), meter: meters.provider.getMeter('mine') });
    const sent = sink.hooks.beforeRequest(new Request('https://api.example.com/v1'), { attempt: 1 });
    sink(Object.assign(event('attempt', { attempt: 1, method: 'GET', origin: 'https://api.example.com', status: 200, durationMs: 5 }), { [EVENT_REQUEST]: sent }));
    sink(event('breaker_open', { failures: 5, openForMs: 1_000 }));
    expect(traces.spans()).toHaveLength(1);
    expect((await meters.collect()).has('steadfast.breaker.state')).toBe(true);
    expect([getTracer.mock.calls.length, getMeter.mock.calls.length]).toEqual([0, 0]);
    sink.close();
    await Promise.all([traces.shutdown(), meters.shutdown()]);
  });

  it('"logLevel(event) maps an event to debug | info | warn | error"; "loggerSink(logger) writes events … without duplicating its time or name"', () => {
    expect(['attempt', 'recovered', 'retry', 'give_up'].map((type) => logLevel({ type } as never))).toEqual(['debug', 'info', 'warn', 'error']);
    const written: [string, Record<string, unknown>, string][] = [];
    const at = (level: string) => (fields: object, message: string) => void written.push([level, fields as Record<string, unknown>, message]);
    loggerSink({ debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') })(event('recovered', { downtimeMs: 42_000, failures: 9 }, 'checkin'));
    expect(written).toEqual([['info', { type: 'recovered', component: 'checkin', downtimeMs: 42_000, failures: 9 }, '[RECOVERY] checkin: recovered after 42s (9 failed check-ins)']]);
  });
});
