import { defineConfig } from 'tsup';

// `dist` is emptied by the build script first: these configs run concurrently, so a `clean` in one
// could delete what another already wrote.
export default defineConfig([
  {
    // One build for the library entries, split into shared chunks (ESM and CJS alike), so
    // steadfast/node and steadfast/testing load the core's own modules instead of carrying copies:
    // one BrokenCircuitError class, one FakeClock-compatible Clock, whichever entry built them.
    // The core and steadfast/testing run anywhere: no node: import may reach their chunks (checked
    // by scripts/check-package.mjs); the Outbox's node: imports stay in node.js, prefixes kept
    // (tsup 8 strips them unless told not to). steadfast/postgres takes the caller's pg pool and
    // steadfast/otel the caller's tracer and meter: neither needs a node: import nor bundles a package.
    entry: { index: 'src/index.ts', testing: 'src/testing.ts', node: 'src/node.ts', postgres: 'src/postgres.ts', otel: 'src/otel.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'neutral',
    target: 'es2022',
    external: [/^node:/],
    removeNodeProtocol: false,
    splitting: true,
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
