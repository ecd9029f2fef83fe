import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEMO = fileURLToPath(new URL('../../examples/checkin-agent.ts', import.meta.url));

it('npm run demo: the agent rides out a killed server and prints retries, breaker, health, recovery and a summary', async () => {
  const started = Date.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DEMO], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 28_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
  expect(code, output).toBe(0);
  expect(Date.now() - started).toBeLessThan(30_000);
  for (const tag of ['[RETRY]', '[CIRCUIT_BREAKER]', '[HEALTH]', '[RECOVERY]', '[SUMMARY]']) expect(output).toContain(tag);
  expect(output).toMatch(/server back -> agent back: +\d/);
  expect(output).toMatch(/recoveries 1/);
}, 30_000);
