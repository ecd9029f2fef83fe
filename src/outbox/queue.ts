/**
 * The outbox's in-memory view of its log: the items waiting (oldest first), the enqueues still
 * being written, byte counts for `maxBytes` and compaction, and the `flush()` waiters. No file I/O.
 */
import { putLine, type StoredItem } from './file.js';
import { byteLength } from './log.js';
import type { JsonValue, OutboxItem } from './options.js';

/** A waiting item, with its enqueue order (for `flush()`). */
export interface Entry extends StoredItem {
  readonly seq: number;
}

interface FlushWaiter {
  readonly seq: number;
  /** Registration order, so `stop()` rejects only the flushes that were waiting when it was called. */
  readonly ticket: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The item handed out for an entry: a fresh copy of the payload each time, so `send` can't alter what is stored. */
export function toItem(entry: Entry): OutboxItem {
  return { key: entry.key, payload: JSON.parse(entry.json) as JsonValue, enqueuedAt: entry.at, attempts: entry.attempts };
}

/** @internal */
export class OutboxQueue {
  /** Items on disk and waiting, oldest first; slots before `head` have left. */
  private readonly items: (Entry | undefined)[] = [];
  private head = 0;
  private readonly byKey = new Map<string, Entry>();
  /** Enqueues whose line is not on disk yet, in enqueue order. */
  private readonly writing = new Map<string, { entry: Entry; promise: Promise<OutboxItem> }>();
  /** Bytes of the `put` lines of the items on disk. */
  storedBytes = 0;
  private writingBytes = 0;
  private seq = 0;
  private flushes: FlushWaiter[] = [];
  /** Flush waiters registered so far. */
  flushTickets = 0;

  /** Items waiting, including enqueues still being written. */
  get size(): number {
    return this.items.length - this.head + this.writing.size;
  }

  /** Bytes of waiting items, including enqueues still being written. */
  get bytes(): number {
    return this.storedBytes + this.writingBytes;
  }

  /** The oldest item on disk (next to deliver). */
  get first(): Entry | undefined {
    return this.items[this.head];
  }

  /** Enqueue order of the latest enqueue. */
  get lastSeq(): number {
    return this.seq;
  }

  /** A new entry for an enqueue. */
  entry(key: string, at: number, json: string, bytes: number, attempts = 0): Entry {
    return { key, at, json, attempts, bytes, seq: ++this.seq };
  }

  /** The waiting item with this key, or the pending enqueue of it. */
  find(key: string): Entry | Promise<OutboxItem> | undefined {
    return this.byKey.get(key) ?? this.writing.get(key)?.promise;
  }

  beginWrite(entry: Entry, promise: Promise<OutboxItem>): void {
    this.writing.set(entry.key, { entry, promise });
    this.writingBytes += entry.bytes;
  }

  endWrite(entry: Entry): void {
    this.writing.delete(entry.key);
    this.writingBytes -= entry.bytes;
  }

  /** Adds an item that is on disk. */
  push(entry: Entry): void {
    this.items.push(entry);
    this.byKey.set(entry.key, entry);
    this.storedBytes += entry.bytes;
  }

  /** Removes the oldest item (it was delivered or dead-lettered). */
  shift(): void {
    const entry = this.items[this.head];
    if (entry === undefined) return;
    this.items[this.head++] = undefined; // let the payload be collected
    if (this.head >= 1_024 && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.byKey.delete(entry.key);
    this.storedBytes -= entry.bytes;
  }

  /** Put lines for every item on disk (for a compaction), recounting their bytes. */
  snapshot(): string {
    let text = '';
    let stored = 0;
    for (let i = this.head; i < this.items.length; i++) {
      const e = this.items[i] as Entry;
      const line = putLine(e.key, e.at, e.json, e.attempts);
      e.bytes = byteLength(line);
      stored += e.bytes;
      text += line;
    }
    this.storedBytes = stored;
    return text;
  }

  /** Resolves once every item up to `seq` has left. */
  waitFor(seq: number): Promise<void> {
    return new Promise((resolve, reject) => this.flushes.push({ seq, ticket: this.flushTickets++, resolve, reject }));
  }

  /** Whether anything enqueued up to `seq` is still waiting. */
  waiting(seq: number): boolean {
    return this.oldest() <= seq;
  }

  /** Resolves the flush waiters whose items have all left. */
  settle(): void {
    if (this.flushes.length === 0) return;
    const oldest = this.oldest();
    this.flushes = this.flushes.filter((w) => (w.seq < oldest ? (w.resolve(), false) : true));
  }

  /** Rejects the flush waiters registered before `ticket` (a value of `flushTickets`) that are still waiting. */
  rejectBefore(ticket: number, error: unknown): void {
    this.flushes = this.flushes.filter((w) => (w.ticket < ticket ? (w.reject(error), false) : true));
  }

  private oldest(): number {
    const head = this.items[this.head];
    if (head !== undefined) return head.seq;
    for (const w of this.writing.values()) return w.entry.seq;
    return Infinity;
  }
}
