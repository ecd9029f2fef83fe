import { describe, expect, it } from 'vitest';
import { constant, exponential, schedule } from '../src/backoff.js';
import { fleetDefaults, simulateFleet, type FailureMode, type FleetPolicy } from '../src/fleet.js';
import { pollDefaults } from '../src/poll.js';

const lockstep: FleetPolicy = { name: 'no-jitter', backoff: exponential({ initial: '1s', max: '30s', jitter: 'none' }), jitter: 0 };

describe('simulateFleet', () => {
  it('simulates the library poll defaults unless told otherwise', () => {
    expect(fleetDefaults.backoff).toBe(pollDefaults.backoff);
    expect(fleetDefaults.jitter).toBe(pollDefaults.jitter);
    expect(simulateFleet({ agents: 10, horizon: '2m' }).policy).toBe('default');
  });

  it('gives the same result for the same seed, and another for another seed', () => {
    const a = simulateFleet({ agents: 500, capacity: 50, outage: '1m', horizon: '10m', seed: 7 });
    const b = simulateFleet({ agents: 500, capacity: 50, outage: '1m', horizon: '10m', seed: 7 });
    const c = simulateFleet({ agents: 500, capacity: 50, outage: '1m', horizon: '10m', seed: 8 });
    expect(b).toEqual(a);
    expect(c.offered).not.toEqual(a.offered);
  });

  it('counts every request once: offered load sums to the requests, and failures during and after the outage are apart', () => {
    const r = simulateFleet({ agents: 2000, capacity: 100, outage: '2m', horizon: '20m', failures: 'simultaneous' });
    expect(r.offered.reduce((s, v) => s + v, 0)).toBe(r.requests);
    let during = 0;
    for (let s = 0; s < 120; s++) during += r.offered[s] as number;
    expect(r.wastedDuringOutage).toBe(during);
    expect(r.wastedAfterOutage).toBeGreaterThan(0); // 2000 agents into 100/s: some get 503 first
    expect(r.floorMs).toBe(20_000);
  });

  it('retries in waves when nothing is jittered: all agents at 1s, 3s, 7s, 15s, 31s after a restart', () => {
    const r = simulateFleet({ agents: 1000, capacity: 100, outage: '1m', horizon: '10m', failures: 'simultaneous', policy: lockstep });
    for (const s of [1, 3, 7, 15, 31]) expect(r.offered[s]).toBe(1000);
    expect(r.offered[2]).toBe(0);
    expect(r.peakLoad).toBe(10); // the whole fleet in one second, against a capacity of 100
  });

  it('never brings a lockstep fleet back when each wave is larger than capacity (the bug of issue 6)', () => {
    const r = simulateFleet({ agents: 10_000, capacity: 2000, outage: '2m', failures: 'simultaneous', policy: lockstep });
    expect(r.neverBack).toBeGreaterThan(0);
    expect(r.allBackMs).toBeNull();
  });

  it('only affects agents whose check-in falls inside a short outage when failures are spread', () => {
    const r = simulateFleet({ agents: 3000, capacity: 1000, outage: '10s', horizon: '5m' });
    expect(r.affected).toBeGreaterThan(800);
    expect(r.affected).toBeLessThan(1200); // about a third: 10s of a 30s interval
  });

  it('keeps waiting the last delay of a finite schedule, like poll, instead of giving up', () => {
    const r = simulateFleet({ agents: 100, outage: '58s', horizon: '2m', failures: 'simultaneous', policy: { name: '5s', backoff: schedule(['5s']), jitter: 0 } });
    expect(r.wastedDuringOutage).toBe(100 * 11); // at 5s, 10s, ..., 55s
    expect(r.allBackMs).toBe(2_000); // 60s - 58s
  });

  it('with a RetryBudget that refuses every retry, waits a whole interval after each failure', () => {
    const noRetries: FleetPolicy = { ...fleetDefaults, name: 'no retries', budget: { ratio: 0, minPerSecond: 0 } };
    const r = simulateFleet({ agents: 1000, outage: '65s', horizon: '5m', failures: 'simultaneous', policy: noRetries });
    // About 30s apart: requests near 30s and 60s during a 65s outage.
    expect(r.wastedDuringOutage).toBeLessThanOrEqual(2 * 1000 + 150);
    expect(r.neverBack).toBe(0);
  });

  it('reports agents that are not back within the horizon', () => {
    const r = simulateFleet({ agents: 100, outage: '1m', horizon: '1m10s', failures: 'simultaneous', policy: { name: '5m', backoff: constant('5m'), jitter: 0.1 } });
    expect(r.neverBack).toBe(100);
    expect(r.allBackMs).toBeNull();
  });

  it('rejects bad options naming them', () => {
    expect(() => simulateFleet({ agents: 0 })).toThrow(/agents/);
    expect(() => simulateFleet({ capacity: 1.5 })).toThrow(/capacity/);
    expect(() => simulateFleet({ failures: 'sometimes' as FailureMode })).toThrow(/failures/);
    expect(() => simulateFleet({ interval: 0 })).toThrow(/interval/);
  });
});

// SPEC §8: the poll defaults are the ones `steadfast simulate` shows to bring a whole fleet back
// without overloading a recovering server. 10,000 agents, 1 hour, the real sizes.
const scenarios = (['spread', 'simultaneous'] as const).flatMap((failures) => ['30s', '120s', '600s'].map((outage) => ({ failures, outage })));

describe('the poll defaults, 10,000 agents over 1h, server back at 2000 requests/s', () => {
  it.each(scenarios)('$failures failures, $outage outage: every agent back, never more than capacity after server-up, back within the 30s backoff cap', ({ failures, outage }) => {
    const r = simulateFleet({ agents: 10_000, capacity: 2000, outage, failures });
    expect(r.neverBack).toBe(0);
    expect(r.affected).toBe(10_000);
    expect(r.peakLoad).toBeLessThanOrEqual(1.0);
    // Bounded by the largest backoff delay (30s = 6× the 5s floor), not by capacity.
    expect(r.allBackMs).toBeLessThanOrEqual(30_000);
    expect(r.allBackMs).toBeGreaterThan(3 * r.floorMs);
  });
});

describe('the poll defaults, 10,000 agents over 1h, server back at only 500 requests/s', () => {
  it.each(scenarios)('$failures failures, $outage outage: every agent back within 3.2× the 20s floor', ({ failures, outage }) => {
    const r = simulateFleet({ agents: 10_000, capacity: 500, outage, failures, horizon: '15m' });
    expect(r.neverBack).toBe(0);
    expect(r.allBackMs).toBeLessThanOrEqual(3.2 * r.floorMs);
  });
});
