/**
 * `npm run bench`: steadfast next to cockatiel, opossum, p-retry and ky, in one process, one table.
 *
 *   npm run bench               full run (about 30 s, then the outbox bench if present)
 *   npm run bench -- --quick    short run (a smoke test; figures are rough)
 *   npm run bench -- --strict   exit 1 when a steadfast figure misses its target
 *   npm run bench -- --source   measure src/ through tsx instead of the bundled build
 *   npm run bench:size          browser bundle sizes only, and where each steadfast bundle's bytes go (run-size.ts)
 *
 * steadfast is bundled first with esbuild as tsup builds the package (ESM, es2022, no keepNames),
 * so it runs as shipped, like the peers' published JavaScript.
 * Ratios are medians over interleaved rounds of (contender ÷ baseline in the same round); see harness.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { clientRows, type ClientModule } from './client.js';
import { ratioRows, renderTable, runSuite, type Row, type RunOptions } from './harness.js';
import { memoryRows } from './memory.js';
import { failureSuite, successSuite, type Steadfast } from './retry-breaker.js';
import { measureAll, sizeRows } from './size.js';

const quick = process.argv.includes('--quick');
const strict = process.argv.includes('--strict');
let fromSource = process.argv.includes('--source');

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'steadfast-bench-'));

/** Bundles `entry` as tsup would (no keepNames) and returns its file URL; the sources' URL under `--source`. */
async function bundle(entry: string, name: string): Promise<string> {
  if (fromSource) return pathToFileURL(entry).href;
  // esbuild comes with tsup and tsx; without it, measure the sources rather than not at all.
  const esbuild = await import('esbuild').catch(() => undefined);
  if (esbuild === undefined) {
    fromSource = true;
    return pathToFileURL(entry).href;
  }
  const { build } = esbuild;
  const outfile = join(outDir, `${name}.mjs`);
  await build({ entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', logLevel: 'silent' });
  return pathToFileURL(outfile).href;
}

const steadfastUrl = await bundle(here('./steadfast.ts'), 'steadfast');
const sf = (await import(steadfastUrl)) as Steadfast;
// The client is measured if it loads; a missing or broken client.ts costs only its own suite.
const client: ClientModule | string = await bundle(here('../../src/client/client.ts'), 'client').then(
  async (url) => (await import(url)) as ClientModule,
  (error: unknown) => `src/client/client.ts could not be loaded: ${String(error).split('\n')[0]}`,
);

const cpuRounds: RunOptions = quick ? { rounds: 60, warmupRounds: 15, batchMs: 2 } : { rounds: 1_000, warmupRounds: 50, batchMs: 2 };
const clientRounds = quick ? 300 : 5_000;

const started = performance.now();
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const loadBefore = load();
process.stdout.write(
  `steadfast bench${quick ? ' (--quick: rough figures)' : ''}: Node ${process.version}, ${availableParallelism()} cores (${cpu}), ` +
    `${process.platform}/${process.arch}, load average ${loadBefore}; steadfast from ${fromSource ? 'src/ via tsx' : 'an esbuild bundle of src/ (as shipped)'}\n`,
);

const rows: Row[] = [];
const step = async (label: string, work: () => Promise<Row[]>): Promise<void> => {
  const t = performance.now();
  rows.push(...(await work()));
  process.stderr.write(`  ${label}: ${((performance.now() - t) / 1000).toFixed(1)}s\n`);
};

await step('success path', async () => ratioRows(await runSuite(successSuite(sf), cpuRounds)));
await step('failure path', async () => ratioRows(await runSuite(failureSuite(sf), cpuRounds)));
await step('memory', () => memoryRows(steadfastUrl));
await step('client latency', () => clientRows({ rounds: clientRounds, client }));
// Sizes need esbuild's metafile; without it the timing suites still report.
await step('bundle size', () =>
  measureAll().then(sizeRows, (error: unknown) => [
    { suite: 'browser bundle', contender: 'all', result: 'not measured', spread: String(error).split('\n')[0] ?? '', absolute: '', target: '', verdict: '' } satisfies Row,
  ]),
);

rmSync(outDir, { recursive: true, force: true });
process.stdout.write(`\n${renderTable(rows)}\n\n`);
const judged = rows.filter((r) => r.verdict !== '');
const failed = judged.filter((r) => r.verdict === 'FAIL');
process.stdout.write(
  `${judged.length - failed.length}/${judged.length} steadfast targets met; ` +
    `${((performance.now() - started) / 1000).toFixed(1)}s; load average before ${loadBefore}, after ${load()}\n`,
);

// The outbox bench belongs to the outbox; run it after ours when it exists, never depend on it.
const outboxBench = here('./outbox.bench.ts');
if (!quick && existsSync(outboxBench)) {
  process.stdout.write('\noutbox bench (test/bench/outbox.bench.ts):\n');
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), outboxBench], { stdio: 'inherit', timeout: 90_000 });
  if (r.status !== 0) process.stdout.write(`outbox bench did not finish cleanly (${r.error?.message ?? r.signal ?? r.status})\n`);
}

if (strict && failed.length > 0) process.exitCode = 1;
