/**
 * SPEC §10 Events and logging.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import {
  ResilientClient,
  constant,
  formatEvent,
  jsonLines,
  textLines,
  type ResilienceEvent,
} from 'steadfast';
import { FakeClock, scriptedFetch } from 'steadfast/testing';
import { fetchFailed, collect, settleLater } from './helpers.js';

describe('SPEC §10 Events and logging', () => {
  const base = { time: '2026-01-01T00:00:00.000Z', name: 'checkin' };
  const err = { name: 'TypeError', message: 'fetch failed', code: 'ECONNREFUSED' };

  it('textLines writes "[RETRY] checkin: retry 1/10 in 5s: connection refused"', () => {
    const out: string[] = [];
    textLines({ write: (s: string) => out.push(s) })({ ...base, type: 'retry', attempt: 1, maxRetries: 10, delayMs: 5_000, verdict: { kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' }, error: err });
    expect(out).toEqual(['[RETRY] checkin: retry 1/10 in 5s: connection refused\n']);
  });

  it('textLines writes "[CIRCUIT_BREAKER] ... opened after 5 failures"', () => {
    expect(formatEvent({ ...base, type: 'breaker_open', failures: 5, openForMs: 30_000 })).toMatch(/^\[CIRCUIT_BREAKER\] checkin: opened after 5 failures/);
  });

  it('textLines writes "[RECOVERY] checkin: recovered after 42s"', () => {
    expect(formatEvent({ ...base, type: 'recovered', downtimeMs: 42_000, failures: 3 })).toMatch(/^\[RECOVERY\] checkin: recovered after 42s/);
  });

  it('durations in lines use the compact form ("1m30s")', () => {
    expect(formatEvent({ ...base, type: 'recovered', downtimeMs: 90_000, failures: 1 })).toContain('1m30s');
  });

  it('jsonLines writes one JSON object per line that parses back to the event', () => {
    const out: string[] = [];
    const e: ResilienceEvent = { ...base, type: 'poll_failed', failures: 2, delayMs: 4_000, error: err };
    jsonLines({ write: (s: string) => out.push(s) })(e);
    expect(out).toHaveLength(1);
    expect(out[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(out[0] ?? '')).toEqual(e);
  });

  it('every event type has a text line naming its component', () => {
    const all: ResilienceEvent[] = [
      { ...base, type: 'retry', attempt: 1, maxRetries: null, delayMs: 1, verdict: { kind: 'transient', reason: 'x' }, error: err },
      { ...base, type: 'give_up', attempts: 3, elapsedMs: 10, reason: 'max-retries', error: err },
      { ...base, type: 'breaker_open', failures: 5, openForMs: 1 },
      { ...base, type: 'breaker_half_open' },
      { ...base, type: 'breaker_closed', downtimeMs: 1 },
      { ...base, type: 'health_ok', latencyMs: 3 },
      { ...base, type: 'health_fail', error: err },
      { ...base, type: 'recovered', downtimeMs: 1, failures: 1 },
      { ...base, type: 'poll_failed', failures: 1, delayMs: 1, error: err },
      { ...base, type: 'outbox_enqueued', key: 'k', size: 1 },
      { ...base, type: 'outbox_delivered', key: 'k', attempts: 1, size: 0 },
      { ...base, type: 'outbox_dead', key: 'k', verdict: { kind: 'permanent', reason: 'HTTP 400' }, error: err },
    ];
    for (const e of all) expect(formatEvent(e)).toMatch(/^\[[A-Z_]+\] checkin: /);
  });

  it('events are plain JSON-safe objects with an ISO time, across a whole client outage', async () => {
    const clock = new FakeClock({ now: Date.UTC(2026, 5, 1) });
    const log = collect();
    let up = false;
    const fetch = scriptedFetch([() => (up ? 200 : fetchFailed('ECONNREFUSED'))], { clock, repeatLast: true });
    const client = new ResilientClient({
      baseUrl: 'http://api.test', fetch, clock, onEvent: log.sink, name: 'agent',
      breaker: { failureThreshold: 2, openFor: '1m' }, health: { interval: '1s' }, retry: { maxRetries: Infinity, backoff: constant('1s') },
    });
    const r = settleLater(client.fetch('/x'));
    await clock.advance(20_000);
    up = true;
    await clock.advance(20_000);
    expect(r.value()?.status).toBe(200);
    client.close();
    const types = new Set(log.events.map((e) => e.type));
    for (const t of ['retry', 'breaker_open', 'health_fail', 'health_ok', 'breaker_half_open', 'breaker_closed', 'recovered']) expect(types, t).toContain(t);
    for (const e of log.events) {
      expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(e))).toEqual(e);
      expect(new Date(e.time).toISOString()).toBe(e.time);
      expect(e.name).toBe('agent');
      if ('error' in e) expect(Object.keys(e.error).every((k) => ['name', 'message', 'code', 'status'].includes(k))).toBe(true);
    }
  });
});

describe('SPEC §7/§10 more pinned behaviour', () => {
  it('§10 textLines() and jsonLines() write to process.stderr by default', () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => { written.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      const e: ResilienceEvent = { type: 'health_ok', time: '2026-01-01T00:00:00.000Z', name: 'api', latencyMs: 12 };
      textLines()(e);
      jsonLines()(e);
    } finally {
      process.stderr.write = original;
    }
    expect(written).toEqual(['[HEALTH] api: ok in 12ms\n', '{"type":"health_ok","time":"2026-01-01T00:00:00.000Z","name":"api","latencyMs":12}\n']);
  });
});
