/**
 * Soak: 1,000,000 `client.fetch` calls, 50 in flight (50 loops calling back to back), against a
 * `fetch` that answers 204 on the next tick; the heap after a full GC every 100,000 calls.
 * Target (issue 9): growth under 2 MB from the first sample to the last, with the client's defaults
 * (breaker and budget off so the figure is the request path's own).
 *
 *   node --expose-gc --import tsx test/bench/soak-client.ts [calls] [--every=100000] [--timeout=Infinity] [--defaults]
 *
 * `--defaults` keeps the client's own defaults (per-origin breaker, budget, 60 s deadline).
 *
 * The last line is JSON ({ samples, growthMB }) for test/integration/client-memory.test.ts.
 */
import { ResilientClient } from '../../src/client/client.js';

const calls = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const timeoutArg = process.argv.find((a) => a.startsWith('--timeout='))?.slice('--timeout='.length);
const LOOPS = 50;
const SAMPLE_EVERY = Number(process.argv.find((a) => a.startsWith('--every='))?.slice('--every='.length) ?? 100_000);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('soak-client needs node --expose-gc');

const answer = (): Promise<Response> => new Promise((resolve) => setImmediate(() => resolve(new Response(null, { status: 204 }))));
const client = new ResilientClient({
  baseUrl: 'http://soak.test',
  fetch: answer,
  ...(process.argv.includes('--defaults') ? {} : { breaker: false as const, budget: false as const }),
  ...(timeoutArg === undefined ? {} : { timeout: timeoutArg === 'Infinity' ? Infinity : Number(timeoutArg) }),
});

const samples: { calls: number; heapMB: number }[] = [];
let done = 0;
let nextSample = SAMPLE_EVERY;

function heapMB(): number {
  gc?.();
  return process.memoryUsage().heapUsed / 1_048_576;
}

async function loop(): Promise<void> {
  while (done < calls) {
    done++;
    await client.fetch('/ping');
    if (done >= nextSample) {
      nextSample += SAMPLE_EVERY;
      // Sampled with the 49 other calls still in flight: the figure includes what they hold.
      const sample = { calls: done, heapMB: heapMB() };
      samples.push(sample);
      console.log(`${String(done).padStart(9)} calls  heap ${sample.heapMB.toFixed(2)} MB`);
    }
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: LOOPS }, loop));
client.close();
const first = samples[0];
const last = samples.at(-1);
if (first !== undefined && last !== undefined) {
  const growth = last.heapMB - first.heapMB;
  console.log(`growth first→last: ${growth.toFixed(2)} MB over ${last.calls - first.calls} calls (${((growth * 1_048_576) / (last.calls - first.calls)).toFixed(1)} B/call); ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(JSON.stringify({ samples, growthMB: growth }));
  if (growth >= 2) process.exitCode = 1;
}
