import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { BreakerRegistry } from '../../src/breaker/registry.js';

const T0 = 1_700_000_000_000;
const fail = (): Promise<never> => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

async function trip(breaker: CircuitBreaker): Promise<void> {
  while (breaker.state === 'closed') await breaker.execute(fail).catch(() => {});
}

describe('BreakerRegistry', () => {
  it('gives the same breaker for the same key, named after the key', () => {
    const breakers = new BreakerRegistry();
    const a = breakers.get('metrics');
    expect(a).toBeInstanceOf(CircuitBreaker);
    expect(breakers.get('metrics')).toBe(a);
    expect(breakers.get('tasks')).not.toBe(a);
    expect(a.name).toBe('metrics');
    expect(breakers.size).toBe(2);
  });

  it('names breakers `${defaults.name}:${key}` when defaults.name is set', () => {
    const breakers = new BreakerRegistry({ defaults: { name: 'api' } });
    expect(breakers.get('example.com').name).toBe('api:example.com');
  });

  it('applies defaults, then per-key overrides, with the registry clock and sink', async () => {
    const clock = new FakeClock({ now: T0 });
    const events: ResilienceEvent[] = [];
    const breakers = new BreakerRegistry({ defaults: { failureThreshold: 2, openFor: '10s' }, clock, onEvent: (e) => events.push(e) });
    const logs = breakers.get('logs', { failureThreshold: 1 });
    await logs.execute(fail).catch(() => {});
    expect(logs.state).toBe('open');
    const tasks = breakers.get('tasks');
    await tasks.execute(fail).catch(() => {});
    expect(tasks.state).toBe('closed');
    await tasks.execute(fail).catch(() => {});
    expect(events.map((e) => [e.type, e.name])).toEqual([['breaker_open', 'logs'], ['breaker_open', 'tasks']]);
    await clock.advance(10_000);
    expect(logs.state).toBe('half-open');
  });

  it('opens only the breaker of the failing subsystem', async () => {
    const breakers = new BreakerRegistry({ defaults: { failureThreshold: 3 }, clock: new FakeClock({ now: T0 }) });
    await trip(breakers.get('logs'));
    expect(breakers.get('logs').state).toBe('open');
    expect(breakers.get('metrics').state).toBe('closed');
    await expect(breakers.get('metrics').execute(async () => 'sent')).resolves.toBe('sent');
  });

  it('stays within maxSize, dropping the least recently used key', () => {
    const breakers = new BreakerRegistry({ maxSize: 3 });
    breakers.get('a');
    breakers.get('b');
    breakers.get('c');
    breakers.get('a'); // a is now the most recently used
    breakers.get('d');
    expect(breakers.size).toBe(3);
    expect(breakers.keys()).toEqual(['c', 'a', 'd']);
    expect(breakers.has('b')).toBe(false);
    for (let i = 0; i < 1_000; i++) breakers.get(`host-${i}`);
    expect(breakers.size).toBe(3);
  });

  it('evicts a closed breaker before an older open one (an open breaker remembers an outage)', async () => {
    const breakers = new BreakerRegistry({ maxSize: 3, defaults: { failureThreshold: 1 }, clock: new FakeClock({ now: T0 }) });
    const down = breakers.get('down');
    await trip(down);
    breakers.get('b');
    breakers.get('c');
    breakers.get('d'); // full: 'down' is oldest but open, so 'b' goes
    expect(breakers.keys()).toEqual(['down', 'c', 'd']);
    expect(breakers.get('down')).toBe(down);
  });

  it('evicts the least recently used open breaker when none is closed, but keeps isolated ones', async () => {
    const breakers = new BreakerRegistry({ maxSize: 2, defaults: { failureThreshold: 1 }, clock: new FakeClock({ now: T0 }) });
    breakers.get('manual').isolate();
    await trip(breakers.get('down'));
    breakers.get('new');
    expect(breakers.keys()).toEqual(['manual', 'new']);
  });

  it('has() and delete() do not count as a use; delete() drops the breaker', () => {
    const breakers = new BreakerRegistry({ maxSize: 2 });
    const a = breakers.get('a');
    breakers.get('b');
    expect(breakers.has('a')).toBe(true);
    breakers.get('c'); // has() did not refresh 'a', so it is evicted
    expect(breakers.has('a')).toBe(false);
    expect(breakers.delete('b')).toBe(true);
    expect(breakers.delete('b')).toBe(false);
    expect(breakers.get('a')).not.toBe(a);
  });

  it('snapshots every breaker by key, JSON-safe', async () => {
    const clock = new FakeClock({ now: T0 });
    const breakers = new BreakerRegistry({ defaults: { failureThreshold: 1, openFor: '30s' }, clock });
    breakers.get('ok');
    await trip(breakers.get('down'));
    const saved = JSON.parse(JSON.stringify(breakers.snapshot())) as ReturnType<BreakerRegistry['snapshot']>;
    expect(Object.keys(saved)).toEqual(['ok', 'down']);
    expect(saved['ok']?.state).toBe('closed');
    expect(saved['down']).toMatchObject({ state: 'open', halfOpenAt: T0 + 30_000 });
    const restored = new BreakerRegistry({ clock });
    expect(restored.get('down', { initialState: saved['down'] as NonNullable<typeof saved['down']> }).state).toBe('open');
  });

  it('validates maxSize and the defaults at construction', () => {
    expect(() => new BreakerRegistry({ maxSize: 0 })).toThrow(/maxSize must be an integer >= 1; got 0/);
    expect(() => new BreakerRegistry({ defaults: { failureThreshold: -1 } })).toThrow(/failureThreshold.*-1/);
    expect(() => new BreakerRegistry().get(42 as unknown as string)).toThrow(TypeError);
  });

  it('a repeated get of the last key returns the same breaker and keeps recency; delete forgets it', () => {
    const breakers = new BreakerRegistry({ maxSize: 3 });
    const a = breakers.get('a');
    breakers.get('b');
    expect(breakers.get('b')).toBe(breakers.get('b'));
    expect(breakers.keys()).toEqual(['a', 'b']);
    expect(breakers.get('a')).toBe(a);
    expect(breakers.keys()).toEqual(['b', 'a']);
    expect(breakers.delete('a')).toBe(true);
    expect(breakers.get('a')).not.toBe(a);
  });
});
