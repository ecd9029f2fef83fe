import { describe, expect, it, vi } from 'vitest';
import { summarizeError, type ErrorSummary, type EventOf, type ResilienceEvent, type ResilienceEventType } from '../../src/core/events.js';
import { HttpError } from '../../src/core/errors.js';
import { formatEvent, jsonLines, textLines } from '../../src/policies/log.js';

const time = '2026-01-01T00:00:00.000Z';
const name = 'checkin';
const refused: ErrorSummary = { name: 'TypeError', message: 'fetch failed', code: 'ECONNREFUSED' };
const http502: ErrorSummary = summarizeError(new HttpError(502));

/** One sample event per type, with the exact line textLines writes for it. */
const samples: { [T in ResilienceEventType]: [Omit<EventOf<T>, 'type' | 'time' | 'name'>, string] } = {
  attempt: [
    { attempt: 2, method: 'POST', origin: 'https://api.example.com', status: 503, durationMs: 12, verdict: { kind: 'transient', reason: 'HTTP 503', status: 503 } },
    '[ATTEMPT] checkin: POST https://api.example.com HTTP 503 in 12ms (attempt 2)',
  ],
  retry: [
    { attempt: 1, maxRetries: 10, delayMs: 5_000, verdict: { kind: 'transient', reason: 'connection refused', code: 'ECONNREFUSED' }, error: refused },
    '[RETRY] checkin: retry 1/10 in 5s: connection refused',
  ],
  give_up: [
    { attempts: 6, elapsedMs: 120_000, reason: 'max-retries', error: http502 },
    '[GIVE_UP] checkin: gave up after 6 attempts in 2m: HTTP 502 (no retries left)',
  ],
  breaker_open: [{ failures: 5, openForMs: 30_000 }, '[CIRCUIT_BREAKER] checkin: opened after 5 failures, half-open in 30s'],
  breaker_half_open: [{}, '[CIRCUIT_BREAKER] checkin: half-open, trying a request'],
  breaker_closed: [{ downtimeMs: 42_000 }, '[CIRCUIT_BREAKER] checkin: closed after 42s down'],
  breaker_isolated: [{}, '[CIRCUIT_BREAKER] checkin: isolated, refusing every call until reset'],
  health_ok: [{ latencyMs: 12 }, '[HEALTH] checkin: ok in 12ms'],
  health_fail: [{ error: refused }, '[HEALTH] checkin: probe failed: connection refused'],
  recovered: [{ downtimeMs: 42_000, failures: 9 }, '[RECOVERY] checkin: recovered after 42s (9 failed check-ins)'],
  poll_failed: [
    { failures: 3, delayMs: 4_000, error: refused },
    '[POLL] checkin: check-in failed (3 in a row), next try in 4s: connection refused',
  ],
  outbox_enqueued: [{ key: 'k-1', size: 3 }, '[OUTBOX] checkin: queued k-1 (3 waiting)'],
  outbox_delivered: [{ key: 'k-1', attempts: 2, size: 2 }, '[OUTBOX] checkin: delivered k-1 after 2 attempts (2 waiting)'],
  outbox_retry: [
    { key: 'k-1', attempt: 1, delayMs: 1_500, error: http502 },
    '[OUTBOX] checkin: delivery of k-1 failed (attempt 1), next try in 1.5s: HTTP 502',
  ],
  outbox_dead: [
    { key: 'k-2', verdict: { kind: 'permanent', reason: 'HTTP 422', status: 422 }, error: summarizeError(new HttpError(422)) },
    '[OUTBOX] checkin: k-2 moved to dead letters: HTTP 422',
  ],
  outbox_full: [
    { size: 1_000, bytes: 52_000, maxItems: 1_000, maxBytes: null },
    '[OUTBOX] checkin: full (1000/1000 items, 52000/∞ bytes), enqueue refused',
  ],
  outbox_torn: [{ line: 17, bytes: 42 }, '[OUTBOX] checkin: skipped torn line 17 (42 bytes) left by a crash'],
  outbox_corrupt: [
    { line: 3, lines: 2, bytes: 40, file: '/data/checkin.outbox.corrupt' },
    '[OUTBOX] checkin: moved 2 damaged lines (from line 3, 40 bytes) to /data/checkin.outbox.corrupt; every intact item kept',
  ],
  outbox_compacted: [{ size: 4, bytesBefore: 90_000, bytesAfter: 800 }, '[OUTBOX] checkin: compacted 90000 → 800 bytes (4 waiting)'],
};

const event = <T extends ResilienceEventType>(type: T, fields: object): ResilienceEvent =>
  ({ type, time, name, ...fields }) as unknown as ResilienceEvent;

function memoryStream() {
  const chunks: string[] = [];
  return { chunks, stream: { write: (chunk: string) => chunks.push(chunk) } };
}

describe('textLines', () => {
  for (const [type, [fields, line]] of Object.entries(samples)) {
    it(`writes "${line}" for ${type}`, () => {
      const { chunks, stream } = memoryStream();
      textLines(stream)(event(type as ResilienceEventType, fields));
      expect(chunks).toEqual([`${line}\n`]);
    });
  }

  it('writes ∞ when maxRetries is null', () => {
    const [fields] = samples.retry;
    expect(formatEvent(event('retry', { ...fields, maxRetries: null }))).toBe('[RETRY] checkin: retry 1/∞ in 5s: connection refused');
  });

  it('says "check-in failed" without "in a row" for the first failure, and singulars for one', () => {
    expect(formatEvent(event('poll_failed', { failures: 1, delayMs: 800, error: refused }))).toBe(
      '[POLL] checkin: check-in failed, next try in 800ms: connection refused',
    );
    expect(formatEvent(event('recovered', { downtimeMs: 1_000, failures: 1 }))).toBe('[RECOVERY] checkin: recovered after 1s (1 failed check-in)');
  });

  it("uses the error's message when the verdict only names a matched word", () => {
    const error = { name: 'Error', message: 'upstream node offline' };
    const verdict = { kind: 'transient', reason: 'message matches "node offline"' };
    expect(formatEvent(event('retry', { attempt: 2, maxRetries: 5, delayMs: 1_000, verdict, error }))).toBe(
      '[RETRY] checkin: retry 2/5 in 1s: upstream node offline',
    );
    expect(formatEvent(event('health_fail', { error: { name: 'TimeoutError', message: 'attempt timed out after 5000ms' } }))).toBe(
      '[HEALTH] checkin: probe failed: timed out',
    );
  });

  it('prefixes the ISO time with { time: true }', () => {
    const { chunks, stream } = memoryStream();
    textLines(stream, { time: true })(event('health_ok', { latencyMs: 3 }));
    expect(chunks).toEqual([`${time} [HEALTH] checkin: ok in 3ms\n`]);
  });

  it('still writes a line for an event type it does not know', () => {
    expect(formatEvent(event('future_thing' as ResilienceEventType, { a: 1 }))).toBe('[FUTURE_THING] checkin: {"a":1}');
  });

  it('never writes URL userinfo, query strings or fragments, even from events that were not redacted', () => {
    const leaky = 'GET https://user:pw@host.example/p?token=secret#frag failed';
    const raw: ErrorSummary = { name: 'Error', message: leaky };
    const summarized = summarizeError(new Error(leaky));
    const { chunks, stream } = memoryStream();
    const sink = textLines(stream);
    for (const error of [raw, summarized]) {
      sink(event('health_fail', { error }));
      sink(event('poll_failed', { failures: 2, delayMs: 1, error }));
      sink(event('retry', { attempt: 1, maxRetries: 1, delayMs: 1, verdict: { kind: 'transient', reason: 'unclassified' }, error }));
      sink(event('give_up', { attempts: 1, elapsedMs: 1, reason: 'permanent', error }));
      sink(event('outbox_retry', { key: 'k', attempt: 1, delayMs: 1, error }));
      sink(event('outbox_dead', { key: 'k', verdict: { kind: 'permanent', reason: 'unclassified' }, error }));
    }
    expect(chunks).toHaveLength(12);
    for (const line of chunks) {
      expect(line).toContain('https://host.example/p');
      expect(line).not.toMatch(/secret|token|pw|user|frag/);
    }
  });

  it('rejects a stream without write() and a non-boolean time', () => {
    expect(() => textLines({} as never)).toThrow(/textLines stream/);
    expect(() => textLines(undefined, { time: 'yes' as never })).toThrow(/textLines\.time/);
  });
});

describe('jsonLines', () => {
  it('writes JSON.stringify(event) and a newline per event', () => {
    const { chunks, stream } = memoryStream();
    const sink = jsonLines(stream);
    const e = event('poll_failed', samples.poll_failed[0]);
    sink(e);
    sink(event('breaker_half_open', {}));
    expect(chunks).toEqual([`${JSON.stringify(e)}\n`, `{"type":"breaker_half_open","time":"${time}","name":"checkin"}\n`]);
    expect(JSON.parse(chunks[0] as string)).toEqual(e);
  });

  it('rejects a stream without write()', () => {
    expect(() => jsonLines({ write: 1 } as never)).toThrow(/jsonLines stream/);
  });
});

describe('default stream', () => {
  it('writes to process.stderr when there is one', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      textLines()(event('health_ok', { latencyMs: 1 }));
      jsonLines()(event('health_ok', { latencyMs: 1 }));
      expect(write.mock.calls.map((c) => c[0])).toEqual(['[HEALTH] checkin: ok in 1ms\n', `${JSON.stringify(event('health_ok', { latencyMs: 1 }))}\n`]);
    } finally {
      write.mockRestore();
    }
  });

  it('falls back to console.error, one call per line, where there is no process', () => {
    const saved = globalThis.process;
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      // Simulate a browser or edge runtime.
      Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
      const sink = textLines();
      Object.defineProperty(globalThis, 'process', { value: saved, configurable: true, writable: true });
      sink(event('breaker_closed', { downtimeMs: 5_000 }));
      expect(error.mock.calls).toEqual([['[CIRCUIT_BREAKER] checkin: closed after 5s down']]);
    } finally {
      Object.defineProperty(globalThis, 'process', { value: saved, configurable: true, writable: true });
      error.mockRestore();
    }
  });
});
