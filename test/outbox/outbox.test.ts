import { appendFile, mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constant, exponential, schedule } from '../../src/core/backoff.js';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { HttpError } from '../../src/core/errors.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { OutboxFileError } from '../../src/outbox/file.js';
import { OutboxFullError, OutboxLockedError, OutboxStoppedError, type OutboxItem, type OutboxOptions, type OutboxSend } from '../../src/outbox/options.js';
import { recorder } from '../events-helper.js';
import { deferred } from '../deferred.js';

const T0 = Date.UTC(2026, 0, 1);
let dir: string;
let path: string;
let clock: FakeClock;
let opened: Outbox[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-outbox-'));
  path = join(dir, 'nested', 'events.outbox');
  clock = new FakeClock({ now: T0 });
  opened = [];
});

afterEach(async () => {
  for (const o of opened) await o.close();
  await rm(dir, { recursive: true, force: true });
});

/** A send that records every call and succeeds. */
function recordingSend(): { send: OutboxSend; calls: OutboxItem[]; times: number[] } {
  const calls: OutboxItem[] = [];
  const times: number[] = [];
  return {
    calls,
    times,
    send: async (item) => {
      calls.push(item);
      times.push(clock.now() - T0);
    },
  };
}

async function openBox(o: Partial<OutboxOptions> & Pick<OutboxOptions, 'send'>): Promise<Outbox> {
  const box = await Outbox.open({ path, clock, ...o });
  opened.push(box);
  return box;
}

async function reopen(box: Outbox, o: Partial<OutboxOptions> & Pick<OutboxOptions, 'send'>): Promise<Outbox> {
  await box.close();
  opened = opened.filter((b) => b !== box);
  return openBox(o);
}

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });

describe('Outbox: storage and delivery', () => {
  it('delivers items FIFO, each once with its key, and flush resolves when all are delivered', async () => {
    const r = recordingSend();
    const box = await openBox({ send: r.send });
    const items = [];
    for (let i = 0; i < 5; i++) items.push(await box.enqueue({ n: i }));
    box.start();
    await box.flush();
    expect(r.calls.map((c) => c.payload)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
    expect(r.calls.map((c) => c.key)).toEqual(items.map((i) => i.key));
    expect(r.calls.every((c) => c.attempts === 1)).toBe(true);
    expect(box.size).toBe(0);
  });

  it('resolves enqueue with the item: a random UUID key (or the given one), enqueuedAt from the clock, 0 attempts', async () => {
    const box = await openBox({ send: recordingSend().send });
    const a = await box.enqueue({ hello: 'world' });
    expect(a).toEqual({ key: expect.stringMatching(/^[0-9a-f-]{36}$/), payload: { hello: 'world' }, enqueuedAt: T0, attempts: 0 });
    expect((await box.enqueue('x', { key: 'job-7' })).key).toBe('job-7');
    expect(box.size).toBe(2);
  });

  it('stores an item durably before enqueue resolves: a fresh open sees it', async () => {
    const box = await openBox({ send: recordingSend().send });
    await box.enqueue({ a: 1 }, { key: 'k1' });
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[0]).toBe('{"steadfast":"outbox","version":1}');
    expect(text).toContain('"key":"k1"');
  });

  it('shares fsyncs between concurrent enqueues and keeps every one of them, in call order', async () => {
    const r = recordingSend();
    const box = await openBox({ send: r.send });
    const items = await Promise.all(Array.from({ length: 100 }, (_, i) => box.enqueue(i)));
    expect(box.size).toBe(100);
    const box2 = await reopen(box, { send: r.send });
    box2.start();
    await box2.flush();
    expect(r.calls.map((c) => c.key)).toEqual(items.map((i) => i.key));
  });

  it('writes 100 concurrent enqueues with a handful of fsyncs (group commit), not 100', async () => {
    const box = await openBox({ send: recordingSend().send });
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(proto, 'datasync');
    try {
      await Promise.all(Array.from({ length: 100 }, (_, i) => box.enqueue(i)));
      expect(datasync.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(datasync.mock.calls.length).toBeLessThanOrEqual(5);
    } finally {
      datasync.mockRestore();
    }
  });

  it('stores a key that is already waiting only once and resolves with the waiting item', async () => {
    const r = recordingSend();
    const box = await openBox({ send: r.send });
    await box.enqueue({ v: 1 }, { key: 'same' });
    const again = await box.enqueue({ v: 2 }, { key: 'same' });
    expect(again.payload).toEqual({ v: 1 });
    expect(box.size).toBe(1);
    box.start();
    await box.flush();
    expect(r.calls.map((c) => c.key)).toEqual(['same']);
  });

  it('accepts enqueues while stopped and delivers them once started', async () => {
    const r = recordingSend();
    const box = await openBox({ send: r.send });
    await box.enqueue(1);
    expect(box.running).toBe(false);
    box.start();
    await box.flush();
    await box.enqueue(2);
    await box.flush();
    expect(r.calls.map((c) => c.payload)).toEqual([1, 2]);
  });

  it('rejects a payload that is not JSON with a TypeError and stores nothing', async () => {
    const box = await openBox({ send: recordingSend().send });
    await expect(box.enqueue(10n as never)).rejects.toThrow(TypeError);
    await expect(box.enqueue(undefined as never)).rejects.toThrow(/JSON value/);
    expect(box.size).toBe(0);
  });

  it('rejects NaN and Infinity anywhere in a payload instead of storing them as null', async () => {
    const box = await openBox({ send: recordingSend().send });
    await expect(box.enqueue(Number.NaN)).rejects.toThrow(/NaN .* not a JSON number/);
    await expect(box.enqueue({ progress: { done: Infinity } })).rejects.toThrow(/Infinity at "done"/);
    await expect(box.enqueue([1, -Infinity])).rejects.toThrow(TypeError);
    expect(box.size).toBe(0);
    expect(await readFile(path, 'utf8')).not.toContain('null');
  });

  it('creates the outbox and its dead-letter file with mode 0600', async () => {
    const box = await openBox({ send: async () => Promise.reject(new HttpError(400)) });
    await box.enqueue(1);
    box.start();
    await box.flush();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(`${path}.dead`)).mode & 0o777).toBe(0o600);
  });

  it('refuses to open one file twice in a process: waits lockTimeout for close(), then OutboxLockedError', async () => {
    await openBox({ send: recordingSend().send });
    const second = Outbox.open({ path, clock, lockTimeout: '2s', send: recordingSend().send }).catch((e: unknown) => e);
    await clock.advance(2_000);
    const error = await second;
    expect(error).toBeInstanceOf(OutboxLockedError);
    expect(error).toMatchObject({ name: 'OutboxLockedError', path, pid: process.pid });
    expect(String(error)).toMatch(/another Outbox in this process .*close\(\) it first \(waited 2000ms/);
  });

  it('opens a file in this process as soon as the Outbox that had it closes', async () => {
    const first = await Outbox.open({ path, clock, send: recordingSend().send });
    await first.enqueue('a', { key: 'ka' });
    const second = Outbox.open({ path, clock, lockTimeout: '2s', send: recordingSend().send });
    await clock.advance(100);
    await first.close();
    await clock.advance(50);
    const box = await second;
    opened.push(box);
    expect(box.size).toBe(1);
  });
});

describe('Outbox: failures', () => {
  it('keeps a transiently failing item at the head and retries after 1s, 2s (backoff), then moves on', async () => {
    const rec = recorder();
    const times: number[] = [];
    const seen: string[] = [];
    let failures = 2;
    const box = await openBox({
      backoff: exponential({ initial: '1s', max: '1m', jitter: 'none' }),
      onEvent: rec.sink,
      send: async (item) => {
        seen.push(`${String(item.payload)}#${item.attempts}`);
        times.push(clock.now() - T0);
        if (item.payload === 'a' && failures-- > 0) throw refused();
      },
    });
    await box.enqueue('a');
    await box.enqueue('b');
    let retry = rec.next('outbox_retry');
    box.start();
    expect(await retry).toMatchObject({ attempt: 1, delayMs: 1_000, error: { code: 'ECONNREFUSED' } });
    expect(clock.pending).toBe(1);
    retry = rec.next('outbox_retry');
    await clock.advance(1_000);
    expect(await retry).toMatchObject({ attempt: 2, delayMs: 2_000 });
    const delivered = rec.next('outbox_delivered');
    await clock.advance(2_000);
    expect(await delivered).toMatchObject({ key: expect.any(String), attempts: 3 });
    await box.flush();
    expect(seen).toEqual(['a#1', 'a#2', 'a#3', 'b#1']);
    expect(times).toEqual([0, 1_000, 3_000, 3_000]);
    expect(clock.pending).toBe(0);
  });

  it('moves a permanently failing item to <path>.dead with its reason, and delivers the next one', async () => {
    const rec = recorder();
    const r = recordingSend();
    const box = await openBox({
      onEvent: rec.sink,
      send: async (item) => {
        if (item.payload === 'bad') throw new HttpError(422, 'HTTP 422 validation failed');
        return r.send(item, { signal: new AbortController().signal });
      },
    });
    await box.enqueue('bad', { key: 'k-bad' });
    await box.enqueue('good', { key: 'k-good' });
    box.start();
    await box.flush();
    expect(r.calls.map((c) => c.key)).toEqual(['k-good']);
    const dead = (await readFile(`${path}.dead`, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(dead).toEqual([
      {
        key: 'k-bad',
        payload: 'bad',
        enqueuedAt: T0,
        attempts: 1,
        verdict: expect.objectContaining({ kind: 'permanent', status: 422 }),
        error: { name: 'HttpError', message: 'HTTP 422 validation failed', status: 422 },
        deadAt: new Date(T0).toISOString(),
      },
    ]);
    expect(rec.events.find((e) => e.type === 'outbox_dead')).toMatchObject({ key: 'k-bad', verdict: { kind: 'permanent' }, error: { status: 422 } });
  });

  it('keeps a permanently failing item (and retries) while <path>.dead cannot be written', async () => {
    const rec = recorder();
    const box = await openBox({ backoff: constant('1s'), onEvent: rec.sink, send: async () => Promise.reject(new HttpError(400)) });
    await mkdir(`${path}.dead`); // a directory: appending to it fails
    await box.enqueue('x', { key: 'k' });
    const retry = rec.next('outbox_retry');
    box.start();
    expect(await retry).toMatchObject({ key: 'k', delayMs: 1_000, error: { status: 400 } });
    expect(box.size).toBe(1);
    await rm(`${path}.dead`, { recursive: true });
    const dead = rec.next('outbox_dead');
    await clock.advance(1_000);
    expect(await dead).toMatchObject({ key: 'k' });
    expect(box.size).toBe(0);
  });

  it('dead-letters an item once a finite backoff schedule is used up', async () => {
    const box = await openBox({ backoff: schedule(['1s', '1s']), send: async () => Promise.reject(refused()) });
    await box.enqueue('x', { key: 'k' });
    box.start();
    const flushed = box.flush();
    await clock.advance(1_000);
    await clock.advance(1_000);
    await flushed;
    const dead = JSON.parse(await readFile(`${path}.dead`, 'utf8')) as { attempts: number; verdict: { reason: string } };
    expect(dead.attempts).toBe(3);
    expect(dead.verdict.reason).toMatch(/^retries exhausted \(connection refused\)/);
  });

  it('waits while the breaker is open and sends the next trial when it half-opens', async () => {
    const times: number[] = [];
    let calls = 0;
    const box = await openBox({
      backoff: constant('1s'),
      breaker: new CircuitBreaker({ failureThreshold: 2, openFor: '30s', clock }),
      send: async () => {
        times.push(clock.now() - T0);
        if (++calls <= 2) throw refused();
      },
    });
    await box.enqueue('x');
    box.start();
    const flushed = box.flush();
    await clock.advance(1_000); // second failure opens the breaker
    await clock.advance(1_000); // refused by the breaker: wait until it half-opens (29s)
    expect(times).toEqual([0, 1_000]);
    await clock.advance(29_000);
    await flushed;
    expect(times).toEqual([0, 1_000, 31_000]);
  });

  it('builds a breaker from options', async () => {
    const rec = recorder();
    let calls = 0;
    const box = await openBox({
      backoff: constant('1s'),
      breaker: { failureThreshold: 1, openFor: '10s' },
      onEvent: rec.sink,
      send: async () => {
        if (++calls === 1) throw refused();
      },
    });
    await box.enqueue('x');
    box.start();
    const flushed = box.flush();
    await clock.advance(1_000);
    await clock.advance(10_000);
    await flushed;
    expect(rec.events.map((e) => e.type)).toContain('breaker_open');
    expect(calls).toBe(2);
  });

  it('rejects enqueue with OutboxFullError at maxItems, emits outbox_full, and drops nothing stored', async () => {
    const rec = recorder();
    const r = recordingSend();
    const box = await openBox({ maxItems: 2, onEvent: rec.sink, send: r.send });
    await box.enqueue(1);
    await box.enqueue(2);
    const error = await box.enqueue(3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboxFullError);
    expect(error).toMatchObject({ name: 'OutboxFullError', size: 2, maxItems: 2, maxBytes: 33_554_432 });
    expect(rec.events.find((e) => e.type === 'outbox_full')).toMatchObject({ size: 2, maxItems: 2 });
    box.start();
    await box.flush();
    expect(r.calls.map((c) => c.payload)).toEqual([1, 2]);
    await box.enqueue(3); // room again
  });

  it('rejects enqueue with OutboxFullError past maxBytes, counting concurrent enqueues', async () => {
    const box = await openBox({ maxBytes: 320, send: recordingSend().send });
    const results = await Promise.allSettled([box.enqueue('x'.repeat(60)), box.enqueue('y'.repeat(60)), box.enqueue('z'.repeat(60)) /* 150 bytes each */]);
    expect(results.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ name: 'OutboxFullError', maxBytes: 320 });
    expect(box.size).toBe(2);
  });
});

describe('Outbox: restart, compaction and damaged files', () => {
  it('resumes after a restart without re-delivering acknowledged items, with the same keys', async () => {
    const first: string[] = [];
    const fourthStarted = deferred();
    const box = await openBox({
      send: async (item, { signal }) => {
        if (first.length === 3) {
          fourthStarted.resolve();
          await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        }
        first.push(item.key);
      },
    });
    const keys = [];
    for (let i = 0; i < 5; i++) keys.push((await box.enqueue(i)).key);
    box.start();
    await fourthStarted.promise;
    const stopping = box.stop(); // waits for the 4th send, which hangs until sendTimeout abandons it
    await clock.advance(30_000);
    await stopping;
    const r = recordingSend();
    const box2 = await reopen(box, { send: r.send });
    expect(box2.size).toBe(2);
    box2.start();
    await box2.flush();
    expect(first).toEqual(keys.slice(0, 3));
    expect(r.calls.map((c) => c.key)).toEqual(keys.slice(3));
    expect(r.calls.map((c) => c.payload)).toEqual([3, 4]);
    expect(r.calls[0]?.attempts).toBe(2); // the timed-out attempt was recorded
  });

  it('compacts after compactAfter delivered items and keeps the undelivered ones', async () => {
    const rec = recorder();
    let delivered = 0;
    const blocked = deferred();
    const box = await openBox({
      compactAfter: 3,
      onEvent: rec.sink,
      send: async (_item, { signal }) => {
        if (delivered === 4) {
          blocked.resolve();
          await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        }
        delivered++;
      },
    });
    const keys = [];
    for (let i = 0; i < 7; i++) keys.push((await box.enqueue({ i }, { key: `k${i}` })).key);
    const bytesBefore = (await stat(path)).size;
    box.start();
    await blocked.promise;
    const stopping = box.stop();
    await clock.advance(30_000); // the blocked send times out
    await stopping;
    const compacted = rec.events.filter((e) => e.type === 'outbox_compacted');
    expect(compacted).toHaveLength(1);
    expect(compacted[0]).toMatchObject({ size: 4, bytesBefore: expect.any(Number) });
    expect((await stat(path)).size).toBeLessThan(bytesBefore);
    const r = recordingSend();
    const box2 = await reopen(box, { send: r.send });
    box2.start();
    await box2.flush();
    expect(r.calls.map((c) => [c.key, c.payload])).toEqual([4, 5, 6].map((i) => [`k${i}`, { i }]));
  });

  it('compacts once compactAfterBytes of the file belong to items that left', async () => {
    const rec = recorder();
    const box = await openBox({ compactAfter: Infinity, compactAfterBytes: 500, onEvent: rec.sink, send: recordingSend().send });
    for (let i = 0; i < 10; i++) await box.enqueue('p'.repeat(80));
    box.start();
    await box.flush();
    expect(rec.events.filter((e) => e.type === 'outbox_compacted').length).toBeGreaterThanOrEqual(1);
    expect((await stat(path)).size).toBeLessThan(500 + 200);
  });

  it('keeps every enqueue, in order, while compaction runs after every delivery', async () => {
    const rec = recorder();
    const r = recordingSend();
    const box = await openBox({ compactAfter: 1, compactAfterBytes: 1, onEvent: rec.sink, send: r.send });
    box.start();
    const items = [];
    for (let round = 0; round < 5; round++) items.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => box.enqueue({ round, i })))));
    await box.flush();
    expect(r.calls.map((c) => c.key)).toEqual(items.map((i) => i.key));
    expect(rec.events.filter((e) => e.type === 'outbox_compacted').length).toBeGreaterThan(10);
    const box2 = await reopen(box, { send: r.send });
    expect(box2.size).toBe(0);
  });

  it('removes a <path>.tmp left by a crash mid-compaction and keeps the log as it was', async () => {
    const box = await openBox({ send: recordingSend().send });
    await box.enqueue('a', { key: 'ka' });
    await box.close();
    opened = [];
    await writeFile(`${path}.tmp`, '{"steadfast":"outbox","version":1}\n{"op":"put","key":"half');
    const r = recordingSend();
    const box2 = await openBox({ send: r.send });
    await expect(stat(`${path}.tmp`)).rejects.toMatchObject({ code: 'ENOENT' });
    box2.start();
    await box2.flush();
    expect(r.calls.map((c) => c.key)).toEqual(['ka']);
  });

  it('skips a torn last line (a crash mid-write), truncates it away with outbox_torn, and keeps everything before it', async () => {
    const box = await openBox({ send: recordingSend().send });
    await box.enqueue('a', { key: 'ka' });
    await box.enqueue('b', { key: 'kb' });
    await box.close();
    opened = [];
    const sound = await readFile(path, 'utf8');
    await appendFile(path, '{"op":"put","key":"kc","at":1,"payl');
    const rec = recorder();
    const r = recordingSend();
    const box2 = await openBox({ onEvent: rec.sink, send: r.send });
    expect(rec.events).toEqual([expect.objectContaining({ type: 'outbox_torn', line: 4, bytes: 35 })]);
    expect(await readFile(path, 'utf8')).toBe(sound);
    await box2.enqueue('d', { key: 'kd' });
    box2.start();
    await box2.flush();
    expect(r.calls.map((c) => c.key)).toEqual(['ka', 'kb', 'kd']);
  });

  it('refuses a file that is not an outbox and leaves it unchanged', async () => {
    for (const content of ['hello\nworld\n', '{"name":"config"}\n', 'no newline at all']) {
      await writeFile(join(dir, 'other'), content);
      const error = await Outbox.open({ path: join(dir, 'other'), send: recordingSend().send }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutboxFileError);
      expect(String(error)).toMatch(/is not a steadfast outbox/);
      expect(await readFile(join(dir, 'other'), 'utf8')).toBe(content);
    }
  });

  it('treats an empty file as a new outbox', async () => {
    const p = join(dir, 'empty.outbox');
    await writeFile(p, '');
    const box = await Outbox.open({ path: p, clock, send: recordingSend().send });
    opened.push(box);
    await box.enqueue(1);
    expect(box.size).toBe(1);
  });
});

describe('Outbox: stop and flush', () => {
  it('stop() waits for the delivery in flight, which is acknowledged when it succeeds', async () => {
    const started = deferred();
    const settle = deferred();
    let aborted = false;
    const box = await openBox({
      send: async (_item, { signal }) => {
        started.resolve();
        signal.addEventListener('abort', () => (aborted = true));
        await settle.promise;
      },
    });
    await box.enqueue('x');
    box.start();
    await started.promise;
    let stopped = false;
    const stopping = box.stop().then(() => (stopped = true));
    await clock.settle();
    expect(stopped).toBe(false); // still waiting for the send
    settle.resolve();
    await stopping;
    expect(aborted).toBe(false);
    expect(box.size).toBe(0);
    expect(clock.pending).toBe(0);
    expect(await readFile(path, 'utf8')).toContain('"op":"ack"');
  });

  it('gives each attempt its own signal, so listeners send leaves behind never pile up (fetch did, ~1,500 deliveries in)', async () => {
    const signals = new Set<AbortSignal>();
    const warnings: Error[] = [];
    const onWarning = (w: Error): number => warnings.push(w);
    process.on('warning', onWarning);
    const box = await openBox({
      send: async (_item, { signal }) => {
        signals.add(signal);
        signal.addEventListener('abort', () => {}); // never removed, like a leaky client
      },
    });
    await Promise.all(Array.from({ length: 1_600 }, (_, i) => box.enqueue(i)));
    box.start();
    await box.flush();
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    process.off('warning', onWarning);
    expect(signals.size).toBe(1_600);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('stop() cancels a backoff wait: no timer is left', async () => {
    const rec = recorder();
    const box = await openBox({ onEvent: rec.sink, send: async () => Promise.reject(refused()) });
    await box.enqueue('x');
    const retry = rec.next('outbox_retry');
    box.start();
    await retry;
    expect(clock.pending).toBe(1);
    await box.stop();
    expect(clock.pending).toBe(0);
    expect(box.size).toBe(1);
  });

  it('flush() on a stopped outbox resolves when nothing older waits, and otherwise rejects with OutboxStoppedError', async () => {
    const box = await openBox({ send: recordingSend().send });
    await box.flush();
    await box.enqueue(1);
    await expect(box.flush()).rejects.toMatchObject({ name: 'OutboxStoppedError', size: 1 });
  });

  it('a flush() waiting when stop() is called rejects with OutboxStoppedError', async () => {
    const box = await openBox({ send: async () => Promise.reject(refused()) });
    await box.enqueue(1);
    box.start();
    const flushed = box.flush().catch((e: unknown) => e);
    await box.stop();
    expect(await flushed).toBeInstanceOf(OutboxStoppedError);
  });

  it('a flush() after stop() + start() (stop not awaited) is not rejected by that stop', async () => {
    const r = recordingSend();
    const box = await openBox({ send: r.send });
    box.start();
    await box.enqueue(1);
    const stopping = box.stop();
    box.start();
    await box.enqueue(2);
    await box.flush();
    await stopping;
    expect(r.calls.map((c) => c.payload)).toEqual([1, 2]);
  });

  it('start() after stop() resumes delivery; close() ends the outbox for good', async () => {
    const r = recordingSend();
    const box = await openBox({ send: r.send });
    box.start();
    await box.stop();
    await box.enqueue(1);
    box.start();
    await box.flush();
    expect(r.calls.map((c) => c.payload)).toEqual([1]);
    await box.close();
    await expect(box.enqueue(2)).rejects.toThrow(/is closed/);
    expect(() => box.start()).toThrow(/is closed/);
  });

  it('flush() waits only for items enqueued before the call', async () => {
    const gate = deferred();
    const calls: unknown[] = [];
    const box = await openBox({
      send: async (item) => {
        calls.push(item.payload);
        if (item.payload === 2) await gate.promise;
      },
    });
    await box.enqueue(1);
    box.start();
    const flushed = box.flush();
    await box.enqueue(2);
    await flushed;
    expect(calls[0]).toBe(1);
    gate.resolve();
    await box.flush();
    expect(calls).toEqual([1, 2]);
  });
});

describe('Outbox: sendTimeout (a send that never settles must not wedge the queue)', () => {
  /** A send that hangs forever (ignoring its signal) while `hang()` says so, and records each call. */
  function hangingSend(hang: (item: OutboxItem) => boolean): { send: OutboxSend; times: number[]; signals: AbortSignal[]; late: ReturnType<typeof deferred<void>>[] } {
    const times: number[] = [];
    const signals: AbortSignal[] = [];
    const late: ReturnType<typeof deferred<void>>[] = [];
    return {
      times,
      signals,
      late,
      send: async (item, { signal }) => {
        times.push(clock.now() - T0);
        signals.push(signal);
        if (!hang(item)) return;
        const d = deferred();
        late.push(d);
        await d.promise;
      },
    };
  }

  it('times out a send that hangs after the default 30s, retries it per backoff with outbox_retry, and delivers it once send answers', async () => {
    const rec = recorder();
    const h = hangingSend((item) => item.attempts < 3);
    const box = await openBox({ backoff: constant('1s'), onEvent: rec.sink, send: h.send });
    await box.enqueue('x', { key: 'k' });
    box.start();
    await clock.settle();
    expect(clock.pending).toBe(1); // the timeout
    const retry = rec.next('outbox_retry');
    await clock.advance(29_999);
    expect(rec.events.filter((e) => e.type === 'outbox_retry')).toEqual([]);
    await clock.advance(1);
    expect(await retry).toMatchObject({ key: 'k', attempt: 1, delayMs: 1_000, error: { name: 'TimeoutError', message: 'attempt timed out after 30000ms' } });
    expect(h.signals[0]?.aborted).toBe(true);
    expect((h.signals[0]?.reason as Error).name).toBe('TimeoutError');
    const delivered = rec.next('outbox_delivered');
    await clock.advance(31_000); // 1s backoff, the second attempt times out at 30s
    await clock.advance(1_000); // the third attempt answers
    expect(await delivered).toMatchObject({ key: 'k', attempts: 3 });
    expect(h.times).toEqual([0, 31_000, 62_000]);
    expect(box.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('keeps FIFO: the item after a hanging one waits, then goes once the hung one is delivered', async () => {
    const order: string[] = [];
    const box = await openBox({
      sendTimeout: '5s',
      backoff: constant('1s'),
      send: async (item) => {
        order.push(`${String(item.payload)}#${item.attempts}`);
        if (item.payload === 'a' && item.attempts === 1) await new Promise(() => {});
      },
    });
    await box.enqueue('a');
    await box.enqueue('b');
    box.start();
    const flushed = box.flush();
    await clock.advance(6_000);
    await flushed;
    expect(order).toEqual(['a#1', 'a#2', 'b#1']);
  });

  it('stop() during a send that hangs forever waits at most sendTimeout, leaves no timer, and the item is still there after reopen', async () => {
    const h = hangingSend(() => true);
    const box = await openBox({ send: h.send });
    await box.enqueue({ n: 1 }, { key: 'k' });
    box.start();
    await clock.settle();
    expect(h.times).toEqual([0]);
    let stopped = false;
    const stopping = box.stop().then(() => (stopped = true));
    await clock.advance(29_999);
    expect(stopped).toBe(false);
    await clock.advance(1);
    await stopping;
    expect(clock.now()).toBe(T0 + 30_000);
    expect(clock.pending).toBe(0);
    expect(h.signals[0]?.aborted).toBe(true);
    expect(box.size).toBe(1);
    const r = recordingSend();
    const box2 = await reopen(box, { send: r.send }); // close() too returns despite the hung send
    expect(box2.size).toBe(1);
    box2.start();
    await box2.flush();
    expect(r.calls).toEqual([{ key: 'k', payload: { n: 1 }, enqueuedAt: T0, attempts: 2 }]);
  });

  it('ignores a late resolve of a timed-out send: no ack, no delivered event, the item is retried and stays on disk', async () => {
    const rec = recorder();
    const h = hangingSend(() => true);
    const box = await openBox({ sendTimeout: '2s', backoff: constant('10s'), onEvent: rec.sink, send: h.send });
    await box.enqueue('x', { key: 'k' });
    const retry = rec.next('outbox_retry');
    box.start();
    await clock.advance(2_000);
    await retry;
    h.late[0]?.resolve(); // the abandoned first attempt answers during the backoff wait
    await clock.settle();
    expect(box.size).toBe(1);
    expect(rec.events.map((e) => e.type)).not.toContain('outbox_delivered');
    await clock.advance(10_000); // the retry starts (and hangs)
    expect(h.times).toEqual([0, 12_000]);
    const stopping = box.stop(); // waits for the hung retry until its 2s timeout
    await clock.advance(2_000);
    await stopping;
    h.late[1]?.resolve(); // ...and that abandoned attempt answers after stop()
    await clock.settle();
    expect(box.size).toBe(1);
    expect(rec.events.map((e) => e.type)).not.toContain('outbox_delivered');
    expect(await readFile(path, 'utf8')).not.toContain('"op":"ack"');
    const box2 = await reopen(box, { send: recordingSend().send });
    expect(box2.size).toBe(1);
  });

  it('counts a timed-out send as a failure in the breaker, so a hung call cannot wedge it', async () => {
    const rec = recorder();
    let calls = 0;
    const box = await openBox({
      sendTimeout: '1s',
      backoff: constant('1s'),
      breaker: { failureThreshold: 1, openFor: '10s' },
      onEvent: rec.sink,
      send: async () => {
        if (++calls === 1) await new Promise(() => {});
      },
    });
    await box.enqueue('x');
    box.start();
    const flushed = box.flush();
    await clock.advance(1_000);
    expect(rec.events.find((e) => e.type === 'breaker_open')).toMatchObject({ failures: 1 });
    await clock.advance(10_000);
    await flushed;
    expect(calls).toBe(2);
  });

  it('sendTimeout: Infinity sets no timer: a slow send is waited for as long as it takes', async () => {
    const rec = recorder();
    const h = hangingSend(() => true);
    const box = await openBox({ sendTimeout: Infinity, onEvent: rec.sink, send: h.send });
    await box.enqueue('x');
    box.start();
    await clock.settle();
    expect(clock.pending).toBe(0);
    await clock.advance(24 * 3_600_000);
    expect(h.times).toEqual([0]);
    expect(rec.events.map((e) => e.type)).not.toContain('outbox_retry');
    h.late[0]?.resolve();
    await box.flush();
    expect(rec.events.map((e) => e.type)).toContain('outbox_delivered');
  });
});

describe('Outbox: events and options', () => {
  it('emits enqueued and delivered events with key and size, never the payload', async () => {
    const rec = recorder();
    const box = await openBox({ name: 'telemetry', onEvent: rec.sink, send: recordingSend().send });
    const item = await box.enqueue({ secret: 'hunter2' });
    box.start();
    await box.flush();
    expect(rec.events).toEqual([
      { type: 'outbox_enqueued', time: new Date(T0).toISOString(), name: 'telemetry', key: item.key, size: 1 },
      { type: 'outbox_delivered', time: new Date(T0).toISOString(), name: 'telemetry', key: item.key, attempts: 1, size: 0 },
    ]);
    expect(JSON.stringify(rec.events)).not.toContain('hunter2');
  });

  it.each([
    [{ path: '' }, TypeError, /path must be a non-empty string; got ""/],
    [{ send: 'nope' }, TypeError, /send must be a function; got "nope"/],
    [{ maxItems: 0 }, RangeError, /maxItems must be an integer >= 1 or Infinity; got 0/],
    [{ maxBytes: 1.5 }, RangeError, /maxBytes .* got 1.5/],
    [{ compactAfter: -1 }, RangeError, /compactAfter .* got -1/],
    [{ compactAfterBytes: Number.NaN }, RangeError, /compactAfterBytes .* got NaN/],
    [{ backoff: '5s' }, TypeError, /backoff must be a Backoff .* got "5s"/],
    [{ onEvent: 5 }, TypeError, /onEvent must be a function; got 5/],
    [{ breaker: 5 }, TypeError, /breaker must be a CircuitBreaker .* got 5/],
    [{ sendTimeout: '-1s' }, RangeError, /sendTimeout must be a non-negative duration .* got "-1s"/],
    [{ sendTimeout: Number.NaN }, RangeError, /sendTimeout .* got NaN/],
    [{ sendTimeout: 'soon' }, RangeError, /sendTimeout .* got "soon"/],
    [{ sendTimeout: 0 }, RangeError, /sendTimeout must be > 0 \(or Infinity\); got 0/],
    [{ clock: { now: () => 0 } }, TypeError, /clock must be a Clock with now\(\), sleep\(\) and random\(\)/],
    [{ clock: null }, TypeError, /clock must be a Clock .* got null/],
    [{ name: 5 }, TypeError, /name must be a string; got 5/],
  ])('validates options at open: %j', async (bad, type, message) => {
    const error = await Outbox.open({ path, send: recordingSend().send, ...(bad as object) } as OutboxOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(String(error)).toMatch(message);
  });
});
