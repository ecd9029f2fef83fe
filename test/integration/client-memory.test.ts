import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const soak = resolve(import.meta.dirname, '../bench/soak-client.ts');

/** Runs the client soak bench in its own process (`--expose-gc`) and returns its JSON summary. */
function runSoak(args: string[]): Promise<{ samples: { calls: number; heapMB: number }[]; growthMB: number }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', soak, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', fail);
    child.on('close', () => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        done(JSON.parse(last) as { samples: { calls: number; heapMB: number }[]; growthMB: number });
      } catch {
        fail(new Error(`soak-client printed no summary:\n${out}`));
      }
    });
  });
}

describe('ResilientClient memory under steady traffic (issue 9 item 1)', () => {
  it('keeps the heap flat after GC over 120,000 calls with 50 always in flight and the default timeout (was +850 B per call)', async () => {
    const { samples, growthMB } = await runSoak(['120000', '--every=30000']);
    expect(samples).toHaveLength(4);
    // The old deadline queue kept every finished attempt: +73 MB over these 90,000 calls.
    expect(growthMB).toBeLessThan(2);
  }, 60_000);
});
