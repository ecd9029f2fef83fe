/**
 * SPEC §12 CLI, run as a process.
 * Conformance with real files, processes and sockets, through the public entry points
 * ('steadfast', 'steadfast/node'). Each test is bounded well under 5 s.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');

function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, timeout: 4_500 });
}

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-spec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SPEC §12 CLI', () => {
  it('"steadfast schedule --initial 5s --max 5m --multiplier 2 --retries 10 --jitter full --seed 1 prints attempt, delay and cumulative time"', async () => {
    const args = ['schedule', '--initial', '5s', '--max', '5m', '--multiplier', '2', '--retries', '10', '--jitter', 'full', '--seed', '1'];
    const [a, b] = await Promise.all([cli(...args), cli(...args)]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/attempt/);
    expect(a.stdout).toMatch(/delay/);
    expect(a.stdout).toMatch(/cumulative/);
    const rows = a.stdout.split('\n').filter((l) => /^\s*\d+\s+\d+\s/.test(l));
    expect(rows).toHaveLength(10);
  }, 5_000);

  it('schedule without jitter prints the SPEC table 5s, 10s, 20s, 40s, 1m, 1m', async () => {
    const { stdout } = await cli('schedule', '--initial', '5s', '--max', '60s', '--retries', '6', '--jitter', 'none');
    const delaysCol = stdout.split('\n').filter((l) => /^\s*\d+\s+\d+\s/.test(l)).map((l) => l.trim().split(/\s+/)[2]);
    expect(delaysCol).toEqual(['5s', '10s', '20s', '40s', '1m', '1m']);
  }, 5_000);

  it('"steadfast simulate --agents --outage --capacity --jitter [--svg out.svg] reports peak load and time until every agent is back"', async () => {
    const svg = join(dir, 'out.svg');
    const { stdout } = await cli('simulate', '--agents', '300', '--outage', '30s', '--capacity', '60', '--jitter', 'full', '--svg', svg);
    expect(stdout).toMatch(/peak load/);
    expect(stdout).toMatch(/all back/);
    expect(await readFile(svg, 'utf8')).toMatch(/^<svg|<\?xml/);
  }, 5_000);

  it('a bad flag exits 2 with a message naming it', async () => {
    const e = (await cli('schedule', '--initial', 'soon', '--max', '5m').catch((x: unknown) => x)) as { code?: number; stderr?: string };
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/initial/);
  }, 5_000);
});
