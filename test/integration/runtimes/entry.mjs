// Deno and Bun run this file: the built core against the URLs passed as one JSON argument.
import * as lib from '../../../dist/index.js';
import { runScenarios } from './scenarios.mjs';

const args = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const result = await runScenarios(lib, JSON.parse(args[0]));
console.log(`RESULT ${JSON.stringify(result)}`);
