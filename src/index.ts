// steadfast: the runtime-agnostic core. Explicit export list, no logic.

// durations
export { parseDuration, formatDuration } from './duration.js';
export type { Duration, ParseDurationOptions } from './duration.js';

// errors
export { HttpError, BrokenCircuitError, isBrokenCircuit, isAbortError, isTimeoutError } from './errors.js';

// backoff
export { exponential, constant, linear, schedule, delays } from './backoff.js';
export type { Backoff, BackoffStep, Jitter } from './backoff.js';

// classification
export { classify, isTransient, isTransientStatus, parseRetryAfter } from './classify.js';
export type { Verdict, ClassifyOptions } from './classify.js';

// clock
export { systemClock } from './clock.js';
export type { Clock, SleepOptions } from './clock.js';

// events
export { summarizeError, redact, safeUrl } from './events.js';
export type { ResilienceEvent, ResilienceEventType, EventOf, EventSink, ErrorSummary, EventVerdict } from './events.js';

// breaker, budget, registry (rank 2)
export { CircuitBreaker } from './breaker.js';
export type { CircuitBreakerOptions, BreakerState, BreakerSnapshot } from './breaker.js';
export { BreakerRegistry } from './registry.js';
export type { BreakerRegistryOptions } from './registry.js';
export { RetryBudget } from './budget.js';
export type { RetryBudgetOptions } from './budget.js';

// retry (rank 3)
export { withRetry } from './retry.js';
export type { RetryOptions, RetryContext, GiveUpReason } from './retry.js';

// health, poll, log (rank 3)
export { HealthCheck, httpProbe } from './health.js';
export type { Probe, HealthStatus, HealthCheckOptions, WaitUntilHealthyOptions, HttpProbeOptions } from './health.js';
export { poll, pollDefaults } from './poll.js';
export type { PollOptions, PollContext, Poller } from './poll.js';
export { jsonLines, textLines, formatEvent } from './log.js';
export type { LineStream, TextLinesOptions } from './log.js';

// client (rank 4)
export { ResilientClient } from './client.js';
export type { ResilientClientOptions, ClientHealthOptions, ClientRequestInit, ClientHeaders } from './client.js';
export type { ClientStats, ClientBreakerState } from './client-stats.js';
