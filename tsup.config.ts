import { defineConfig } from 'tsup';

// `dist` is emptied by the build script first: these configs run concurrently, so a `clean` in one
// could delete what another already wrote.
export default defineConfig([
  {
    // The core, steadfast/testing and steadfast/otel run anywhere: no node: imports allowed in them.
    entry: { index: 'src/index.ts', testing: 'src/testing.ts', otel: 'src/otel.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'neutral',
    target: 'es2022',
    splitting: false,
    treeshake: true,
  },
  {
    // Node-only entry: keeps its `node:` prefixes (tsup 8 strips them unless told not to).
    entry: { node: 'src/node.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'node',
    target: 'node20',
    removeNodeProtocol: false,
    splitting: false,
    treeshake: true,
  },
  {
    // The bin: ESM only, since it runs as a program, never as a dependency.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    removeNodeProtocol: false,
    splitting: false,
    treeshake: true,
  },
]);
