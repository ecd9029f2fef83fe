// The LISTEN connection, against a scripted pool in virtual time: it reconnects with backoff after
// the database goes away, and stop() never waits on the network.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { listen } from '../../src/postgres/listener.js';
import type { PgPool, PgPoolClient, PgResult } from '../../src/postgres/client.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

class FakeClient extends EventEmitter {
  queries: string[] = [];
  released: Array<Error | boolean | undefined> = [];
  hangQueries = false;
  async query(text: string): Promise<PgResult> {
    this.queries.push(text);
    if (this.hangQueries) return new Promise(() => {});
    return { rows: [], rowCount: 0 };
  }
  release(error?: Error | boolean): void {
    this.released.push(error);
  }
}

/** A pool whose connect() follows a script: 'down' rejects, 'hang' never settles, 'ok' gives a new client. */
interface Scripted {
  pool: PgPool;
  clients: FakeClient[];
  connects: number;
  resolveHung: () => void;
}
function scriptedPool(script: Array<'down' | 'hang' | 'ok'>): Scripted {
  const state: Scripted = { pool: undefined as unknown as PgPool, clients: [], connects: 0, resolveHung: () => {} };
  state.pool = {
    query: async () => ({ rows: [], rowCount: 0 }),
    connect: async (): Promise<PgPoolClient> => {
      const step = script[state.connects++] ?? 'ok';
      if (step === 'down') throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      const client = new FakeClient();
      state.clients.push(client);
      if (step === 'hang') return new Promise((resolve) => (state.resolveHung = () => resolve(client as unknown as PgPoolClient)));
      return client as unknown as PgPoolClient;
    },
  } as unknown as PgPool;
  return state;
}

describe('the LISTEN connection', () => {
  it('listens, wakes the worker on a notification for its channel only, and on stop UNLISTENs and hands the connection back', async () => {
    const clock = new FakeClock();
    const s = scriptedPool(['ok']);
    const stop = new AbortController();
    let wakes = 0;
    const running = listen(s.pool, 'events', clock, stop.signal, { wake: () => wakes++ });
    await flush();
    const client = s.clients[0]!;
    expect(client.queries).toEqual(['LISTEN "events"']);
    expect(wakes).toBe(1); // just connected: anything enqueued before may be waiting
    client.emit('notification', { channel: 'events', payload: '' });
    client.emit('notification', { channel: 'other', payload: '' });
    expect(wakes).toBe(2);
    stop.abort();
    await running;
    await flush();
    expect(client.queries).toEqual(['LISTEN "events"', 'UNLISTEN "events"']);
    expect(client.released).toEqual([undefined]);
    expect(client.listenerCount('notification') + client.listenerCount('error') + client.listenerCount('end')).toBe(0);
  });

  it('after the connection breaks (database restart), reconnects with backoff: 250ms..10s, full jitter', async () => {
    const clock = new FakeClock({ random: () => 0.999 });
    const s = scriptedPool(['ok', 'down', 'down', 'ok']);
    const stop = new AbortController();
    let wakes = 0;
    const running = listen(s.pool, 'events', clock, stop.signal, { wake: () => wakes++ });
    await flush();
    const broken = new Error('terminating connection due to administrator command');
    s.clients[0]!.emit('error', broken);
    await flush();
    expect(s.clients[0]!.released).toEqual([broken]); // destroyed, not returned to the pool
    expect(() => s.clients[0]!.emit('error', new Error('late'))).not.toThrow(); // a late error can't crash the process
    await clock.advance(249);
    expect(s.connects).toBe(1);
    await clock.advance(1); // ~250ms: refused
    expect(s.connects).toBe(2);
    await clock.advance(500); // ~500ms: refused
    expect(s.connects).toBe(3);
    await clock.advance(1_000); // ~1s: up again
    expect(s.connects).toBe(4);
    expect(s.clients[1]!.queries).toEqual(['LISTEN "events"']);
    expect(wakes).toBe(2);
    stop.abort();
    await running;
  });

  it('stop() while connect() hangs (a network partition) returns at once; the late connection goes back to the pool', async () => {
    const clock = new FakeClock();
    const s = scriptedPool(['hang']);
    const stop = new AbortController();
    const running = listen(s.pool, 'events', clock, stop.signal, { wake: () => {} });
    await flush();
    stop.abort();
    await running;
    s.resolveHung();
    await flush();
    expect(s.clients[0]!.released).toEqual([undefined]);
    expect(s.clients[0]!.queries).toEqual([]);
  });

  it('stop() while LISTEN hangs returns at once', async () => {
    const clock = new FakeClock();
    const s = scriptedPool(['ok']);
    const stop = new AbortController();
    const pool = s.pool;
    const connect = pool.connect.bind(pool);
    pool.connect = async () => {
      const client = await connect();
      (client as unknown as FakeClient).hangQueries = true;
      return client;
    };
    const running = listen(pool, 'events', clock, stop.signal, { wake: () => {} });
    await flush();
    stop.abort();
    await expect(running).resolves.toBeUndefined();
    expect(clock.pending).toBe(0);
  });
});
