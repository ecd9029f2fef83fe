/**
 * Soak benchmark (issue 9): 1,000,000 calls with 50 in flight through each non-client component
 * (`withRetry`, `breaker.execute`, `poll` iterations, and `BreakerRegistry.get` with 1,000,000
 * distinct keys), printing the heap after a full GC every 100,000 calls. Target: growth under
 * 2 MB from the first sample to the last. The client has its own: test/bench/soak-client.ts.
 *
 * Run: npm run bench:soak   (node --expose-gc --import tsx test/bench/soak.ts [calls])
 */
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { BreakerRegistry } from '../../src/breaker/registry.js';
import { constant } from '../../src/core/backoff.js';
import { poll } from '../../src/policies/poll.js';
import { withRetry } from '../../src/policies/retry.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const EVERY = TOTAL / 10;
const IN_FLIGHT = 50;
const TARGET_BYTES = 2 * 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:soak)');
const collect = gc;

/** Work that settles on the next macrotask, as a fast server would. */
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Result {
  name: string;
  samples: number[];
  ms: number;
}

/** Heap used after a full GC, in bytes. */
function heap(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** Runs `call` TOTAL times from IN_FLIGHT loops, sampling the heap every EVERY calls. */
async function soak(name: string, call: (i: number) => Promise<unknown>): Promise<Result> {
  const samples: number[] = [];
  let started = 0;
  const began = performance.now();
  const loop = async (): Promise<void> => {
    while (started < TOTAL) {
      const i = started++;
      await call(i);
      if ((i + 1) % EVERY === 0) samples.push(heap());
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
  return { name, samples, ms: performance.now() - began };
}

/** poll: IN_FLIGHT pollers with interval 0 share the TOTAL iterations. */
async function soakPoll(): Promise<Result> {
  const samples: number[] = [];
  let runs = 0;
  const began = performance.now();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const pollers = Array.from({ length: IN_FLIGHT }, () =>
    poll(
      async () => {
        const i = runs++;
        if (i >= TOTAL) return finish();
        await nextTick();
        if ((i + 1) % EVERY === 0) samples.push(heap());
      },
      { interval: 0, jitter: 0 },
    ),
  );
  await finished;
  await Promise.all(pollers.map((p) => p.stop()));
  return { name: 'poll (iterations, interval 0)', samples, ms: performance.now() - began };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

async function main(): Promise<void> {
  const results: Result[] = [];
  const transient = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  // withRetry: every 10th call fails once and is retried after 0ms (the retry path is exercised too).
  const fastRetry = { backoff: constant(0), maxRetries: 2 };
  results.push(
    await soak('withRetry (1 in 10 retried once)', (i) => {
      let first = i % 10 === 0;
      return withRetry(async () => {
        await nextTick();
        if (first) {
          first = false;
          throw transient;
        }
      }, fastRetry);
    }),
  );

  // breaker.execute: one shared breaker, 1 in 20 calls fails (never enough to open it).
  const breaker = new CircuitBreaker({ failureThreshold: 5 });
  results.push(
    await soak('breaker.execute (1 in 20 failing)', (i) =>
      breaker
        .execute(async () => {
          await nextTick();
          if (i % 20 === 0) throw transient;
        })
        .catch(() => {}),
    ),
  );

  results.push(await soakPoll());

  // BreakerRegistry: 1,000,000 distinct keys through 1,000 slots that start full of open breakers.
  const registry = new BreakerRegistry({ maxSize: 1_000, defaults: { failureThreshold: 1, openFor: '1h' } });
  for (let i = 0; i < 1_000; i++) await registry.get(`down-${i}`).execute(() => Promise.reject(transient)).catch(() => {});
  results.push(
    await soak('BreakerRegistry.get (distinct keys, started full of open)', (i) => {
      registry.get(`key-${i}`);
      return i % 1_000 === 0 ? nextTick() : Promise.resolve();
    }),
  );

  console.log(`soak: ${TOTAL.toLocaleString('en-US')} calls each, ${IN_FLIGHT} in flight, heap after GC every ${EVERY.toLocaleString('en-US')}\n`);
  let failed = false;
  for (const r of results) {
    const first = r.samples[0] ?? 0;
    const last = r.samples.at(-1) ?? 0;
    const growth = last - first;
    const ok = growth < TARGET_BYTES;
    failed ||= !ok;
    console.log(`${r.name}`);
    console.log(`  heap: ${r.samples.map(mb).join(', ')}`);
    console.log(`  growth first → last: ${mb(growth)} (target < 2 MB: ${ok ? 'ok' : 'FAILED'}); ${Math.round(r.ms).toLocaleString('en-US')} ms, ${((r.ms * 1_000) / TOTAL).toFixed(2)} µs/call\n`);
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
