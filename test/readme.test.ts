// The README is a promise: every snippet in it is a file in examples/ that type-checks (tsc covers
// examples/) and runs. This suite holds the README to its files and runs each one.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const exec = promisify(execFile);

interface Snippet {
  file: string;
  code: string;
}

function snippets(markdown: string): { linked: Snippet[]; orphans: string[] } {
  const linked: Snippet[] = [];
  const orphans: string[] = [];
  // API signatures are fenced as ```ts signature: declarations to read, not programs to run.
  const fence = /(?:<!-- example: (\S+) -->\s*\n)?```(ts|typescript|js)( signature)?\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(fence)) {
    if (m[3] !== undefined) continue;
    if (m[1] === undefined) orphans.push((m[4] ?? '').split('\n')[0] ?? '');
    else linked.push({ file: m[1], code: m[4] ?? '' });
  }
  return { linked, orphans };
}

const { linked, orphans } = snippets(readme);

describe('README', () => {
  it('opens with the two commands a newcomer runs', () => {
    const head = readme.slice(0, 1_500);
    expect(head).toContain('npm install && npm run demo');
    expect(head).toContain('npm test');
  });

  it('has no TypeScript snippet that is not backed by a file in examples/', () => {
    expect(orphans).toEqual([]);
    expect(linked.length).toBeGreaterThanOrEqual(5);
  });

  it.each(linked.map((s) => [s.file, s] as const))('shows %s exactly as the file has it', (_file, snippet) => {
    const path = join(root, snippet.file);
    expect(existsSync(path), `${snippet.file} is missing`).toBe(true);
    expect(snippet.code.trim()).toBe(readFileSync(path, 'utf8').trim());
  });

  // A `-vitest.ts` example is a vitest test file: the suite that imports it runs it (test/testing/fake-timers.test.ts).
  const runnable = [...new Set(linked.map((s) => s.file))].filter((f) => f.startsWith('examples/readme/') && !f.endsWith('-vitest.ts'));
  it.each(runnable)('runs %s as written (exit 0)', async (file) => {
    // Without a PostgreSQL server, postgres.ts first starts an embedded PGlite (about 10s on a busy machine).
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: file.endsWith('/postgres.ts') ? 60_000 : 15_000 });
    // Each README example states its output in "// prints:" comments; the run must agree, in order.
    const promised = [...readFileSync(join(root, file), 'utf8').matchAll(/\/\/ prints: (.+)$/gm)].map((m) => (m[1] ?? '').trim());
    let from = 0;
    for (const line of promised) {
      const at = stdout.indexOf(line, from);
      expect(at, `"${line}" printed after the line before it`).toBeGreaterThanOrEqual(0);
      from = at + line.length;
    }
  }, 60_000);
});
