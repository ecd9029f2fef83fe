/**
 * The real OpenTelemetry SDK with in-memory exporters, as an application would set it up: a
 * BasicTracerProvider with a SimpleSpanProcessor and a MeterProvider whose reader we collect.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ResilienceEvent } from '../../src/core/events.js';

export interface Tracing {
  provider: BasicTracerProvider;
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

export function tracing(): Tracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { provider, spans: () => exporter.getFinishedSpans(), shutdown: () => provider.shutdown() };
}

export interface Metering {
  provider: MeterProvider;
  /** Collects now and returns every metric by name (cumulative). */
  collect(): Promise<Map<string, MetricData>>;
  shutdown(): Promise<void>;
}

export function metering(): Metering {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The interval never fires within a test: we collect by forceFlush, and shutdown clears it.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    async collect() {
      exporter.reset();
      await reader.forceFlush();
      const byName = new Map<string, MetricData>();
      for (const resource of exporter.getMetrics()) {
        for (const scope of resource.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      }
      return byName;
    },
    shutdown: () => provider.shutdown(),
  };
}

/** The context manager an application registers (AsyncLocalStorage, as in @opentelemetry/context-async-hooks). */
class AsyncLocalContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

/** Registers a context manager for the duration of a test; returns the function that removes it. */
export function useContextManager(): () => void {
  const manager = new AsyncLocalContextManager();
  context.setGlobalContextManager(manager);
  return () => context.disable();
}

const TIME = '2026-01-01T00:00:00.000Z';

/** An event as a component emits it (`time` and `name` filled in). */
export function event<T extends ResilienceEvent['type']>(type: T, fields: Omit<Extract<ResilienceEvent, { type: T }>, 'type' | 'time' | 'name'>, name = 'agent'): ResilienceEvent {
  return { type, time: TIME, name, ...fields } as unknown as ResilienceEvent;
}

/** Milliseconds of an OpenTelemetry HrTime. */
export function hrMs(time: [number, number]): number {
  return time[0] * 1000 + time[1] / 1e6;
}
