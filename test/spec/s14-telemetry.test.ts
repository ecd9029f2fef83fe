/**
 * SPEC §14 Telemetry (steadfast/otel).
 * Conformance through the public entry point 'steadfast/otel' (with the real OpenTelemetry SDK
 * and a recording logger); each test quotes the SPEC sentence it pins.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metrics, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logLevel, loggerSink, otelSink } from 'steadfast/otel';
import { event, metering, tracing } from '../telemetry/otel-harness.js';

// The key under which the client's attempt event carries its Request (a registered symbol).
const EVENT_REQUEST = Symbol.for('steadfast.request');

afterEach(() => {
  trace.disable();
  metrics.disable();
});

describe('SPEC §14 Telemetry (steadfast/otel)', () => {
  it('"It takes the application\'s own tracer and meter: @opentelemetry/api is never a runtime dependency" (an optional peer; ./otel exported with types first)', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
      exports: Record<string, Record<string, Record<string, string>>>;
    };
    expect(pkg.dependencies?.['@opentelemetry/api']).toBeUndefined();
    expect(pkg.peerDependencies?.['@opentelemetry/api']).toMatch(/^\^1\./);
    expect(pkg.peerDependenciesMeta?.['@opentelemetry/api']?.optional).toBe(true);
    expect(pkg.exports['./otel']).toEqual({
      import: { types: './dist/otel.d.ts', default: './dist/otel.js' },
      require: { types: './dist/otel.d.cts', default: './dist/otel.cjs' },
    });
  });

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
