/**
 * SPEC §9 Outbox (steadfast/node), with real files and processes.
 * Conformance with real files, processes and sockets, through the public entry points
 * ('steadfast', 'steadfast/node'). Each test is bounded well under 5 s.
 */
import { mkdtemp, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpError, constant } from 'steadfast';
import { Outbox, OutboxFullError, OutboxItemTooLargeError, type OutboxItem } from 'steadfast/node';

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
    await expect(box.enqueue('y'.repeat(50))).rejects.toBeInstanceOf(OutboxFullError);
    // An item that can never fit gets its own error, even with room for others (issue 9 item 7).
    await expect(box.enqueue('y'.repeat(500))).rejects.toBeInstanceOf(OutboxItemTooLargeError);
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
