import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const runFile = fileURLToPath(new URL('./bench/run.ts', import.meta.url));
const sizeFile = fileURLToPath(new URL('./bench/run-size.ts', import.meta.url));
const LIMIT_MS = 45_000;

/** Runs a bench script in a child process; resolves with its output, or rejects past the limit. */
function runBench(file: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not finish within ${LIMIT_MS / 1000}s\n${stdout}\n${stderr}`));
    }, LIMIT_MS);
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Timings are not asserted: the machine is shared and noisy. This proves the bench runs and reports everyone.
describe('npm run bench -- --quick', () => {
  it('completes and prints one table naming every contender of every suite', { timeout: LIMIT_MS + 5_000 }, async () => {
    const { code, stdout, stderr } = await runBench(runFile, '--quick');
    expect(code, stderr).toBe(0);
    const table = stdout.split('\n').filter((line) => line.startsWith('|'));
    expect(table[0]).toMatch(/contender.*median ratio.*p25–p75.*target.*pass\/fail/);
    const contenders = [
      'await fn()',
      'steadfast withRetry(fn)',
      'steadfast withRetry(fn, options)',
      'steadfast breaker.execute(fn)',
      'steadfast withRetry(() => breaker.execute(fn), options)',
      'cockatiel retry.execute(fn)',
      'cockatiel circuitBreaker.execute(fn)',
      'cockatiel wrap(retry, breaker).execute(fn)',
      'opossum breaker.fire()',
      'p-retry pRetry(fn, {retries: 5})',
      'hand-written loop',
      'steadfast withRetry(fn, {backoff: constant(0)})',
      'cockatiel retry(ConstantBackoff(0))',
      'p-retry {minTimeout: 0, factor: 1}',
      'client.fetch(url) + text()',
      'steadfast withRetry + exponential',
      'steadfast CircuitBreaker',
      'steadfast ResilientClient',
      'steadfast whole core',
      'cockatiel retry + ExponentialBackoff',
      'cockatiel circuitBreaker + ConsecutiveBreaker',
      'p-retry pRetry',
      'ky (default export)',
      'ky api.get(url).text()',
      'ky api.get(url) (ky defaults: retry 2, timeout 10s)',
    ];
    for (const name of contenders) expect(table.some((line) => line.includes(name)), name).toBe(true);
    for (const lib of ['steadfast', 'cockatiel', 'opossum']) {
      expect(table.some((line) => line.includes('memory') && line.includes(`| ${lib} `) && /B\/breaker/.test(line)), lib).toBe(true);
    }
    // Every figure is a number: no NaN or Infinity from an empty or broken measurement.
    expect(table.join('\n')).not.toMatch(/NaN|Infinity/);
    // Every bundle row is a real gzip size in kB.
    const bundles = table.filter((line) => line.includes('browser bundle'));
    expect(bundles).toHaveLength(8);
    for (const line of bundles) expect(line).toMatch(/\| \d+\.\d kB gzip +\| \d+\.\d kB minified, \d+ modules/);
    expect(stdout).toMatch(/\d+\/\d+ steadfast targets met/);
  });
});

describe('npm run bench:size', () => {
  it('prints the eight bundle rows, then the ten biggest modules of each steadfast bundle', { timeout: LIMIT_MS + 5_000 }, async () => {
    const { code, stdout, stderr } = await runBench(sizeFile);
    expect(code, stderr).toBe(0);
    expect(stdout.split('\n').filter((line) => line.startsWith('| browser bundle'))).toHaveLength(8);
    const reports = stdout.trimEnd().split('\n\n').filter((part) => part.startsWith('steadfast '));
    expect(reports.map((r) => r.split(':')[0])).toEqual([
      'steadfast withRetry + exponential',
      'steadfast CircuitBreaker',
      'steadfast ResilientClient',
      'steadfast whole core (export * from steadfast)',
    ]);
    for (const report of reports) {
      const modules = report.split('\n').slice(1);
      expect(modules).toHaveLength(10);
      for (const line of modules) expect(line).toMatch(/^ +\d+ B +\d+\.\d% {2}src\/[a-z/-]+\.ts$/);
    }
  });

  it('rejects a --top that is not a positive integer, naming it', async () => {
    const { code, stderr } = await runBench(sizeFile, '--top', 'lots');
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--top must be a positive integer, got lots/);
  });
});
