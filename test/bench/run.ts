/**
 * `npm run bench`: steadfast next to cockatiel, opossum and p-retry, in one process, one table.
 *
 *   npm run bench               full run (about 1–2 minutes)
 *   npm run bench -- --quick    short run (a smoke test; figures are rough)
 *   npm run bench -- --strict   exit 1 when a steadfast figure misses its target
 *
 * Ratios are medians over interleaved rounds of (contender ÷ baseline in the same round); see harness.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { clientRows } from './client.js';
import { ratioRows, renderTable, runSuite, type Row, type RunOptions } from './harness.js';
import { memoryRows } from './memory.js';
import { failureSuite, successSuite } from './retry-breaker.js';

const quick = process.argv.includes('--quick');
const strict = process.argv.includes('--strict');

const cpuRounds: RunOptions = quick ? { rounds: 60, warmupRounds: 15, batchMs: 2 } : { rounds: 1_000, warmupRounds: 50, batchMs: 2 };
const clientRounds = quick ? 300 : 5_000;

const started = performance.now();
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const loadBefore = load();
process.stdout.write(
  `steadfast bench${quick ? ' (--quick: rough figures)' : ''}: Node ${process.version}, ${availableParallelism()} cores (${cpu}), ` +
    `${process.platform}/${process.arch}, load average ${loadBefore}\n`,
);

const rows: Row[] = [];
const step = async (label: string, work: () => Promise<Row[]>): Promise<void> => {
  const t = performance.now();
  rows.push(...(await work()));
  process.stderr.write(`  ${label}: ${((performance.now() - t) / 1000).toFixed(1)}s\n`);
};

await step('success path', async () => ratioRows(await runSuite(successSuite(), cpuRounds)));
await step('failure path', async () => ratioRows(await runSuite(failureSuite(), cpuRounds)));
await step('memory', memoryRows);
await step('client latency', () => clientRows({ rounds: clientRounds }));

process.stdout.write(`\n${renderTable(rows)}\n\n`);
const judged = rows.filter((r) => r.verdict !== '');
const failed = judged.filter((r) => r.verdict === 'FAIL');
process.stdout.write(
  `${judged.length - failed.length}/${judged.length} steadfast targets met; ` +
    `${((performance.now() - started) / 1000).toFixed(1)}s; load average before ${loadBefore}, after ${load()}\n`,
);

// The outbox bench belongs to the outbox; run it after ours when it exists, never depend on it.
const outboxBench = fileURLToPath(new URL('./outbox.bench.ts', import.meta.url));
if (!quick && existsSync(outboxBench)) {
  process.stdout.write('\noutbox bench (test/bench/outbox.bench.ts):\n');
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), outboxBench], { stdio: 'inherit', timeout: 90_000 });
  if (r.status !== 0) process.stdout.write(`outbox bench did not finish cleanly (${r.error?.message ?? r.signal ?? r.status})\n`);
}

if (strict && failed.length > 0) process.exitCode = 1;
