import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exponential } from '../../src/core/backoff.js';
import { systemClock } from '../../src/core/clock.js';
import { HttpError } from '../../src/core/errors.js';
import type { EventOf, ResilienceEvent } from '../../src/core/events.js';
import { HealthCheck, httpProbe } from '../../src/policies/health.js';
import { poll, type Poller } from '../../src/policies/poll.js';

/** Starts an HTTP server on 127.0.0.1 (port 0 picks a free one) that answers 200 to everything. */
function serve(port = 0): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Stops the server now, dropping keep-alive connections so the port is free at once. */
function kill(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 4_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const servers = new Set<Server>();
let poller: Poller | undefined;
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  for (const s of servers) if (s.listening) await kill(s);
  servers.clear();
});

describe('poll across a server restart (real sockets, real time)', () => {
  it('backs off with growing delays while the server is down and resumes by itself when it returns', async () => {
    const first = await serve();
    servers.add(first);
    const port = (first.address() as AddressInfo).port;
    const events: ResilienceEvent[] = [];
    let successes = 0;
    poller = poll(
      async ({ signal }) => {
        const res = await fetch(`http://127.0.0.1:${port}/checkin`, { method: 'POST', body: '{}', signal });
        await res.arrayBuffer();
        if (!res.ok) throw new HttpError(res.status);
        successes++;
      },
      {
        interval: 50,
        backoff: exponential({ initial: 20, max: 200, jitter: 'none' }),
        clock: systemClock,
        onEvent: (e) => events.push(e),
        name: 'agent',
      },
    );
    await waitFor('two check-ins', () => successes >= 2);

    await kill(first);
    const downAt = Date.now();
    await waitFor('five failures', () => poller?.failures === 5 || events.filter((e) => e.type === 'poll_failed').length >= 5);
    expect(poller.state).toBe('backing-off');
    await new Promise((r) => setTimeout(r, 300));

    const second = await serve(port); // the same port, as after a restart
    servers.add(second);
    const before = successes;
    await waitFor('recovery', () => events.some((e) => e.type === 'recovered'));
    const upAgainAt = Date.now();
    await waitFor('a check-in after recovery', () => successes > before + 1);

    const failed = events.filter((e): e is EventOf<'poll_failed'> => e.type === 'poll_failed');
    const recovered = events.filter((e): e is EventOf<'recovered'> => e.type === 'recovered');
    expect(failed.map((e) => e.failures)).toEqual(failed.map((_, i) => i + 1));
    expect(failed.slice(0, 5).map((e) => e.delayMs)).toEqual([20, 40, 80, 160, 200]);
    for (const e of failed.slice(5)) expect(e.delayMs).toBe(200);
    expect(failed[0]?.error.code).toMatch(/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]?.failures).toBe(failed.length);
    expect(recovered[0]?.downtimeMs).toBeGreaterThanOrEqual(300);
    expect(recovered[0]?.downtimeMs).toBeLessThanOrEqual(upAgainAt - downAt + 100);
    expect(poller.state).toBe('running');
    expect(poller.failures).toBe(0);
  }, 10_000);

  it('HealthCheck with httpProbe waits for the restarted server', async () => {
    const first = await serve();
    servers.add(first);
    const port = (first.address() as AddressInfo).port;
    await kill(first);
    const events: ResilienceEvent[] = [];
    const health = new HealthCheck({ probe: httpProbe(`http://127.0.0.1:${port}/health?token=secret`), timeout: 500, onEvent: (e) => events.push(e) });
    expect(await health.check()).toBe(false);
    expect(health.status).toBe('unhealthy');
    setTimeout(() => void serve(port).then((s) => servers.add(s)), 200);
    await health.waitUntilHealthy({ backoff: exponential({ initial: 20, max: 100, jitter: 'none' }), signal: AbortSignal.timeout(4_000) });
    expect(health.status).toBe('healthy');
    expect(events.at(-1)?.type).toBe('health_ok');
    expect(events.filter((e) => e.type === 'health_fail').length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(events)).not.toContain('secret');
  }, 10_000);
});
