// Every program in examples/ is a promise to users: it runs as written and exits 0 on its own.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const exec = promisify(execFile);
const index = readFileSync(join(root, 'examples', 'README.md'), 'utf8');
// server.ts is the demo's child process (it runs until killed); the demo has its own test.
const skip = new Set(['server.ts', 'checkin-agent.ts']);
const programs = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts') && !skip.has(f));
// Without a PostgreSQL server this one starts an embedded PGlite first (about 10s on a busy machine).
const timeoutMs = (file: string): number => (file === 'transactional-outbox.ts' ? 60_000 : 20_000);

describe('examples/', () => {
  it('lists every program in examples/README.md', () => {
    for (const file of [...programs, ...skip]) expect(index, `${file} is not listed`).toContain(`(${file})`);
  });

  it.each(programs)('%s runs and exits 0 by itself', async (file) => {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', join('examples', file)], { cwd: root, timeout: timeoutMs(file) });
    expect(`${stdout}${stderr}`.trim()).not.toBe('');
    // A program that states its output in "// prints:" comments must print it.
    const promised = [...readFileSync(join(root, 'examples', file), 'utf8').matchAll(/\/\/ prints: (.+)$/gm)].map((m) => (m[1] ?? '').trim());
    for (const line of promised) expect(stdout).toContain(line);
  }, 60_000);
});
