/**
 * `npm run bench:size`: the browser bundle sizes of `npm run bench` alone (a second or two, no
 * timing), then each steadfast bundle's biggest modules, so it shows what to cut.
 *
 *   npm run bench:size               the table and the top 10 modules per steadfast row
 *   npm run bench:size -- --top 20   more modules per row
 *   npm run bench:size -- --strict   exit 1 when a steadfast bundle misses its target
 */
import { renderTable } from './harness.js';
import { contributorReport, measureAll, sizeRows } from './size.js';

const topAt = process.argv.indexOf('--top');
const top = topAt === -1 ? 10 : Number(process.argv[topAt + 1]);
if (!Number.isInteger(top) || top < 1) throw new RangeError(`--top must be a positive integer, got ${process.argv[topAt + 1]}`);

const results = await measureAll();
const rows = sizeRows(results);
process.stdout.write(`${renderTable(rows)}\n\nWhere the bytes go (esbuild metafile: minified bytes per module, before gzip):\n\n${contributorReport(results, top)}\n`);
if (process.argv.includes('--strict') && rows.some((r) => r.verdict === 'FAIL')) process.exitCode = 1;
