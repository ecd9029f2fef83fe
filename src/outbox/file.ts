/**
 * The outbox's file format (Node only): an append-only JSON-lines file that starts with a header
 * line. Loading it refuses a file that is not an outbox and cuts a torn last line.
 *
 * Lines after the header:
 *   {"op":"put","key":K,"at":T,"attempts":N?,"payload":P}   an item was enqueued
 *   {"op":"ack","key":K} / {"op":"dead","key":K}            it left (delivered / dead-lettered)
 *   {"op":"fail","key":K,"attempts":N}                      a failed attempt (best effort, for `attempts`)
 */
import { mkdir, readFile, rm, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { appendDurably, byteLength, HEADER_LINE, OutboxLog, replaceFile } from './log.js';

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
 * The outbox file can't be used: it is not an outbox (it is never overwritten) or it was written
 * by a newer version.
 *
 * @example
 * await Outbox.open({ path: './config.json', send }) // OutboxFileError: ./config.json: is not a steadfast outbox ...
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

/** The JSON of a payload; a `TypeError` if it is not JSON. */
// JSON would quietly store NaN and Infinity as null: a different payload than the one enqueued.
function refuseNonFinite(key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`${String(value)} at ${JSON.stringify(key)} is not a JSON number`);
  return value;
}

export function serialize(payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload, refuseNonFinite);
  } catch (error) {
    throw new TypeError(`steadfast: payload must be JSON-serializable: ${(error as Error).message}`, { cause: error });
  }
  if (json === undefined) throw new TypeError(`steadfast: payload must be a JSON value; got ${typeof payload}`);
  return json;
}

/** A line of `<path>.dead`: the item, why it was given up, and when. */
export function deadLine(item: StoredItem, verdict: object, error: object, now: number): string {
  return (
    `{"key":${JSON.stringify(item.key)},"payload":${item.json},"enqueuedAt":${item.at},"attempts":${item.attempts},` +
    `"verdict":${JSON.stringify(verdict)},"error":${JSON.stringify(error)},"deadAt":${JSON.stringify(new Date(now).toISOString())}}\n`
  );
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
  /** Damaged lines before the last that were moved to `<path>.corrupt` (first line number, count, bytes). */
  corrupt?: { line: number; lines: number; bytes: number };
}

/**
 * Opens (or creates) the log at `path`: refuses a file that is not an outbox, truncates a torn
 * last line, moves damaged lines to `<path>.corrupt`, and returns the waiting items.
 */
export async function openLog(path: string): Promise<LoadedLog> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await rm(`${path}.tmp`, { force: true }); // left by a crash mid-compaction; the log itself is intact
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
  const { items, leftCount, end, torn, damaged } = parse(path, data);
  let size = end;
  const found: Omit<LoadedLog, 'log'> = { items, leftCount };
  if (torn !== undefined) found.torn = torn;
  if (damaged.length > 0) {
    // Keep the damaged bytes (someone may want them) before the log is rewritten without them.
    const bad = Buffer.concat(damaged.map((d) => data.subarray(d.start, d.end)));
    await appendDurably(`${path}.corrupt`, bad);
    const kept = Buffer.concat(keptRanges(data, damaged, end));
    await replaceFile(path, kept);
    size = kept.length;
    found.corrupt = { line: (damaged[0] as Damaged).line, lines: damaged.length, bytes: bad.length };
  } else if (torn !== undefined) {
    await truncate(path, end);
  }
  return { log: await OutboxLog.attach(path, size), ...found };
}

interface Damaged {
  line: number;
  start: number;
  end: number;
}

/** The byte ranges of `data` up to `end` that are not damaged lines. */
function keptRanges(data: Buffer, damaged: readonly Damaged[], end: number): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  for (const d of damaged) {
    out.push(data.subarray(pos, d.start));
    pos = d.end;
  }
  out.push(data.subarray(pos, end));
  return out;
}

function parse(path: string, data: Buffer): Omit<LoadedLog, 'log'> & { end: number; damaged: Damaged[] } {
  const headerEnd = data.indexOf(10);
  const header = data.subarray(0, headerEnd < 0 ? data.length : headerEnd).toString('utf8');
  checkHeader(path, header, headerEnd >= 0);
  const live = new Map<string, StoredItem>();
  const damaged: Damaged[] = [];
  let leftCount = 0;
  let pos = headerEnd + 1;
  for (let line = 2; pos < data.length; line++) {
    const nl = data.indexOf(10, pos);
    if (nl < 0) return { items: [...live.values()], leftCount, end: pos, damaged, torn: { line, bytes: data.length - pos } };
    const text = data.subarray(pos, nl + 1).toString('utf8');
    const record = parseRecord(text);
    if (record === undefined) {
      damaged.push({ line, start: pos, end: nl + 1 });
      pos = nl + 1;
      continue;
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
  return { items: [...live.values()], leftCount, end: data.length, damaged };
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

