/**
 * Who holds an outbox lock (Node only): the identity written in `<path>.lock`, and how to read the
 * identity of a live process (Linux `/proc`: boot id and the process's start time).
 */
import { readFile } from 'node:fs/promises';

/** Who holds a lock, as written in the lock file. */
export interface LockOwner {
  pid: number;
  host: string;
  /** Linux boot id: a lock from before a reboot is stale whatever its pid. */
  boot?: string;
  /** Start time of the process in clock ticks since boot (Linux): tells a reused pid from the owner. */
  start?: string;
  /** Unique per lock taken: tells this process's live locks from ones it leaked. */
  id?: string;
}

/** @internal How a lock reads the processes around it; tests replace it to simulate pid reuse. */
export interface LockProbe {
  /** The identity of process `pid` on this host (start time, boot id), or `{}` where unknown. */
  identity(pid: number): Promise<Pick<LockOwner, 'boot' | 'start'>>;
  /** Whether a process with this pid exists. */
  alive(pid: number): boolean;
}

/** @internal The real probe: `/proc` on Linux, `process.kill(pid, 0)` everywhere. */
export const procProbe: LockProbe = {
  async identity(pid) {
    const [boot, stat] = await Promise.all([readText('/proc/sys/kernel/random/boot_id'), readText(`/proc/${pid}/stat`)]);
    const out: Pick<LockOwner, 'boot' | 'start'> = {};
    if (boot !== undefined) out.boot = boot.trim();
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const start = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    if (start !== undefined && /^\d+$/.test(start)) out.start = start;
    return out;
  },
  alive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as { code?: unknown }).code === 'EPERM'; // exists, owned by another user
    }
  },
};

/** A file's text, or undefined if it can't be read. */
export async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The owner a lock file names, or undefined if it names none. */
export function parseOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner> | null;
    if (typeof v !== 'object' || v === null || !Number.isSafeInteger(v.pid) || typeof v.host !== 'string') return undefined;
    return v as LockOwner;
  } catch {
    return undefined;
  }
}
