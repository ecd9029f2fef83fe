/**
 * What one simulated agent runs: `poll` around a `ResilientClient`, described by the same options
 * a user passes, and resolved per agent into the library's own objects (a real CircuitBreaker,
 * RetryBudget and backoff walks) on the simulation's clock.
 */
import type { Backoff } from '../core/backoff.js';
import { BackoffWalk } from '../core/backoff-walk.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../breaker/breaker.js';
import type { Clock } from '../core/clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import { describeValue, numberOption } from '../core/options.js';
import { RetryBudget, type RetryBudgetOptions } from '../policies/budget.js';
import { DEFAULT_POLL_MAX_RETRY_AFTER, pollDefaults } from '../policies/poll-delay.js';
import { retrySettings, type RetryOptions } from '../policies/retry.js';
import { healthOption, type ClientHealthOptions } from '../client/options.js';
import { monitorBackoff } from '../client/recovery.js';
import type { RetryPlan } from '../policies/retry-step.js';
import type { RetryDecisionSettings } from './fleet-retry.js';

/** The `ResilientClient` options the model honours; every one left out takes the client's default. */
export interface FleetClientOptions {
  retry?: Pick<RetryOptions, 'backoff' | 'maxRetries' | 'maxElapsed' | 'maxRetryAfter'> | false;
  breaker?: Omit<CircuitBreakerOptions, 'clock' | 'onEvent' | 'name' | 'initialState' | 'isFailure'> | false;
  health?: Pick<ClientHealthOptions, 'interval'> | false;
  budget?: Omit<RetryBudgetOptions, 'clock'> | false;
}

/** What one simulated agent runs. */
export interface FleetPolicy {
  /** Label in tables and legends. */
  readonly name: string;
  /** poll's options. @default pollDefaults, maxRetryAfter '5m' */
  readonly poll?: { readonly backoff?: Backoff; readonly jitter?: number; readonly maxRetryAfter?: Duration };
  /** The client each check-in goes through; `false`: poll calls the server directly. @default every option at its default */
  readonly client?: FleetClientOptions | false;
}

/** @internal A policy resolved once per run; {@link parts} makes each agent's own objects. */
export interface Stack {
  readonly name: string;
  readonly intervalMs: number;
  readonly pollBackoff: Backoff;
  readonly pollJitter: number;
  readonly pollMaxRetryAfterMs: number;
  readonly client: ClientStack | undefined;
}

/** @internal */
export interface ClientStack {
  readonly retry: RetryPlan;
  readonly breaker: Omit<CircuitBreakerOptions, 'clock'> | undefined;
  readonly budget: Omit<RetryBudgetOptions, 'clock'> | undefined;
  /** The recovery monitor's looks and interval; `undefined` when health is off (or the breaker is). */
  readonly monitor: { looks: Backoff; intervalMs: number } | undefined;
}

/** @internal One agent's own library objects. */
export interface AgentParts {
  readonly breaker: CircuitBreaker | undefined;
  readonly budget: RetryBudget | undefined;
  readonly retry: RetryDecisionSettings | undefined;
  readonly pollWalk: () => BackoffWalk;
}

/** @internal Validates a policy once, with the option names a user would see. */
export function resolveStack(policy: FleetPolicy, intervalMs: number): Stack {
  if (typeof policy !== 'object' || policy === null) throw new TypeError(`steadfast: policy must be a FleetPolicy; got ${describeValue(policy)}`);
  const p = policy.poll ?? {};
  const c = policy.client ?? {};
  let client: ClientStack | undefined;
  if (c !== false) {
    // The client always decides with its own retryOn (transient and safe to resend).
    const r = retrySettings({ ...(c.retry === false ? { maxRetries: 0 } : c.retry), retryOn: () => true });
    const breaker = c.breaker === false ? undefined : { ...c.breaker };
    if (breaker !== undefined) new CircuitBreaker(breaker); // validates now, naming the option
    const h = breaker === undefined ? undefined : healthOption(c.health);
    if (c.budget !== false && c.budget !== undefined) new RetryBudget(c.budget);
    client = {
      retry: { backoff: r.backoff, maxRetries: r.maxRetries, maxElapsed: r.maxElapsed, maxRetryAfter: r.maxRetryAfter, classify: r.classify, decides: r.decides },
      breaker,
      budget: c.budget === false ? undefined : { ...c.budget },
      monitor: h === undefined ? undefined : { looks: monitorBackoff(h.intervalMs), intervalMs: h.intervalMs },
    };
  }
  return {
    name: policy.name,
    intervalMs,
    pollBackoff: p.backoff ?? pollDefaults.backoff,
    pollJitter: numberOption('policy.poll.jitter', p.jitter ?? pollDefaults.jitter, 0, 1),
    pollMaxRetryAfterMs:
      p.maxRetryAfter === undefined ? DEFAULT_POLL_MAX_RETRY_AFTER : parseDuration(p.maxRetryAfter, { option: 'policy.poll.maxRetryAfter', allowInfinity: true }),
    client,
  };
}

/** @internal Builds one agent's breaker and budget on `clock`, as the client's constructor does. */
export function agentParts(stack: Stack, clock: Clock): AgentParts {
  const c = stack.client;
  const budget = c === undefined || c.budget === undefined ? undefined : new RetryBudget({ ...c.budget, clock });
  const pollBackoff = stack.pollBackoff;
  return {
    breaker: c?.breaker === undefined ? undefined : new CircuitBreaker({ ...c.breaker, clock }),
    budget,
    retry: c === undefined ? undefined : { plan: c.retry, budget },
    pollWalk: () => new BackoffWalk(pollBackoff),
  };
}
