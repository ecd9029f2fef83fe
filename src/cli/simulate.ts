/**
 * `steadfast simulate`: a fleet of poll loops through an outage, one row per policy.
 */
import { constant, exponential } from '../core/backoff.js';
import { choiceFlag, durationFlag, noPositionals, numberFlag, parseArgs, UsageError, type ParsedArgs } from './args.js';
import { backoffFlags, backoffFromArgs, hasBackoffFlags, table, type CliIo } from './schedule.js';
import { systemClock } from '../core/clock.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { positiveDuration } from '../core/options.js';
import { fleetDefaults, simulateFleet, type FleetOptions, type FleetPolicy, type FleetResult } from './fleet.js';
import { renderFleetSvg } from './fleet-svg.js';

const spec30s: FleetPolicy = { name: 'spec-30s', backoff: exponential({ initial: '1s', max: '30s', jitter: 'full' }), jitter: fleetDefaults.jitter };

/**
 * Named policies for `--policy` and `--compare`, each worth comparing with `default`
 * (`pollDefaults`: exponential 1s..12s, equal jitter). Every one but `no-jitter` varies the
 * interval by ±10%.
 */
export const fleetPresets: Readonly<Record<string, FleetPolicy>> = {
  default: fleetDefaults,
  // The previous default (the SPEC's comment): its 30s cap leaves the last agent out 6× the floor.
  'spec-30s': spec30s,
  'fixed-5s': { name: 'fixed-5s', backoff: constant('5s'), jitter: fleetDefaults.jitter },
  'fixed-5m': { name: 'fixed-5m', backoff: constant('5m'), jitter: fleetDefaults.jitter },
  // The default's schedule with no randomness anywhere: agents that fail together retry together.
  'no-jitter': { name: 'no-jitter', backoff: exponential({ initial: '1s', max: '12s', jitter: 'none' }), jitter: 0 },
  budget: { ...fleetDefaults, name: 'budget', budget: { ratio: 0.2, minPerSecond: 0.05, window: '1m' } },
  // The old 30s cap with the default's jitter: the cap, not the jitter, bounds the last agent.
  equal: { name: 'equal', backoff: exponential({ initial: '1s', max: '30s', jitter: 'equal' }), jitter: fleetDefaults.jitter },
  // The default's cap with decorrelated jitter (max >= 3× initial, else delays pile up at max).
  decorrelated: { name: 'decorrelated', backoff: exponential({ initial: '1s', max: '12s', jitter: 'decorrelated' }), jitter: fleetDefaults.jitter },
};

/** One line per preset, `name  parameters`, for `--help`. */
export function presetLines(indent = ''): string {
  const names = Object.keys(fleetPresets);
  const width = Math.max(...names.map((n) => n.length));
  return names.map((n) => `${indent}${n.padEnd(width)}  ${describePolicy(fleetPresets[n] as FleetPolicy)}`).join('\n');
}

/** A policy's parameters in words, e.g. `exponential 1s..12s, equal jitter; interval ±10%`. */
export function describePolicy(p: FleetPolicy): string {
  const b = p.backoff;
  const shape =
    b.kind === 'exponential' || b.kind === 'linear'
      ? `${b.kind} ${formatDuration(b.baseDelay(1))}..${formatDuration(b.maxDelay)}`
      : b.kind === 'constant'
        ? `constant ${formatDuration(b.baseDelay(1))}`
        : `schedule up to ${formatDuration(b.maxDelay)}`;
  const jitter = typeof b.jitter === 'number' ? `±${b.jitter * 100}%` : b.jitter === 'none' ? 'no jitter' : `${b.jitter} jitter`;
  const interval = p.jitter === 0 ? 'interval not jittered' : `interval ±${Math.round(p.jitter * 100)}%`;
  const budget = p.budget === undefined ? '' : ` + RetryBudget (ratio ${p.budget.ratio ?? 0.2}, ${p.budget.minPerSecond ?? 10}/s, window ${formatDuration(parseDuration(p.budget.window ?? '10s'))})`;
  const spec = p === fleetDefaults ? ' (pollDefaults)' : p === spec30s ? ' (the previous default)' : '';
  return `${shape}, ${jitter}; ${interval}${budget}${spec}`;
}

const simulateFlags = {
  ...backoffFlags,
  agents: 'string',
  interval: 'string',
  'interval-jitter': 'string',
  outage: 'string',
  capacity: 'string',
  failures: 'string',
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
    out.push({ name: label, backoff, jitter: fleetDefaults.jitter });
  }
  if (out.length === 0) out.push(fleetDefaults);
  const jitter = numberFlag(args, 'interval-jitter', { min: 0, max: 1 });
  const budget = budgetFlag(args);
  return out.map((p) => ({
    ...p,
    ...(jitter === undefined ? {} : { jitter }),
    ...(budget === undefined ? {} : { budget, name: `${p.name} + budget` }),
  }));
}

function budgetFlag(args: ParsedArgs): FleetPolicy['budget'] {
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
  put('agents', numberFlag(args, 'agents', { min: 1, max: 10_000_000, integer: true }));
  put('interval', durationFlag(args, 'interval'));
  put('outage', durationFlag(args, 'outage'));
  put('capacity', numberFlag(args, 'capacity', { min: 1, max: 1e9, integer: true }));
  put('failures', choiceFlag(args, 'failures', ['spread', 'simultaneous'] as const));
  put('horizon', durationFlag(args, 'horizon'));
  put('seed', numberFlag(args, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true }));
  if (o.interval === 0) throw new UsageError('--interval must be > 0');
  const horizon = (o.horizon as number | undefined) ?? 3_600_000;
  if (horizon > 7 * 86_400_000) throw new UsageError('--horizon must be at most 7d');
  return o;
}

/** `steadfast simulate [flags]`: returns the exit code. */
export function runSimulate(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv, simulateFlags);
  noPositionals(args);
  const options = fleetOptionsFromArgs(args);
  const policies = policiesFromArgs(args);
  const svg = args.values.get('svg');
  if (svg !== undefined && io.writeFile === undefined) throw new UsageError('--svg needs a file system');
  const started = systemClock.now();
  const results = policies.map((policy) => simulateFleet({ ...options, policy }));
  const elapsed = systemClock.now() - started;
  if (svg !== undefined) io.writeFile?.(svg, renderFleetSvg(results));
  if (args.booleans.has('json')) {
    io.stdout.write(`${JSON.stringify(results.map(summary), null, 2)}\n`);
    return 0;
  }
  const first = results[0] as FleetResult;
  io.stdout.write(
    `${first.agents} agents checking in every ${formatDuration(parseDuration(options.interval ?? '30s'))}, ` +
      `server down ${formatDuration(first.outageMs)} (${first.failures} failures), then ${first.capacity} requests/s; ` +
      `horizon ${formatDuration(first.horizonMs)}, seed ${options.seed ?? 1}\n`,
  );
  io.stdout.write(resultTable(results));
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
  const head = ['policy', 'all back', 'floor', '× floor', 'p50', 'p99', 'peak load', 'wasted (down)', 'wasted (503)', 'never back'];
  const rows = results.map((r) => [
    r.policy,
    r.allBackMs === null ? 'never' : formatDuration(r.allBackMs),
    formatDuration(r.floorMs),
    r.allBackMs === null ? '—' : (r.allBackMs / r.floorMs).toFixed(1),
    formatDuration(r.p50Ms),
    formatDuration(r.p99Ms),
    `${r.peakLoad.toFixed(2)}×C`,
    String(r.wastedDuringOutage),
    String(r.wastedAfterOutage),
    String(r.neverBack),
  ]);
  return table([head, ...rows], 1);
}
