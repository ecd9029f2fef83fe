// How `pollDefaults` was chosen (SPEC §8, issue 6): every candidate poll policy runs through the
// fleet simulation, 10,000 agents checking in every 30s, in 6 scenarios (spread and simultaneous
// failures; 30s, 120s and 600s outages) and several seeds, at 2000/s and 500/s. A candidate
// passes at a capacity when, in its worst scenario and seed, every agent is back, the load after
// server-up never exceeds capacity, and the last agent is back within 3× the floor N/C.
// Run: npx tsx scripts/choose-poll-defaults.ts [--seeds 5]
import { pathToFileURL } from 'node:url';
import { exponential, type Jitter } from '../src/core/backoff.js';
import { simulateFleet, type FailureMode, type FleetPolicy } from '../src/cli/fleet.js';
import { pollDefaults } from '../src/policies/poll.js';

/** One candidate: exponential `initial..max` with `jitter`, interval jitter ±10%. */
export interface Candidate {
  readonly label: string;
  readonly policy: FleetPolicy;
}

function candidate(initial: string, max: string, jitter: Jitter, note = ''): Candidate {
  const label = `${initial}..${max} ${String(jitter)}${note}`;
  return { label, policy: { name: label, backoff: exponential({ initial, max, jitter }), jitter: 0.1 } };
}

export const candidates: readonly Candidate[] = [
  candidate('1s', '30s', 'full', ' (old default)'),
  candidate('1s', '15s', 'full'),
  candidate('1s', '15s', 'equal'),
  candidate('1s', '12s', 'full'),
  candidate('1s', '12s', 'equal'),
  candidate('1s', '12s', 'decorrelated'),
  candidate('1s', '10s', 'equal'),
  candidate('2s', '15s', 'equal'),
];

export const scenarios: readonly { failures: FailureMode; outage: string }[] = (['spread', 'simultaneous'] as const).flatMap((failures) =>
  ['30s', '120s', '600s'].map((outage) => ({ failures, outage })),
);

/** Worst case of one candidate at one capacity, over every scenario and seed. */
export interface Worst {
  /** Largest (all back ÷ floor); Infinity if some agent never came back. */
  readonly xFloor: number;
  /** Largest peak load after server-up, as a multiple of capacity. */
  readonly peak: number;
  /** Largest number of agents not back within the horizon. */
  readonly neverBack: number;
}

export function worstCase(policy: FleetPolicy, capacity: number, seeds: number): Worst {
  let xFloor = 0;
  let peak = 0;
  let neverBack = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    for (const { failures, outage } of scenarios) {
      const r = simulateFleet({ agents: 10_000, interval: '30s', capacity, outage, failures, seed, horizon: '20m', policy });
      xFloor = Math.max(xFloor, r.allBackMs === null ? Infinity : r.allBackMs / r.floorMs);
      peak = Math.max(peak, r.peakLoad);
      neverBack = Math.max(neverBack, r.neverBack);
    }
  }
  return { xFloor, peak, neverBack };
}

/** Meets issue 6 at this capacity: every agent back, never above C after server-up, within 3× the floor. */
export function passes(w: Worst): boolean {
  return w.neverBack === 0 && w.peak <= 1 && w.xFloor <= 3;
}

const fmt = (w: Worst): string => `${w.xFloor === Infinity ? 'never' : w.xFloor.toFixed(2)} | ${w.peak.toFixed(2)}×C | ${w.neverBack}`;

/** The candidate table as Markdown, worst case over seeds 1..`seeds`. */
export function candidateTable(seeds: number): string {
  const rows = [
    '| backoff (interval ±10%) | 2000/s: worst × floor | worst peak | never back | meets all 3 | 500/s: worst × floor | worst peak | never back |',
    '| --- | ---: | ---: | ---: | :---: | ---: | ---: | ---: |',
  ];
  for (const { label, policy } of candidates) {
    const high = worstCase(policy, 2000, seeds);
    const low = worstCase(policy, 500, seeds);
    const chosen = policy.backoff.maxDelay === pollDefaults.backoff.maxDelay && policy.backoff.jitter === pollDefaults.backoff.jitter && policy.backoff.baseDelay(1) === pollDefaults.backoff.baseDelay(1);
    rows.push(`| ${chosen ? `**${label}** (default)` : label} | ${fmt(high)} | ${passes(high) ? 'yes' : 'no'} | ${fmt(low)} |`);
  }
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--seeds');
  const seeds = i === -1 ? 5 : Number(process.argv[i + 1]);
  if (!(Number.isInteger(seeds) && seeds >= 1)) throw new RangeError(`--seeds must be a positive integer; got ${process.argv[i + 1]}`);
  console.log(`10,000 agents, interval 30s, horizon 20m; worst case over seeds 1..${seeds} and ${scenarios.length} scenarios (spread/simultaneous × 30s/120s/600s outages)\n`);
  console.log(candidateTable(seeds));
}
