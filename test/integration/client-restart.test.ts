import { afterEach, expect, it } from 'vitest';
import { exponential } from '../../src/core/backoff.js';
import { ResilientClient } from '../../src/client/client.js';
import type { EventOf, ResilienceEvent } from '../../src/core/events.js';
import { textLines } from '../../src/policies/log.js';
import { poll } from '../../src/policies/poll.js';
import { startChildServer, type ChildServer } from './helpers/child-server.js';

let server: ChildServer | undefined;
afterEach(async () => {
  await server?.kill();
  server = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

it('an agent polling a server that is SIGKILLed and restarted on the same port resumes by itself, with growing delays logged', async () => {
  server = await startChildServer(0);
  const port = server.port;
  let text = '';
  const log = textLines({ write: (chunk: string) => (text += chunk) });
  const events: ResilienceEvent[] = [];
  const onEvent = (e: ResilienceEvent): void => {
    events.push(e);
    log(e);
  };
  const client = new ResilientClient({
    baseUrl: `http://127.0.0.1:${port}`,
    name: 'checkin',
    timeout: '500ms',
    retry: false, // the poll loop does the backing off here
    breaker: { failureThreshold: 3, openFor: '5s' },
    health: { interval: '100ms', timeout: '200ms' },
    onEvent,
  });
  const okTimes: number[] = [];
  let seq = 0;
  const poller = poll(
    async ({ signal }) => {
      await client.postJSON('/checkin', { n: ++seq }, { idempotencyKey: `agent-${seq}`, signal });
      okTimes.push(Date.now());
    },
    { interval: '100ms', jitter: 0, backoff: exponential({ initial: '50ms', max: '800ms', jitter: 'none' }), name: 'agent', onEvent },
  );
  try {
    while (okTimes.length < 2) await sleep(10);
    await server.kill();
    await sleep(1_200);
    server = await startChildServer(port);
    const backAt = Date.now();
    while (!okTimes.some((t) => t >= backAt)) {
      expect(Date.now() - backAt).toBeLessThan(5_000);
      await sleep(10);
    }
  } finally {
    await poller.stop();
    client.close();
  }
  const delays = events.filter((e): e is EventOf<'poll_failed'> => e.type === 'poll_failed').map((e) => e.delayMs);
  expect(delays.slice(0, 3)).toEqual([50, 100, 200]);
  // The 4th failure is the open breaker's refusal: poll waits out its retryAfterMs (SPEC §8), not 400ms.
  expect(delays[3]).toBeGreaterThan(4_000);
  expect(delays[3]).toBeLessThanOrEqual(5_000);
  expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['breaker_open', 'health_fail', 'health_ok', 'breaker_closed', 'recovered']));
  expect(text).toMatch(/\[POLL\] agent: check-in failed.*next try in 50ms/);
  expect(text).toMatch(/\[RECOVERY\] checkin: recovered after/);
  expect(client.stats()).toMatchObject({ recoveries: 1, state: 'closed' });
}, 15_000);
