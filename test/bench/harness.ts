/**
 * A tiny benchmark harness with no dependencies. Contenders run interleaved in rounds
 * (A B C D, B C D A, …) so machine noise — other processes, GC, CPU frequency — lands on all of
 * them alike; within each round every contender is compared with the baseline measured in that
 * same round, and the median of those ratios is reported with its p25–p75 spread.
 */

/** One thing to measure. */
export interface Contender {
  name: string;
  /**
   * Runs the operation `n` times in sequence. Each contender writes its own loop so every call
   * site stays monomorphic: a shared loop calling `op()` would measure V8's polymorphic dispatch.
   */
  batch: (n: number) => Promise<void>;
  /** Highest acceptable median ratio to the baseline (only steadfast contenders have one). */
  target?: number;
  /** Shown next to the figures, e.g. why a contender is slow. */
  note?: string;
}

/** A baseline and the contenders compared with it. */
export interface Suite {
  title: string;
  baseline: Contender;
  contenders: Contender[];
  /** How ops are shown: 'ns' (ns/op) or 'us' (µs per op, for I/O). @default 'ns' */
  unit?: 'ns' | 'us';
}

/** How long to measure. */
export interface RunOptions {
  /** Rounds after warm-up. */
  rounds: number;
  /** Rounds run first and thrown away (JIT warm-up). */
  warmupRounds: number;
  /** Each batch is sized to last about this long, in ms. */
  batchMs: number;
  /** Upper bound on a batch size (I/O suites keep it small). @default 1_000_000 */
  maxBatch?: number;
}

/** The figures for one contender. */
export interface Result {
  suite: string;
  name: string;
  /** Median over rounds of (contender ns/op ÷ baseline ns/op in the same round). */
  ratio: number;
  p25: number;
  p75: number;
  /** Median ns per operation. */
  nsPerOp: number;
  target: number | undefined;
  note: string | undefined;
  unit: 'ns' | 'us';
  baseline: boolean;
}

/** Runs one suite and returns a result per contender, the baseline first (ratio 1). */
export async function runSuite(suite: Suite, o: RunOptions): Promise<Result[]> {
  const all = [suite.baseline, ...suite.contenders];
  const sizes: number[] = [];
  for (const c of all) sizes.push(await calibrate(c, o.batchMs, o.maxBatch ?? 1_000_000));
  const nsPerOp: number[][] = all.map(() => []);
  const total = o.warmupRounds + o.rounds;
  for (let round = 0; round < total; round++) {
    // Rotate the starting contender so none always runs right after the same neighbour.
    for (let k = 0; k < all.length; k++) {
      const i = (round + k) % all.length;
      const ns = await timeBatch(all[i]!, sizes[i]!);
      if (round >= o.warmupRounds) nsPerOp[i]!.push(ns);
    }
  }
  const base = nsPerOp[0]!;
  return all.map((c, i) => {
    const own = nsPerOp[i]!;
    const ratios = own.map((ns, r) => ns / base[r]!).sort(byNumber);
    return {
      suite: suite.title,
      name: c.name,
      ratio: quantile(ratios, 0.5),
      p25: quantile(ratios, 0.25),
      p75: quantile(ratios, 0.75),
      nsPerOp: quantile([...own].sort(byNumber), 0.5),
      target: c.target,
      note: c.note,
      unit: suite.unit ?? 'ns',
      baseline: i === 0,
    };
  });
}

/** Doubles the batch size until one batch lasts `batchMs`; also serves as warm-up. */
async function calibrate(c: Contender, batchMs: number, maxBatch: number): Promise<number> {
  let n = 1;
  for (;;) {
    const ns = (await timeBatch(c, n)) * n;
    if (ns >= batchMs * 1e6 || n >= maxBatch) return n;
    // Jump close to the goal once a measurable time is seen, otherwise double.
    n = ns > 50_000 ? Math.min(maxBatch, Math.ceil((n * batchMs * 1e6) / ns)) : n * 2;
  }
}

/** Nanoseconds per operation for one batch of `n`. */
async function timeBatch(c: Contender, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  await c.batch(n);
  return Number(process.hrtime.bigint() - start) / n;
}

function byNumber(a: number, b: number): number {
  return a - b;
}

/** Linear-interpolated quantile of a sorted array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** A row of the final table. Every suite reduces its figures to these columns. */
export interface Row {
  suite: string;
  contender: string;
  result: string;
  spread: string;
  absolute: string;
  target: string;
  verdict: 'pass' | 'FAIL' | '';
}

/** Turns ratio results into table rows. */
export function ratioRows(results: readonly Result[]): Row[] {
  return results.map((r) => ({
    suite: r.suite,
    contender: r.note === undefined ? r.name : `${r.name} (${r.note})`,
    result: r.baseline ? '1× (baseline)' : `${fmt(r.ratio)}×`,
    spread: r.baseline ? '' : `${fmt(r.p25)}–${fmt(r.p75)}×`,
    absolute: r.unit === 'us' ? `${fmt(r.nsPerOp / 1000)} µs/op` : `${fmt(r.nsPerOp)} ns/op`,
    target: r.target === undefined ? '' : `≤ ${r.target}×`,
    verdict: r.target === undefined ? '' : r.ratio <= r.target ? 'pass' : 'FAIL',
  }));
}

/** Three significant digits, no exponent: 1.23, 12.3, 123, 1234. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  return abs >= 100 ? x.toFixed(0) : abs >= 10 ? x.toFixed(1) : x.toFixed(2);
}

const HEADERS: Record<keyof Row, string> = {
  suite: 'suite',
  contender: 'contender',
  result: 'median ratio / result',
  spread: 'p25–p75 / detail',
  absolute: 'absolute',
  target: 'target',
  verdict: 'pass/fail',
};

/** Renders rows as a Markdown table (readable in a terminal, pasteable into the docs). */
export function renderTable(rows: readonly Row[]): string {
  const keys = Object.keys(HEADERS) as (keyof Row)[];
  const widths = keys.map((k) => Math.max(HEADERS[k].length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(keys.map((k) => HEADERS[k])),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map((r) => line(keys.map((k) => r[k]))),
  ].join('\n');
}
