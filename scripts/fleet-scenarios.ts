// The scenarios of issue 13 and the criteria the default stack is held to, shared by
// scripts/simulate-table.ts (the README tables), scripts/choose-fleet-defaults.ts and the tests.
import { simulateFleet, type FailureMode, type FleetPolicy, type FleetResult, type Overload } from '../src/cli/fleet.js';

export interface Scenario {
  readonly failures: FailureMode;
  readonly outage: number;
  readonly capacity: number;
  readonly overload: Overload;
}

/** 10,000 agents every 30s against 1,000 requests/s: outages of 30s, 120s, 600s, failures spread and simultaneous. */
export const SCENARIOS: readonly Scenario[] = (['spread', 'simultaneous'] as const).flatMap((failures) =>
  [30_000, 120_000, 600_000].map((outage) => ({ failures, outage, capacity: 1000, overload: '503' as const })),
);

/** The same defaults against a server answering overload with 503 + Retry-After, at 500, 1000, 2000 and 5000 requests/s. */
export const RETRY_AFTER_SCENARIOS: readonly Scenario[] = [500, 1000, 2000, 5000].flatMap((capacity) =>
  (['spread', 'simultaneous'] as const).map((failures) => ({ failures, outage: 120_000, capacity, overload: 'retry-after' as const })),
);

/** Runs one scenario for `agents` agents, capacity scaled to keep N/C (10,000 agents : capacity). */
export function run(s: Scenario, policy: FleetPolicy | undefined, agents = 10_000, seed = 1): Promise<FleetResult> {
  const scale = agents / 10_000;
  return simulateFleet({
    agents,
    capacity: Math.max(1, Math.round(s.capacity * scale)),
    outage: s.outage,
    failures: s.failures,
    overload: s.overload,
    horizon: s.outage + 300_000,
    seed,
    ...(policy === undefined ? {} : { policy }),
  });
}

/** How many times the floor N/C the last agent took to come back (Infinity if one never did). */
export const xFloor = (r: FleetResult): number => (r.allBackMs === null ? Infinity : r.allBackMs / r.floorMs);

/** Which of issue 13's criteria a result breaks, in words (empty when it meets them all). */
export function broken(s: Scenario, r: FleetResult): string[] {
  const out: string[] = [];
  const scale = r.agents / 10_000;
  if (s.overload === '503' && xFloor(r) > 3) out.push(`back in ${xFloor(r).toFixed(2)}× the floor (> 3)`);
  if (r.peakLoad > 1) out.push(`peak ${r.peakLoad.toFixed(2)}×C after the server is back (> 1.0)`);
  if (s.outage === 120_000 && s.overload === '503' && r.duringOutage > 80_000 * scale) out.push(`${r.duringOutage} requests into the 120s outage (> ${80_000 * scale})`);
  if (r.neverBack > 0) out.push(`${r.neverBack} agents never back`);
  return out;
}
