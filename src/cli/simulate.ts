/**
 * `steadfast simulate`: a fleet of agents (poll around a ResilientClient) through an outage, one
 * row per policy, and the requests each part of the stack sent.
 */
import type { Backoff } from '../core/backoff.js';
import { choiceFlag, durationFlag, noPositionals, numberFlag, parseArgs, UsageError, type ParsedArgs } from './args.js';
import { backoffFlags, backoffFromArgs, hasBackoffFlags, table, type CliIo } from './schedule.js';
import { systemClock } from '../core/clock.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { positiveDuration } from '../core/options.js';
import { fleetDefaults, KINDS, simulateFleet, type FleetOptions, type FleetPolicy, type FleetResult } from './fleet.js';
import { resolveStack } from './fleet-stack.js';
import { renderFleetSvg } from './fleet-svg.js';

/**
 * Named policies for `--policy` and `--compare`: the default stack, and the same stack with one
 * part taken out, to see what each part sends.
 */
export const fleetPresets: Readonly<Record<string, FleetPolicy>> = {
  default: fleetDefaults,
  // What `poll` alone offers: the check-in goes straight to the server, no client around it.
  'poll-only': { name: 'poll-only', client: false },
  'no-health': { name: 'no-health', client: { health: false } },
  'no-retries': { name: 'no-retries', client: { retry: false } },
  'no-breaker': { name: 'no-breaker', client: { breaker: false } },
};

/** One line per preset, `name  parameters`, for `--help`. */
export function presetLines(indent = ''): string {
  const names = Object.keys(fleetPresets);
  const width = Math.max(...names.map((n) => n.length));
  return names.map((n) => `${indent}${n.padEnd(width)}  ${describePolicy(fleetPresets[n] as FleetPolicy)}`).join('\n');
}

/** A backoff in words, e.g. `exponential 1s..12s equal`. */
function describeBackoff(b: Backoff): string {
  const shape =
    b.kind === 'exponential' || b.kind === 'linear'
      ? `${b.kind} ${formatDuration(b.baseDelay(1))}..${formatDuration(b.maxDelay)}`
      : b.kind === 'constant'
        ? `constant ${formatDuration(b.baseDelay(1))}`
        : `schedule up to ${formatDuration(b.maxDelay)}`;
  const jitter = typeof b.jitter === 'number' ? `±${b.jitter * 100}%` : b.jitter === 'none' ? 'no jitter' : `${b.jitter} jitter`;
  return `${shape}, ${jitter}`;
}

/** A policy's stack in words: poll's backoff and interval jitter, then each part of the client. */
export function describePolicy(p: FleetPolicy): string {
  const s = resolveStack(p, 30_000);
  const poll = `poll ${describeBackoff(s.pollBackoff)}, interval ±${Math.round(s.pollJitter * 100)}%`;
  const c = s.client;
  if (c === undefined) return `${poll}; no client`;
  const retries = c.retry.maxRetries === 0 ? 'no retries' : `${c.retry.maxRetries} retries ${describeBackoff(c.retry.backoff as Backoff)}`;
  const budget = c.budget === undefined ? 'no budget' : 'budget';
  const breaker = c.breaker === undefined ? 'no breaker' : 'breaker';
  const probes = c.monitor === undefined ? 'no probes' : `a probe after ${formatDuration(c.monitor.intervalMs)} without a request`;
  return `${poll}; client: ${retries}, ${budget}, ${breaker}, ${probes}`;
}

const simulateFlags = {
  ...backoffFlags,
  agents: 'string',
  interval: 'string',
  'interval-jitter': 'string',
  outage: 'string',
  capacity: 'string',
  failures: 'string',
  overload: 'string',
  horizon: 'string',
  seed: 'string',
  policy: 'string',
  budget: 'string',
  compare: 'boolean',
  svg: 'string',
  json: 'boolean',
} as const;

/** The policies a command line asks for, in order. */
function policiesFromArgs(args: ParsedArgs): FleetPolicy[] {
  const names = args.booleans.has('compare') ? Object.keys(fleetPresets) : (args.values.get('policy')?.split(',') ?? []);
  const out = names.map((raw) => {
    const p = fleetPresets[raw.trim()];
    if (p === undefined) throw new UsageError(`--policy must be among ${Object.keys(fleetPresets).join(', ')}; got ${JSON.stringify(raw)}`);
    return p;
  });
  if (hasBackoffFlags(args)) {
    const { backoff, label } = backoffFromArgs(args);
    out.push({ name: `poll ${label}`, poll: { backoff } });
  }
  if (out.length === 0) out.push(fleetDefaults);
  const jitter = numberFlag(args, 'interval-jitter', { min: 0, max: 1 });
  const budget = budgetFlag(args);
  return out.map((p) => {
    const poll = jitter === undefined ? p.poll : { ...p.poll, jitter };
    const client = budget === undefined || p.client === false ? p.client : { ...p.client, budget };
    return { ...p, ...(poll === undefined ? {} : { poll }), ...(client === undefined ? {} : { client }), ...(budget === undefined ? {} : { name: `${p.name} + budget` }) };
  });
}

function budgetFlag(args: ParsedArgs): { ratio: number; minPerSecond: number; window?: number } | undefined {
  const raw = args.values.get('budget');
  if (raw === undefined) return undefined;
  const [ratio, minPerSecond, window, extra] = raw.split(',');
  const bad = (): never => {
    throw new UsageError(`--budget must be ratio,minPerSecond[,window], e.g. 0.2,0.05,1m; got ${JSON.stringify(raw)}`);
  };
  const r = Number(ratio);
  const m = Number(minPerSecond ?? 'x');
  if (extra !== undefined || ratio === '' || !(r >= 0 && r <= 1000) || minPerSecond === '' || !(m >= 0 && Number.isFinite(m))) bad();
  if (window === undefined) return { ratio: r, minPerSecond: m }; // RetryBudget's own default window
  try {
    return { ratio: r, minPerSecond: m, window: positiveDuration('--budget window', window) };
  } catch {
    return bad();
  }
}

/** Fleet options common to every policy of a run. */
function fleetOptionsFromArgs(args: ParsedArgs): Omit<FleetOptions, 'policy'> {
  const o: Omit<FleetOptions, 'policy'> = {};
  const put = <K extends keyof typeof o>(key: K, value: (typeof o)[K] | undefined): void => {
    if (value !== undefined) o[key] = value;
  };
  put('agents', numberFlag(args, 'agents', { min: 1, max: 1_000_000, integer: true }));
  put('interval', durationFlag(args, 'interval'));
  put('outage', durationFlag(args, 'outage'));
  put('capacity', numberFlag(args, 'capacity', { min: 1, max: 1e9, integer: true }));
  put('failures', choiceFlag(args, 'failures', ['spread', 'simultaneous'] as const));
  put('overload', choiceFlag(args, 'overload', ['503', 'retry-after'] as const));
  put('horizon', durationFlag(args, 'horizon'));
  put('seed', numberFlag(args, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true }));
  if (o.interval === 0) throw new UsageError('--interval must be > 0');
  if (o.horizon === 0) throw new UsageError('--horizon must be > 0');
  const horizon = (o.horizon as number | undefined) ?? 1_200_000;
  if (horizon > 86_400_000) throw new UsageError('--horizon must be at most 1d');
  return o;
}

/** `steadfast simulate [flags]`: resolves with the exit code. */
export async function runSimulate(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, simulateFlags);
  noPositionals(args);
  const options = fleetOptionsFromArgs(args);
  const policies = policiesFromArgs(args);
  const svg = args.values.get('svg');
  if (svg !== undefined && io.writeFile === undefined) throw new UsageError('--svg needs a file system');
  const started = systemClock.now();
  const results: FleetResult[] = [];
  for (const policy of policies) results.push(await simulateFleet({ ...options, policy }));
  const elapsed = systemClock.now() - started;
  if (svg !== undefined) io.writeFile?.(svg, renderFleetSvg(results));
  if (args.booleans.has('json')) {
    io.stdout.write(`${JSON.stringify(results.map(summary), null, 2)}\n`);
    return 0;
  }
  const first = results[0] as FleetResult;
  io.stdout.write(
    `${first.agents} agents checking in every ${formatDuration(parseDuration(options.interval ?? '30s'))}, ` +
      `server down ${formatDuration(first.outageMs)} (${first.failures} failures), then ${first.capacity} requests/s` +
      `${first.overload === 'retry-after' ? ' (503 + Retry-After beyond)' : ''}; horizon ${formatDuration(first.horizonMs)}, seed ${options.seed ?? 1}\n`,
  );
  io.stdout.write(resultTable(results));
  io.stdout.write('\nrequests by kind (into the outage / after it / peak second after it):\n');
  io.stdout.write(kindTable(results));
  io.stdout.write(`simulated ${results.length} ${results.length === 1 ? 'policy' : 'policies'} in ${formatDuration(elapsed)}${svg === undefined ? '' : `; wrote ${svg}`}\n`);
  return 0;
}

/** A JSON-safe summary of one result (the per-second series left out). */
export function summary(r: FleetResult): Omit<FleetResult, 'offered'> {
  const { offered: _offered, ...rest } = r;
  return rest;
}

/** The text table: one row per policy. */
export function resultTable(results: readonly FleetResult[]): string {
  const head = ['policy', 'all back', 'floor', '× floor', 'p50', 'p99', 'peak load', 'into outage', '503 after', 'never back'];
  const rows = results.map((r) => [
    r.policy,
    r.allBackMs === null ? 'never' : formatDuration(r.allBackMs),
    formatDuration(r.floorMs),
    r.allBackMs === null ? '—' : (r.allBackMs / r.floorMs).toFixed(1),
    formatDuration(r.p50Ms),
    formatDuration(r.p99Ms),
    `${r.peakLoad.toFixed(2)}×C`,
    String(r.duringOutage),
    String(r.refusedAfterOutage),
    String(r.neverBack),
  ]);
  return table([head, ...rows], 1);
}

/** Requests by kind: one row per policy, one column per kind. */
export function kindTable(results: readonly FleetResult[]): string {
  const head = ['policy', ...KINDS];
  const rows = results.map((r) => [
    r.policy,
    ...KINDS.map((k) => {
      const c = r.byKind[k];
      return `${c.duringOutage} / ${c.after} / ${c.peakAfter.toFixed(2)}×C`;
    }),
  ]);
  return table([head, ...rows], 1);
}
