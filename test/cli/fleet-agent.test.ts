import { describe, expect, it } from 'vitest';
import { simulateFleet, type FailureMode, type FleetPolicy, type Overload } from '../../src/cli/fleet.js';
import { KINDS, Server } from '../../src/cli/fleet-server.js';
import { ResilientClient } from '../../src/client/client.js';
import { HttpError } from '../../src/core/errors.js';
import { seededRandom } from '../../src/core/random.js';
import { poll } from '../../src/policies/poll.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { scriptedFetch } from '../../src/testing/scripted-fetch.js';

type Kind = (typeof KINDS)[number];
interface Scenario {
  outage: number;
  failures: FailureMode;
  capacity: number;
  overload: Overload;
  horizon: number;
  seed: number;
  policy?: FleetPolicy;
}

/** The one simulated agent of a fleet of one: every request it sent, as [time, kind]. */
async function modelled(s: Scenario): Promise<[number, Kind][]> {
  const sent: [number, Kind][] = [];
  await simulateFleet({ ...s, agents: 1, onRequest: (_agent, time, kind) => sent.push([time, kind]) });
  return sent;
}

/**
 * The real thing: poll (interval 30s) around a ResilientClient with every option at its default, on
 * FakeClock drawing from the stream the model gives agent 0, against the same server. Each request
 * is labelled as the model labels it: a probe by its path, a trial by the breaker's state, a retry
 * once the client announced one.
 */
async function real(s: Scenario): Promise<[number, Kind][]> {
  const clock = new FakeClock({ random: seededRandom(s.seed * 1_000_003 + 1) });
  const server = new Server(s.outage, s.capacity, s.overload, Math.ceil(s.horizon / 1000) + 1);
  const sent: [number, Kind][] = [];
  let firstAttempt = false;
  const fetch = scriptedFetch(
    [
      (call) => {
        const probe = new URL(call.url).pathname === '/health';
        const kind: Kind = probe ? 'health probe' : client.breaker?.state === 'half-open' ? 'trial' : firstAttempt ? 'check-in' : 'client retry';
        sent.push([call.time, kind]);
        const answer = server.answer(call.time, KINDS.indexOf(kind));
        if (answer === undefined) return 200;
        if (!(answer instanceof HttpError)) return answer;
        const headers: Record<string, string> = answer.retryAfterMs === undefined ? {} : { 'retry-after': String(answer.retryAfterMs / 1000) };
        return new Response(null, { status: 503, headers });
      },
    ],
    { clock, repeatLast: true },
  );
  const client = new ResilientClient({
    baseUrl: 'http://fleet.test',
    fetch,
    clock,
    totalTimeout: Infinity, // the fleet model has no per-call deadline (the client's default is 60 s)
    ...(s.policy?.client === undefined || s.policy.client === false ? {} : clientOptions(s.policy)),
    onEvent: (e) => {
      if (e.type === 'retry') firstAttempt = false;
    },
  });
  // The fleet model starts agent 0 of a spread fleet at the first draw of the fleet's phase stream.
  if (s.failures === 'spread') await clock.advance(seededRandom(s.seed)() * 30_000);
  const poller = poll(
    async () => {
      firstAttempt = true;
      await client.fetch('/checkin', { method: 'POST', idempotent: true });
    },
    { interval: '30s', clock, ...(s.policy?.poll ?? {}) },
  );
  await clock.advance(s.horizon - clock.now());
  await poller.stop();
  client.close();
  return sent.filter(([t]) => t < s.horizon);
}

function clientOptions(p: FleetPolicy): Record<string, unknown> {
  return p.client === false || p.client === undefined ? {} : { ...p.client };
}

const base: Scenario = { outage: 120_000, failures: 'simultaneous', capacity: 1000, overload: '503', horizon: 600_000, seed: 1 };

describe('the fleet model of one agent', () => {
  it.each([
    ['a 120s outage hitting the agent at once', base],
    ['a 120s outage reached at the agent\'s own check-in (spread)', { ...base, failures: 'spread' as const, seed: 3 }],
    ['a 600s outage', { ...base, outage: 600_000, horizon: 900_000, seed: 2 }],
    ['a 30s outage', { ...base, outage: 30_000, seed: 5 }],
    ['a server of 1 request/s answering 503 with Retry-After', { ...base, capacity: 1, overload: 'retry-after' as const, seed: 4 }],
    ['a server of 1 request/s answering a bare 503', { ...base, capacity: 1, seed: 6 }],
    ['health.interval 5s: probes between the trials', { ...base, seed: 7, policy: { name: 'p', client: { health: { interval: '5s' } } } }],
    ['openFor 2m: a passing probe half-opens the breaker and wakes the waiting check-in', { ...base, seed: 8, outage: 200_000, policy: { name: 'p', client: { breaker: { openFor: '2m' }, health: { interval: '10s' } } } }],
  ])('sends the same requests at the same times as poll + ResilientClient on FakeClock: %s', async (_name, s) => {
    const model = await modelled(s);
    const library = await real(s);
    expect(model.length).toBeGreaterThan(10);
    expect(new Set(library.map(([, k]) => k)).size).toBeGreaterThanOrEqual(3);
    if (s.policy !== undefined) expect(library.map(([, k]) => k)).toContain('health probe');
    expect(model).toEqual(library);
  });
});
