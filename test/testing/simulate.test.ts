import { describe, expect, it, vi } from 'vitest';
import { constant, exponential, schedule } from '../../src/core/backoff.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { simulate } from '../../src/testing/simulate.js';

const ats = (run: { timeline: Array<{ at: number }> }): number[] => run.timeline.map((a) => a.at);

describe('simulate', () => {
  it('plays schedule 4s/8s/16s/32s/64s against always-502: attempts at 0, 4, 12, 28, 60, 124 s', async () => {
    const run = await simulate({ backoff: schedule(['4s', '8s', '16s', '32s', '64s']), maxRetries: 10 }, [502]);
    expect(ats(run)).toEqual([0, 4_000, 12_000, 28_000, 60_000, 124_000]);
    expect(run.timeline.map((a) => a.delayMs)).toEqual([4_000, 8_000, 16_000, 32_000, 64_000, undefined]);
    expect(run).toMatchObject({ ok: false, attempts: 6, elapsedMs: 124_000, giveUpReason: 'schedule-exhausted' });
    expect(run.timeline[0]).toEqual({
      attempt: 1,
      at: 0,
      ok: false,
      status: 502,
      error: { name: 'HttpError', message: 'HTTP 502', status: 502 },
      delayMs: 4_000,
    });
  });

  it('shows delays 5, 10, 20, 40, 60, 60 s for exponential 5s..60s without jitter', async () => {
    const run = await simulate({ backoff: exponential({ initial: '5s', max: '60s', jitter: 'none' }), maxRetries: 6 }, [503]);
    expect(run.timeline.map((a) => a.delayMs).slice(0, 6)).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(run.giveUpReason).toBe('max-retries');
  });

  it('stops at the first success and reports no give-up reason', async () => {
    const run = await simulate({ backoff: constant('2s') }, [502, 503, 'ok', 500]);
    expect(run).toMatchObject({ ok: true, attempts: 3, elapsedMs: 4_000 });
    expect(run.timeline.map((a) => a.ok)).toEqual([false, false, true]);
    expect(run.giveUpReason).toBeUndefined();
    const twoHundred = await simulate({ backoff: constant('2s') }, [502, 204]);
    expect(twoHundred).toMatchObject({ ok: true, attempts: 2 });
  });

  it('waits for Retry-After outcomes (delta-seconds and HTTP-date), capped by maxRetryAfter', async () => {
    const run = await simulate({ backoff: constant('1s') }, [{ status: 429, retryAfter: '30' }, { status: 503, retryAfter: 'Thu, 01 Jan 1970 00:01:30 GMT' }, 'ok']);
    // The date is 90s after the epoch, where the virtual clock starts; the second attempt is at 30s.
    expect(ats(run)).toEqual([0, 30_000, 90_000]);
    const capped = await simulate({ backoff: constant('1s'), maxRetryAfter: '10s' }, [{ status: 429, retryAfter: '3600' }, 'ok']);
    expect(ats(capped)).toEqual([0, 10_000]);
  });

  it('stops at once on a permanent outcome', async () => {
    const run = await simulate({ backoff: constant('1s') }, [503, 404, 200]);
    expect(run).toMatchObject({ ok: false, attempts: 2, giveUpReason: 'permanent' });
    expect(run.timeline[1]).toMatchObject({ status: 404, ok: false });
    expect(run.timeline[1]?.delayMs).toBeUndefined();
  });

  it('repeats the last outcome for every further attempt', async () => {
    const run = await simulate({ backoff: constant('1s'), maxRetries: 3 }, [500, 503]);
    expect(run.timeline.map((a) => a.status)).toEqual([500, 503, 503, 503]);
  });

  it('plays thrown errors and attempts that take time, and times them out with attemptTimeout', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const run = await simulate({ backoff: constant('1s'), attemptTimeout: '5s' }, [reset, { status: 200, durationMs: 60_000 }, { status: 200, durationMs: 2_000 }]);
    expect(run.timeline.map((a) => a.error?.code ?? a.error?.name ?? 'ok')).toEqual(['ECONNRESET', 'TimeoutError', 'ok']);
    expect(ats(run)).toEqual([0, 1_000, 7_000]);
    expect(run).toMatchObject({ ok: true, elapsedMs: 9_000 });
  });

  it('honours maxElapsed', async () => {
    const run = await simulate({ backoff: constant('10s'), maxRetries: 100, maxElapsed: '35s' }, [503]);
    expect(ats(run)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(run.giveUpReason).toBe('max-elapsed');
  });

  it('is deterministic per seed with jittered backoff', async () => {
    const policy = { backoff: exponential({ initial: '1s', max: '1m', jitter: 'full' }), maxRetries: 8 };
    const a = await simulate({ ...policy, seed: 42 }, [503]);
    const b = await simulate({ ...policy, seed: 42 }, [503]);
    const c = await simulate({ ...policy, seed: 43 }, [503]);
    expect(b.timeline).toEqual(a.timeline);
    expect(ats(c)).not.toEqual(ats(a));
    const unseeded = await simulate(policy, [503]);
    expect((await simulate(policy, [503])).timeline).toEqual(unseeded.timeline);
  });

  it('returns the events, JSON-safe, and passes them to onEvent too', async () => {
    const onEvent = vi.fn();
    const run = await simulate({ backoff: constant('1s'), maxRetries: 2, name: 'checkin', onEvent }, [503]);
    expect(run.events.map((e: ResilienceEvent) => e.type)).toEqual(['retry', 'retry', 'give_up']);
    expect(run.events.every((e) => e.name === 'checkin')).toBe(true);
    expect(onEvent.mock.calls.map((c) => c[0])).toEqual(run.events);
    expect(JSON.parse(JSON.stringify(run))).toEqual(run);
  });

  it('rejects, instead of hanging, when an attempt never finishes', async () => {
    await expect(simulate({}, [{ status: 200, durationMs: Infinity }])).rejects.toThrow(/never finished/);
    const timedOut = await simulate({ attemptTimeout: '1s', maxRetries: 1, backoff: constant(0) }, [{ status: 200, durationMs: Infinity }]);
    expect(timedOut).toMatchObject({ ok: false, attempts: 2, elapsedMs: 2_000 });
  });

  it('rejects an empty outcome list', async () => {
    await expect(simulate({}, [])).rejects.toThrow(RangeError);
  });
});
