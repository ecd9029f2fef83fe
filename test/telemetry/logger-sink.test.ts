/**
 * logLevel and loggerSink against real pino writing JSON lines to a stream: levels, fields, the
 * message, no key written twice, and no secrets.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EVENT_REQUEST, type ResilienceEvent, type ResilienceEventType } from '../../src/core/events.js';
import { formatEvent } from '../../src/policies/log.js';
import { logLevel, loggerSink, type LogLevel } from '../../src/telemetry/logger-sink.js';
import { event } from './otel-harness.js';

/** A pino logger (named, at debug level) writing to memory: the raw lines, as a log shipper reads them. */
function pinoLines(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ name: 'my-agent', level: 'debug' }, { write: (chunk: string) => void lines.push(chunk) });
  return { logger, lines };
}

/** The keys of the top-level object of a JSON line, in order, duplicates kept (JSON.parse keeps only the last). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      if (depth === 1 && line[j + 1] === ':') keys.push(JSON.parse(line.slice(i, j + 1)) as string);
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

const refused = { name: 'TypeError', message: 'fetch failed', code: 'ECONNREFUSED' };
const http502 = { name: 'HttpError', message: 'HTTP 502', status: 502 };
const verdict502 = { kind: 'transient' as const, reason: 'HTTP 502', status: 502 };

const LEVELS: Record<ResilienceEventType, LogLevel> = {
  attempt: 'debug', health_ok: 'debug', outbox_enqueued: 'debug', outbox_delivered: 'debug',
  breaker_closed: 'info', recovered: 'info', outbox_compacted: 'info',
  retry: 'warn', breaker_half_open: 'warn', health_fail: 'warn', poll_failed: 'warn', outbox_retry: 'warn', outbox_torn: 'warn',
  give_up: 'error', breaker_open: 'error', breaker_isolated: 'error', outbox_dead: 'error', outbox_full: 'error', outbox_corrupt: 'error',
};

describe('logLevel', () => {
  it.each(Object.entries(LEVELS))('logs %s at %s', (type, level) => {
    expect(logLevel({ type } as ResilienceEvent)).toBe(level);
  });

  it('logs an event type it does not know at info, and never throws on junk', () => {
    expect(logLevel({ type: 'bulkhead_full' } as never)).toBe('info');
    expect(logLevel({ type: 'toString' } as never)).toBe('info'); // not read from Object.prototype
    expect(logLevel(null as never)).toBe('info');
  });
});

describe('loggerSink with pino', () => {
  it('writes a retry at warn, with the textLines line as msg and the fields beside pino\'s own keys', () => {
    const { logger, lines } = pinoLines();
    loggerSink(logger)(event('retry', { attempt: 1, maxRetries: 10, delayMs: 5_000, verdict: verdict502, error: http502 }, 'checkin'));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 40,
      name: 'my-agent', // pino's logger name, untouched
      type: 'retry',
      component: 'checkin',
      attempt: 1,
      maxRetries: 10,
      delayMs: 5_000,
      verdict: verdict502,
      error: http502,
      msg: '[RETRY] checkin: retry 1/10 in 5s: HTTP 502',
    });
    expect(typeof line['time']).toBe('number'); // pino's time, not the event's ISO string
  });

  it('writes no key twice (the FAQ\'s old `logger.info(e)` wrote time and name twice)', () => {
    const e = event('give_up', { attempts: 6, elapsedMs: 120_000, reason: 'max-retries', error: http502 }, 'checkin');
    const before = pinoLines();
    before.logger.info(e);
    const duplicated = topLevelKeys(before.lines[0] as string).filter((k, i, all) => all.indexOf(k) !== i);
    expect(duplicated.sort()).toEqual(['name', 'time']); // the defect loggerSink exists to fix

    const after = pinoLines();
    loggerSink(after.logger)(e);
    const keys = topLevelKeys(after.lines[0] as string);
    expect(keys).toEqual(['level', 'time', 'pid', 'hostname', 'name', 'type', 'component', 'attempts', 'elapsedMs', 'reason', 'error', 'msg']);
  });

  it('logs every event type at its level with formatEvent\'s line', () => {
    const { logger, lines } = pinoLines();
    const sink = loggerSink(logger);
    const events: ResilienceEvent[] = [
      event('attempt', { attempt: 1, method: 'GET', origin: 'https://api.example.com', status: 200, durationMs: 12 }),
      event('breaker_open', { failures: 5, openForMs: 30_000 }),
      event('breaker_closed', { downtimeMs: 42_000 }),
      event('health_fail', { error: refused }),
      event('outbox_dead', { key: 'k-2', verdict: { kind: 'permanent', reason: 'HTTP 422', status: 422 }, error: { name: 'HttpError', message: 'HTTP 422', status: 422 } }),
    ];
    for (const e of events) sink(e);
    const parsed = lines.map((l) => JSON.parse(l) as { level: number; msg: string; type: string });
    expect(parsed.map((p) => [p.type, p.level])).toEqual([['attempt', 20], ['breaker_open', 50], ['breaker_closed', 30], ['health_fail', 40], ['outbox_dead', 50]]);
    expect(parsed.map((p) => p.msg)).toEqual(events.map(formatEvent));
  });

  it('writes no header value, userinfo, query string or body, even from an event a custom emitter did not redact', () => {
    const { logger, lines } = pinoLines();
    const leaky = { name: 'Error', message: 'GET https://bob:hunter2@api.example.com/v1?token=s3cret failed' };
    const sink = loggerSink(logger);
    sink(event('health_fail', { error: leaky }));
    const request = new Request('https://api.example.com/v1', { method: 'POST', body: 'card=4111', headers: { authorization: 'Bearer tok-123' } });
    sink(Object.assign(event('attempt', { attempt: 1, method: 'POST', origin: 'https://api.example.com', status: 201, durationMs: 3 }), { [EVENT_REQUEST]: request }));
    const raw = lines.join('');
    for (const secret of ['hunter2', 'bob', 's3cret', 'token=', 'tok-123', 'Bearer', 'card=4111']) expect(raw).not.toContain(secret);
    expect((JSON.parse(lines[0] as string) as { error: { message: string } }).error.message).toBe('GET https://api.example.com/v1 failed');
  });

  it('skips events below the logger\'s level before formatting them (pino isLevelEnabled)', () => {
    const calls: string[] = [];
    const logger = pino({ level: 'info' }, { write: () => undefined });
    const spy = Object.assign(Object.create(logger) as pino.Logger, { debug: () => void calls.push('debug'), warn: () => void calls.push('warn') });
    const sink = loggerSink(spy);
    sink(event('attempt', { attempt: 1, method: 'GET', origin: 'http://h', status: 200, durationMs: 1 }));
    sink(event('retry', { attempt: 1, maxRetries: 3, delayMs: 1, verdict: verdict502, error: http502 }));
    expect(calls).toEqual(['warn']);
  });

  it('works with a child logger and keeps its bindings', () => {
    const { logger, lines } = pinoLines();
    loggerSink(logger.child({ service: 'billing' }))(event('recovered', { downtimeMs: 42_000, failures: 9 }));
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 30, service: 'billing', component: 'agent', downtimeMs: 42_000 });
  });

  it('rejects a logger without debug/info/warn/error, naming what is missing', () => {
    expect(() => loggerSink({ info() {}, warn() {}, error() {} } as never)).toThrow(new TypeError('steadfast: loggerSink logger must be an object with debug(); got {}'));
    expect(() => loggerSink(console.log as never)).toThrow(TypeError);
    expect(() => loggerSink(undefined as never)).toThrow(/loggerSink needs a logger/);
  });
});
