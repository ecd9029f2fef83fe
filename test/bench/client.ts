/**
 * Suite 4: latency the ResilientClient adds to a real request, next to ky doing the same GET. The
 * server is a separate Node process (node:http, keep-alive, 127.0.0.1, port 0) so its work doesn't
 * share this event loop; requests alternate plain / client / ky one at a time and the median of the
 * paired ratios is kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import ky from 'ky';
import { fmt, runSuite, type Contender, type Row } from './harness.js';

/** The client's surface this suite uses (kept structural: the suite runs, without it, if client.ts is missing or broken). */
interface ClientLike {
  fetch(input: string, init?: RequestInit): Promise<Response>;
  close(): void;
}
/** The module run.ts loaded the client from (the bundle, or the sources under `--source`). */
export type ClientModule = { ResilientClient: new (o: { baseUrl: string }) => ClientLike };

const SERVER = `
const http = require('node:http');
const body = JSON.stringify({ ok: true, tasks: [] });
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.stdin.on('end', () => process.exit(0)); // the parent went away
process.stdin.resume();
`;

function startServer(): Promise<{ url: string; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`bench server exited early (${code})`)));
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve({ url: `http://127.0.0.1:${out.trim()}`, proc });
    });
  });
}

const MAX_ADDED = 0.05;

/** Suite 4 as table rows; `client` is the loaded module, or why it could not be loaded (one row says so). */
export async function clientRows(o: { rounds: number; client: ClientModule | string }): Promise<Row[]> {
  const suite = 'client latency (node:http, keep-alive)';
  const mod = o.client;
  if (typeof mod === 'string') {
    return [{ suite, contender: 'ResilientClient', result: 'not measured', spread: mod, absolute: '', target: '≤ +5% median', verdict: '' }];
  }
  const { url, proc } = await startServer();
  const client = new mod.ResilientClient({ baseUrl: url });
  // ky as an application would use it: one instance made once, its defaults (retry 2, timeout 10s).
  const api = ky.create({ prefixUrl: url });
  const target = `${url}/tasks`;
  try {
    const plain: Contender = {
      name: 'fetch(url) + text()',
      batch: async (n) => {
        for (let i = 0; i < n; i++) await (await fetch(target)).text();
      },
    };
    const resilient: Contender = {
      name: 'client.fetch(url) + text()',
      note: 'per-origin breaker, budget, health, 60 s deadline on; no event sink',
      target: 1 + MAX_ADDED,
      batch: async (n) => {
        for (let i = 0; i < n; i++) await (await client.fetch('/tasks')).text();
      },
    };
    // What any cancellable fetch pays: undici's own cost of following a signal (the client needs one per attempt).
    const withSignal: Contender = {
      name: 'fetch(url, {signal}) + text()',
      note: 'a fresh AbortController per request',
      batch: async (n) => {
        for (let i = 0; i < n; i++) await (await fetch(target, { signal: new AbortController().signal })).text();
      },
    };
    // The like-for-like baseline: a fetch with the same 10s per-request timeout the client applies by default.
    const withTimeout: Contender = {
      name: 'fetch(url, {signal: AbortSignal.timeout(10s)}) + text()',
      note: "the client's default per-attempt timeout, by hand",
      batch: async (n) => {
        for (let i = 0; i < n; i++) await (await fetch(target, { signal: AbortSignal.timeout(10_000) })).text();
      },
    };
    const kyGet: Contender = {
      name: 'ky api.get(url).text()',
      note: 'ky defaults: retry 2, timeout 10s',
      batch: async (n) => {
        for (let i = 0; i < n; i++) await api.get('tasks').text();
      },
    };
    // One request per batch: each round is one request of each, so the ratio is per round and the ns/op is a latency.
    const results = await runSuite(
      { title: suite, baseline: plain, contenders: [withSignal, withTimeout, resilient, kyGet], unit: 'us' },
      { rounds: o.rounds, warmupRounds: Math.min(200, o.rounds), batchMs: 0, maxBatch: 1 },
    );
    const rows = results.map(
      (r): Row => ({
        suite,
        contender: r.note === undefined ? r.name : `${r.name} (${r.note})`,
        result: r.baseline ? 'baseline' : `${r.ratio >= 1 ? '+' : ''}${fmt((r.ratio - 1) * 100)}%`,
        spread: r.baseline ? '' : `${fmt((r.p25 - 1) * 100)}% – ${fmt((r.p75 - 1) * 100)}% per round`,
        absolute: `median ${fmt(r.nsPerOp / 1000)} µs`,
        target: r.target === undefined ? '' : '≤ +5% median',
        verdict: r.target === undefined ? '' : r.ratio <= r.target ? 'pass' : 'FAIL',
      }),
    );
    return [...rows, ...(await cpuRows(mod, o.rounds))];
  } finally {
    client.close();
    proc.stdin?.end();
  }
}

/**
 * The client's own CPU per request, free of network noise: the same default client over a stub
 * fetch that returns one ready Response, minus the stub called directly; ky over the same stub.
 */
async function cpuRows(mod: ClientModule, rounds: number): Promise<Row[]> {
  const response = new Response(null, { status: 204 });
  const stub = (async () => response) as typeof fetch;
  const client = new mod.ResilientClient({ baseUrl: 'http://127.0.0.1:9', fetch: stub } as { baseUrl: string });
  const api = ky.create({ prefixUrl: 'http://127.0.0.1:9', fetch: stub });
  try {
    const [base, ...results] = await runSuite(
      {
        title: 'client CPU',
        baseline: {
          name: 'stub fetch',
          batch: async (n) => {
            for (let i = 0; i < n; i++) await stub('http://127.0.0.1:9/tasks');
          },
        },
        contenders: [
          {
            name: 'client.fetch(url) (breaker, budget, health on)',
            batch: async (n) => {
              for (let i = 0; i < n; i++) await client.fetch('/tasks');
            },
          },
          {
            name: 'ky api.get(url) (ky defaults: retry 2, timeout 10s)',
            batch: async (n) => {
              for (let i = 0; i < n; i++) await api.get('tasks');
            },
          },
        ],
      },
      { rounds: Math.max(30, Math.round(rounds / 20)), warmupRounds: 10, batchMs: 2 },
    );
    return results.map((res) => ({
      suite: 'client CPU (stub fetch, no I/O)',
      contender: res.name,
      result: `+${fmt((res.nsPerOp - base!.nsPerOp) / 1000)} µs/request`,
      spread: `${fmt(res.p25)}–${fmt(res.p75)}× the stub`,
      absolute: `${fmt(res.nsPerOp / 1000)} µs/op`,
      target: '',
      verdict: '',
    }));
  } finally {
    client.close();
  }
}
