import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { classify, isTransient } from '../../src/core/classify.js';
import { BulkheadRejectedError, isBulkheadRejected } from '../../src/core/errors.js';
import { Bulkhead } from '../../src/policies/bulkhead.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

/** A call that stays running until released. */
function gate(): { promise: Promise<string>; open(value?: string): void; fail(error: unknown): void } {
  let open!: (value: string) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<string>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open: (value = 'ok') => open(value), fail };
}

const settle = (p: Promise<unknown>): Promise<unknown> => p.then((v) => v, (e: unknown) => e);

describe('Bulkhead construction', () => {
  it('rejects a missing or bad maxConcurrent, maxQueued and queueTimeout, naming the option and value', () => {
    expect(() => new Bulkhead(undefined as never)).toThrow(/Bulkhead needs an options object/);
    expect(() => new Bulkhead({ maxConcurrent: 0 })).toThrow(/Bulkhead\.maxConcurrent must be an integer >= 1; got 0/);
    expect(() => new Bulkhead({ maxConcurrent: 2.5 })).toThrow(RangeError);
    expect(() => new Bulkhead({ maxConcurrent: Infinity })).toThrow(/Bulkhead\.maxConcurrent/);
    expect(() => new Bulkhead({ maxConcurrent: 1, maxQueued: -1 })).toThrow(/Bulkhead\.maxQueued must be an integer >= 0 or Infinity; got -1/);
    expect(() => new Bulkhead({ maxConcurrent: 1, queueTimeout: 0 })).toThrow(/Bulkhead\.queueTimeout must be > 0; got 0/);
    expect(() => new Bulkhead({ maxConcurrent: 1, queueTimeout: 'soon' })).toThrow(/Bulkhead\.queueTimeout/);
  });
});

describe('Bulkhead.execute', () => {
  it('runs 2 at once, queues 1, refuses the 4th at once with a transient BulkheadRejectedError (fn not called)', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueued: 1, name: 'uploads' });
    const gates = [gate(), gate(), gate()];
    let calls = 0;
    const runs = gates.map((g) => bulkhead.execute(() => (calls++, g.promise)));
    const refused = await settle(bulkhead.execute(async () => (calls++, 'never')));
    expect([bulkhead.running, bulkhead.queued, calls]).toEqual([2, 1, 2]);
    expect(refused).toBeInstanceOf(BulkheadRejectedError);
    expect(refused).toMatchObject({ name: 'BulkheadRejectedError', reason: 'full', maxConcurrent: 2, maxQueued: 1, message: 'bulkhead uploads is full: 2 running and 1 waiting' });
    expect(isBulkheadRejected(refused)).toBe(true);
    expect(isTransient(refused)).toBe(true);
    // Transient even where unknown errors are configured permanent.
    expect(classify(refused, { unknown: 'permanent' })).toEqual({ kind: 'transient', reason: 'bulkhead full' });
    gates[0]?.open('a');
    await Promise.resolve();
    expect(await runs[0]).toBe('a');
    expect([bulkhead.running, bulkhead.queued, calls]).toEqual([2, 0, 3]);
    gates[1]?.open('b');
    gates[2]?.open('c');
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c']);
    expect([bulkhead.running, bulkhead.queued]).toEqual([0, 0]);
  });

  it('hands each freed slot to the longest-waiting call, never letting 100 queued calls exceed maxConcurrent 3', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 3 });
    let inFlight = 0;
    let peak = 0;
    const order: number[] = [];
    const runs = Array.from({ length: 100 }, (_v, i) =>
      bulkhead.execute(async () => {
        order.push(i);
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return i;
      }),
    );
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 100 }, (_v, i) => i));
    expect(peak).toBe(3);
    expect(order).toEqual(Array.from({ length: 100 }, (_v, i) => i));
  });

  it('releases the slot when fn throws synchronously, rejects, or returns a non-promise', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueued: 0 });
    const boom = new Error('boom');
    expect(await settle(bulkhead.execute(() => { throw boom; }))).toBe(boom);
    expect(await settle(bulkhead.execute(() => Promise.reject(boom)))).toBe(boom);
    expect(await bulkhead.execute((() => 7) as unknown as () => Promise<number>)).toBe(7);
    expect(bulkhead.running).toBe(0);
    expect(await settle(bulkhead.execute('nope' as never))).toBeInstanceOf(TypeError);
  });

  it('refuses a call that waited queueTimeout, at that moment in virtual time, and leaves no timer', async () => {
    const clock = new FakeClock();
    const bulkhead = new Bulkhead({ maxConcurrent: 1, queueTimeout: '5s', clock });
    const g = gate();
    const running = bulkhead.execute(() => g.promise);
    const waiting = settle(bulkhead.execute(async () => 'late')).then((e) => [clock.now(), (e as BulkheadRejectedError).reason]);
    await clock.advance(5_000);
    expect(await waiting).toEqual([5_000, 'queue-timeout']);
    expect(bulkhead.queued).toBe(0);
    // A call that gets its slot in time cancels its timer.
    const third = bulkhead.execute(async () => 'third');
    g.open();
    await running;
    expect(await third).toBe('third');
    expect(clock.pending).toBe(0);
  });

  it("takes a waiting call out of the queue when its signal aborts, rejecting with the signal's reason and leaving no listener", async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 });
    const g = gate();
    const running = bulkhead.execute(() => g.promise);
    const shutdown = new AbortController();
    let ran = false;
    const waits = Array.from({ length: 20 }, () => settle(bulkhead.execute(async () => { ran = true; }, shutdown.signal)));
    expect(EventEmitter.getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    shutdown.abort(new Error('shutting down'));
    expect((await Promise.all(waits)).map((e) => (e as Error).message)).toEqual(Array.from({ length: 20 }, () => 'shutting down'));
    expect([bulkhead.queued, ran]).toEqual([0, false]);
    expect(EventEmitter.getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    expect(await settle(bulkhead.execute(async () => 1, shutdown.signal))).toMatchObject({ message: 'shutting down' });
    g.open();
    await running;
  });
});
