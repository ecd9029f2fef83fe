// steadfast: the runtime-agnostic core. Explicit export list, no logic.

// durations
export { parseDuration, formatDuration } from './core/duration.js';
export type { Duration, ParseDurationOptions } from './core/duration.js';

// errors
export { HttpError, BrokenCircuitError, BulkheadRejectedError, isBrokenCircuit, isBulkheadRejected, isAbortError, isTimeoutError } from './core/errors.js';

// backoff
export { exponential, constant, linear, schedule } from './core/backoff.js';
export { delays } from './core/backoff-walk.js';
export type { Backoff, BackoffStep, Jitter } from './core/backoff.js';

// classification
export { classify, isTransient, isTransientStatus, parseRetryAfter } from './core/classify.js';
export type { Verdict, ClassifyOptions } from './core/classify.js';

// clock
export { systemClock } from './core/clock.js';
export type { Clock, SleepOptions } from './core/clock.js';

// events
export { summarizeError, redact, safeUrl } from './core/events.js';
export type { ResilienceEvent, ResilienceEventType, EventOf, EventSink, ErrorSummary, EventVerdict } from './core/events.js';

// breaker, budget, registry (rank 2)
export { CircuitBreaker } from './breaker/breaker.js';
export type { CircuitBreakerOptions, BreakerState, BreakerSnapshot } from './breaker/breaker.js';
export { BreakerRegistry } from './breaker/registry.js';
export type { BreakerRegistryOptions } from './breaker/registry.js';
export { RetryBudget } from './policies/budget.js';
export { Bulkhead } from './policies/bulkhead.js';
export type { BulkheadOptions } from './policies/bulkhead.js';
export type { RetryBudgetOptions } from './policies/budget.js';

// retry (rank 3)
export { withRetry } from './policies/retry.js';
export type { RetryOptions, RetryContext, GiveUpReason } from './policies/retry.js';

// health, poll, log (rank 3)
export { HealthCheck, httpProbe } from './policies/health.js';
export type { Probe, HealthStatus, HealthCheckOptions, WaitUntilHealthyOptions, HttpProbeOptions } from './policies/health.js';
export { poll, pollDefaults } from './policies/poll.js';
export type { PollOptions, PollContext, Poller } from './policies/poll.js';
export { jsonLines, textLines, formatEvent } from './policies/log.js';
export type { LineStream, TextLinesOptions } from './policies/log.js';

// client (rank 4)
export { ResilientClient } from './client/client.js';
export type { ResilientClientOptions, ClientHealthOptions, ClientRequestInit, ClientHeaders, ClientHooks } from './client/client.js';
export type { ClientStats, ClientBreakerState } from './client/stats.js';
