import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/client/deadlines.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

describe('Deadlines (the per-attempt timeout queue)', () => {
  it('holds at most 2 × the attempts in flight (+64) under steady traffic that never drains the queue (issue 9: 850 B per request kept)', async () => {
    const clock = new FakeClock();
    const deadlines = new Deadlines(clock, 10_000);
    let largest = 0;
    let runs = 0;
    // 50 loops back to back: 50 attempts always in flight, so the queue never empties.
    const loop = async (): Promise<void> => {
      while (runs < 20_000) {
        runs++;
        await deadlines.run(() => Promise.resolve());
        largest = Math.max(largest, deadlines.size);
      }
    };
    await Promise.all(Array.from({ length: 50 }, loop));
    expect(runs).toBe(20_000);
    expect(largest).toBeLessThanOrEqual(2 * 50 + 64);
    deadlines.close();
    expect(clock.pending).toBe(0);
  });

  it('stays bounded when one attempt hangs at the head while thousands finish behind it, and still times the hung one out', async () => {
    const clock = new FakeClock();
    const deadlines = new Deadlines(clock, 5_000);
    const hung = deadlines.run(() => new Promise<never>(() => {})).catch((e: unknown) => [clock.now(), (e as Error).name]);
    for (let i = 0; i < 5_000; i++) await deadlines.run(() => Promise.resolve(i));
    expect(deadlines.size).toBeLessThanOrEqual(2 + 64);
    await clock.advance(5_000);
    expect(await hung).toEqual([5_000, 'TimeoutError']);
    expect(deadlines.size).toBe(0);
    deadlines.close();
    expect(clock.pending).toBe(0);
  });
});
