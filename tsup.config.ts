import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The core and steadfast/testing run anywhere: no node: imports allowed in them.
    entry: { index: 'src/index.ts', testing: 'src/testing.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'neutral',
    target: 'es2022',
    clean: true,
    sourcemap: true,
    splitting: false,
    treeshake: true,
  },
  {
    // Node-only entries keep their `node:` prefixes (tsup 8 strips them unless told not to).
    entry: { node: 'src/node.ts', cli: 'src/cli.ts' },
    format: ['esm', 'cjs'],
    dts: { entry: { node: 'src/node.ts' } },
    platform: 'node',
    target: 'node20',
    removeNodeProtocol: false,
    sourcemap: true,
    splitting: false,
    treeshake: true,
  },
]);
