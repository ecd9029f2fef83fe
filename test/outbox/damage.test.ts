/**
 * Issue 9 item 7: an unattended outbox must never refuse itself. A damaged line is moved aside
 * and every intact item kept; an item that can never fit gets its own error.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResilienceEvent } from '../../src/core/events.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { OutboxFullError, OutboxItemTooLargeError, type OutboxItem } from '../../src/outbox/options.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const HEADER = '{"steadfast":"outbox","version":1}\n';
const put = (key: string, payload: number): string => `{"op":"put","key":"${key}","at":1,"payload":${payload}}\n`;
let dir: string;
let path: string;
let opened: Outbox[];
const clock = new FakeClock({ now: Date.UTC(2026, 0, 1) });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-damage-'));
  path = join(dir, 'events.outbox');
  opened = [];
});

afterEach(async () => {
  for (const o of opened) await o.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(o: { maxBytes?: number } = {}): Promise<{ box: Outbox; events: ResilienceEvent[]; sent: OutboxItem[] }> {
  const events: ResilienceEvent[] = [];
  const sent: OutboxItem[] = [];
  const box = await Outbox.open({ path, clock, ...o, onEvent: (e) => events.push(e), send: async (item) => void sent.push(item) });
  opened.push(box);
  return { box, events, sent };
}

describe('Outbox: a damaged line before the last one (was: open rejected until the file was edited by hand)', () => {
  it('moves the damaged lines to <path>.corrupt, emits outbox_corrupt, keeps every intact item and opens', async () => {
    const bad1 = 'garbage\n';
    const bad2 = '{"op":"put","key":\n';
    await writeFile(path, HEADER + put('a', 1) + bad1 + put('b', 2) + bad2 + put('c', 3) + '{"op":"ack","key":"a"}\n');
    const { box, events, sent } = await open();
    expect(box.size).toBe(2);
    expect(events).toEqual([
      expect.objectContaining({ type: 'outbox_corrupt', line: 3, lines: 2, bytes: bad1.length + bad2.length, file: `${path}.corrupt` }),
    ]);
    expect(await readFile(`${path}.corrupt`, 'utf8')).toBe(bad1 + bad2);
    expect(await readFile(path, 'utf8')).toBe(HEADER + put('a', 1) + put('b', 2) + put('c', 3) + '{"op":"ack","key":"a"}\n');
    await box.enqueue(4, { key: 'd' });
    box.start();
    await box.flush();
    expect(sent.map((i) => [i.key, i.payload])).toEqual([['b', 2], ['c', 3], ['d', 4]]);
  });

  it('opens cleanly the next time: the damage was moved once, not again', async () => {
    await writeFile(path, HEADER + put('a', 1) + 'garbage\n' + put('b', 2));
    await (await open()).box.close();
    opened = [];
    const { box, events } = await open();
    expect(events).toEqual([]);
    expect(box.size).toBe(2);
    expect(await readFile(`${path}.corrupt`, 'utf8')).toBe('garbage\n');
  });

  it('handles damage and a torn last line together: both cut, intact items kept', async () => {
    await writeFile(path, HEADER + put('a', 1) + '}}\n' + put('b', 2) + '{"op":"put","ke');
    const { box, events } = await open();
    expect(events.map((e) => e.type).sort()).toEqual(['outbox_corrupt', 'outbox_torn']);
    expect(box.size).toBe(2);
    expect(await readFile(path, 'utf8')).toBe(HEADER + put('a', 1) + put('b', 2));
  });
});

describe('Outbox: an item larger than maxBytes (was: "outbox is full (0 items, 0 bytes)")', () => {
  it('refuses it with OutboxItemTooLargeError, even on an empty outbox, saying it can never fit', async () => {
    const { box, events } = await open({ maxBytes: 100 });
    const error = await box.enqueue('x'.repeat(200)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboxItemTooLargeError);
    expect(error).not.toBeInstanceOf(OutboxFullError);
    expect(error).toMatchObject({ name: 'OutboxItemTooLargeError', maxBytes: 100 });
    expect((error as OutboxItemTooLargeError).bytes).toBeGreaterThan(200);
    expect(String(error)).toMatch(/too large: it takes \d+ bytes and maxBytes is 100, so it can never fit, even in an empty outbox/);
    expect(events.filter((e) => e.type === 'outbox_full')).toEqual([]);
    expect(box.size).toBe(0);
  });

  it('still says OutboxFullError for an item that fits once others leave', async () => {
    const { box } = await open({ maxBytes: 200 });
    await box.enqueue('x'.repeat(100));
    await expect(box.enqueue('y'.repeat(100))).rejects.toBeInstanceOf(OutboxFullError);
  });
});
