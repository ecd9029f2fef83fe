/**
 * The file outbox's delivery loop inside the one retry engine (issue 11 review): stop() mid-wait
 * and mid-attempt, what is retried, what is dead-lettered and why, a dead-letter file that can't
 * be written, and the server's Retry-After. Virtual time (FakeClock) over a real temporary file.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { constant, exponential, schedule } from '../../src/core/backoff.js';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { HttpError } from '../../src/core/errors.js';
import type { EventOf } from '../../src/core/events.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { Outbox } from '../../src/outbox/outbox.js';
import type { OutboxOptions } from '../../src/outbox/options.js';
import { recorder } from '../events-helper.js';
import { deferred } from '../deferred.js';

const T0 = Date.UTC(2026, 0, 1);
let dir: string;
let path: string;
let clock: FakeClock;
let opened: Outbox[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-delivery-'));
  path = join(dir, 'events.outbox');
  clock = new FakeClock({ now: T0 });
  opened = [];
});

afterEach(async () => {
  for (const o of opened) await o.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sendtimes relative to T0, and a send that throws `errors` in turn (then succeeds once they run out). */
function scriptedSend(errors: unknown[]): { send: OutboxOptions['send']; times: number[] } {
  const times: number[] = [];
  return {
    times,
    send: async () => {
      times.push(clock.now() - T0);
      const error = errors[times.length - 1];
      if (error !== undefined) throw error;
    },
  };
}

async function openBox(o: Partial<OutboxOptions> & Pick<OutboxOptions, 'send'>): Promise<Outbox> {
  const box = await Outbox.open({ path, clock, sendTimeout: Infinity, ...o });
  opened.push(box);
  return box;
}

async function deadLetters(): Promise<{ key: string; attempts: number; verdict: { kind: string; reason: string; status?: number } }[]> {
  const text = await readFile(`${path}.dead`, 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { key: string; attempts: number; verdict: { kind: string; reason: string; status?: number } });
}

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
const abortError = (): DOMException => new DOMException('The operation was aborted.', 'AbortError');

describe('Outbox delivery: what is retried and what is dead-lettered', () => {
  it('retries an AbortError thrown by send itself (only stop() ends a delivery), then delivers', async () => {
    const rec = recorder();
    const s = scriptedSend([abortError(), abortError()]);
    const box = await openBox({ backoff: constant('1s'), onEvent: rec.sink, send: s.send });
    await box.enqueue('x', { key: 'k' });
    box.start();
    const flushed = box.flush();
    await clock.advance(1_000);
    await clock.advance(1_000);
    await flushed;
    expect(s.times).toEqual([0, 1_000, 2_000]);
    expect(rec.events.filter((e) => e.type === 'outbox_retry')).toMatchObject([
      { key: 'k', attempt: 1, delayMs: 1_000, error: { name: 'AbortError' } },
      { key: 'k', attempt: 2, delayMs: 1_000, error: { name: 'AbortError' } },
    ]);
    expect(rec.events.find((e) => e.type === 'outbox_delivered')).toMatchObject({ key: 'k', attempts: 3 });
  });

  it('dead-letters with "retries exhausted (…)" once a finite schedule is used up, after 1 + its length attempts', async () => {
    const rec = recorder();
    const s = scriptedSend([refused(), refused(), refused()]);
    const box = await openBox({ backoff: schedule(['1s', '2s']), onEvent: rec.sink, send: s.send });
    await box.enqueue('x', { key: 'k' });
    box.start();
    const flushed = box.flush();
    await clock.advance(1_000);
    await clock.advance(2_000);
    await flushed;
    expect(s.times).toEqual([0, 1_000, 3_000]);
    expect(await deadLetters()).toMatchObject([{ key: 'k', attempts: 3, verdict: { kind: 'permanent', reason: 'retries exhausted (connection refused)' } }]);
    expect(rec.events.find((e) => e.type === 'outbox_dead')).toMatchObject({ key: 'k', verdict: { kind: 'permanent', reason: 'retries exhausted (connection refused)' } });
  });

  it('a permanent error on the last attempt a finite schedule allows is dead-lettered as that permanent error, not as "retries exhausted"', async () => {
    const s = scriptedSend([refused(), new HttpError(422, 'HTTP 422 validation failed')]);
    const box = await openBox({ backoff: schedule(['1s']), send: s.send });
    await box.enqueue('x', { key: 'k' });
    box.start();
    const flushed = box.flush();
    await clock.advance(1_000);
    await flushed;
    const [dead] = await deadLetters();
    expect(dead).toMatchObject({ key: 'k', attempts: 2, verdict: { kind: 'permanent', status: 422 } });
    expect(dead?.verdict.reason).not.toMatch(/retries exhausted/);
  });

  it('starts each item on a fresh backoff walk: the next item’s first wait is the first delay again', async () => {
    const rec = recorder();
    const failuresOf: Record<string, number> = { a: 3, b: 1 };
    const box = await openBox({
      backoff: exponential({ initial: '1s', max: '1m', jitter: 'none' }),
      onEvent: rec.sink,
      send: async (item) => {
        const key = String(item.payload);
        if ((failuresOf[key] = (failuresOf[key] ?? 0) - 1) >= 0) throw refused();
      },
    });
    await box.enqueue('a');
    await box.enqueue('b');
    box.start();
    const flushed = box.flush();
    await clock.runAll();
    await flushed;
    expect(rec.events.filter((e): e is EventOf<'outbox_retry'> => e.type === 'outbox_retry').map((e) => e.delayMs)).toEqual([1_000, 2_000, 4_000, 1_000]);
  });

  it('emits only outbox_* events: the engine’s own retry/give_up events stay inside', async () => {
    const rec = recorder();
    const s = scriptedSend([refused(), new HttpError(400)]);
    const box = await openBox({ backoff: constant('1s'), onEvent: rec.sink, send: s.send });
    await box.enqueue('x');
    box.start();
    const flushed = box.flush();
    await clock.advance(1_000);
    await flushed;
    expect(rec.events.map((e) => e.type)).toEqual(['outbox_enqueued', 'outbox_retry', 'outbox_dead']);
  });
});

describe('Outbox delivery: the server’s wait', () => {
  it('waits a 503’s Retry-After (2 min) instead of the 1s backoff', async () => {
    const rec = recorder();
    const s = scriptedSend([new HttpError(503, 'HTTP 503', { retryAfterMs: 120_000 })]);
    const box = await openBox({ backoff: constant('1s'), onEvent: rec.sink, send: s.send });
    await box.enqueue('x');
    box.start();
    const flushed = box.flush();
    const retry = await rec.next('outbox_retry');
    expect(retry.delayMs).toBe(120_000);
    await clock.advance(119_999);
    expect(s.times).toEqual([0]);
    await clock.advance(1);
    await flushed;
    expect(s.times).toEqual([0, 120_000]);
  });

  it('caps a Retry-After of an hour at 5 minutes, and keeps a longer backoff delay over a short Retry-After', async () => {
    const rec = recorder();
    const s = scriptedSend([new HttpError(429, 'HTTP 429', { retryAfterMs: 3_600_000 }), new HttpError(503, 'HTTP 503', { retryAfterMs: 1_000 })]);
    const box = await openBox({ backoff: constant('10s'), onEvent: rec.sink, send: s.send });
    await box.enqueue('x');
    box.start();
    const flushed = box.flush();
    await clock.runAll();
    await flushed;
    expect(s.times).toEqual([0, 300_000, 310_000]);
  });

  it('an isolated breaker keeps the items waiting on the backoff (never dead-lettered: nothing was sent), and reset() lets them go', async () => {
    const breaker = new CircuitBreaker({ clock });
    breaker.isolate();
    const rec = recorder();
    let sends = 0;
    const box = await openBox({ backoff: exponential({ initial: '1s', max: '1m', jitter: 'none' }), breaker, onEvent: rec.sink, send: async () => void sends++ });
    await box.enqueue('x');
    let retry = rec.next('outbox_retry');
    box.start();
    for (const delay of [1_000, 2_000, 4_000]) {
      expect(await retry).toMatchObject({ delayMs: delay, error: { name: 'BrokenCircuitError' } });
      retry = rec.next('outbox_retry');
      await clock.advance(delay);
    }
    expect(sends).toBe(0);
    expect(box.size).toBe(1);
    expect(rec.events.map((e) => e.type)).not.toContain('outbox_dead');
    breaker.reset();
    const delivered = rec.next('outbox_delivered');
    await clock.advance(8_000);
    await delivered;
    expect(sends).toBe(1);
  });

  it('an isolated breaker with a finite schedule: the schedule’s end dead-letters with "retries exhausted (circuit isolated)"', async () => {
    const breaker = new CircuitBreaker({ clock });
    breaker.isolate();
    const box = await openBox({ backoff: schedule(['1s']), breaker, send: async () => {} });
    await box.enqueue('x', { key: 'k' });
    box.start();
    const flushed = box.flush();
    await clock.advance(1_000);
    await flushed;
    expect(await deadLetters()).toMatchObject([{ key: 'k', verdict: { kind: 'permanent', reason: 'retries exhausted (circuit isolated)' } }]);
  });
});

describe('Outbox delivery: a dead-letter file that cannot be written', () => {
  it('keeps the item and tries it again after a wait that grows along the backoff while the write keeps failing (no spin), then dead-letters it', async () => {
    const rec = recorder();
    const sentAt: number[] = [];
    const box = await openBox({
      backoff: exponential({ initial: '1s', max: '1m', jitter: 'none' }),
      onEvent: rec.sink,
      send: async () => {
        sentAt.push(clock.now() - T0);
        throw new HttpError(400);
      },
    });
    await mkdir(`${path}.dead`); // a directory: appending to it fails
    await box.enqueue('x', { key: 'k' });
    const first = rec.next('outbox_retry');
    box.start();
    await first;
    // Writing the dead letter is real I/O: step virtual time only once each wait has begun.
    for (const delay of [1_000, 2_000, 4_000, 8_000]) {
      const retry = rec.next('outbox_retry');
      await clock.advance(delay);
      await retry;
    }
    expect(box.size).toBe(1);
    expect(sentAt).toEqual([0, 1_000, 3_000, 7_000, 15_000]);
    const retries = rec.events.filter((e): e is EventOf<'outbox_retry'> => e.type === 'outbox_retry');
    expect(retries.map((e) => [e.key, e.attempt, e.delayMs, e.error.status])).toEqual([
      ['k', 1, 1_000, 400],
      ['k', 2, 2_000, 400],
      ['k', 3, 4_000, 400],
      ['k', 4, 8_000, 400],
      ['k', 5, 16_000, 400],
    ]);
    await rm(`${path}.dead`, { recursive: true });
    const dead = rec.next('outbox_dead');
    await clock.advance(16_000);
    expect(await dead).toMatchObject({ key: 'k', verdict: { kind: 'permanent', status: 400 } });
    expect(box.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('the wait starts over for the next item once the dead letter could be written', async () => {
    const rec = recorder();
    const gate = deferred();
    const box = await openBox({
      backoff: exponential({ initial: '1s', max: '1m', jitter: 'none' }),
      onEvent: rec.sink,
      send: async (item) => {
        if (item.key === 'b') await gate.promise; // b fails only once its dead letter is unwritable again
        throw new HttpError(400);
      },
    });
    await mkdir(`${path}.dead`);
    await box.enqueue('a', { key: 'a' });
    await box.enqueue('b', { key: 'b' });
    let retry = rec.next('outbox_retry');
    box.start();
    await retry;
    retry = rec.next('outbox_retry');
    await clock.advance(1_000);
    await retry; // a now waits 2s
    await rm(`${path}.dead`, { recursive: true });
    const deadA = rec.next('outbox_dead');
    await clock.advance(2_000);
    await deadA;
    await rm(`${path}.dead`);
    await mkdir(`${path}.dead`);
    retry = rec.next('outbox_retry');
    gate.resolve();
    expect(await retry).toMatchObject({ key: 'b', delayMs: 1_000 });
  });

  it('after a finite schedule is used up and the dead letter fails, it waits along the schedule (keeping its last delay) and walks the schedule again in between', async () => {
    const rec = recorder();
    const s = scriptedSend(Array.from({ length: 10 }, () => refused()));
    const box = await openBox({ backoff: schedule(['1s', '2s']), onEvent: rec.sink, send: s.send });
    await mkdir(`${path}.dead`);
    await box.enqueue('x');
    const first = rec.next('outbox_retry');
    box.start();
    await first;
    for (const delay of [1_000, 2_000, 1_000, 1_000, 2_000, 2_000]) {
      const retry = rec.next('outbox_retry');
      await clock.advance(delay);
      await retry;
    }
    // 0, 1, 3: exhausted, dead letter fails, wait 1s; 4, 5, 7: exhausted again, wait 2s (the schedule's last delay from now on); 9.
    expect(s.times).toEqual([0, 1_000, 3_000, 4_000, 5_000, 7_000, 9_000]);
    expect(box.size).toBe(1);
  });

  it('stop() during that wait cancels it at once and leaves no timer; the item is still there', async () => {
    const rec = recorder();
    const box = await openBox({ backoff: constant('1s'), onEvent: rec.sink, send: async () => Promise.reject(new HttpError(400)) });
    await mkdir(`${path}.dead`);
    await box.enqueue('x');
    box.start();
    await rec.next('outbox_retry');
    expect(clock.pending).toBe(1);
    await box.stop();
    expect(clock.pending).toBe(0);
    expect(box.size).toBe(1);
  });
});

describe('Outbox delivery: stop()', () => {
  it('mid-wait: cancels the backoff at once, keeps the item, and start() walks the backoff from its first delay again', async () => {
    const rec = recorder();
    const s = scriptedSend([refused(), refused(), refused()]);
    const box = await openBox({ backoff: exponential({ initial: '1s', max: '1m', jitter: 'none' }), onEvent: rec.sink, send: s.send });
    await box.enqueue('x');
    let retry = rec.next('outbox_retry');
    box.start();
    await retry;
    retry = rec.next('outbox_retry');
    await clock.advance(1_000);
    await retry; // now waiting 2s
    await box.stop();
    expect(clock.pending).toBe(0);
    expect(box.size).toBe(1);
    expect(s.times).toEqual([0, 1_000]);
    retry = rec.next('outbox_retry');
    box.start();
    expect(await retry).toMatchObject({ attempt: 3, delayMs: 1_000 });
    await clock.advance(1_000);
    await box.flush();
    expect(s.times).toEqual([0, 1_000, 1_000, 2_000]);
  });

  it('mid-attempt that then fails permanently: the item is kept, not dead-lettered, and no retry is scheduled', async () => {
    const rec = recorder();
    const started = deferred();
    const fail = deferred();
    const box = await openBox({
      onEvent: rec.sink,
      send: async () => {
        started.resolve();
        await fail.promise;
        throw new HttpError(400);
      },
    });
    await box.enqueue('x');
    box.start();
    await started.promise;
    const stopping = box.stop();
    fail.resolve();
    await stopping;
    expect(box.size).toBe(1);
    expect(rec.events.map((e) => e.type)).not.toContain('outbox_dead');
    expect(rec.events.map((e) => e.type)).not.toContain('outbox_retry');
    expect(clock.pending).toBe(0);
    await expect(readFile(`${path}.dead`, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('mid-attempt that then fails transiently: the item is kept and no wait is left behind', async () => {
    const started = deferred();
    const fail = deferred();
    const box = await openBox({
      send: async () => {
        started.resolve();
        await fail.promise;
        throw refused();
      },
    });
    await box.enqueue('x');
    box.start();
    await started.promise;
    const stopping = box.stop();
    fail.resolve();
    await stopping;
    expect(box.size).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('mid-attempt that then succeeds: the item is acknowledged and gone after a reopen', async () => {
    const started = deferred();
    const done = deferred();
    let box = await openBox({
      send: async () => {
        started.resolve();
        await done.promise;
      },
    });
    await box.enqueue('x');
    box.start();
    await started.promise;
    const stopping = box.stop();
    done.resolve();
    await stopping;
    expect(box.size).toBe(0);
    await box.close();
    opened = [];
    box = await openBox({ send: async () => {} });
    expect(box.size).toBe(0);
  });
});
