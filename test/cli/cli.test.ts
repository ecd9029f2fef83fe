import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { describePolicy, fleetPresets } from '../../src/cli/simulate.js';

const root = join(import.meta.dirname, '..', '..');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string; files: Map<string, string> }> {
  let out = '';
  let err = '';
  const files = new Map<string, string>();
  const code = await main(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    writeFile: (path, text) => files.set(path, text),
  });
  return { code, out, err, files };
}

function column(out: string, index: number): string[] {
  return out
    .split('\n')
    .filter((line) => /^\s*\d+\s+\d+\s/.test(line))
    .map((line) => line.trim().split(/\s+/)[index] as string);
}

describe('steadfast schedule', () => {
  it('waits 5s, 10s, 20s, 40s, 1m, 1m (cumulative 5s, 15s, 35s, 1m15s, 2m15s, 3m15s) for initial 5s, max 60s, no jitter', async () => {
    const { code, out, err } = await run('schedule', '--initial', '5s', '--max', '60s', '--retries', '6', '--jitter', 'none');
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toBe(
      [
        'exponential 5s..1m ×2, jitter none',
        'retry  attempt  delay  cumulative',
        '    1        2     5s          5s',
        '    2        3    10s         15s',
        '    3        4    20s         35s',
        '    4        5    40s       1m15s',
        '    5        6     1m       2m15s',
        '    6        7     1m       3m15s',
        '6 retries, 7 attempts, 3m15s of waiting in all',
        '',
      ].join('\n'),
    );
  });

  it('prints, when jittered, each delay range and a seeded sample inside it', async () => {
    const { code, out } = await run('schedule', '--initial', '1s', '--max', '30s', '--retries', '7', '--jitter', 'full', '--seed', '7');
    expect(code).toBe(0);
    expect(out).toContain('delay (seed 7)');
    expect(column(out, 4)).toEqual(['0ms–1s', '0ms–2s', '0ms–4s', '0ms–8s', '0ms–16s', '0ms–30s', '0ms–30s']);
    expect((await run('schedule', '--retries', '7', '--seed', '7')).out).toBe(out.replace('jitter full', 'jitter full'));
    expect((await run('schedule', '--retries', '7', '--seed', '8')).out).not.toBe(out);
  });

  it('bounds equal, decorrelated and fractional jitter the way the library draws them', async () => {
    expect(column((await run('schedule', '--initial', '4s', '--max', '30s', '--retries', '3', '--jitter', 'equal')).out, 4)).toEqual([
      '2s–4s',
      '4s–8s',
      '8s–16s',
    ]);
    expect(column((await run('schedule', '--initial', '1s', '--max', '30s', '--retries', '4', '--jitter', 'decorrelated')).out, 4)).toEqual([
      '1s–3s',
      '1s–9s',
      '1s–27s',
      '1s–30s',
    ]);
    expect(column((await run('schedule', '--initial', '10s', '--max', '1m', '--retries', '2', '--jitter', '0.2')).out, 4)).toEqual([
      '8s–12s',
      '16s–24s',
    ]);
  });

  it('stops an explicit --list after its last delay, or repeats it with --repeat-last', async () => {
    const once = await run('schedule', '--list', '4s,8s,16s', '--retries', '5');
    expect(column(once.out, 2)).toEqual(['4s', '8s', '16s']);
    expect(once.out).toContain('3 retries (the schedule allows only 3), 4 attempts, 28s of waiting in all');
    expect(column((await run('schedule', '--list', '4s,8s,16s', '--repeat-last', '--retries', '5')).out, 2)).toEqual(['4s', '8s', '16s', '16s', '16s']);
  });

  it('draws linear and constant backoffs', async () => {
    expect(column((await run('schedule', '--kind', 'linear', '--initial', '1s', '--step', '2s', '--max', '6s', '--retries', '5')).out, 2)).toEqual([
      '1s',
      '3s',
      '5s',
      '6s',
      '6s',
    ]);
    expect(column((await run('schedule', '--kind', 'constant', '--initial', '5s', '--retries', '3')).out, 3)).toEqual(['5s', '10s', '15s']);
  });

  it('answers --json with the rows in milliseconds', async () => {
    const { code, out } = await run('schedule', '--initial', '5s', '--max', '60s', '--retries', '3', '--jitter', 'none', '--json');
    expect(code).toBe(0);
    const json = JSON.parse(out) as { backoff: { kind: string; jitter: string }; seed: number; rows: Record<string, number>[] };
    expect(json.backoff).toMatchObject({ kind: 'exponential', jitter: 'none', maxDelayMs: 60_000, limit: null });
    expect(json.rows[2]).toEqual({
      retry: 3,
      attempt: 4,
      delayMs: 20_000,
      cumulativeMs: 35_000,
      minMs: 20_000,
      maxMs: 20_000,
      cumulativeMinMs: 35_000,
      cumulativeMaxMs: 35_000,
    });
  });
});

describe('bad command lines exit with code 2 and say why on stderr', () => {
  it.each([
    [['schedule', '--bogus'], 'unknown flag --bogus'],
    [['schedule', '--initial', 'soon'], '--initial must be a duration such as 250ms, 5s, 1m30s or 1h; got "soon"'],
    [['schedule', '--initial'], '--initial needs a value'],
    [['schedule', '--initial', '--max', '5s'], '--initial needs a value'],
    [['schedule', '--jitter', 'lots'], '--jitter must be none, full, equal, decorrelated or a fraction in [0, 1]; got "lots"'],
    [['schedule', '--retries', '2.5'], '--retries must be an integer'],
    [['schedule', '--initial', '10s', '--max', '5s'], '--max (5s) must be at least --initial (10s)'],
    [['schedule', '--step', '1s'], '--step applies to --kind linear, not exponential'],
    [['schedule', '--kind', 'schedule'], '--kind schedule needs --list'],
    [['schedule', '--list', '4s,later'], '--list must be durations separated by commas'],
    [['schedule', '--json=yes'], '--json takes no value'],
    [['schedule', 'extra'], 'unexpected argument "extra"'],
    [['simulate', '--failures', 'sometimes'], '--failures must be one of spread, simultaneous; got "sometimes"'],
    [['simulate', '--capacity', '0'], '--capacity must be an integer in [1,'],
    [['simulate', '--policy', 'yolo'], '--policy must be among default, poll-only, no-health'],
    [['simulate', '--overload', '429'], '--overload must be one of 503, retry-after; got "429"'],
    [['simulate', '--budget', '0.2'], '--budget must be ratio,minPerSecond[,window]'],
    [['simulate', '--budget', '0.2,0.05,0s'], '--budget must be ratio,minPerSecond[,window]'],
    [['simulate', '--budget', '0.2,0.05,soon'], '--budget must be ratio,minPerSecond[,window]'],
    [['simulate', '--interval', '0'], '--interval must be > 0'],
    [['frobnicate'], 'unknown command "frobnicate"'],
  ])('%j', async (argv, message) => {
    const { code, out, err } = await run(...argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(message);
    expect(err).toContain("Run 'steadfast --help' for usage.");
  });

  it('prints usage on stderr with code 2 when no command is given, and on stdout with code 0 for --help', async () => {
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.err).toContain('steadfast schedule');
    for (const argv of [['--help'], ['help'], ['schedule', '--help'], ['simulate', '-h']]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toContain('steadfast simulate');
      expect(r.out).toContain('default, poll-only, no-health, no-retries, no-breaker');
      expect(r.out).toContain('  poll-only   poll exponential 1s..12s, equal jitter, interval ±10%; no client');
    }
  });

  it('parses --name=value and takes the last of repeated flags', async () => {
    const args = parseArgs(['--initial=5s', '--initial', '7s', '--json'], { initial: 'string', json: 'boolean' });
    expect(args.values.get('initial')).toBe('7s');
    expect(args.booleans.has('json')).toBe(true);
    expect(() => parseArgs(['--x'], {})).toThrow(UsageError);
  });
});

describe('steadfast simulate', () => {
  const small = ['--agents', '200', '--capacity', '20', '--outage', '1m', '--horizon', '5m'];

  it('prints one row per policy with recovery, floor, percentiles, peak load, requests into the outage, and a table by kind', async () => {
    const { code, out, err } = await run('simulate', ...small, '--compare');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('200 agents checking in every 30s, server down 1m (spread failures), then 20 requests/s');
    expect(out).toMatch(/policy\s+all back\s+floor\s+× floor\s+p50\s+p99\s+peak load\s+into outage\s+503 after\s+never back/);
    expect(out).toMatch(/policy\s+check-in\s+client retry\s+health probe\s+trial/);
    for (const name of Object.keys(fleetPresets)) expect(out.match(new RegExp(`^${name}\\s`, 'gm'))).toHaveLength(2);
    expect(out).toMatch(/simulated 5 policies in /);
  });

  it('names each preset with the stack it runs: default is every option at its default', () => {
    expect(fleetPresets['default']).toEqual({ name: 'default' });
    const described = Object.fromEntries(Object.entries(fleetPresets).map(([name, p]) => [name, describePolicy(p)]));
    expect(described['poll-only']).toMatch(/^poll exponential 1s\.\.12s, equal jitter, interval ±10%; no client$/);
    expect(described['default']).toMatch(/client: 5 retries exponential 500ms\.\.30s, full jitter, budget, breaker, a probe after 30s without a request/);
    expect(described['no-breaker']).toMatch(/no breaker, no probes$/);
    expect(described['no-retries']).toMatch(/client: no retries,/);
  });

  it('answers --json with one summary per policy, requests by kind included, reproducible for a seed', async () => {
    const argv = ['simulate', ...small, '--policy', 'default,poll-only', '--json', '--failures', 'simultaneous', '--overload', 'retry-after'];
    const { code, out } = await run(...argv);
    expect(code).toBe(0);
    const json = JSON.parse(out) as Record<string, unknown>[];
    expect(json.map((r) => r['policy'])).toEqual(['default', 'poll-only']);
    expect(Object.keys(json[0] as object).sort()).toEqual(
      ['affected', 'agents', 'allBackMs', 'byKind', 'capacity', 'duringOutage', 'failures', 'floorMs', 'horizonMs', 'neverBack', 'outageMs', 'overload', 'p50Ms', 'p99Ms', 'peakDuringOutage', 'peakLoad', 'policy', 'refusedAfterOutage', 'requests'].sort(),
    );
    expect(json[0]).toMatchObject({ agents: 200, capacity: 20, outageMs: 60_000, failures: 'simultaneous', overload: 'retry-after', affected: 200, floorMs: 10_000 });
    expect(Object.keys(json[0]?.['byKind'] as object)).toEqual(['check-in', 'client retry', 'health probe', 'trial']);
    expect((json[1]?.['byKind'] as Record<string, { duringOutage: number }>)['health probe']?.duringOutage).toBe(0); // poll alone never probes
    expect((await run(...argv)).out).toBe(out);
  });

  it("builds a policy from backoff flags (poll's backoff) and sets the client's RetryBudget with --budget", async () => {
    const { out } = await run('simulate', ...small, '--initial', '2s', '--max', '1m', '--jitter', 'equal', '--budget', '0.2,0.05,1m', '--json');
    const json = JSON.parse(out) as { policy: string }[];
    expect(json.map((r) => r.policy)).toEqual(['poll exponential 2s..1m ×2, jitter equal + budget']);
  });

  it('writes an SVG with one polyline per policy, the capacity line and a legend', async () => {
    const { code, out, files } = await run('simulate', ...small, '--policy', 'default,poll-only', '--svg', 'load.svg');
    expect(code).toBe(0);
    expect(out).toContain('wrote load.svg');
    const svg = files.get('load.svg') ?? '';
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('capacity 20/s');
    expect(svg).toContain('>poll-only</text>');
  });

  it('runs as a program: exit code 2 and the message on stderr for a bad flag', async () => {
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'schedule', '--initial', '5s', '--max', '60s', '--retries', '2', '--jitter', 'none'], { cwd: root });
    expect(ok.stdout).toContain('    2        3    10s         15s');
    const bad = await exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'schedule', '--max', 'forever'], { cwd: root }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr).toContain('--max must be a duration');
  });
});
