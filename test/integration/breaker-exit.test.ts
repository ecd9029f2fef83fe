import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const N = 10_000;
const breakerUrl = pathToFileURL(resolve(import.meta.dirname, '../../src/breaker/breaker.ts')).href;

// Runs in a child node process: 10,000 breakers used once each (some opened by failures), heap
// measured after gc, then the script ends and the process must exit on its own.
const script = `
import { CircuitBreaker } from ${JSON.stringify(breakerUrl)};
const N = ${N};
const ok = async () => 1;
const refused = async () => { throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); };
const gc = () => { globalThis.gc(); globalThis.gc(); };

// Warm up, so compiled code and hidden classes are in the baseline, not in the per-breaker figure.
for (let i = 0; i < 200; i++) await new CircuitBreaker({ name: 'warm-' + i }).execute(ok);
gc();
const before = process.memoryUsage().heapUsed;
const breakers = new Array(N);
for (let i = 0; i < N; i++) breakers[i] = new CircuitBreaker({ name: 'subsystem-' + i });
for (const b of breakers) await b.execute(ok);
gc();
const after = process.memoryUsage().heapUsed;
const closed = breakers.filter((b) => b.state === 'closed').length;

// Open a hundred more: an open breaker must not hold a timer either.
const open = [];
for (let i = 0; i < 100; i++) {
  const b = new CircuitBreaker({ name: 'down-' + i, failureThreshold: 1, openFor: '1h' });
  await b.execute(refused).catch(() => {});
  open.push(b.state);
}
console.log(JSON.stringify({
  bytesPerBreaker: (after - before) / N,
  closed,
  open: open.filter((s) => s === 'open').length,
  resources: process.getActiveResourcesInfo(),
  doneAt: Date.now(),
}));
`;

interface ChildReport {
  bytesPerBreaker: number;
  closed: number;
  open: number;
  resources: string[];
  doneAt: number;
}

let dir: string | undefined;
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function run(file: string): Promise<{ code: number | null; stdout: string; stderr: string; exitedAt: number }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
      cwd: resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 9_000); // a wedged child fails the test, not the suite
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(guard);
      done({ code, stdout, stderr, exitedAt: Date.now() });
    });
  });
}

describe('10,000 idle breakers in a real process', () => {
  it('retain at most 400 bytes each, hold no timer, and let the process exit by itself', async () => {
    dir = await mkdtemp(join(tmpdir(), 'steadfast-breakers-'));
    const file = join(dir, 'breakers.mts');
    await writeFile(file, script);
    const { code, stdout, stderr, exitedAt } = await run(file);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout.trim()) as ChildReport;
    expect(report.closed).toBe(N);
    expect(report.open).toBe(100);
    expect(report.resources).not.toContain('Timeout');
    expect(report.bytesPerBreaker).toBeLessThanOrEqual(400);
    // Nothing keeps the event loop alive once the script is done.
    expect(exitedAt - report.doneAt).toBeLessThan(2_000);
    console.log(`breaker memory: ${report.bytesPerBreaker.toFixed(1)} bytes per idle breaker (name string and array slot included)`);
  });
});
