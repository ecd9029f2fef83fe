/**
 * Suite 5: what a browser app downloads for the names it imports. Each row is an esbuild browser
 * build (bundle, minify, ESM) of a one-line entry importing only those names, gzipped at level 9.
 * steadfast is built from `src/` through its public entry, so the figures are those of the current
 * code with the package's `sideEffects: false` tree-shaking, as an app's bundler would see it.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Row } from './harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const core = JSON.stringify(`${root}src/index.ts`);

/** One bundle to measure: the entry's source and, for steadfast rows, the issue 11 target in kB. */
export interface SizeCase {
  name: string;
  entry: string;
  target?: number;
}

/** The rows of `npm run bench:size`, steadfast first; the peers import what does the same job. */
export const SIZE_CASES: readonly SizeCase[] = [
  { name: 'steadfast withRetry + exponential', entry: `export { withRetry, exponential } from ${core};`, target: 4 },
  { name: 'steadfast CircuitBreaker', entry: `export { CircuitBreaker } from ${core};`, target: 4 },
  { name: 'steadfast ResilientClient', entry: `export { ResilientClient } from ${core};`, target: 10 },
  { name: 'steadfast whole core (export * from steadfast)', entry: `export * from ${core};`, target: 13 },
  // cockatiel's policies need a `handle*` predicate to be built at all.
  { name: 'cockatiel retry + ExponentialBackoff', entry: `export { retry, handleAll, ExponentialBackoff } from 'cockatiel';` },
  { name: 'cockatiel circuitBreaker + ConsecutiveBreaker', entry: `export { circuitBreaker, handleAll, ConsecutiveBreaker } from 'cockatiel';` },
  { name: 'p-retry pRetry', entry: `export { default as pRetry } from 'p-retry';` },
  { name: 'ky (default export)', entry: `export { default as ky } from 'ky';` },
];

/** One module's share of a bundle, before gzip. */
export interface Contributor {
  path: string;
  bytes: number;
}

/** The measured sizes of one case, in bytes. */
export interface SizeResult extends SizeCase {
  minified: number;
  gzip: number;
  /** Modules by minified bytes in the output, biggest first (esbuild's metafile). */
  contributors: Contributor[];
}

/** Builds and gzips one case. */
export async function measure(c: SizeCase): Promise<SizeResult> {
  const { build } = await import('esbuild');
  const out = await build({
    stdin: { contents: c.entry, resolveDir: root, sourcefile: 'entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.contents;
  const inputs = Object.values(out.metafile.outputs)[0]?.inputs ?? {};
  const contributors = Object.entries(inputs)
    .map(([path, i]) => ({ path: path.replace(/^node_modules\//, ''), bytes: i.bytesInOutput }))
    .filter((x) => x.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return { ...c, minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, contributors };
}

/** Every case, in order. */
export async function measureAll(cases: readonly SizeCase[] = SIZE_CASES): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  for (const c of cases) results.push(await measure(c));
  return results;
}

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

/** Suite 5 as table rows (kB = 1,000 bytes). */
export function sizeRows(results: readonly SizeResult[]): Row[] {
  return results.map((r) => ({
    suite: 'browser bundle (esbuild, minify, gzip -9)',
    contender: r.name,
    result: `${kB(r.gzip)} gzip`,
    spread: `${kB(r.minified)} minified, ${r.contributors.length} modules`,
    absolute: `${r.gzip} B`,
    target: r.target === undefined ? '' : `≤ ${r.target} kB`,
    verdict: r.target === undefined ? '' : r.gzip <= r.target * 1000 ? 'pass' : 'FAIL',
  }));
}

/** The biggest `top` modules of each steadfast bundle, as text: where the bytes go. */
export function contributorReport(results: readonly SizeResult[], top = 10): string {
  return results
    .filter((r) => r.target !== undefined)
    .map((r) => {
      const lines = r.contributors.slice(0, top).map((c) => `  ${String(c.bytes).padStart(6)} B  ${(100 * c.bytes / r.minified).toFixed(1).padStart(4)}%  ${c.path}`);
      return `${r.name}: ${kB(r.minified)} minified, ${kB(r.gzip)} gzip; top ${lines.length} of ${r.contributors.length} modules (minified bytes):\n${lines.join('\n')}`;
    })
    .join('\n\n');
}
