/**
 * One owner per outbox file, across processes (Node only). Node has no flock, so the lock is a
 * file, `<path>.lock`, holding its owner's identity: pid, host, boot id and the process's start
 * time (Linux: `/proc/sys/kernel/random/boot_id` and field 22 of `/proc/<pid>/stat`). A lock
 * whose owner is gone (kill -9, power loss, a reboot) or whose pid now names another process
 * (pid reuse) is stale and is taken over; a live owner is waited for, a bounded time.
 *
 * Where `/proc` is missing (macOS, Windows) the owner refreshes the lock's mtime every 10s on an
 * unref'd timer, and a lock whose pid is alive but untouched for 60s is stale.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { systemClock, wallTime, type Clock } from '../core/clock.js';
import { parseOwner, procProbe, readText, type LockOwner, type LockProbe } from './lock-owner.js';
import { OutboxLockedError } from './options.js';

const POLL_MS = 50;
/**
 * Absolute paths open in this process: the lock file can't tell two Outbox objects of one
 * process apart. Kept on globalThis so the ESM and CJS copies of this package share it.
 */
const OPEN_PATHS = Symbol.for('steadfast.outbox.openPaths');
const openPaths: Set<string> = ((globalThis as { [OPEN_PATHS]?: Set<string> })[OPEN_PATHS] ??= new Set<string>());
/** Ids of the locks this process holds; on globalThis so the ESM and CJS copies share it. */
const HELD = Symbol.for('steadfast.outbox.locks');
const heldIds: Set<string> = ((globalThis as { [HELD]?: Set<string> })[HELD] ??= new Set<string>());
const HEARTBEAT_MS = 10_000;
const HEARTBEAT_STALE_MS = 60_000;
const UNREADABLE_STALE_MS = 5_000;

/**
 * A held lock. `release()` removes the lock file if it is still this owner's.
 *
 * @example
 * const lock = await OutboxLock.acquire('/data/events.outbox', { timeoutMs: 5_000 });
 * try { ... } finally { await lock.release(); }
 */
export class OutboxLock {
  private readonly heartbeat: AbortController | undefined;

  private readonly file: string;

  private constructor(
    private readonly path: string,
    private readonly text: string,
    private readonly owner: LockOwner,
  ) {
    this.file = `${path}.lock`;
    if (owner.start === undefined) {
      this.heartbeat = new AbortController();
      void this.beat(this.heartbeat.signal);
    }
  }

  /**
   * Takes the lock on the absolute `path` (the file `<path>.lock`, and `path` in this process),
   * waiting up to `timeoutMs` (on `clock`) for a live owner to let go; then rejects with
   * `OutboxLockedError`.
   */
  static async acquire(path: string, o: { timeoutMs: number; clock?: Clock; probe?: LockProbe }): Promise<OutboxLock> {
    const clock = o.clock ?? systemClock;
    const deadline = clock.now() + o.timeoutMs;
    for (let left = o.timeoutMs; openPaths.has(path); left = deadline - clock.now()) {
      if (left <= 0) throw new OutboxLockedError(path, process.pid, o.timeoutMs);
      await clock.sleep(Math.min(POLL_MS, left));
    }
    openPaths.add(path);
    try {
      return await OutboxLock.lockFile(path, { deadline, timeoutMs: o.timeoutMs, clock, probe: o.probe ?? procProbe });
    } catch (error) {
      openPaths.delete(path);
      throw error;
    }
  }

  /**
   * @internal The file part of {@link acquire} alone: what two processes race on. Tests call it
   * to race contenders within one process.
   */
  static async lockFile(path: string, o: { deadline: number; timeoutMs: number; clock: Clock; probe: LockProbe }): Promise<OutboxLock> {
    const { deadline, timeoutMs, clock, probe } = o;
    const file = `${path}.lock`;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const owner: LockOwner = { pid: process.pid, host: hostname(), ...(await probe.identity(process.pid)), id: randomUUID() };
    const text = `${JSON.stringify(owner)}\n`;
    for (;;) {
      if (await createExclusive(file, text)) {
        heldIds.add(owner.id as string);
        return new OutboxLock(path, text, owner);
      }
      const held = await readLock(file);
      if (held === undefined) continue; // released between our two calls: try again at once
      if ((await isStale(held, owner, probe)) && (await breakStale(file, held, text, owner, probe))) continue;
      const left = deadline - clock.now();
      if (left <= 0) throw new OutboxLockedError(path, held.owner?.pid, timeoutMs);
      await clock.sleep(Math.min(POLL_MS, left));
    }
  }

  /** Removes the lock file, unless someone else's lock is there now, and frees the path in this process. */
  async release(): Promise<void> {
    this.heartbeat?.abort();
    heldIds.delete(this.owner.id as string);
    try {
      if ((await readText(this.file)) === this.text) await unlink(this.file).catch(() => {});
    } finally {
      openPaths.delete(this.path);
    }
  }

  private async beat(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await systemClock.sleep(HEARTBEAT_MS, signal, { unref: true });
        const now = new Date(wallTime(systemClock));
        await utimes(this.file, now, now);
      } catch {
        // aborted by release(), or the file is gone: nothing to refresh
      }
    }
  }
}

interface HeldLock {
  text: string;
  /** Undefined when the file does not hold a readable identity. */
  owner: LockOwner | undefined;
  mtimeMs: number;
}

/** Creates `file` holding `text`, atomically (never seen half-written): write a temp file, fsync, link. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomUUID()}`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, file);
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
  } finally {
    await unlink(tmp).catch(() => {});
  }
  // No hard links here (FAT, some network shares): create in place; a reader may see it half
  // written for a moment, which is why an unreadable lock is only stale once it is old.
  let fh2: Awaited<ReturnType<typeof open>>;
  try {
    fh2 = await open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await fh2.writeFile(text);
    await fh2.sync();
  } finally {
    await fh2.close();
  }
  return true;
}

async function readLock(file: string): Promise<HeldLock | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { text, owner: parseOwner(text), mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Whether the holder of a lock is certainly gone. In doubt (another host), it is not. */
async function isStale(held: HeldLock, me: LockOwner, probe: LockProbe): Promise<boolean> {
  const owner = held.owner;
  // Locks are written whole (link of an fsynced file) except where links are missing: there an
  // unreadable one may be being written, so it is only stale once it has been so for a while.
  if (owner === undefined) return wallTime(systemClock) - held.mtimeMs > UNREADABLE_STALE_MS;
  if (owner.host !== me.host) return false;
  if (owner.boot !== undefined && me.boot !== undefined && owner.boot !== me.boot) return true;
  if (!probe.alive(owner.pid)) return true;
  if (owner.start !== undefined) {
    const now = await probe.identity(owner.pid);
    // Same pid, other start time: the pid was reused. Our own pid and start, not held: leaked.
    if (now.start !== undefined && now.start !== owner.start) return true;
    return owner.pid === me.pid && owner.start === me.start && (owner.id === undefined || !heldIds.has(owner.id));
  }
  const age = wallTime(systemClock) - held.mtimeMs;
  return age > HEARTBEAT_STALE_MS;
}

/**
 * Removes a stale lock so that exactly one contender can then create its own. Breakers take
 * `<lock>.break` first, so two of them can't both remove a lock and one then remove the other's
 * fresh lock. Returns false if another contender is breaking it.
 */
async function breakStale(file: string, held: HeldLock, text: string, me: LockOwner, probe: LockProbe): Promise<boolean> {
  const guard = `${file}.break`;
  if (!(await createExclusive(guard, text))) {
    // A breaker that died mid-break (a window of milliseconds) leaves the guard: clear it.
    const breaker = await readLock(guard);
    if (breaker !== undefined && (await isStale(breaker, me, probe)) && (await readText(guard)) === breaker.text) await unlink(guard).catch(() => {});
    return false;
  }
  try {
    if ((await readText(file)) === held.text) await unlink(file).catch(() => {});
  } finally {
    await unlink(guard).catch(() => {});
  }
  return true;
}
