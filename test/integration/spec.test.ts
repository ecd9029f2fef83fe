/**
 * SPEC conformance with real files, processes and sockets, through the public entry points
 * ('steadfast', 'steadfast/node'). Each test is bounded well under 5 s.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthCheck, HttpError, ResilientClient, constant, httpProbe } from 'steadfast';
import { Outbox, OutboxFullError, type OutboxItem } from 'steadfast/node';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, timeout: 4_500 });
}

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-spec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SPEC §9 Outbox (steadfast/node)', () => {
  it('"At-least-once, FIFO, every item with a stable key"; enqueue resolves once on disk', async () => {
    const path = join(dir, 'q.log');
    const sent: OutboxItem[] = [];
    const box = await Outbox.open({ path, send: async (item) => { sent.push(item); } });
    const a = await box.enqueue({ n: 1 });
    const b = await box.enqueue({ n: 2 }, { key: 'mine-2' });
    await box.enqueue({ n: 3 });
    expect(box.size).toBe(3);
    expect((await readFile(path, 'utf8')).length).toBeGreaterThan(0);
    box.start();
    await box.flush();
    expect(sent.map((i) => i.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(sent[0]?.key).toBe(a.key);
    expect(b.key).toBe('mine-2');
    expect(sent[1]?.key).toBe('mine-2');
    expect(box.size).toBe(0);
    await box.close();
  }, 5_000);

  it('"An item leaves only after send resolves": a stopped outbox reopens with the same items and keys', async () => {
    const path = join(dir, 'q.log');
    const box = await Outbox.open({ path, send: async () => { throw new Error('connection refused'); }, backoff: constant('1h') });
    const item = await box.enqueue({ hello: 'world' });
    box.start();
    await new Promise((r) => setTimeout(r, 50));
    await box.close();
    const got: OutboxItem[] = [];
    const again = await Outbox.open({ path, send: async (i) => { got.push(i); } });
    expect(again.size).toBe(1);
    again.start();
    await again.flush();
    expect(got.map((i) => [i.key, i.payload])).toEqual([[item.key, { hello: 'world' }]]);
    await again.close();
  }, 5_000);

  it('"moved to a dead-letter file with its reason after a permanent error"', async () => {
    const path = join(dir, 'q.log');
    const box = await Outbox.open({ path, send: async (i) => { if ((i.payload as { bad?: boolean }).bad === true) throw new HttpError(422, 'unprocessable'); } });
    await box.enqueue({ bad: true }, { key: 'poison' });
    await box.enqueue({ bad: false }, { key: 'fine' });
    box.start();
    await box.flush();
    expect(box.size).toBe(0);
    const dead = await readFile(`${path}.dead`, 'utf8');
    expect(dead).toContain('poison');
    expect(dead).toMatch(/422/);
    expect(dead).not.toContain('"fine"');
    await box.close();
  }, 5_000);

  it('"a torn last line is skipped on open"', async () => {
    const path = join(dir, 'q.log');
    const box = await Outbox.open({ path, send: async () => {} });
    await box.enqueue({ a: 1 }, { key: 'a' });
    await box.enqueue({ b: 2 }, { key: 'b' });
    await box.close();
    await appendFile(path, '{"op":"enq","key":"c","payl');
    const got: string[] = [];
    const again = await Outbox.open({ path, send: async (i) => { got.push(i.key); } });
    expect(again.size).toBe(2);
    again.start();
    await again.flush();
    expect(got).toEqual(['a', 'b']);
    await again.close();
  }, 5_000);

  it('"Full → enqueue rejects with a clear error, nothing already stored is dropped"', async () => {
    const path = join(dir, 'q.log');
    const box = await Outbox.open({ path, send: async () => {}, maxItems: 2 });
    await box.enqueue(1, { key: 'one' });
    await box.enqueue(2, { key: 'two' });
    const e = await box.enqueue(3, { key: 'three' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OutboxFullError);
    expect((e as Error).message).toMatch(/full/i);
    expect(box.size).toBe(2);
    const got: string[] = [];
    await box.close();
    const again = await Outbox.open({ path, send: async (i) => { got.push(i.key); } });
    again.start();
    await again.flush();
    expect(got).toEqual(['one', 'two']);
    await again.close();
  }, 5_000);

  it('"File mode 0600"', async () => {
    const path = join(dir, 'q.log');
    const box = await Outbox.open({ path, send: async () => {} });
    await box.enqueue({ x: 1 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await box.close();
  }, 5_000);

  it('maxBytes also bounds the outbox', async () => {
    const path = join(dir, 'q.log');
    const box = await Outbox.open({ path, send: async () => {}, maxBytes: 200 });
    await box.enqueue('x'.repeat(50));
    await expect(box.enqueue('y'.repeat(500))).rejects.toBeInstanceOf(OutboxFullError);
    expect(box.size).toBe(1);
    await box.close();
  }, 5_000);

  it('opening a file that is not an outbox log fails clearly instead of dropping data', async () => {
    const path = join(dir, 'q.log');
    await writeFile(path, 'hello, this is not json\nnor this\n');
    await expect(Outbox.open({ path, send: async () => {} })).rejects.toThrow(/not a steadfast outbox/);
    expect(await readFile(path, 'utf8')).toBe('hello, this is not json\nnor this\n');
  }, 5_000);
});

describe('SPEC §6 httpProbe against a real server', () => {
  let server: Server;
  let status = 200;
  let base = '';
  beforeEach(async () => {
    status = 200;
    server = createServer((req, res) => {
      res.statusCode = req.url === '/health' ? status : 404;
      res.end('x'.repeat(100_000));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('"answers non-2xx is a failure" (503), 2xx passes, and bodies are not left unread', async () => {
    const h = new HealthCheck({ probe: httpProbe(`${base}/health`), timeout: '2s' });
    expect(await h.check()).toBe(true);
    status = 503;
    expect(await h.check()).toBe(false);
    expect(h.status).toBe('unhealthy');
  }, 5_000);

  it('a client against a real server resolves 2xx and rejects 404 with HttpError at once', async () => {
    const client = new ResilientClient({ baseUrl: base, timeout: '2s', retry: { backoff: constant(10), maxRetries: 2 }, health: false });
    const ok = await client.fetch('/health');
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    const e = await client.fetch('/missing').catch((x: unknown) => x);
    expect((e as HttpError).status).toBe(404);
    expect(client.stats().attempts).toBe(2);
    client.close();
  }, 5_000);
});

describe('SPEC Packaging: package.json', () => {
  it('"ESM and CJS builds with .d.ts; exports map with types first; sideEffects: false; zero runtime dependencies; Node >= 20; a steadfast bin"', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>; sideEffects: unknown; engines: { node: string }; bin: Record<string, string>;
      exports: Record<string, { import?: Record<string, string>; require?: Record<string, string> } | string>;
    };
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines.node).toMatch(/>=\s*20/);
    expect(Object.keys(pkg.bin)).toEqual(['steadfast']);
    for (const entry of ['.', './testing', './node']) {
      const e = pkg.exports[entry];
      expect(typeof e, entry).toBe('object');
      if (typeof e !== 'object') continue;
      expect(Object.keys(e.import ?? {})[0], entry).toBe('types');
      expect(Object.keys(e.require ?? {})[0], entry).toBe('types');
      expect(e.import?.['types']).toMatch(/\.d\.ts$/);
      expect(e.require?.['types']).toMatch(/\.d\.cts$/);
    }
  });
});

describe('SPEC §12 CLI', () => {
  it('"steadfast schedule --initial 5s --max 5m --multiplier 2 --retries 10 --jitter full --seed 1 prints attempt, delay and cumulative time"', async () => {
    const args = ['schedule', '--initial', '5s', '--max', '5m', '--multiplier', '2', '--retries', '10', '--jitter', 'full', '--seed', '1'];
    const [a, b] = await Promise.all([cli(...args), cli(...args)]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/attempt/);
    expect(a.stdout).toMatch(/delay/);
    expect(a.stdout).toMatch(/cumulative/);
    const rows = a.stdout.split('\n').filter((l) => /^\s*\d+\s+\d+\s/.test(l));
    expect(rows).toHaveLength(10);
  }, 5_000);

  it('schedule without jitter prints the SPEC table 5s, 10s, 20s, 40s, 1m, 1m', async () => {
    const { stdout } = await cli('schedule', '--initial', '5s', '--max', '60s', '--retries', '6', '--jitter', 'none');
    const delaysCol = stdout.split('\n').filter((l) => /^\s*\d+\s+\d+\s/.test(l)).map((l) => l.trim().split(/\s+/)[2]);
    expect(delaysCol).toEqual(['5s', '10s', '20s', '40s', '1m', '1m']);
  }, 5_000);

  it('"steadfast simulate --agents --outage --capacity --jitter [--svg out.svg] reports peak load and time until every agent is back"', async () => {
    const svg = join(dir, 'out.svg');
    const { stdout } = await cli('simulate', '--agents', '300', '--outage', '30s', '--capacity', '60', '--jitter', 'full', '--svg', svg);
    expect(stdout).toMatch(/peak load/);
    expect(stdout).toMatch(/all back/);
    expect(await readFile(svg, 'utf8')).toMatch(/^<svg|<\?xml/);
  }, 5_000);

  it('a bad flag exits 2 with a message naming it', async () => {
    const e = (await cli('schedule', '--initial', 'soon', '--max', '5m').catch((x: unknown) => x)) as { code?: number; stderr?: string };
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/initial/);
  }, 5_000);
});
