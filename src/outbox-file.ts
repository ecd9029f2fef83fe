/**
 * The outbox's on-disk log (Node only): an append-only JSON-lines file that starts with a header
 * line, written with group commit (one write + one fsync per batch of concurrent appends) and
 * compacted crash-safely (write `<path>.tmp`, fsync, rename, fsync the directory).
 *
 * Lines after the header:
 *   {"op":"put","key":K,"at":T,"attempts":N?,"payload":P}   an item was enqueued
 *   {"op":"ack","key":K} / {"op":"dead","key":K}            it left (delivered / dead-lettered)
 *   {"op":"fail","key":K,"attempts":N}                      a failed attempt (best effort, for `attempts`)
 */
import { mkdir, open, readFile, rename, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

const HEADER_LINE = '{"steadfast":"outbox","version":1}\n';
const FILE_MODE = 0o600;
/** Size of the header line, in bytes. */
export const HEADER_BYTES: number = HEADER_LINE.length;

/** An item waiting in the log. `json` is its payload, serialized once. */
export interface StoredItem {
  readonly key: string;
  readonly at: number;
  readonly json: string;
  attempts: number;
  /** Byte length of its `put` line. */
  bytes: number;
}

/**
 * The outbox file can't be used: it is not an outbox (it is never overwritten), it was written
 * by a newer version, or a line before the last one is damaged.
 */
export class OutboxFileError extends Error {
  override readonly name = 'OutboxFileError' as const;
  /** The file in question. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(`steadfast: ${path}: ${message}`);
    this.path = path;
  }
}

/** The `put` line for an item. */
export function putLine(key: string, at: number, json: string, attempts = 0): string {
  const tries = attempts > 0 ? `,"attempts":${attempts}` : '';
  return `{"op":"put","key":${JSON.stringify(key)},"at":${at}${tries},"payload":${json}}\n`;
}

/** A line recording that an item left the queue, or that an attempt failed. */
export function markLine(op: 'ack' | 'dead' | 'fail', key: string, attempts?: number): string {
  return `{"op":"${op}","key":${JSON.stringify(key)}${attempts === undefined ? '' : `,"attempts":${attempts}`}}\n`;
}

/** Byte length of a line as written (UTF-8). */
export function byteLength(text: string): number {
  return Buffer.byteLength(text);
}

interface Pending {
  text: string;
  done: () => void;
  fail: (error: unknown) => void;
}

/** What {@link openLog} found. */
export interface LoadedLog {
  log: OutboxLog;
  /** Waiting items, oldest first. */
  items: StoredItem[];
  /** `ack`/`dead` records in the file (items that left since the last compaction). */
  leftCount: number;
  /** A torn last line that was truncated away (1-based line number and its byte length). */
  torn?: { line: number; bytes: number };
}

/**
 * Opens (or creates) the log at `path`: refuses a file that is not an outbox, truncates a torn
 * last line, and returns the waiting items.
 */
export async function openLog(path: string): Promise<LoadedLog> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    data = Buffer.alloc(0);
  }
  if (data.length === 0) {
    // An empty file holds nothing to lose; create via rename so a crash never leaves half a header.
    await replaceFile(path, HEADER_LINE);
    return { log: await OutboxLog.attach(path, byteLength(HEADER_LINE)), items: [], leftCount: 0 };
  }
  const { items, leftCount, end, torn } = parse(path, data);
  if (torn !== undefined) await truncate(path, end);
  const log = await OutboxLog.attach(path, end);
  return torn === undefined ? { log, items, leftCount } : { log, items, leftCount, torn };
}

function parse(path: string, data: Buffer): Omit<LoadedLog, 'log'> & { end: number } {
  const headerEnd = data.indexOf(10);
  const header = data.subarray(0, headerEnd < 0 ? data.length : headerEnd).toString('utf8');
  checkHeader(path, header, headerEnd >= 0);
  const live = new Map<string, StoredItem>();
  let leftCount = 0;
  let pos = headerEnd + 1;
  for (let line = 2; pos < data.length; line++) {
    const nl = data.indexOf(10, pos);
    if (nl < 0) return { items: [...live.values()], leftCount, end: pos, torn: { line, bytes: data.length - pos } };
    const text = data.subarray(pos, nl + 1).toString('utf8');
    const record = parseRecord(text);
    if (record === undefined) {
      throw new OutboxFileError(path, `line ${line} is damaged and is not the last line; refusing to guess (the file is left unchanged)`);
    }
    const { op, key } = record;
    if (op === 'put') {
      if (!live.has(key)) {
        const json = JSON.stringify(record['payload'] ?? null);
        const attempts = typeof record['attempts'] === 'number' ? record['attempts'] : 0;
        live.set(key, { key, at: Number(record['at']), json, attempts, bytes: nl + 1 - pos });
      }
    } else if (op === 'fail') {
      const item = live.get(key);
      if (item !== undefined && typeof record['attempts'] === 'number') item.attempts = record['attempts'];
    } else {
      live.delete(key);
      leftCount++;
    }
    pos = nl + 1;
  }
  return { items: [...live.values()], leftCount, end: data.length };
}

function checkHeader(path: string, header: string, complete: boolean): void {
  let value: unknown;
  try {
    value = JSON.parse(header);
  } catch {
    value = undefined;
  }
  const record = value as { steadfast?: unknown; version?: unknown } | undefined;
  if (!complete || typeof record !== 'object' || record === null || record.steadfast !== 'outbox') {
    throw new OutboxFileError(path, 'is not a steadfast outbox (its first line is not the outbox header); refusing to use or overwrite it');
  }
  if (record.version !== 1) {
    throw new OutboxFileError(path, `was written by a newer steadfast (outbox format version ${String(record.version)}; this one reads 1)`);
  }
}

type LogRecord = { op: 'put' | 'ack' | 'dead' | 'fail'; key: string } & Record<string, unknown>;

function parseRecord(text: string): LogRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { op, key } = value as Record<string, unknown>;
    if (typeof key !== 'string' || (op !== 'put' && op !== 'ack' && op !== 'dead' && op !== 'fail')) return undefined;
    return value as LogRecord;
  } catch {
    return undefined;
  }
}

/** Writes `text` to `<path>.tmp`, fsyncs it, renames it over `path` and fsyncs the directory. */
async function replaceFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', FILE_MODE);
  try {
    await writeAll(fh, Buffer.from(text));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** Makes a rename or a new file durable. Some platforms can't open directories: best effort there. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows and some file systems refuse to fsync a directory; the rename itself is still atomic.
  } finally {
    await fh?.close();
  }
}

async function writeAll(fh: FileHandle, buffer: Buffer): Promise<void> {
  for (let offset = 0; offset < buffer.length; ) {
    const { bytesWritten } = await fh.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Appends a line to `<path>.dead` and fsyncs it (dead letters are rare, so no batching).
 */
export async function appendDeadLetter(path: string, line: string): Promise<void> {
  const fh = await open(`${path}.dead`, 'a', FILE_MODE);
  try {
    await writeAll(fh, Buffer.from(line));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await syncDir(dirname(path));
}

/**
 * The open log. Appends are batched: every line handed in while a write + fsync is in progress
 * goes out in the next single write + fsync. Jobs (batches, compactions) run one at a time.
 */
export class OutboxLog {
  private queue: Pending[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private closed = false;

  private constructor(
    readonly path: string,
    private fh: FileHandle,
    /** Current size of the file, in bytes. */
    public fileBytes: number,
  ) {}

  static async attach(path: string, fileBytes: number): Promise<OutboxLog> {
    return new OutboxLog(path, await open(path, 'a', FILE_MODE), fileBytes);
  }

  /** The error that made the log unusable (a failed write that could not be undone), if any. */
  get broken(): unknown {
    return this.failure;
  }

  /** Queues `text` for the next batch; `done` runs synchronously once it is on disk. */
  append(text: string, done: () => void, fail: (error: unknown) => void): void {
    if (this.failure !== undefined || this.closed) {
      fail(this.failure ?? new Error(`steadfast: outbox ${this.path} is closed`));
      return;
    }
    this.queue.push({ text, done, fail });
    if (!this.scheduled) {
      this.scheduled = true;
      void this.exclusive(() => this.writeBatch());
    }
  }

  /** Resolves once everything appended so far is on disk (or failed). */
  idle(): Promise<void> {
    return this.exclusive(async () => {});
  }

  /**
   * Rewrites the file with only `snapshot()`'s lines (taken when no batch is in flight, so it sees
   * exactly what is on disk). Returns the file size before and after.
   */
  compact(snapshot: () => string): Promise<{ bytesBefore: number; bytesAfter: number }> {
    return this.exclusive(async () => {
      const bytesBefore = this.fileBytes;
      const text = HEADER_LINE + snapshot();
      await replaceFile(this.path, text);
      try {
        const old = this.fh;
        this.fh = await open(this.path, 'a', FILE_MODE);
        await old.close();
      } catch (error) {
        this.failure = error;
        throw error;
      }
      this.fileBytes = byteLength(text);
      return { bytesBefore, bytesAfter: this.fileBytes };
    });
  }

  /** Waits for pending writes, then closes the file. */
  async close(): Promise<void> {
    await this.idle();
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  private exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job);
    this.chain = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  private async writeBatch(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (this.failure !== undefined) {
      for (const p of batch) p.fail(this.failure);
      return;
    }
    const buffer = Buffer.from(batch.length === 1 ? (batch[0] as Pending).text : batch.map((p) => p.text).join(''));
    try {
      await writeAll(this.fh, buffer);
      await this.fh.datasync();
    } catch (error) {
      // Undo a partial write so no half line sits before later ones; if even that fails, stop.
      await this.fh.truncate(this.fileBytes).catch((truncateError: unknown) => {
        this.failure = truncateError;
      });
      for (const p of batch) p.fail(error);
      return;
    }
    this.fileBytes += buffer.length;
    for (const p of batch) p.done();
  }
}
