import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests and examples import the package by name, as users do; here that name means the sources.
const src = (file: string): string => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^steadfast\/testing$/, replacement: src('testing.ts') },
      { find: /^steadfast\/node$/, replacement: src('node.ts') },
      { find: /^steadfast\/postgres$/, replacement: src('postgres.ts') },
      { find: /^steadfast\/otel$/, replacement: src('otel.ts') },
      { find: /^steadfast$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // *.serial.test.ts run afterwards, alone (vitest.serial.config.ts): they restart the shared PostgreSQL.
    exclude: ['test/bench/**', 'node_modules/**', 'test/**/*.serial.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
