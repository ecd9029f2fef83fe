/**
 * kill -9 at random moments: every key a child saw `enqueue` resolve for must reach the server,
 * in order, with duplicates (if any) carrying the same key and payload. Real processes, real
 * fsync, a real node:http server on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { HttpError } from '../../src/core/errors.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { seededRandom } from '../../src/core/random.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = join(ROOT, 'test', 'integration', 'fixtures', 'outbox-child.ts');

interface Received {
  key: string;
  tag: string;
}

let server: Server;
let url: string;
const received: Received[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-crash-'));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const payload = JSON.parse(body) as { run: number; seq: number };
      received.push({ key: String(req.headers['idempotency-key']), tag: `${payload.run}:${payload.seq}` });
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts the child, SIGKILLs it `delayMs` after it is ready, and returns the `key tag` lines it printed. */
async function runChild(env: Record<string, string>, delayMs: number): Promise<Array<{ key: string; tag: string }>> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      const before = out.includes('ready\n');
      out += c.toString();
      if (!before && out.includes('ready\n')) {
        setTimeout(() => child.kill('SIGKILL'), delayMs);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`child exited before it was ready: ${err}`)));
  });
  const [code, signal] = (await exited) as [number | null, string | null];
  expect({ code, signal, err }).toMatchObject({ code: null, signal: 'SIGKILL' });
  const lines = out.split('\n');
  lines.pop(); // a partial last line was never completely printed
  return lines.filter((l) => l !== 'ready').map((l) => {
    const [key, tag] = l.split(' ') as [string, string];
    return { key, tag };
  });
}

/** Opens the outbox in this process and delivers everything to the recording server. */
async function drain(path: string, events: ResilienceEvent[]): Promise<void> {
  const outbox = await Outbox.open({
    path,
    backoff: constant('20ms'),
    onEvent: (e) => events.push(e),
    send: async (item, { signal }) => {
      const res = await fetch(url, { method: 'POST', body: JSON.stringify(item.payload), headers: { 'idempotency-key': item.key }, signal });
      await res.body?.cancel();
      if (!res.ok) throw new HttpError(res.status);
    },
  });
  outbox.start();
  await outbox.flush();
  expect(outbox.size).toBe(0);
  await outbox.close();
}

/** Every printed key arrived, first arrivals in printed order, and every copy carries its own payload. */
function checkDelivered(printed: ReadonlyArray<{ key: string; tag: string }>): void {
  const firstArrival = new Map<string, number>();
  const tagOf = new Map<string, string>();
  received.forEach((r, i) => {
    if (!firstArrival.has(r.key)) firstArrival.set(r.key, i);
    expect(tagOf.get(r.key) ?? r.tag, `duplicate of ${r.key} carries another payload`).toBe(r.tag);
    tagOf.set(r.key, r.tag);
  });
  const missing = printed.filter((p) => !firstArrival.has(p.key));
  expect(missing, 'printed keys that never arrived').toEqual([]);
  const positions = printed.map((p) => firstArrival.get(p.key) as number);
  expect(positions.every((pos, i) => i === 0 || pos > (positions[i - 1] as number)), 'order kept').toBe(true);
  for (const p of printed) expect(tagOf.get(p.key)).toBe(p.tag);
}

describe('Outbox under kill -9', () => {
  it('loses no enqueued item over 20 kills at random moments (4 outboxes, each reopened 5 times)', async () => {
    const events: ResilienceEvent[] = [];
    let total = 0;
    // Four lanes in parallel keep the file under 40 s; each lane kills and reopens one outbox 5 times.
    await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        const path = join(dir, `kill-${lane}`, 'events.outbox');
        const printed: Array<{ key: string; tag: string }> = [];
        for (let seed = 1 + lane * 5; seed <= 5 + lane * 5; seed++) {
          const delay = 50 + Math.floor(seededRandom(seed)() * 250);
          const lines = await runChild({ OUTBOX_PATH: path, OUTBOX_SEED: String(seed), OUTBOX_RUN: String(seed) }, delay);
          printed.push(...lines);
          // Every 4th run also simulates power loss mid-write (a SIGKILL alone rarely splits a write, but can).
          if (seed % 4 === 0) await appendFile(path, '{"op":"put","key":"torn-by-power-loss","at":1,"payload":{"ru');
          await drain(path, events);
          checkDelivered(printed);
        }
        expect(printed.length).toBeGreaterThan(0);
        total += printed.length;
      }),
    );
    const torn = events.filter((e) => e.type === 'outbox_torn').length;
    // The 5 simulated power losses, plus any write a kill happened to split: at most one tail per reopen.
    expect(torn).toBeGreaterThanOrEqual(5);
    expect(torn).toBeLessThanOrEqual(20);
    expect(received.some((r) => r.key === 'torn-by-power-loss')).toBe(false);
    console.info(`outbox crash test: ${total} keys printed over 20 kills, ${received.length} deliveries, ${torn} torn tails repaired`);
  }, 40_000);

  it('loses nothing when killed while compacting after every delivery', async () => {
    const path = join(dir, 'compact', 'events.outbox');
    const events: ResilienceEvent[] = [];
    const printed: Array<{ key: string; tag: string }> = [];
    for (let seed = 101; seed <= 105; seed++) {
      const delay = 50 + Math.floor(seededRandom(seed)() * 250);
      printed.push(...(await runChild({ OUTBOX_PATH: path, OUTBOX_SEED: String(seed), OUTBOX_RUN: String(seed), OUTBOX_URL: url, OUTBOX_COMPACT: '1' }, delay)));
    }
    await drain(path, events);
    checkDelivered(printed);
  }, 20_000);

  it('delivers everything stored while the server was down for a whole run, once it is up', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const downUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/events`;
    probe.close(); // nothing listens there any more: ECONNREFUSED
    const path = join(dir, 'down', 'events.outbox');
    const before = received.length;
    const printed = await runChild({ OUTBOX_PATH: path, OUTBOX_SEED: '7', OUTBOX_RUN: '1000', OUTBOX_URL: downUrl }, 300);
    expect(received.length).toBe(before);
    await drain(path, []);
    checkDelivered(printed);
  }, 20_000);
});
