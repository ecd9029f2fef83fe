/**
 * Suite 3: what 10,000 idle breakers cost. Each library is measured in its own child process
 * (`--expose-gc`), so neither the others' code nor the parent's garbage lands in the figure:
 * retained heap per breaker after a full GC, the timers they created, the handles they keep
 * active, and how long the process takes to exit once its main module has returned.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, type Row } from './harness.js';
import type { Steadfast } from './retry-breaker.js';

const COUNT = 10_000;
const CHILD_FLAG = '--memory-child';
/** A process still alive this long after its work is done is being held open. */
const EXIT_LIMIT_MS = 3_000;
const LIBS = ['steadfast', 'cockatiel', 'opossum'] as const;
type Lib = (typeof LIBS)[number];

/** What a child reports. */
interface ChildReport {
  lib: Lib;
  bytesPerBreaker: number;
  timersCreated: number;
  intervalsCreated: number;
  /** `process.getActiveResourcesInfo()` entries beyond those present before the breakers existed. */
  activeResources: number;
  activeTimers: number;
}

/** A factory per library, loaded before the "before" heap reading so code and shapes don't count. */
async function factory(lib: Lib, steadfastUrl: string): Promise<() => unknown> {
  if (lib === 'steadfast') {
    const { CircuitBreaker } = (await import(steadfastUrl)) as Steadfast;
    return () => new CircuitBreaker();
  }
  if (lib === 'cockatiel') {
    const { circuitBreaker, ConsecutiveBreaker, handleAll } = await import('cockatiel');
    return () => circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) });
  }
  const { default: Opossum } = await import('opossum');
  const fn = async (): Promise<number> => 42;
  return () => new Opossum(fn, { resetTimeout: 30_000 });
}

async function child(lib: Lib, steadfastUrl: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('memory child needs --expose-gc');
  // Count timers by wrapping the globals before any breaker exists.
  let timers = 0;
  let intervals = 0;
  const { setTimeout: st, setInterval: si } = globalThis;
  globalThis.setTimeout = ((...args: Parameters<typeof st>) => (timers++, st(...args))) as typeof st;
  globalThis.setInterval = ((...args: Parameters<typeof si>) => (intervals++, si(...args))) as typeof si;
  const make = await factory(lib, steadfastUrl);
  // Warm-up instance: first-use costs (code, hidden classes, lazy statics) are not per breaker.
  const warm = make();
  const keep: unknown[] = new Array<unknown>(COUNT).fill(undefined);
  const resourcesBefore = process.getActiveResourcesInfo().length;
  const timersBefore = countTimers();
  const [t0, i0] = [timers, intervals];
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < COUNT; i++) keep[i] = make();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const report: ChildReport = {
    lib,
    bytesPerBreaker: (after - before) / COUNT,
    timersCreated: timers - t0,
    intervalsCreated: intervals - i0,
    activeResources: process.getActiveResourcesInfo().length - resourcesBefore,
    activeTimers: countTimers() - timersBefore,
  };
  // Kept referenced to the end, so the breakers are alive while the process tries to exit.
  (globalThis as { keep?: unknown }).keep = [warm, keep];
  process.stdout.write(`${JSON.stringify(report)}\n`);
  // Return without process.exit(): whatever the breakers hold decides when the process exits.
}

function countTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/** Runs one child and times its exit from the moment it printed its report. */
function measure(lib: Lib, steadfastUrl: string): Promise<{ report: ChildReport; exitMs: number; exited: boolean }> {
  const file = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', import.meta.resolve('tsx'), file, CHILD_FLAG, lib, steadfastUrl], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let reportAt = 0;
    let killer: ReturnType<typeof setTimeout> | undefined;
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (reportAt === 0 && out.includes('\n')) {
        reportAt = performance.now();
        killer = setTimeout(() => proc.kill('SIGKILL'), EXIT_LIMIT_MS);
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(killer);
      const exitMs = performance.now() - reportAt;
      if (reportAt === 0) return reject(new Error(`memory child for ${lib} failed (${code ?? signal}): ${err.trim()}`));
      resolve({ report: JSON.parse(out.split('\n')[0]!) as ChildReport, exitMs, exited: signal === null });
    });
  });
}

/** Targets from issue 4, for steadfast only. */
const MAX_BYTES = 400;

/**
 * Suite 3 as table rows. `steadfastUrl` is the module run.ts loaded steadfast from (the bundle).
 * Children run one at a time so they don't compete for the 2 cores.
 */
export async function memoryRows(steadfastUrl: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const lib of LIBS) {
    const { report: r, exitMs, exited } = await measure(lib, steadfastUrl);
    const timers = r.timersCreated + r.intervalsCreated;
    const exit = exited ? `exits in ${fmt(exitMs)} ms` : `still running after ${EXIT_LIMIT_MS / 1000}s (killed)`;
    const steadfast = lib === 'steadfast';
    const pass = r.bytesPerBreaker <= MAX_BYTES && timers === 0 && r.activeResources <= 0 && exited && exitMs < 500;
    rows.push({
      suite: `memory (${COUNT.toLocaleString('en-US')} idle breakers)`,
      contender: lib,
      result: `${fmt(r.bytesPerBreaker)} B/breaker`,
      spread:
        `${r.intervalsCreated} intervals + ${r.timersCreated} timeouts created, ` +
        `${Math.max(0, r.activeTimers)} ref'd timers active`,
      absolute: `${fmt((r.bytesPerBreaker * COUNT) / 1e6)} MB total; ${exit}`,
      target: steadfast ? `≤ ${MAX_BYTES} B, no timer, exits at once` : '',
      verdict: steadfast ? (pass ? 'pass' : 'FAIL') : '',
    });
  }
  return rows;
}

const flag = process.argv.indexOf(CHILD_FLAG);
if (flag !== -1) await child(process.argv[flag + 1] as Lib, process.argv[flag + 2] as string);
