/**
 * A deterministic discrete-event simulation of a fleet of agents reconnecting to a server after
 * an outage (options and a seed in, numbers out; no real clock, no I/O).
 *
 * Each agent runs what a user builds from the defaults: `poll` every `interval` around a
 * `ResilientClient` (its retries, retry budget, circuit breaker, health probes while the breaker is
 * open, half-open trials), modelled in fleet-agent.ts with the library's own objects. The server
 * refuses connections for `outage`, then accepts `capacity` requests per one-second bucket and
 * answers the rest 503 (see fleet-server.ts).
 */
import type { Clock } from '../core/clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import { countOption, describeValue, positiveDuration } from '../core/options.js';
import { seededRandom } from '../core/random.js';
import { Agent, type World } from './fleet-agent.js';
import { Timers } from './fleet-queue.js';
import { KINDS, PROBE, Server, type Overload } from './fleet-server.js';
import { resolveStack, type FleetPolicy } from './fleet-stack.js';

export type { FleetClientOptions, FleetPolicy } from './fleet-stack.js';
export { KINDS, type Overload } from './fleet-server.js';

/** How the agents lose the server: each at its own next check-in, or all at once (a restart dropping every connection). */
export type FailureMode = 'spread' | 'simultaneous';

/** Options for {@link simulateFleet}. */
export interface FleetOptions {
  /** Agents in the fleet. @default 10000 */
  agents?: number;
  /** poll's interval. @default '30s' */
  interval?: Duration;
  /** How long the server is down, from t = 0. @default '60s' */
  outage?: Duration;
  /** Requests the server accepts per second once it is up. @default 1000 */
  capacity?: number;
  /** @default 'spread' */
  failures?: FailureMode;
  /** How the server refuses overload: a bare 503, or a 503 with a Retry-After spread over its backlog. @default '503' */
  overload?: Overload;
  /** Simulated time, from the start of the outage. @default '20m' */
  horizon?: Duration;
  /** Seed for every random draw. @default 1 */
  seed?: number;
  /** What each agent runs. @default {@link fleetDefaults}: every option at the library's default */
  policy?: FleetPolicy;
  /** Called for every request, in order: which agent sent it, when (ms), its kind, and whether the server took it. */
  onRequest?: (agent: number, time: number, kind: (typeof KINDS)[number], accepted: boolean) => void;
}

/** Requests of one kind. */
export interface KindCount {
  /** Sent while the server was down. */
  readonly duringOutage: number;
  /** Sent after it came back. */
  readonly after: number;
  /** The most sent in one second after it came back, as a multiple of capacity. */
  readonly peakAfter: number;
}

/** What {@link simulateFleet} measured. Times are ms; loads are requests per second. */
export interface FleetResult {
  readonly policy: string;
  readonly agents: number;
  readonly capacity: number;
  readonly outageMs: number;
  readonly horizonMs: number;
  readonly failures: FailureMode;
  readonly overload: Overload;
  /** Agents that saw at least one failed request (probes aside). */
  readonly affected: number;
  /** `affected / capacity`: no policy can bring them all back faster. */
  readonly floorMs: number;
  /** From server-up until the last affected agent had a request (not a probe) accepted; `null` if some never did. */
  readonly allBackMs: number | null;
  /** Median and 99th percentile, over agents that came back, of (first accepted request after server-up − server-up). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Highest requests arriving in one second after server-up, as a multiple of capacity. */
  readonly peakLoad: number;
  /** Highest requests arriving in one second while the server was down. */
  readonly peakDuringOutage: number;
  /** Requests sent into the outage (all refused). */
  readonly duringOutage: number;
  /** Requests refused with 503 after server-up. */
  readonly refusedAfterOutage: number;
  /** Affected agents with no accepted request within the horizon. */
  readonly neverBack: number;
  /** Every request made within the horizon. */
  readonly requests: number;
  /** Requests by kind: check-in, client retry, health probe, trial. */
  readonly byKind: Readonly<Record<(typeof KINDS)[number], KindCount>>;
  /** Requests arriving in each second [i, i+1) from t = 0, all kinds. */
  readonly offered: Int32Array;
}

/** The whole default stack: `poll` with `pollDefaults` around a `ResilientClient` with every option at its default. */
export const fleetDefaults: FleetPolicy = Object.freeze({ name: 'default' });

const NO_SLEEP = (): Promise<void> => Promise.reject(new Error('steadfast: the fleet model never sleeps'));

/**
 * Runs the simulation. 10,000 agents over 20 minutes is about a million events: a binary heap of
 * timers and per-second buckets keep it to a few seconds.
 *
 * @example
 * const r = await simulateFleet({ agents: 10_000, outage: '2m', capacity: 1000, failures: 'simultaneous' });
 * r.allBackMs / r.floorMs; r.peakLoad; r.byKind['health probe'] // how fast, how hard, and who sent what
 */
export async function simulateFleet(o: FleetOptions = {}): Promise<FleetResult> {
  const n = countOption('agents', o.agents ?? 10_000, { min: 1 });
  const interval = positiveDuration('interval', o.interval ?? '30s');
  const outage = parseDuration(o.outage ?? '60s', { option: 'outage' });
  const capacity = countOption('capacity', o.capacity ?? 1000, { min: 1 });
  const horizon = positiveDuration('horizon', o.horizon ?? '20m');
  const failures = o.failures ?? 'spread';
  if (failures !== 'spread' && failures !== 'simultaneous') {
    throw new RangeError(`steadfast: failures must be 'spread' or 'simultaneous'; got ${describeValue(failures)}`);
  }
  const overload = o.overload ?? '503';
  if (overload !== '503' && overload !== 'retry-after') {
    throw new RangeError(`steadfast: overload must be '503' or 'retry-after'; got ${describeValue(overload)}`);
  }
  const seed = countOption('seed', o.seed ?? 1);
  const policy = o.policy ?? fleetDefaults;
  const stack = resolveStack(policy, interval);
  const onRequest = o.onRequest;
  if (onRequest !== undefined && typeof onRequest !== 'function') throw new TypeError(`steadfast: onRequest must be a function; got ${describeValue(onRequest)}`);
  const seconds = Math.ceil(horizon / 1000);
  const server = new Server(outage, capacity, overload, seconds);
  const timers = new Timers(2 * n);
  const affected = new Uint8Array(n);
  const backAt = new Float64Array(n).fill(-1);
  const world: World = {
    get now() {
      return timers.now;
    },
    send(agent, kind) {
      const t = timers.now;
      const answer = server.answer(t, kind);
      onRequest?.(agent, t, KINDS[kind] as (typeof KINDS)[number], answer === undefined);
      if (kind === PROBE) return answer;
      if (answer !== undefined) affected[agent] = 1;
      else if (t >= outage && affected[agent] === 1 && (backAt[agent] as number) < 0) backAt[agent] = t;
      return answer;
    },
    timer: (agent, lane, time) => (Number.isNaN(time) ? timers.cancel(2 * agent + lane) : timers.set(2 * agent + lane, time)),
    pending: (agent, lane) => timers.pending(2 * agent + lane),
  };
  const phases = seededRandom(seed);
  const agents: Agent[] = [];
  for (let a = 0; a < n; a++) {
    // Each agent draws from its own stream, as each real agent draws from its own clock.
    const clock: Clock = { now: () => timers.now, random: seededRandom(seed * 1_000_003 + a + 1), sleep: NO_SLEEP };
    agents.push(new Agent(a, stack, world, clock));
    timers.set(2 * a, failures === 'simultaneous' ? 0 : phases() * interval);
  }
  for (;;) {
    const id = timers.next(horizon);
    if (id < 0) break;
    const pending = (agents[id >> 1] as Agent).fire(id & 1);
    if (pending !== undefined) await pending;
  }
  return summarize({ n, capacity, outage, horizon, failures, overload, name: stack.name, server, affected, backAt });
}

interface Tally {
  n: number;
  capacity: number;
  outage: number;
  horizon: number;
  failures: FailureMode;
  overload: Overload;
  name: string;
  server: Server;
  affected: Uint8Array;
  backAt: Float64Array;
}

function summarize(t: Tally): FleetResult {
  const recovery: number[] = [];
  let affectedCount = 0;
  let neverBack = 0;
  for (let a = 0; a < t.n; a++) {
    if (t.affected[a] === 0) continue;
    affectedCount++;
    const at = t.backAt[a] as number;
    if (at < 0) neverBack++;
    else recovery.push(at - t.outage);
  }
  recovery.sort((x, y) => x - y);
  const upSecond = Math.floor(t.outage / 1000);
  const seconds = t.server.accepted.length;
  const offered = new Int32Array(seconds);
  const byKind = {} as Record<(typeof KINDS)[number], KindCount>;
  KINDS.forEach((kind, k) => {
    const series = t.server.offered[k] as Int32Array;
    let during = 0;
    let after = 0;
    let peak = 0;
    for (let s = 0; s < seconds; s++) {
      const v = series[s] as number;
      offered[s] = (offered[s] as number) + v;
      if (s < upSecond) during += v;
      else {
        after += v;
        peak = Math.max(peak, v);
      }
    }
    byKind[kind] = { duringOutage: during, after, peakAfter: peak / t.capacity };
  });
  let peakAfter = 0;
  let peakDuring = 0;
  let requests = 0;
  for (let s = 0; s < seconds; s++) {
    const v = offered[s] as number;
    requests += v;
    if (s >= upSecond) peakAfter = Math.max(peakAfter, v);
    else peakDuring = Math.max(peakDuring, v);
  }
  return {
    policy: t.name,
    agents: t.n,
    capacity: t.capacity,
    outageMs: t.outage,
    horizonMs: t.horizon,
    failures: t.failures,
    overload: t.overload,
    affected: affectedCount,
    floorMs: (affectedCount / t.capacity) * 1000,
    allBackMs: neverBack > 0 ? null : (recovery[recovery.length - 1] ?? 0),
    p50Ms: quantile(recovery, 0.5),
    p99Ms: quantile(recovery, 0.99),
    peakLoad: peakAfter / t.capacity,
    peakDuringOutage: peakDuring,
    duringOutage: t.server.refusedDown,
    refusedAfterOutage: t.server.refusedBusy,
    neverBack,
    requests,
    byKind,
    offered,
  };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
