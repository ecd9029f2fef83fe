/**
 * The outbox's open log file (Node only): appends with group commit (every line handed in while a
 * write + fsync is in progress goes out in the next single write + fsync), crash-safe rewrites
 * (write `<path>.tmp`, fsync, rename, fsync the directory) and the dead-letter file.
 */
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The first line of every outbox file. */
export const HEADER_LINE = '{"steadfast":"outbox","version":1}\n';
/** Size of the header line, in bytes. */
export const HEADER_BYTES: number = HEADER_LINE.length;
const FILE_MODE = 0o600;

/** Byte length of a line as written (UTF-8). */
export function byteLength(text: string): number {
  return Buffer.byteLength(text);
}

interface Pending {
  text: string;
  done: () => void;
  fail: (error: unknown) => void;
}

/** Writes `text` to `<path>.tmp`, fsyncs it, renames it over `path` and fsyncs the directory. */
export async function replaceFile(path: string, text: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', FILE_MODE);
  try {
    await writeAll(fh, typeof text === 'string' ? Buffer.from(text) : text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** Makes a rename or a new file durable. Some platforms can't open directories: best effort there. */
async function syncDir(dir: string): Promise<void> {
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
  await appendDurably(`${path}.dead`, line);
}

/** Appends `text` to `file` (created with mode 0600) and makes it durable before resolving. */
export async function appendDurably(file: string, text: string | Buffer): Promise<void> {
  const fh = await open(file, 'a', FILE_MODE);
  try {
    await writeAll(fh, typeof text === 'string' ? Buffer.from(text) : text);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await syncDir(dirname(file));
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
