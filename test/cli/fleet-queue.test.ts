import { describe, expect, it } from 'vitest';
import { EventQueue, Timers } from '../../src/cli/fleet-queue.js';
import { seededRandom } from '../../src/core/random.js';

describe('EventQueue', () => {
  it('always yields the earliest event, ties broken by the lower id', () => {
    const q = new EventQueue(1);
    q.push(5, 2);
    q.push(3, 1);
    q.push(3, 0); // grows past its first capacity
    expect([q.topTime(), q.topId()]).toEqual([3, 0]);
    q.pop();
    expect([q.topTime(), q.topId()]).toEqual([3, 1]);
    q.pop();
    expect([q.topTime(), q.topId(), q.size]).toEqual([5, 2, 1]);
  });

  it('pops 10,000 random events in sorted order', () => {
    const random = seededRandom(3);
    const q = new EventQueue(16);
    for (let i = 0; i < 10_000; i++) q.push(random() * 1000, i);
    const seen: number[] = [];
    while (q.size > 0) {
      seen.push(q.topTime());
      q.pop();
    }
    expect(seen).toHaveLength(10_000);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
  });
});

describe('Timers', () => {
  it('fires each id once at its latest time, skips cancelled ones and stops at the horizon', () => {
    const timers = new Timers(4);
    timers.set(0, 10);
    timers.set(0, 5); // moved earlier: the event at 10 is stale
    timers.set(1, 7);
    timers.set(2, 8);
    timers.cancel(2);
    timers.set(3, 50);
    expect(timers.pending(2)).toBe(false);
    expect([timers.next(40), timers.now]).toEqual([0, 5]);
    expect(timers.pending(0)).toBe(false);
    expect([timers.next(40), timers.now]).toEqual([1, 7]);
    expect(timers.next(40)).toBe(-1); // 0's stale 10 and 2's cancelled 8 are skipped; 3 is past the horizon
    expect(timers.pending(3)).toBe(true);
  });
});
