/**
 * Issue 9 item 2: one owner per outbox file, with real processes. Before the lock, two processes
 * on one file lost every item the other had fsynced as soon as one compacted (200 of 200).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/outbox/outbox.js';
import { OutboxLockedError } from '../../src/outbox/options.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = join(ROOT, 'test', 'integration', 'fixtures', 'outbox-owner-child.ts');
let server: Server;
let url: string;
let dir: string;
const received = new Set<string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-lock-'));
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.add(String(req.headers['idempotency-key']));
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

function start(env: Record<string, string>): { child: ChildProcess; out: () => string; exited: Promise<[number | null, string | null]>; err: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: ROOT, env: { ...process.env, OUTBOX_URL: url, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return { child, out: () => out, err: () => err, exited: once(child, 'exit') as Promise<[number | null, string | null]> };
}

async function ready(p: ReturnType<typeof start>): Promise<void> {
  while (!p.out().includes('ready\n')) {
    if (p.child.exitCode !== null) throw new Error(`child exited: ${p.err()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Outbox lock across processes', () => {
  it('loses 0 items over 20 rounds of two processes opening one file at once (each enqueues 10, compacts after every delivery)', async () => {
    let printed = 0;
    const lost: string[] = [];
    const problems: unknown[] = [];
    // Four files in parallel, five rounds each: 20 rounds, 40 processes.
    await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        for (let round = 0; round < 5; round++) {
          const env = { OUTBOX_PATH: join(dir, `pair-${lane}`, 'events.outbox'), OUTBOX_MODE: 'deliver', OUTBOX_N: '10' };
          const pair = [start({ ...env, OUTBOX_TAG: 'a' }), start({ ...env, OUTBOX_TAG: 'b' })];
          for (const p of pair) {
            const [code] = await p.exited;
            // Collected, not thrown: a throw here would end the test while other lanes still run children.
            if (code !== 0 || p.err() !== '' || !/done\n$/.test(p.out())) problems.push({ lane, round, code, err: p.err(), out: p.out().slice(-300) });
            const keys = p.out().split('\n').filter((l) => l.startsWith('key ')).map((l) => l.slice(4));
            printed += keys.length;
            lost.push(...keys.filter((k) => !received.has(k)));
          }
        }
      }),
    );
    expect(problems).toEqual([]);
    expect(printed).toBe(400);
    expect(lost).toEqual([]);
  }, 90_000);

  it('a live owner: open waits lockTimeout, then OutboxLockedError names the path and the owner pid', async () => {
    const path = join(dir, 'held', 'events.outbox');
    const owner = start({ OUTBOX_PATH: path, OUTBOX_MODE: 'hold' });
    try {
      await ready(owner);
      const began = performance.now();
      const error = await Outbox.open({ path, lockTimeout: '300ms', send: async () => {} }).catch((e: unknown) => e);
      expect(performance.now() - began).toBeGreaterThanOrEqual(290);
      expect(error).toBeInstanceOf(OutboxLockedError);
      expect(error).toMatchObject({ name: 'OutboxLockedError', path, pid: owner.child.pid });
      expect(String(error)).toBe(`OutboxLockedError: steadfast: ${path}: is locked by process ${owner.child.pid} (waited 300ms; see ${path}.lock)`);
    } finally {
      owner.child.kill('SIGKILL');
      await owner.exited;
    }
  }, 20_000);

  it('an owner killed with SIGKILL never blocks: the next open takes the file at once', async () => {
    const path = join(dir, 'killed', 'events.outbox');
    const owner = start({ OUTBOX_PATH: path, OUTBOX_MODE: 'hold' });
    await ready(owner);
    owner.child.kill('SIGKILL');
    await owner.exited;
    const began = performance.now();
    const box = await Outbox.open({ path, lockTimeout: 0, send: async () => {} });
    expect(performance.now() - began).toBeLessThan(1_000);
    await box.close();
  }, 20_000);

  it('an owner that waits for the file gets it as soon as the first one closes', async () => {
    const path = join(dir, 'handover', 'events.outbox');
    const first = await Outbox.open({ path, send: async () => {} });
    const second = start({ OUTBOX_PATH: path, OUTBOX_MODE: 'hold' });
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(second.out()).toBe('');
      await first.close();
      await ready(second);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  }, 20_000);
});
