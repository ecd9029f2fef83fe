import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/cli/fleet-queue.js';
import { seededRandom } from '../../src/core/random.js';

describe('EventQueue', () => {
  it('always yields the earliest event, ties broken by the lower agent', () => {
    const q = new EventQueue(3);
    q.push(5, 2);
    q.push(3, 1);
    q.push(3, 0);
    expect([q.topTime(), q.topAgent()]).toEqual([3, 0]);
    q.replaceTop(10, 0);
    expect([q.topTime(), q.topAgent()]).toEqual([3, 1]);
    q.replaceTop(4, 1);
    expect([q.topTime(), q.topAgent()]).toEqual([4, 1]);
  });

  it('pops 1,000 random events in sorted order when each is replaced by a later one', () => {
    const random = seededRandom(3);
    const q = new EventQueue(100);
    for (let a = 0; a < 100; a++) q.push(random() * 1000, a);
    const seen: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const t = q.topTime();
      seen.push(t);
      q.replaceTop(t + random() * 1000, q.topAgent());
    }
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(q.size).toBe(100);
  });
});
