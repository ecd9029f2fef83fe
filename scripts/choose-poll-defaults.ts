// How the fleet defaults were chosen (issue 13): each candidate open period for the breaker (the
// part that sets an agent's pace once its server is gone) runs the default stack through every
// scenario of scripts/fleet-scenarios.ts, and the worst case is kept. Candidates run with 2,000
// agents and capacities scaled by 1/5 (the same N/C, so the same floor); the chosen default is
// then measured at 10,000 agents by scripts/simulate-table.ts.
// Run: npx tsx scripts/choose-poll-defaults.ts
import { pathToFileURL } from 'node:url';
import { constant, exponential, type Backoff } from '../src/core/backoff.js';
import type { FleetPolicy } from '../src/cli/fleet.js';
import { RETRY_AFTER_SCENARIOS, run, SCENARIOS, xFloor } from './fleet-scenarios.js';

export const candidates: readonly { label: string; openFor: Backoff | string }[] = [
  { label: "30s fixed (main's value, with the rest of the new stack)", openFor: '30s' },
  { label: '**14s..28s: constant 28s, equal jitter** (default)', openFor: constant('28s', { jitter: 'equal' }) },
  { label: '20s..28s: constant 24s ±18%', openFor: constant('24s', { jitter: 0.18 }) },
  { label: '7.5s..15s, then 14s..28s: exponential 15s..28s, equal', openFor: exponential({ initial: '15s', max: '28s', jitter: 'equal' }) },
  { label: '8s..12s growing to 20s..28s: exponential 10s..24s ±18%', openFor: exponential({ initial: '10s', max: '24s', jitter: 0.18 }) },
];

export async function candidateTable(agents = 2_000): Promise<string> {
  const rows = [
    '| breaker `openFor` (everything else at its default) | worst × floor (1000/s) | worst peak after return (1000/s) | into a 120s outage (worst) | worst peak with Retry-After, 500 / 1000 / 2000 / 5000 per s |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const c of candidates) {
    const policy: FleetPolicy = { name: c.label, client: { breaker: { openFor: c.openFor } } };
    let x = 0;
    let peak = 0;
    let into = 0;
    const ra = new Map<number, number>();
    for (const s of SCENARIOS) {
      const r = await run(s, policy, agents);
      x = Math.max(x, xFloor(r));
      peak = Math.max(peak, r.peakLoad);
      if (s.outage === 120_000) into = Math.max(into, Math.round((r.duringOutage * 10_000) / agents));
    }
    for (const s of RETRY_AFTER_SCENARIOS) {
      const r = await run(s, policy, agents);
      ra.set(s.capacity, Math.max(ra.get(s.capacity) ?? 0, r.peakLoad));
    }
    rows.push(`| ${c.label} | ${x.toFixed(2)} | ${peak.toFixed(2)}×C | ${into.toLocaleString('en-US')} | ${[...ra.values()].map((v) => `${v.toFixed(2)}×C`).join(' / ')} |`);
  }
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await candidateTable());
}
