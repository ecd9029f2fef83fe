// PgOutbox options are validated at open, before any query: each bad value names its option.
import { describe, expect, it } from 'vitest';
import { constant, exponential, schedule } from '../../src/core/backoff.js';
import { HttpError } from '../../src/core/errors.js';
import { seededRandom } from '../../src/core/random.js';
import { decide, outboxPlan } from '../../src/postgres/decide.js';
import { resolvePgOutboxOptions, tableNames, type PgOutboxOptions } from '../../src/postgres/options.js';
import pg from 'pg';
import type { PgClient, PgPool } from '../../src/postgres/client.js';

const pool = { query: async () => ({ rows: [], rowCount: 0 }), connect: async () => Promise.reject(new Error('unused')) } as unknown as PgPool;
const send = async (): Promise<void> => {};
const resolve = (extra: Partial<PgOutboxOptions>): unknown => resolvePgOutboxOptions({ pool, send, ...extra } as PgOutboxOptions);

describe('PgOutbox options', () => {
  it('applies the defaults: table steadfast_outbox, lease 30s, concurrency 1, sendTimeout 30s, poll 5s', () => {
    const o = resolvePgOutboxOptions({ pool, send });
    expect(o.names).toEqual({ plain: 'steadfast_outbox', table: '"steadfast_outbox"', dead: '"steadfast_outbox_dead"', claim: '"steadfast_outbox_claim"' });
    expect([o.lease, o.concurrency, o.sendTimeout, o.pollInterval, o.name]).toEqual([30_000, 1, 30_000, 5_000, 'pg-outbox']);
    expect([o.plan.maxRetries, o.plan.maxElapsed, o.plan.maxRetryAfter]).toEqual([Infinity, Infinity, 300_000]);
  });

  it.each([
    [{ pool: undefined }, TypeError, /pool must be a pg.Pool.*undefined/],
    [{ pool: { query: () => {} } }, TypeError, /pool must be a pg.Pool/],
    [{ send: 'https://example.com' }, TypeError, /send must be a function/],
    [{ table: 'Events' }, TypeError, /table must be a lower-case name.*"Events"/],
    [{ table: 'a.b.c' }, TypeError, /table must be/],
    [{ table: 'x; DROP TABLE users' }, TypeError, /table must be/],
    [{ table: 'a'.repeat(51) }, TypeError, /table must be/],
    [{ lease: '100ms' }, RangeError, /lease must be at least 300ms; got "100ms"/],
    [{ lease: -1 }, RangeError, /lease/],
    [{ concurrency: 0 }, RangeError, /concurrency must be an integer >= 1; got 0/],
    [{ concurrency: 1.5 }, RangeError, /concurrency/],
    [{ sendTimeout: 0 }, RangeError, /sendTimeout must be > 0 \(or Infinity\); got 0/],
    [{ pollInterval: 'soon' }, RangeError, /pollInterval/],
    [{ backoff: '5s' }, TypeError, /backoff must be a Backoff/],
    [{ breaker: 3 }, TypeError, /breaker must be/],
    [{ onEvent: 'log' }, TypeError, /onEvent must be a function/],
    [{ name: 7 }, TypeError, /name must be a string/],
    [{ lease: null }, RangeError, /lease/],
    [{ classify: { statuses: { 404: 'retry' } } }, RangeError, /classify.statuses/],
    [{ breaker: [] }, TypeError, /breaker must be/],
  ])('rejects %o at open', (extra, type, message) => {
    expect(() => resolve(extra as Partial<PgOutboxOptions>)).toThrow(type);
    expect(() => resolve(extra as Partial<PgOutboxOptions>)).toThrow(message);
  });

  it('accepts schema.table and names its dead-letter table and claim function beside it', () => {
    expect(tableNames('app.order_events')).toEqual({ plain: 'app.order_events', table: '"app"."order_events"', dead: '"app"."order_events_dead"', claim: '"app"."order_events_claim"' });
  });

  it('takes node-postgres as it is: a pg.Pool is a PgPool, a pg.PoolClient or pg.Client a PgClient (checked by tsc)', async () => {
    const real = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    const asPool: PgPool = real;
    const asClient = (client: pg.PoolClient | pg.Client): PgClient => client;
    expect(resolvePgOutboxOptions({ pool: asPool, send }).pool).toBe(real);
    expect(typeof asClient).toBe('function');
    await real.end();
  });

  it('accepts sendTimeout Infinity (no timeout)', () => {
    expect(resolvePgOutboxOptions({ pool, send, sendTimeout: Infinity }).sendTimeout).toBe(Infinity);
  });
});

describe('after a failed send (decide: the retry engine\'s step, from the attempt count stored in the row)', () => {
  const at = { now: 0, random: seededRandom(1) };

  it('waits 1s, 2s, 4s after attempts 1, 2, 3 for exponential 1s..5m without jitter', () => {
    const plan = outboxPlan(exponential({ initial: '1s', max: '5m', jitter: 'none' }), {});
    expect([1, 2, 3].map((n) => decide(plan, new HttpError(503), n, at))).toMatchObject([
      { retry: true, delayMs: 1_000 },
      { retry: true, delayMs: 2_000 },
      { retry: true, delayMs: 4_000 },
    ]);
  });

  it('waits for Retry-After when longer than the backoff, at most 5 minutes', () => {
    const plan = outboxPlan(constant('1s'), {});
    const retryAfter = (ms: number): HttpError => new HttpError(503, undefined, { retryAfterMs: ms });
    expect(decide(plan, retryAfter(20_000), 1, at)).toMatchObject({ retry: true, delayMs: 20_000 });
    expect(decide(plan, retryAfter(3_600_000), 1, at)).toMatchObject({ retry: true, delayMs: 300_000 });
  });

  it('dead-letters a permanent error at once, with its reason', () => {
    expect(decide(outboxPlan(constant('1s'), {}), new HttpError(400), 1, at)).toMatchObject({ retry: false, verdict: { kind: 'permanent', status: 400, reason: 'HTTP 400' } });
  });

  it('retries what classify options make transient, and an abort thrown by send (only permanent errors dead-letter)', () => {
    expect(decide(outboxPlan(constant('1s'), { statuses: { 404: 'transient' } }), new HttpError(404), 1, at)).toMatchObject({ retry: true });
    expect(decide(outboxPlan(constant('1s'), {}), new DOMException('gone', 'AbortError'), 1, at)).toMatchObject({ retry: true, delayMs: 1_000 });
  });

  it('dead-letters once a finite backoff is used up: "retries exhausted"', () => {
    const plan = outboxPlan(schedule(['1s', '2s']), {});
    expect(decide(plan, new HttpError(503), 2, at)).toMatchObject({ retry: true, delayMs: 2_000 });
    expect(decide(plan, new HttpError(503), 3, at)).toMatchObject({ retry: false, verdict: { kind: 'permanent', reason: 'retries exhausted (HTTP 503)' } });
  });
});
