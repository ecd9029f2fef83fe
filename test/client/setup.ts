/** Shared setup for the ResilientClient unit tests: a client on a scripted fetch in virtual time. */
import { constant } from '../../src/core/backoff.js';
import { ResilientClient, type ResilientClientOptions } from '../../src/client/client.js';
import type { ResilienceEvent } from '../../src/core/events.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { scriptedFetch, type ScriptedFetch, type ScriptStep } from '../../src/testing/scripted-fetch.js';

export const BASE = 'http://agent.test/api';

export function refused(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
}

export function reset(): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
}

/** What {@link setup} hands a test. */
export interface Setup {
  clock: FakeClock;
  fetch: ScriptedFetch;
  events: ResilienceEvent[];
  client: ResilientClient;
  run<T>(work: Promise<T>): Promise<T>;
}

export function setup(script: ScriptStep[], o: Partial<ResilientClientOptions> = {}): Setup {
  const clock = new FakeClock();
  const fetch = scriptedFetch(script, { clock });
  const events: ResilienceEvent[] = [];
  const client = new ResilientClient({
    baseUrl: BASE,
    fetch,
    clock,
    retry: { backoff: constant('1s', { jitter: 'none' }), maxRetries: 5 },
    onEvent: (e) => events.push(e),
    ...o,
  });
  return { clock, fetch, events, client, run: (work) => runOn(clock, work) };
}

/** Runs `work` to completion in virtual time. */
export async function runOn<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  const settled = work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await clock.runAll();
  const r = await settled;
  if (!r.ok) throw r.error;
  return r.value;
}

