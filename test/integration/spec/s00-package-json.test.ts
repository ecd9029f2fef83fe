/**
 * SPEC Packaging: package.json.
 * Conformance with real files, processes and sockets, through the public entry points
 * ('steadfast', 'steadfast/node'). Each test is bounded well under 5 s.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

describe('SPEC Packaging: package.json', () => {
  it('"ESM and CJS builds with .d.ts; exports map with types first; sideEffects: false; zero runtime dependencies; Node >= 20; a steadfast bin"', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>; sideEffects: unknown; engines: { node: string }; bin: Record<string, string>;
      exports: Record<string, { import?: Record<string, string>; require?: Record<string, string> } | string>;
    };
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines.node).toMatch(/>=\s*20/);
    expect(Object.keys(pkg.bin)).toEqual(['steadfast']);
    for (const entry of ['.', './testing', './node']) {
      const e = pkg.exports[entry];
      expect(typeof e, entry).toBe('object');
      if (typeof e !== 'object') continue;
      expect(Object.keys(e.import ?? {})[0], entry).toBe('types');
      expect(Object.keys(e.require ?? {})[0], entry).toBe('types');
      expect(e.import?.['types']).toMatch(/\.d\.ts$/);
      expect(e.require?.['types']).toMatch(/\.d\.cts$/);
    }
  });
});
