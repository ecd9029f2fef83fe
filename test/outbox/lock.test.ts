/**
 * The outbox lock's staleness rules, on real files with the real /proc probe (Linux): which lock
 * files are waited for and which are taken over. Two real processes: test/integration/outbox-lock.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { OutboxLock } from '../../src/outbox/lock.js';
import { procProbe, type LockOwner } from '../../src/outbox/lock-owner.js';
import { OutboxLockedError } from '../../src/outbox/options.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const linux = process.platform === 'linux';
const BOOT = linux ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : undefined;
let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steadfast-lock-'));
  path = join(dir, 'events.outbox');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The parent process (the test runner's): a pid that is certainly alive and not ours. */
async function liveOwner(): Promise<LockOwner> {
  return { pid: process.ppid, host: hostname(), ...(await procProbe.identity(process.ppid)) };
}

const writeLock = (owner: object | string): Promise<void> =>
  writeFile(`${path}.lock`, typeof owner === 'string' ? owner : `${JSON.stringify(owner)}\n`, { mode: 0o600 });

async function lockedError(timeoutMs: number): Promise<unknown> {
  const clock = new FakeClock();
  let settled = false;
  const pending = OutboxLock.acquire(path, { timeoutMs, clock }).then(
    (lock) => ((settled = true), lock),
    (e: unknown) => ((settled = true), e),
  );
  // Real file I/O runs between the virtual waits: move time only while the lock is polling.
  while (!settled) await (clock.pending > 0 ? clock.advance(50) : clock.settle());
  return pending;
}

describe.runIf(linux)('outbox lock (Linux: pid + boot id + process start time)', () => {
  it('writes its owner (pid, host, boot id, start time) to <path>.lock with mode 0600 and removes it on release', async () => {
    const lock = await OutboxLock.acquire(path, { timeoutMs: 0 });
    const owner = JSON.parse(await readFile(`${path}.lock`, 'utf8')) as LockOwner;
    expect(owner).toEqual({ pid: process.pid, host: hostname(), boot: BOOT, start: expect.stringMatching(/^\d+$/), id: expect.any(String) });
    expect((await stat(`${path}.lock`)).mode & 0o777).toBe(0o600);
    await lock.release();
    await expect(stat(`${path}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('waits for a live owner, then rejects with OutboxLockedError naming the path and the pid', async () => {
    const owner = await liveOwner();
    await writeLock(owner);
    const error = await lockedError(5_000);
    expect(error).toBeInstanceOf(OutboxLockedError);
    expect(error).toMatchObject({ name: 'OutboxLockedError', path, pid: owner.pid });
    expect(String(error)).toBe(`OutboxLockedError: steadfast: ${path}: is locked by process ${owner.pid} (waited 5000ms; see ${path}.lock)`);
    expect(JSON.parse(await readFile(`${path}.lock`, 'utf8'))).toEqual(owner);
  });

  it('takes over the lock of a pid that is alive but is another process (pid reuse: other start time)', async () => {
    await writeLock({ ...(await liveOwner()), start: '1' });
    const lock = await OutboxLock.acquire(path, { timeoutMs: 0 });
    expect(JSON.parse(await readFile(`${path}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('takes over the lock of a pid that no longer exists (kill -9)', async () => {
    await writeLock({ pid: 2 ** 22 + 1, host: hostname(), boot: BOOT, start: '12345' }); // above pid_max
    const lock = await OutboxLock.acquire(path, { timeoutMs: 0 });
    await lock.release();
  });

  it('takes over a lock written before a reboot (other boot id), even if its pid is alive now', async () => {
    await writeLock({ ...(await liveOwner()), boot: '00000000-0000-0000-0000-000000000000' });
    const lock = await OutboxLock.acquire(path, { timeoutMs: 0 });
    await lock.release();
  });

  it('takes over a lock this process leaked (its own pid and start time, no Outbox open)', async () => {
    await writeLock({ pid: process.pid, host: hostname(), ...(await procProbe.identity(process.pid)) });
    const lock = await OutboxLock.acquire(path, { timeoutMs: 0 });
    await lock.release();
  });

  it('takes over an unreadable lock file once it is 5s old (it may be being written where links are missing)', async () => {
    await writeLock('');
    expect(await lockedError(100)).toMatchObject({ name: 'OutboxLockedError', pid: undefined });
    const old = new Date(Date.now() - 6_000);
    await utimes(`${path}.lock`, old, old);
    const lock = await OutboxLock.acquire(path, { timeoutMs: 0 });
    await lock.release();
  });

  it('never takes over a lock from another host (a shared file system): it waits and names the pid', async () => {
    await writeLock({ pid: 2 ** 22 + 1, host: `${hostname()}-elsewhere`, start: '1' });
    expect(await lockedError(100)).toMatchObject({ name: 'OutboxLockedError', pid: 2 ** 22 + 1 });
  });

  it('without a start time (no /proc): a live pid holds while the owner heartbeats, and is stale after 60s untouched', async () => {
    const owner = { pid: process.ppid, host: hostname() };
    await writeLock(owner);
    expect(await lockedError(100)).toMatchObject({ name: 'OutboxLockedError', pid: process.ppid });
    const old = new Date(Date.now() - 61_000);
    await utimes(`${path}.lock`, old, old);
    const lock = await OutboxLock.acquire(path, { timeoutMs: 0 });
    await lock.release();
  });

  it('queues a second acquire of one path in this process until the first is released', async () => {
    const first = await OutboxLock.acquire(path, { timeoutMs: 0 });
    const error = await OutboxLock.acquire(path, { timeoutMs: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'OutboxLockedError', pid: process.pid });
    await first.release();
    await (await OutboxLock.acquire(path, { timeoutMs: 0 })).release();
  });

  it('release() leaves alone a lock that is no longer its own', async () => {
    const lock = await OutboxLock.acquire(path, { timeoutMs: 0 });
    const other = await liveOwner();
    await writeLock(other);
    await lock.release();
    expect(JSON.parse(await readFile(`${path}.lock`, 'utf8'))).toEqual(other);
  });

  it('lets exactly one of ten contenders for a stale lock win; the others wait for it', async () => {
    await writeLock({ ...(await liveOwner()), start: '1' });
    // The file lock alone (acquire() would queue them in-process first): ten racers as if ten processes.
    const o = { deadline: 0, timeoutMs: 0, clock: systemClock, probe: procProbe };
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => OutboxLock.lockFile(path, o)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual(Array(9).fill('OutboxLockedError'));
    await (won[0] as PromiseFulfilledResult<OutboxLock>).value.release();
  });
});
