import { build } from 'esbuild';
import { pathToFileURL } from 'node:url';
import { ratioRows, renderTable, runSuite } from './harness.js';
import { failureSuite, successSuite } from './retry-breaker.js';
await build({ entryPoints: [new URL('./steadfast.ts', import.meta.url).pathname], outfile: '/work/tmp/sf.mjs', bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', logLevel: 'silent' });
const sf = await import(pathToFileURL('/work/tmp/sf.mjs').href);
const opts = { rounds: Number(process.env.ROUNDS ?? 300), warmupRounds: 30, batchMs: 2 };
const rows = [...ratioRows(await runSuite(successSuite(sf), opts)), ...ratioRows(await runSuite(failureSuite(sf), opts))];
console.log(renderTable(rows));
