/**
 * A deterministic discrete-event simulation of a fleet of poll loops reconnecting to a server
 * after an outage (pure: options and a seed in, numbers out; no clock, no I/O).
 *
 * Each agent follows the poll semantics of SPEC §8: after a success it waits `interval` jittered
 * by ±`jitter`; after a failure it waits the backoff delay for its consecutive-failure count; a
 * success resets the count. The server is down for `outage`, then accepts `capacity` requests per
 * one-second bucket and answers the rest 503 (a failure for the agent).
 */
import type { Backoff } from '../core/backoff.js';
import { RetryBudget, type RetryBudgetOptions } from '../policies/budget.js';
import { EventQueue } from './fleet-queue.js';
import { parseDuration, type Duration } from '../core/duration.js';
import { countOption, describeValue, numberOption, positiveDuration } from '../core/options.js';
import { BackoffWalk } from '../core/backoff-walk.js';
import { pollDefaults } from '../policies/poll.js';
import { seededRandom } from '../core/random.js';

/** How the agents lose the server: each at its own next check-in, or all at once (a restart dropping every connection). */
export type FailureMode = 'spread' | 'simultaneous';

/** What one simulated agent does after a success and after a failure. */
export interface FleetPolicy {
  /** Label in tables and legends. */
  readonly name: string;
  /** Delay after the n-th consecutive failure. */
  readonly backoff: Backoff;
  /** ± fraction applied to `interval` after a success, in [0, 1]. */
  readonly jitter: number;
  /**
   * A {@link RetryBudget} per agent: every check-in is a call, every request after a failure a
   * retry; a retry the budget refuses waits for the next regular check-in instead.
   */
  readonly budget?: Omit<RetryBudgetOptions, 'clock'>;
}

/** Options for {@link simulateFleet}. */
export interface FleetOptions {
  /** Agents in the fleet. @default 10000 */
  agents?: number;
  /** Check-in interval after a success. @default '30s' */
  interval?: Duration;
  /** How long the server is down, from t = 0. @default '60s' */
  outage?: Duration;
  /** Requests the server accepts per second once it is up. @default 2000 */
  capacity?: number;
  /** @default 'spread' */
  failures?: FailureMode;
  /** Simulated time, from the start of the outage. @default '1h' */
  horizon?: Duration;
  /** Seed for every random draw. @default 1 */
  seed?: number;
  /** @default the library's poll defaults */
  policy?: FleetPolicy;
}

/** What {@link simulateFleet} measured. Times are ms; loads are requests per second. */
export interface FleetResult {
  readonly policy: string;
  readonly agents: number;
  readonly capacity: number;
  readonly outageMs: number;
  readonly horizonMs: number;
  readonly failures: FailureMode;
  /** Agents that saw at least one failure. */
  readonly affected: number;
  /** `affected / capacity`: no policy can bring them all back faster. */
  readonly floorMs: number;
  /** From server-up until the last affected agent succeeded; `null` if some never did. */
  readonly allBackMs: number | null;
  /** Median and 99th percentile, over agents that came back, of (first success after server-up − server-up). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Highest requests arriving in one second after server-up, as a multiple of capacity. */
  readonly peakLoad: number;
  /** Highest requests arriving in one second while the server was down. */
  readonly peakDuringOutage: number;
  /** Requests that failed because the server was down. */
  readonly wastedDuringOutage: number;
  /** Requests rejected with 503 after server-up. */
  readonly wastedAfterOutage: number;
  /** Affected agents with no success within the horizon. */
  readonly neverBack: number;
  /** Every request made within the horizon. */
  readonly requests: number;
  /** Requests arriving in each second [i, i+1) from t = 0. */
  readonly offered: Int32Array;
}

/** The library's poll defaults (`pollDefaults`) as a fleet policy: the policy this simulation verifies. */
export const fleetDefaults: FleetPolicy = { name: 'default', backoff: pollDefaults.backoff, jitter: pollDefaults.jitter };

/**
 * Runs the simulation. 10,000 agents over an hour is about a million events: a binary heap keyed
 * by (time, agent) and per-second buckets keep it well under a second.
 *
 * @example
 * const r = simulateFleet({ agents: 10_000, outage: '2m', capacity: 2000, failures: 'simultaneous' });
 * r.allBackMs; r.peakLoad; // how long until the last agent was back, and the worst second as a multiple of capacity
 */
export function simulateFleet(o: FleetOptions = {}): FleetResult {
  const n = countOption('agents', o.agents ?? 10_000, { min: 1 });
  const interval = positiveDuration('interval', o.interval ?? '30s');
  const outage = parseDuration(o.outage ?? '60s', { option: 'outage' });
  const capacity = countOption('capacity', o.capacity ?? 2000, { min: 1 });
  const horizon = parseDuration(o.horizon ?? '1h', { option: 'horizon' });
  const failures = o.failures ?? 'spread';
  if (failures !== 'spread' && failures !== 'simultaneous') {
    throw new RangeError(`steadfast: failures must be 'spread' or 'simultaneous'; got ${describeValue(failures)}`);
  }
  const policy = o.policy ?? fleetDefaults;
  const jitter = numberOption('policy.jitter', policy.jitter, 0, 1);
  const random = seededRandom(o.seed ?? 1);
  const seconds = Math.ceil(horizon / 1000);
  const offered = new Int32Array(seconds);
  const accepted = new Int32Array(seconds);
  const queue = new EventQueue(n);
  // Consecutive-failure walks are created lazily: most agents never fail twice in a row.
  const walks: (BackoffWalk | undefined)[] = new Array<BackoffWalk | undefined>(n).fill(undefined);
  const retrying = new Uint8Array(n);
  const affected = new Uint8Array(n);
  const backAt = new Float64Array(n).fill(-1);
  const budgets = policy.budget === undefined ? undefined : makeBudgets(n, policy.budget);
  // Same formulas as poll(): jittered interval after a success, the backoff walk after a failure.
  const afterSuccess = (t: number): number => t + Math.max(0, interval * (1 + jitter * (2 * random() - 1)));
  const afterFailure = (a: number, t: number): number => {
    affected[a] = 1;
    if (budgets !== undefined && !(budgets[a] as RetryBudget).tryRetry(t)) {
      retrying[a] = 0;
      return afterSuccess(t);
    }
    retrying[a] = 1;
    let walk = walks[a];
    if (walk === undefined) walks[a] = walk = new BackoffWalk(policy.backoff);
    const d = walk.next(random);
    // A backoff with no step at all: poll falls back to the interval.
    return t + (d !== undefined && Number.isFinite(d) && d >= 0 ? d : interval);
  };

  for (let a = 0; a < n; a++) {
    queue.push(failures === 'simultaneous' ? afterFailure(a, 0) : random() * interval, a);
  }
  let requests = 0;
  let wastedDuring = 0;
  let wastedAfter = 0;
  while (queue.size > 0) {
    const t = queue.topTime();
    if (t >= horizon) break;
    const a = queue.topAgent();
    const bucket = Math.floor(t / 1000);
    requests++;
    offered[bucket] = (offered[bucket] as number) + 1;
    if (budgets !== undefined && retrying[a] === 0) (budgets[a] as RetryBudget).recordCall(t);
    let next: number;
    if (t < outage) {
      wastedDuring++;
      next = afterFailure(a, t);
    } else if ((accepted[bucket] as number) >= capacity) {
      wastedAfter++;
      next = afterFailure(a, t);
    } else {
      accepted[bucket] = (accepted[bucket] as number) + 1;
      if (affected[a] === 1 && (backAt[a] as number) < 0) backAt[a] = t;
      walks[a] = undefined;
      retrying[a] = 0;
      next = afterSuccess(t);
    }
    queue.replaceTop(next, a);
  }
  return summarize();

  function summarize(): FleetResult {
    const recovery: number[] = [];
    let affectedCount = 0;
    let neverBack = 0;
    for (let a = 0; a < n; a++) {
      if (affected[a] === 0) continue;
      affectedCount++;
      const at = backAt[a] as number;
      if (at < 0) neverBack++;
      else recovery.push(at - outage);
    }
    recovery.sort((x, y) => x - y);
    const upBucket = Math.floor(outage / 1000);
    let peakAfter = 0;
    let peakDuring = 0;
    for (let s = 0; s < seconds; s++) {
      const v = offered[s] as number;
      if (s >= upBucket) peakAfter = Math.max(peakAfter, v);
      else peakDuring = Math.max(peakDuring, v);
    }
    return {
      policy: policy.name,
      agents: n,
      capacity,
      outageMs: outage,
      horizonMs: horizon,
      failures,
      affected: affectedCount,
      floorMs: (affectedCount / capacity) * 1000,
      allBackMs: neverBack > 0 ? null : (recovery[recovery.length - 1] ?? 0),
      p50Ms: quantile(recovery, 0.5),
      p99Ms: quantile(recovery, 0.99),
      peakLoad: peakAfter / capacity,
      peakDuringOutage: peakDuring,
      wastedDuringOutage: wastedDuring,
      wastedAfterOutage: wastedAfter,
      neverBack,
      requests,
      offered,
    };
  }
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

function makeBudgets(n: number, o: Omit<RetryBudgetOptions, 'clock'>): RetryBudget[] {
  const out: RetryBudget[] = [];
  for (let a = 0; a < n; a++) out.push(new RetryBudget(o));
  return out;
}
