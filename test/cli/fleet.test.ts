import { describe, expect, it } from 'vitest';
import { exponential } from '../../src/core/backoff.js';
import { HttpError } from '../../src/core/errors.js';
import { fleetDefaults, KINDS, simulateFleet, type FleetPolicy } from '../../src/cli/fleet.js';
import { CHECKIN, Server } from '../../src/cli/fleet-server.js';

const lockstep: FleetPolicy = { name: 'no-jitter', client: false, poll: { backoff: exponential({ initial: '1s', max: '30s', jitter: 'none' }), jitter: 0 } };
const sum = (a: Int32Array, from = 0, to = a.length): number => a.slice(from, to).reduce((s, v) => s + v, 0);

describe('simulateFleet', () => {
  it('simulates the whole default stack unless told otherwise: every option at its default', async () => {
    expect(fleetDefaults).toEqual({ name: 'default' });
    expect((await simulateFleet({ agents: 10, horizon: '2m' })).policy).toBe('default');
  });

  it('gives the same result for the same seed, and another for another seed', async () => {
    const o = { agents: 300, capacity: 10, outage: '1m', horizon: '5m' } as const;
    const a = await simulateFleet({ ...o, seed: 7 });
    expect(await simulateFleet({ ...o, seed: 7 })).toEqual(a);
    expect((await simulateFleet({ ...o, seed: 8 })).offered).not.toEqual(a.offered);
  });

  it('counts every request once and by kind: into the outage, after it, and per second', async () => {
    const r = await simulateFleet({ agents: 1000, capacity: 40, outage: '2m', horizon: '10m', failures: 'simultaneous' });
    expect(sum(r.offered)).toBe(r.requests);
    expect(sum(r.offered, 0, 120)).toBe(r.duringOutage);
    expect(KINDS.reduce((s, k) => s + r.byKind[k].duringOutage + r.byKind[k].after, 0)).toBe(r.requests);
    expect(KINDS.reduce((s, k) => s + r.byKind[k].duringOutage, 0)).toBe(r.duringOutage);
    // The client retries, then the breaker lets one trial through per open period; poll's own check-ins are those
    // trials, so the recovery monitor never needs to probe on top of them.
    for (const k of ['check-in', 'client retry', 'trial'] as const) expect(r.byKind[k].duringOutage).toBeGreaterThan(0);
    expect(r.byKind['health probe'].duringOutage).toBe(0);
    expect(r.byKind['check-in'].duringOutage).toBeGreaterThanOrEqual(1000); // each agent's first check-in at t = 0
    expect(r.floorMs).toBe(25_000);
    expect(r.refusedAfterOutage).toBeGreaterThan(0); // 1000 agents into 40/s: some get 503 first
  });

  it('poll alone retries in waves when nothing is jittered: every agent at 1s, 3s, 7s, 15s, 31s after a restart', async () => {
    const r = await simulateFleet({ agents: 1000, capacity: 100, outage: '1m', horizon: '5m', failures: 'simultaneous', policy: lockstep });
    expect(r.offered[0]).toBe(1000);
    for (const s of [1, 3, 7, 15, 31]) expect(r.offered[s]).toBe(1000);
    expect(r.offered[2]).toBe(0);
    expect(r.byKind['client retry'].duringOutage + r.byKind['health probe'].duringOutage + r.byKind.trial.duringOutage).toBe(0);
  });

  it('never brings a lockstep fleet back when each wave is larger than capacity (the bug of issue 6)', async () => {
    const r = await simulateFleet({ agents: 2000, capacity: 200, outage: '2m', horizon: '10m', failures: 'simultaneous', policy: lockstep });
    expect(r.neverBack).toBeGreaterThan(0);
    expect(r.allBackMs).toBeNull();
  });

  it('only affects agents whose check-in falls inside a short outage when failures are spread', async () => {
    const r = await simulateFleet({ agents: 3000, capacity: 1000, outage: '10s', horizon: '2m' });
    expect(r.affected).toBeGreaterThan(800);
    expect(r.affected).toBeLessThan(1200); // about a third: 10s of a 30s interval
  });

  it('reports every request to onRequest, in time order', async () => {
    const seen: [number, number, string, boolean][] = [];
    const r = await simulateFleet({ agents: 20, capacity: 5, outage: '40s', horizon: '3m', onRequest: (...e) => seen.push(e) });
    expect(seen).toHaveLength(r.requests);
    expect(seen.map((e) => e[1])).toEqual([...seen.map((e) => e[1])].sort((x, y) => x - y));
    expect(seen.filter((e) => e[1] < 40_000).every((e) => !e[3])).toBe(true);
  });

  it('validates its options, naming the option and the value', async () => {
    await expect(simulateFleet({ agents: 0 })).rejects.toThrow(/agents/);
    await expect(simulateFleet({ outage: 'soon' })).rejects.toThrow(/outage.*"soon"/);
    await expect(simulateFleet({ failures: 'sometimes' as never })).rejects.toThrow(/failures.*"sometimes"/);
    await expect(simulateFleet({ overload: 429 as never })).rejects.toThrow(/overload.*429/);
    await expect(simulateFleet({ policy: { name: 'x', poll: { jitter: 3 } } })).rejects.toThrow(/policy\.poll\.jitter.*3/);
    await expect(simulateFleet({ policy: { name: 'x', client: { breaker: { failureThreshold: 0 } } } })).rejects.toThrow(/failureThreshold.*0/);
    await expect(simulateFleet({ onRequest: 'log' as never })).rejects.toThrow(/onRequest/);
  });
});

describe('the simulated server', () => {
  it('refuses connections while down, then takes capacity per second and answers the rest 503', () => {
    const server = new Server(10_000, 2, '503', 60);
    expect(server.answer(9_999, CHECKIN)).toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    expect(server.answer(10_000, CHECKIN)).toBeUndefined();
    expect(server.answer(10_500, CHECKIN)).toBeUndefined();
    const busy = server.answer(10_900, CHECKIN);
    expect(busy).toBeInstanceOf(HttpError);
    expect((busy as HttpError).retryAfterMs).toBeUndefined();
    expect(server.answer(11_000, CHECKIN)).toBeUndefined(); // a new second
  });

  it('spreads Retry-After over its backlog: half a second of capacity per later second', () => {
    const server = new Server(0, 4, 'retry-after', 60);
    for (let i = 0; i < 4; i++) server.answer(5_000, CHECKIN);
    const waits = Array.from({ length: 7 }, () => (server.answer(5_000, CHECKIN) as HttpError).retryAfterMs);
    expect(waits).toEqual([1_000, 1_000, 2_000, 2_000, 3_000, 3_000, 4_000]);
  });
});
