import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/breaker/breaker.js';
import { constant } from '../../src/core/backoff.js';
import { ResilientClient, type ResilientClientOptions } from '../../src/client/client.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { refused } from './setup.js';

const BASE = 'http://api.test/v1';
const OTHER = 'http://billing.test:8080';

/** Hosts in `down` refuse connections; every call is recorded as `origin path`. */
function hosts(clock: FakeClock, down: Set<string>) {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (init?.signal?.aborted === true) throw init.signal.reason;
    const url = new URL(String(input));
    calls.push(`${clock.now()} ${url.origin}${url.pathname}`);
    if (down.has(url.origin)) throw refused();
    return new Response(null, { status: 204 });
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

function setup(o: Partial<ResilientClientOptions> = {}) {
  const clock = new FakeClock();
  const down = new Set<string>();
  const server = hosts(clock, down);
  const events: ResilienceEvent[] = [];
  const client = new ResilientClient({
    baseUrl: BASE,
    fetch: server.fetch,
    clock,
    name: 'agent',
    retry: false,
    budget: false,
    breaker: { failureThreshold: 2, openFor: '30s' },
    health: { interval: '1s' },
    onEvent: (e) => events.push(e),
    ...o,
  });
  return { clock, down, server, events, client };
}

describe('per-origin breakers', () => {
  it('opens only the failing host\'s breaker: calls to the healthy host go through, calls to the dead one are refused', async () => {
    const { client, down, server } = setup();
    down.add(OTHER);
    for (let i = 0; i < 2; i++) await client.fetch(`${OTHER}/invoices`).catch(() => {});
    await expect(client.fetch(`${OTHER}/invoices`)).rejects.toMatchObject({ name: 'BrokenCircuitError' });
    expect((await client.fetch('/tasks')).status).toBe(204);
    expect(client.breakerFor(OTHER)?.state).toBe('open');
    expect(client.breakerFor('/anything')?.state).toBe('closed');
    expect(client.breakerFor(`${OTHER}/other/path?x=1`)).toBe(client.breakerFor(OTHER));
    // Default ports are one origin with or without them.
    expect(client.breakerFor('http://api.test:80/x')).toBe(client.breaker);
    expect(server.calls).toEqual([`0 ${OTHER}/invoices`, `0 ${OTHER}/invoices`, '0 http://api.test/v1/tasks']);
    client.close();
  });

  it('reports the worst state in stats().state and each origin in stats().breakers; opens counted per client', async () => {
    const { client, down } = setup();
    await client.fetch('/a');
    expect(client.stats()).toMatchObject({ state: 'closed', breakers: { 'http://api.test': 'closed' }, breakerOpens: 0 });
    down.add(OTHER);
    for (let i = 0; i < 2; i++) await client.fetch(`${OTHER}/x`).catch(() => {});
    expect(client.stats()).toMatchObject({ state: 'open', breakers: { 'http://api.test': 'closed', [OTHER]: 'open' }, breakerOpens: 1 });
    client.breakerFor('/')?.isolate();
    expect(client.stats().state).toBe('open'); // open is worse than isolated: calls fail without anyone having decided so
    client.close();
  });

  it("names the base origin's breaker after the client and the others after their origin, in events", async () => {
    const { client, down, events } = setup();
    down.add(OTHER);
    for (let i = 0; i < 2; i++) await client.fetch(`${OTHER}/x`).catch(() => {});
    expect(events.filter((e) => e.type === 'breaker_open').map((e) => e.name)).toEqual([`agent:${OTHER}`]);
    expect(client.breaker?.name).toBe('agent');
    client.close();
  });

  it("probes the failing origin's own /health (from its root) and not the base's, and recovers it alone", async () => {
    const { client, down, server, clock } = setup({ retry: { maxRetries: 10, backoff: constant('1s', { jitter: 'none' }) } });
    down.add(OTHER);
    const waiting = client.fetch(`${OTHER}/invoices`);
    await clock.advance(3_500);
    down.delete(OTHER);
    await clock.advance(2_000);
    expect((await waiting).status).toBe(204);
    const probes = server.calls.filter((c) => c.endsWith('/health'));
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((c) => c.endsWith(`${OTHER}/health`))).toBe(true);
    expect(client.breakerFor(OTHER)?.state).toBe('closed');
    client.close();
    await clock.settle();
    expect(clock.pending).toBe(0);
  });

  it('shares a CircuitBreaker instance given in the options across every origin', async () => {
    const clock = new FakeClock();
    const shared = new CircuitBreaker({ failureThreshold: 2, clock });
    const { client, down } = setup({ breaker: shared });
    down.add(OTHER);
    for (let i = 0; i < 2; i++) await client.fetch(`${OTHER}/x`).catch(() => {});
    await expect(client.fetch('/tasks')).rejects.toMatchObject({ name: 'BrokenCircuitError' });
    expect([client.breakerFor(OTHER), client.breakerFor('/'), client.breaker]).toEqual([shared, shared, shared]);
    expect(client.stats()).toMatchObject({ state: 'open', breakers: { '*': 'open' }, breakerOpens: 1 });
    client.close();
  });

  it('has no breaker with breaker: false, and rejects a bad breaker option at construction', () => {
    const { client } = setup({ breaker: false });
    expect([client.breakerFor('/'), client.breaker, client.stats().state]).toEqual([undefined, undefined, 'disabled']);
    expect(() => setup({ breaker: 'per-host' as never })).toThrow(/ResilientClient\.breaker must be CircuitBreakerOptions/);
    expect(() => setup({ breaker: { failureThreshold: 0 } })).toThrow(/failureThreshold/);
  });
});
